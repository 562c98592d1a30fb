import ArgumentParser
import CreditRecon
import CreditTypes
import Foundation
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
                carried out are skipped. A row that repeats a purchase (wallet, chain, amount) made in the last \
                12 hours by another plan's top-up or a recorded web-flow charge, either without a reference \
                (a recorded charge's naming no plan row counts as none against a row left to send), is refused (a plan saved again under another name): --batch names the batch it is a copy of, \
                --allow-repeat sends it. The intent is committed to the ledger before each request, so a crash \
                never sends a row twice: its outcome becomes `unknown` for a person to check. 410 Gone marks a row \
                `blocked` (never re-sent): buy through the web flow and `import charges` it by reference. A row \
                the API refused for itself (400, 422) is `rejected` and not sent again: fix it under a new \
                reference; one refused for the key, the address or the rate (401, 403, 404, 429) is sent again. \
                Without a terminal, --yes is required. On a terminal, a line on stderr counts the requests \
                finished; without one, each row's outcome is logged (info). Exit 1 when a row is rejected, \
                blocked or unknown.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The plan CSV file.", valueName: "plan.csv"))
        var plan: String

        @OptionGroup var flags: TopUpFlags

        @Flag(name: .long, help: "Print what would be charged (new vs already done, totals per chain); send and write nothing.")
        var dryRun = false

        @Flag(name: .long, help: ArgumentHelp(
            "Send again rows whose earlier outcome is unknown (check the dashboard first).",
            discussion: "A request this run finds left under way (a crashed run's) is only marked unknown: a later run sends it."))
        var retryUnknown = false

        mutating func run() async throws {
            let command = self
            try await CLI.run(global, writes: !dryRun) { context in try await command.execute(context) }
        }

        private func execute(_ context: CommandContext) async throws -> ExitStatus {
            let options = try flags.engineOptions(plan: plan, account: context.account, retryUnknown: retryUnknown, now: context.now())
            let stage = TopUpStage(context: context, options: options, rateLimit: flags.rateLimit, yes: flags.yes)
            if dryRun {
                let preview = try stage.preview()
                let status = preview.exitStatus
                if context.json {
                    print(Self.previewJSON(preview).exitCode(status).text)
                } else {
                    print(preview.table())
                    if !preview.ledgerDamage.isEmpty {
                        print(TerminalText.printable("the ledger is damaged, so the top-up would be refused (74) before anything is "
                            + "sent: \(preview.ledgerDamage.joined(separator: "; ")); run `credit-recon verify` to see what is and what to do"))
                    }
                    if preview.ledgerMissing {
                        // Said: a dry run pasted in another folder showed rows bought already as new
                        // (probe 466).
                        print(TerminalText.printable("no ledger at \(context.ledgerName): every row is new to it, and the "
                            + "top-up would start new books there; for the books a plan was sent from before, give their --ledger"))
                    }
                    print("dry run: nothing was sent or written")
                }
                return status
            }
            let outcome = try await stage.run(
                isTerminal: isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1,
                showProgress: context.showsProgress)
            switch outcome {
            case .declined:
                Self.stderr("nothing was sent\n")
                // Asked on the terminal, answered no (or nothing): still one object for a script.
                if context.json {
                    print(JSONOutput.object([
                        "declined": .bool(true), "sent": .int(0), "detail": .string("declined at the prompt; nothing was sent"),
                        "exit_code": .int(Int64(outcome.exitStatus.rawValue)),
                    ]).text)
                }
            case .finished(let summary):
                print(context.json ? summary.json.text : summary.text)
            case .preview:
                break
            }
            return outcome.exitStatus
        }

        static func previewJSON(_ preview: TopUpPreview) -> JSONOutput {
            .object([
                "dry_run": .bool(true), "batch": .string(preview.batch), "plan_rows": .int(Int64(preview.items.count)),
                "ledger_found": .bool(!preview.ledgerMissing),
                "ledger_damaged": preview.ledgerDamage.isEmpty ? .null : .array(preview.ledgerDamage.map(JSONOutput.string)),
                "to_send": .int(Int64(preview.toSend.count)), "to_send_total": .string(preview.sendTotal.decimalText),
                "done": .int(Int64(preview.count(.done))), "blocked": .int(Int64(preview.count(.blocked))),
                "unknown": .int(Int64(preview.count(.unknown))), "rejected": .int(Int64(preview.count(.rejected))),
                "in_flight": .int(Int64(preview.count(.inFlight))),
                "other_accounts": .object(preview.otherAccounts.mapValues { .int(Int64($0)) }),
                "totals_by_chain": .array(preview.sendTotalsByChain.map {
                    .object(["chain_id": .int($0.chain), "chain": .string(Chain.label(for: $0.chain)),
                             "rows": .int(Int64($0.rows)), "total": .string($0.total.decimalText)])
                }),
                "rows": .array(preview.items.map { item in
                    .object(["line": .int(Int64(item.row.line)), "key": .string(item.key),
                             "reference": item.row.reference.map(JSONOutput.string) ?? .null,
                             "account": .string(item.row.account),
                             "action": .string(item.action.rawValue), "previous_state": item.previousState.map(JSONOutput.string) ?? .null,
                             "amount": .string(item.row.amount.decimalText), "chain_id": .int(item.row.chain.rawValue),
                             "wallet": .string(item.row.wallet.checksummed)])
                }),
            ])
        }

        static func stderr(_ text: String) {
            StandardStream.error(text)
        }
    }
}
