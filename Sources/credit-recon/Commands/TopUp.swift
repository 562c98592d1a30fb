import ArgumentParser
import CreditRecon
import CreditTypes
import Foundation
import Ledger
import OpenRouterAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension CreditReconCommand {
    /// `topup PLAN.csv`: creates a Coinbase charge for each plan row not yet carried out.
    struct TopUp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "topup",
            abstract: "Creates a Coinbase charge for each plan row not yet carried out, each exactly once.",
            discussion: """
                Each row is keyed by its reference (else batch/wallet/chain/amount/occurrence); rows already \
                carried out are skipped. The intent is committed to the ledger before each request, so a crash \
                never sends a row twice: its outcome becomes `unknown` for a person to check. 410 Gone marks a row \
                `blocked` (never re-sent): buy through the web flow and `import charges` it by reference. \
                Without a terminal, --yes is required. Exit 1 when a row is rejected, blocked or unknown.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The plan CSV file.", valueName: "plan.csv"))
        var plan: String

        @Option(name: .long, help: ArgumentHelp("Batch name for rows without a reference (default: the plan file's name).", valueName: "name"))
        var batch: String?

        @Flag(name: .long, help: "Print what would be charged (new vs already done, totals per chain); send and write nothing.")
        var dryRun = false

        @Flag(name: .long, help: "Do not ask for confirmation (required when not on a terminal).")
        var yes = false

        @Option(name: .long, help: ArgumentHelp("Requests in flight at once (1-32).", valueName: "n"))
        var concurrency = 4

        @Option(name: .long, help: ArgumentHelp("At most this many requests per second.", valueName: "per-second"))
        var rateLimit: Double?

        @Flag(name: .long, help: "Send again rows whose earlier outcome is unknown (check the dashboard first).")
        var retryUnknown = false

        @Option(name: .long, help: ArgumentHelp("The largest amount one row may ask for, in USD (default 10000).", valueName: "usd"))
        var maxAmount: String?

        @Option(name: .long, help: ArgumentHelp("Refuse the batch when its new rows add up to more, in USD.", valueName: "usd"))
        var maxTotal: String?

        func validate() throws {
            guard (1...32).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 32") }
            if let rateLimit, !(rateLimit > 0) { throw ValidationError("--rate-limit must be more than 0") }
        }

        mutating func run() async throws {
            let command = self
            try await CLI.run(global) { context in try await command.execute(context) }
        }

        private func execute(_ context: CommandContext) async throws -> ExitStatus {
            let options = TopUpEngine.Options(
                planPath: plan, batch: batch, account: context.account,
                maxAmount: try USDOption.parse(maxAmount, option: "--max-amount") ?? PlanReader.defaultMaxAmount,
                maxTotal: try USDOption.parse(maxTotal, option: "--max-total"),
                concurrency: concurrency, retryUnknown: retryUnknown)
            let engine = TopUpEngine(options: options)

            if dryRun {
                // Writes nothing: no lock, and no ledger file is created.
                let ledger = FileManager.default.fileExists(atPath: context.ledgerPath)
                    ? try Ledger(path: context.ledgerPath, create: false) : nil
                let preview = try engine.prepare(ledger: ledger)
                if context.json {
                    print(Self.previewJSON(preview).canonicalText)
                } else {
                    print(preview.table())
                    print("dry run: nothing was sent or written")
                }
                return .ok
            }

            let lock = try WriterLock.acquire(ledgerPath: context.ledgerPath)
            defer { withExtendedLifetime(lock) {} }
            let preview = try engine.prepare(ledger: FileManager.default.fileExists(atPath: context.ledgerPath)
                ? try context.openLedger() : nil)
            let onTerminal = isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1
            do {
                try TopUpConfirmation.check(preview, yes: yes, isTerminal: onTerminal,
                                            show: { Self.stderr($0.hasSuffix(" ") ? $0 : $0 + "\n") },
                                            ask: { readLine() })
            } catch .declined {
                Self.stderr("nothing was sent\n")
                return .ok
            }

            let ledger = try context.openLedger()
            let client: (any ChargeCreating)?
            let realClient: OpenRouterClient?
            if preview.toSend.isEmpty {
                realClient = nil
                client = nil
            } else {
                let made = OpenRouterClient(configuration: ClientConfiguration(
                    baseURL: context.baseURL, managementKey: nil, bearer: try context.bearer(), timeout: context.timeout,
                    maxRetryTime: context.maxRetryTime, rateLimit: rateLimit, userAgent: CreditReconVersion.userAgent,
                    logger: context.logger))
                realClient = made
                client = made
            }
            let stop = StopFlag()
            let logger = context.logger
            let trap = SignalTrap(stop) { name in
                logger.notice("\(name): no new requests; waiting for the ones in flight to be recorded")
            }
            let showProgress = isatty(STDERR_FILENO) == 1 && !context.json
            let summary: TopUpSummary
            do {
                defer { trap.cancel() }
                summary = try await engine.execute(
                    preview, ledger: ledger, client: client ?? NothingToSend(), stop: stop, now: { context.now() },
                    progress: { event in
                        if showProgress {
                            Self.stderr("\r[\(event.finished)/\(event.planned)] line \(event.line) \(event.state)\u{1B}[K")
                        } else {
                            logger.info("line \(event.line)\(event.reference.map { " (\($0))" } ?? ""): \(event.state) — \(event.detail)")
                        }
                    })
            } catch {
                await realClient?.shutdown()
                throw error
            }
            await realClient?.shutdown()
            if showProgress && summary.sent > 0 { Self.stderr("\n") }
            if context.json {
                print(summary.json.canonicalText)
            } else {
                print(summary.text)
            }
            return summary.exitStatus
        }

        static func previewJSON(_ preview: TopUpPreview) -> JSONValue {
            .object([
                "dry_run": .bool(true), "batch": .string(preview.batch), "plan_rows": .int(Int64(preview.items.count)),
                "to_send": .int(Int64(preview.toSend.count)), "to_send_total": .string(preview.sendTotal.decimalText),
                "done": .int(Int64(preview.count(.done))), "blocked": .int(Int64(preview.count(.blocked))),
                "unknown": .int(Int64(preview.count(.unknown))),
                "totals_by_chain": .array(preview.sendTotalsByChain.map {
                    .object(["chain_id": .int($0.chain), "chain": .string(Chain.label(for: $0.chain)),
                             "rows": .int(Int64($0.rows)), "total": .string($0.total.decimalText)])
                }),
                "rows": .array(preview.items.map { item in
                    .object(["line": .int(Int64(item.row.line)), "key": .string(item.key),
                             "reference": item.row.reference.map(JSONValue.string) ?? .null,
                             "action": .string(item.action.rawValue), "previous_state": item.previousState.map(JSONValue.string) ?? .null,
                             "amount": .string(item.row.amount.decimalText), "chain_id": .int(item.row.chain.rawValue),
                             "wallet": .string(item.row.wallet.checksummed)])
                }),
            ])
        }

        static func stderr(_ text: String) {
            FileHandle.standardError.write(Data(text.utf8))
        }
    }
}

/// Stands in for the client when no row is to be sent (a run that only marks a dead
/// run's requests unknown), so no key is needed for it.
private struct NothingToSend: ChargeCreating {
    func createCharge(amount: Micros, sender: String, chainID: Int64) async throws -> ChargeAnswer {
        .notSent(status: nil, message: "not sent: no request was expected", rateLimited: false)
    }
}
