import AsyncHTTPClient
import CreditTypes
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// The client for the OpenRouter endpoints this tool uses, over one shared `HTTPClient`
/// that `shutdown()` closes.
///
/// Every call passes the client's `RequestGate` (rate limit, shared `429` pause) and
/// retries as the official SDKs do, within `maxRetryTime`. The `GET`s (`/credits`,
/// `/key`, `/keys`, `/activity`) retry `429`, `5xx`, connection failures and timeouts; `POST /credits/coinbase` is not idempotent,
/// so it is re-sent only when it provably never reached the server.
public final class OpenRouterClient: Sendable {
    /// The configuration the client was made with.
    public let configuration: ClientConfiguration
    private let http: HTTPClient
    private let gate: RequestGate
    private let policy = RetryPolicy()
    private let base: String
    private let interrupted = Mutex(false)

    /// A client; call `shutdown()` when done with it.
    public init(configuration: ClientConfiguration) {
        self.configuration = configuration
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        var config = HTTPClient.Configuration()
        config.redirectConfiguration = .disallow
        // Our own loop retries connection failures within the retry budget, with the
        // backoff of the SDKs; the pool's silent reconnect loop would hide them.
        config.connectionPool.retryConnectionEstablishment = false
        config.timeout = HTTPClient.Configuration.Timeout(
            connect: Self.timeAmount(min(configuration.timeout, .seconds(10))),
            read: Self.timeAmount(configuration.timeout))
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        self.gate = RequestGate(rateLimit: configuration.rateLimit)
    }

    /// `GET /credits`: the account's running totals, exactly as the API sent them.
    public func getCredits() async throws(APIError) -> CreditsReading {
        try await showingUnreadable("GET /credits") { () async throws(APIError) in try WireFormat.credits(try await get("/credits").body) }
    }

    /// `read()`, with the answer it could not read (the key redacted) logged at `debug`:
    /// the error names what is wrong, the log shows what came.
    func showingUnreadable<T>(_ call: String, _ read: () async throws(APIError) -> T) async throws(APIError) -> T {
        do { return try await read() } catch {
            if let raw = error.unreadAnswer?.rawBody {
                configuration.logger.debug("\(call): the answer that could not be read, as it came: \(raw.prefix(64 << 10))")
            }
            throw error
        }
    }

    /// A `GET` with the management key, through the one retry path every call takes;
    /// `path` may carry a query (`/keys?offset=100`).
    /// With `refusalsAsAnswered`, a refusal is thrown as the API gave it (a 400 is
    /// `.badRequest`), for the caller to read (`readRefusal` says what it means otherwise).
    func get(_ path: String, refusalsAsAnswered: Bool = false) async throws(APIError) -> Answer {
        guard let key = configuration.managementKey else {
            throw .unauthorized(message: "no management key was given")
        }
        return try await call(method: .GET, path: path, key: key, body: nil, refusalsAsAnswered: refusalsAsAnswered)
    }

    /// `GET /key` with the key charges are created with, for the `Date` of its answer: the
    /// API's clock, which a top-up checks this machine's against before its first charge.
    /// Any key may ask (the answer describes the calling key); the body is not read.
    public func answerTime() async throws(APIError) -> Timestamp? {
        guard let key = configuration.bearer ?? configuration.managementKey else {
            throw .unauthorized(message: "no key was given for charges")
        }
        return try await call(method: .GET, path: "/key", key: key, body: nil).date
    }

    /// `POST /credits/coinbase`: creates a charge the wallet `sender` can pay on `chainID`.
    ///
    /// Not idempotent: any failure once the request may have reached the server throws
    /// `.outcomeUnknown`, never a silent second request. `turnTaken`: the caller has waited
    /// for its turn with `waitForTurn()`, so the first attempt takes no slot of the rate
    /// limit again (a `429` pause still holds it back); and a `429` is not retried here: the
    /// pause is set for every call and `.rateLimited` thrown at once, so that the caller,
    /// which recorded that it was sending, records that nothing was sent before it waits
    /// for its turn again (a process killed in the pause left its row as if the request
    /// might have gone out, probe 132).
    public func createCoinbaseCharge(
        amount: Micros, sender: String, chainID: Int64, turnTaken: Bool = false
    ) async throws(APIError) -> CoinbaseCharge {
        guard let key = configuration.bearer ?? configuration.managementKey else {
            throw .unauthorized(message: "no key was given for charges")
        }
        let request = WireFormat.chargeRequest(amount: amount, sender: sender, chainID: chainID)
        let body = try await call(method: .POST, path: "/credits/coinbase", key: key, body: request, turnTaken: turnTaken).body
        do {
            return try WireFormat.charge(body)
        } catch {
            // The charge may well exist: we just cannot read its id. That is an unknown
            // outcome for the ledger, with the body kept in the reason for a person.
            if let reason = error.unreadAnswer?.reason {
                throw .outcomeUnknown(reason: "the answer could not be read (\(reason)): \(String(decoding: body.prefix(500), as: UTF8.self))")
            }
            throw error
        }
    }

    /// Waits for a turn to send under the rate limit (and any `429` pause), and takes it:
    /// the next `createCoinbaseCharge(…, turnTaken: true)` goes out without waiting again.
    /// So a caller can record that it is about to send once the wait is over, not before a
    /// wait of minutes in which it may be killed: a `requesting` row then means the request
    /// may have gone out. Throws `.notSent` when stopped meanwhile, `.rateLimited` when a
    /// pause outlasts `--max-retry-time`.
    public func waitForTurn() async throws(APIError) {
        try await admit(deadline: ContinuousClock.now + configuration.maxRetryTime, holdingSlot: false)
        if wasInterrupted { throw .notSent(reason: "the run was stopped before this request was sent") }
    }

    /// Sends nothing more (a SIGINT/SIGTERM stop): calls waiting for the rate limit, a
    /// `429` pause or a retry give up with `.notSent` within 100 ms, and no call sends a new
    /// request. A request already on the wire is left to finish, so its answer is recorded.
    public func interrupt() { interrupted.withLock { $0 = true } }

    /// Whether `interrupt()` was called.
    public var wasInterrupted: Bool { interrupted.withLock { $0 } }

    /// Shuts the shared HTTP client down; the client cannot be used afterwards.
    public func shutdown() async {
        do { try await http.shutdown() } catch {
            configuration.logger.debug("HTTP client shutdown: \(error)")
        }
    }

    // MARK: - One call, with retries

    /// A successful answer: its body, and the server's clock when it answered (its `Date`
    /// header, RFC 9110 § 6.6.1), `nil` when it sent none or one that cannot be read.
    struct Answer {
        var body: [UInt8]
        var date: Timestamp?
    }

    private func call(
        method: HTTPMethod, path: String, key: Secret, body: [UInt8]?, turnTaken: Bool = false, refusalsAsAnswered: Bool = false
    ) async throws(APIError) -> Answer {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.maxRetryTime
        let idempotent = method == .GET
        let logger = configuration.logger
        var attempt = 0
        while true {
            try await admit(deadline: deadline, holdingSlot: turnTaken && attempt == 0)
            // Checked after every wait, right before the request goes out.
            if wasInterrupted { throw .notSent(reason: "the run was stopped before this request was sent") }
            let outcome = await send(method: method, path: path, key: key, body: body)
            let failure: APIError
            var delay = policy.backoff(attempt: attempt)
            switch outcome {
            case .answered(let status, let headers, let bytes):
                switch status {
                case 200..<300:
                    return Answer(body: bytes, date: headers.first(name: "date").flatMap(RetryAfter.parseHTTPDate))
                case 429:
                    let retryAfter = RetryAfter.parse(headers.first(name: "retry-after"), now: Timestamp.now())
                    let message = WireFormat.errorMessage(bytes, status: status)
                    failure = .rateLimited(retryAfter: retryAfter, message: message)
                    // A `Retry-After` shorter than our own backoff (0, say) would have every
                    // call retry at once, again and again, for the whole budget.
                    if let retryAfter { delay = max(retryAfter, delay) }
                    await gate.pause(until: clock.now + delay)
                    if turnTaken {
                        logger.info("\(method) \(path): told to slow down (\(failure.shortReason)); every request pauses \(RetryAfter.describe(delay)), and this one, recorded as not sent, goes again after the pause while its retry budget lasts")
                        throw failure
                    }
                case 500..<600:
                    let message = WireFormat.errorMessage(bytes, status: status)
                    guard idempotent else {
                        throw .outcomeUnknown(reason: "the API answered HTTP \(status) (\(message)) after receiving the request")
                    }
                    failure = .server(status: status, message: message)
                    // A 503 may say when to come back; the SDKs honour that too.
                    if let retryAfter = RetryAfter.parse(headers.first(name: "retry-after"), now: Timestamp.now()) {
                        delay = max(retryAfter, delay)
                    }
                case 300..<400:
                    // Redacted as the body is: the server had the key, and may put it there.
                    let location = headers.first(name: "location").map {
                        String(decoding: Secret.redactingSentToTheAPI(in: Array($0.utf8)), as: UTF8.self)
                    }
                    throw Self.redirect(status: status, location: location, body: bytes)
                case 408 where idempotent:
                    failure = .timedOut(reason: "the server gave up waiting for the request (HTTP 408)", slow: false)
                default:
                    let refusal = Self.refusal(status: status, body: bytes)
                    throw idempotent && !refusalsAsAnswered ? Self.readRefusal(path: path, refusal) : refusal
                }
            case .notSent(let reason):
                failure = .notSent(reason: reason)
            case .lost(let reason, let timedOut):
                guard idempotent else { throw .outcomeUnknown(reason: reason) }
                failure = timedOut ? .timedOut(reason: reason) : .timedOut(reason: "the connection closed before an answer: \(reason)", slow: false)
            case .notHTTP(let reason):
                let said = "the server's answer was not HTTP (\(reason))"
                guard idempotent else { throw .outcomeUnknown(reason: said) }
                // Tried again while the budget lasts (a proxy's slip); said at the end as what
                // it is, not as an answer that never came: a longer --max-retry-time was the
                // advice for a server that is not the API's (probe 440).
                failure = .malformedResponse(
                    reason: said + ", on every attempt; a proxy between may be mangling the API's answers", rawBody: nil)
            case .oversized(let status):
                let reason = "the answer (HTTP \(status)) is longer than \(Self.maxAnswerBytes >> 20) MB, more than any answer of the API"
                guard idempotent else { throw .outcomeUnknown(reason: reason) }
                throw .malformedResponse(reason: reason, rawBody: nil)
            }
            attempt += 1
            guard clock.now + delay <= deadline else {
                logger.warning("\(method) \(path): giving up after \(attempt) attempt\(attempt == 1 ? "" : "s"): \(failure.shortReason)")
                throw failure
            }
            // A stop that came while this attempt was out: no retry, and no line saying one comes.
            if wasInterrupted { throw .notSent(reason: "the run was stopped; not retried after: \(failure.shortReason)") }
            logger.info("\(method) \(path): attempt \(attempt) failed (\(failure.shortReason)); retrying in \(RetryAfter.describe(delay))")
            if case .rateLimited = failure { continue }  // the gate holds us back
            try await wait(until: clock.now + delay, while: "waiting to retry after: \(failure.shortReason)")
        }
    }

    /// Waits for the gate; gives up with `.rateLimited` when a `429` pause outlasts the budget.
    private func admit(deadline: ContinuousClock.Instant, holdingSlot taken: Bool) async throws(APIError) {
        var holdingSlot = taken
        while true {
            switch await gate.ticket(holdingSlot: holdingSlot) {
            case .go:
                return
            case .wait(let until, let rateLimited):
                if rateLimited, until > deadline {
                    let remaining = until - ContinuousClock.now
                    throw .rateLimited(retryAfter: remaining, message: "a request, this one or another, was told to slow down")
                }
                if !rateLimited { holdingSlot = true }
                try await wait(until: until, while: "waiting for the rate limit")
            }
        }
    }

    /// Sleeps until `instant` in steps of at most 100 ms, so that `interrupt()` (a signal)
    /// ends a long `Retry-After` wait at once instead of sending after it.
    private func wait(until instant: ContinuousClock.Instant, while doing: String) async throws(APIError) {
        let clock = ContinuousClock()
        while clock.now < instant {
            if wasInterrupted { throw .notSent(reason: "the run was stopped while \(doing)") }
            do { try await Task.sleep(until: min(instant, clock.now + .milliseconds(100)), clock: clock) } catch {
                throw .notSent(reason: "cancelled while \(doing)")
            }
        }
    }

    private enum Outcome {
        case answered(status: Int, headers: HTTPHeaders, body: [UInt8])
        /// Provably never reached the server.
        case notSent(String)
        /// May have reached the server; no complete answer.
        case lost(String, timedOut: Bool)
        /// An answer longer than `maxAnswerBytes`, no longer read.
        case oversized(status: Int)
        /// An answer that is not HTTP (`TransportFailure.isNotHTTP`): may have reached the server.
        case notHTTP(String)
    }

    private func send(method: HTTPMethod, path: String, key: Secret, body: [UInt8]?) async -> Outcome {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer " + key.reveal())
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        request.headers.add(name: "Accept", value: "application/json")
        if let referer = configuration.referer { request.headers.add(name: "HTTP-Referer", value: referer) }
        if let title = configuration.title { request.headers.add(name: "X-Title", value: title) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let deadline = ContinuousClock.now + configuration.timeout
        do {
            let response = try await http.execute(request, timeout: Self.timeAmount(configuration.timeout))
            let buffer: ByteBuffer
            do { buffer = try await Self.collect(response.body, by: deadline) } catch is NIOTooManyBytesError {
                return .oversized(status: Int(response.status.code))
            }
            // A gateway may echo the request's headers in its answer: the key must not reach
            // a log line, an error message or the ledger's copy of the body through it, nor
            // any other key the process holds (never the ledger's password, which the API is
            // not sent: `Secret.sentToTheAPI`).
            let body = Secret.redactingSentToTheAPI(in: Array(buffer.readableBytesView))
            return .answered(status: Int(response.status.code), headers: response.headers, body: body)
        } catch {
            let reason = TransportFailure.describe(error)
            if TransportFailure.neverSent(error) { return .notSent(reason) }
            if TransportFailure.isNotHTTP(error) { return .notHTTP(reason) }
            return .lost(reason, timedOut: TransportFailure.isTimeout(error))
        }
    }

    /// Bytes of one answer read before giving up on it: an answer is a few kilobytes, the
    /// whole window of `/activity` for a large account a few megabytes.
    static let maxAnswerBytes = 64 << 20

    /// The whole body, by `deadline`: the client's own deadline ends once the head has
    /// come, and its read timeout starts again with every byte, so a server dripping its
    /// body a byte at a time would hold the call (and the nightly job) for ever.
    static func collect(
        _ body: HTTPClientResponse.Body, upTo maxBytes: Int = maxAnswerBytes, by deadline: ContinuousClock.Instant
    ) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: maxBytes) }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else { throw HTTPClientError.deadlineExceeded }
            return buffer
        }
    }

    /// A final answer that retrying cannot change.
    static func refusal(status: Int, body: [UInt8]) -> APIError {
        let message = WireFormat.errorMessage(body, status: status)
        let raw = String(decoding: body, as: UTF8.self)
        switch status {
        case 401: return .unauthorized(message: message)
        case 403: return .forbidden(message: message)
        case 410: return .gone(message: message, rawBody: raw)
        case 400..<500: return .badRequest(status: status, message: message, rawBody: raw)
        default:
            return .malformedResponse(reason: "unexpected HTTP status \(status) (\(message))", rawBody: raw)
        }
    }

    /// A redirect, which is never followed (the key would go wherever it points): a
    /// malformed answer naming where it points, since that most often means a `--base-url`
    /// to fix (the error's description says to check it).
    static func redirect(status: Int, location: String?, body: [UInt8]) -> APIError {
        let target = location.map { " to \($0.prefix(300))" } ?? " with no Location"
        return .malformedResponse(
            reason: "the API answered HTTP \(status), a redirect\(target), which is not followed (the key would go "
                + "with it)", rawBody: String(decoding: body, as: UTF8.self))
    }

    /// A final answer to a `GET`: a refused key (401, 403) or a route that is not there
    /// (404) are what they are; any other refusal of a question the API documents means the
    /// other end is not the API this tool knows (or the machine's clock is off, for the
    /// days `/activity` is asked about), not that a charge was refused.
    static func readRefusal(path: String, _ refusal: APIError) -> APIError {
        let status = refusal.httpStatus ?? 0
        switch refusal {
        case .badRequest(404, _, _), .unauthorized, .forbidden, .malformedResponse:
            return refusal
        case .badRequest(_, let message, let raw), .gone(let message, let raw):
            let clock = path.hasPrefix("/activity")
                ? "; /activity answers only the last 30 completed UTC days, so check this machine's clock too" : ""
            return .malformedResponse(reason: "GET \(path) was refused (HTTP \(status): \(message))\(clock)", rawBody: raw)
        default:
            return refusal
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, atto) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + atto / 1_000_000_000)
    }
}
