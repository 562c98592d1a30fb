import CreditTypes
import OpenRouterAPI

extension ChargeAnswer {
    /// Sorts the client's error into what the ledger records (DESIGN.md § The top-up flow).
    init(_ error: APIError) {
        switch error {
        case .badRequest(let status, let message, let rawBody) where status == 408 || status == 499:
            // A timeout said by the server or a proxy in front of it: the request may have
            // been passed on.
            self = .unknown(status: status, message: Self.unknownAdvice("HTTP \(status): \(message)"), rawBody: rawBody)
        case .badRequest(404, let message, let rawBody):
            // No such route: the request never reached the charges endpoint.
            self = .rejected(status: 404, message: "the API answered 404 (\(message)): --base-url (or OPENROUTER_BASE_URL) is "
                + "not the API's root, such as https://openrouter.ai/api/v1; nothing was created, and the row is sent on the "
                + "next run", rawBody: rawBody)
        case .badRequest(let status, let message, let rawBody):
            self = .rejected(status: status, message: "the API refused the request (HTTP \(status)): \(message); "
                + "nothing was created — fix the row (use a new reference) and run topup again", rawBody: rawBody)
        case .unauthorized(let message):
            // The charge's own key: the bearer, not fetch's management key.
            self = .keyRefused(status: 401, message: "the API did not accept the key for charges (401 Unauthorized: \(message)); "
                + "check OPENROUTER_BEARER (or --bearer-file; without either, OPENROUTER_API_KEY or --api-key-file) holds a "
                + "current key; nothing was created, and the row is sent on the next run")
        case .forbidden(let message):
            self = .keyRefused(status: 403, message: "the key is not allowed to create charges (403 Forbidden: \(message)); "
                + "give OPENROUTER_BEARER (or --bearer-file) an enabled key with credit purchase rights; nothing was created, "
                + "and the row is sent on the next run")
        case .gone(let message, let rawBody):
            self = .gone(message: "Coinbase charges are no longer available through the API (410 Gone: \(message)); "
                + "nothing was created and it will not be sent again — buy the credits through the OpenRouter web flow, "
                + "then record the charge with \(Self.importCharges) giving this row's reference (its key, for a row without one)", rawBody: rawBody)
        case .rateLimited:
            self = .notSent(status: 429, message: "not sent: \(error.description); run topup again to send it", rateLimited: true)
        case .notSent:
            self = .notSent(status: nil, message: "not sent: \(error.description); run topup again to send it", rateLimited: false)
        case .outcomeUnknown(let reason):
            // The reason alone: the error's own sentence carries the same advice again.
            self = .unknown(status: error.httpStatus, message: Self.unknownAdvice(reason), rawBody: nil)
        case .server, .timedOut:
            self = .unknown(status: error.httpStatus, message: Self.unknownAdvice(error.description), rawBody: nil)
        case .malformedResponse(_, let rawBody), .beyondRange(_, let rawBody):
            self = .unknown(status: nil, message: Self.unknownAdvice(error.description), rawBody: rawBody)
        }
    }

    static func unknownAdvice(_ what: String) -> String {
        // Recording comes first: sent again, a row whose charge was made is bought twice, and
        // after a crash one most often was (probe 289: every such row had its charge).
        "outcome unknown: \(what); a charge may exist — check the OpenRouter/Coinbase dashboard, and record one found "
            + "with `import charges` giving this row's reference (its key, for a row without one); only once none is "
            + "there, re-send with \(resend), which sends every row still unknown again"
    }

    /// How an answer of unknown outcome says to send its row again; `TopUpEngine.fact`
    /// puts the plan's own command in its place (`resend(command:)`) when it records the answer.
    static let resend = "`topup PLAN.csv --retry-unknown`"

    /// How a blocked answer says to record the charge bought instead; `TopUpEngine.fact` puts
    /// the row's account in (`importCharges(account:)`).
    static let importCharges = "`credit-recon import charges FILE.csv`"

    /// `import charges FILE.csv` for `account`, with `--account` but for the default account.
    static func importCharges(account: String) -> String { AccountLabel.command("import charges FILE.csv", account: account) }

    /// `message` with `resend` replaced by `command` (`TopUpEngine.retryUnknownCommand`).
    static func resend(_ message: String, command: String) -> String {
        message.replacingOccurrences(of: resend, with: "`\(command)`")
    }
}

/// The real API behind the top-up engine.
extension OpenRouterClient: ChargeCreating {
    public func createCharge(amount: Micros, sender: String, chainID: Int64) async throws -> ChargeAnswer {
        do {
            // The engine waited for the turn (`waitForTurn`) before recording the intent.
            let charge = try await createCoinbaseCharge(amount: amount, sender: sender, chainID: chainID, turnTaken: true)
            return .created(CreatedCharge(id: charge.id, createdAt: charge.createdAt, expiresAt: charge.expiresAt,
                                          callData: charge.callDataJSON, rawBody: charge.rawBody, chainID: charge.chainID,
                                          sender: charge.sender, recipientAmount: charge.recipientAmount))
        } catch {
            if case .notSent = error, wasInterrupted {
                return .notSent(status: nil, message: "not sent: the run was stopped (SIGINT, SIGTERM or SIGHUP) before this request went out; "
                    + "nothing was created — run topup again to send it", rateLimited: false)
            }
            return ChargeAnswer(error)
        }
    }

    public var retryBudget: Duration { configuration.maxRetryTime }

    public func waitForTurn() async -> ChargeAnswer? {
        do {
            try await waitForTurn() as Void
            return nil
        } catch {
            if case .notSent = error, wasInterrupted {
                return .notSent(status: nil, message: "not sent: the run was stopped (SIGINT, SIGTERM or SIGHUP) while it waited for the "
                    + "rate limit; nothing was created — run topup again to send it", rateLimited: false)
            }
            return ChargeAnswer(error)
        }
    }
}
