import ArgumentParser
import CreditRecon
import CreditTypes
import Foundation

extension CreditReconCommand {
    /// Writes the reconciliation reports (CSV, Markdown, SVG chart).
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Writes the reconciliation reports (CSV, Markdown, SVG chart).",
            discussion: """
                Writes periods.csv, charges.csv, findings.csv, reconciliation.md and balance.svg into --out. \
                The report is as of the newest entry in the ledger, so the same ledger and options always give \
                the same files. Exits 1 when a finding at warning level or above needs a person.
                """
        )

        @OptionGroup var global: GlobalOptions

        @OptionGroup var flags: ReportFlags

        mutating func run() async throws {
            let command = self
            try await CLI.run(global) { context in
                let options = try command.flags.reportOptions(account: context.account)
                let ledger = try context.openLedger(mustExist: true)
                let accounts = try ledger.read { try $0.accounts() }
                guard accounts.contains(context.account) else {
                    throw UsageError.usage(accounts.isEmpty
                        ? "the ledger holds no books yet (no account); run `credit-recon fetch` or `credit-recon import` first"
                        : "the ledger holds no account \"\(context.account)\"; it holds \(accounts.map { "\"\($0)\"" }.joined(separator: ", ")) "
                            + "(pass --account NAME)")
                }
                let outcome = try ReportStage.write(ledger: ledger, options: options)
                if context.json {
                    print(outcome.json.text)
                } else {
                    for line in outcome.summaryLines { print(line) }
                }
                return outcome.exitStatus
            }
        }
    }
}
