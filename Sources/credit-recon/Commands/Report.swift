import ArgumentParser
import CreditRecon
import CreditTypes
import Foundation
import Ledger

extension CreditReconCommand {
    /// Writes the reconciliation reports (CSV, Markdown, SVG chart).
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Writes the reconciliation reports (CSV, Markdown, SVG charts).",
            discussion: """
                Writes periods.csv, charges.csv, findings.csv, reconciliation.md and balance.svg into --out, and \
                where the usage went: usage_by_key.csv (each period's use by key and the unattributed rest), \
                usage_by_model.csv (the stored activity) and usage.svg. \
                The report is as of the newest entry in the ledger, so the same ledger and options always give \
                the same files, but for the plan rows a top-up at work was sending as the ledger was read, which \
                are notes (in flight), not unknown or never sent. Exits 1 when a finding at warning level or above needs a person. \
                On a terminal, a line on stderr names the step a long report is at (reading, reconciling, \
                each file being written). \
                With --all-accounts, writes those files for every account the ledger holds into --out/ACCOUNT/, \
                and accounts.csv and accounts.md with every account's totals into --out; exits 1 when any \
                account's report needs a person. A folder is named after its account, with every byte but \
                ASCII letters, digits, - and _ written as %XX (ops/eu becomes ops%2Feu, acme.com acme%2Ecom, \
                the empty label %), so no label can reach outside --out or hide its folder; a label too long \
                for a folder name (over 255 bytes so written) is refused (73) before anything is written: \
                report that account alone with --account.
                """
        )

        @OptionGroup var global: GlobalOptions

        @OptionGroup var flags: ReportFlags

        @Flag(help: "Report every account the ledger holds, each into a folder of its own under --out, with accounts.csv and accounts.md beside them (not with --account or CREDIT_RECON_ACCOUNT).")
        var allAccounts = false

        mutating func run() async throws {
            let command = self
            try await CLI.run(global) { context in
                var options = try command.flags.reportOptions(account: context.account)
                if command.allAccounts {
                    return try Self.reportEveryAccount(context: context, options: options)
                }
                let ledger = try context.openLedger(mustExist: true)
                options.reconcile.writer = ledger.writerAtWork
                try LedgerAccounts.require(context.account, from: context.accountOrigin, in: ledger, orElse: "--all-accounts for every one")
                let progress = ProgressLine(command: "report", enabled: context.showsProgress, log: context.logger)
                let outcome = try AtomicFile.removingTemporariesOnSignal {
                    try progress.during { try ReportStage.write(ledger: ledger, options: options, progress: progress.show) }
                }
                if context.json {
                    print(outcome.json.text)
                } else {
                    for line in outcome.summaryLines { print(line) }
                }
                return outcome.exitStatus
            }
        }

        /// `--all-accounts`: every account the ledger holds; naming one account as well is a
        /// usage error, since the two ask for different reports.
        static func reportEveryAccount(context: CommandContext, options: ReportOptions) throws -> ExitStatus {
            var options = options
            switch context.accountOrigin {
            case .option:
                throw UsageError.usage(
                    "--all-accounts reports every account the ledger holds; leave out --account, or drop --all-accounts to report that account alone")
            case .environment:
                // A setting of the environment that conflicts with the command line: 78, as every
                // bad value of the environment is (it was 64, as if the command line were wrong).
                throw UsageError.config(
                    "--all-accounts reports every account the ledger holds, but CREDIT_RECON_ACCOUNT names one; unset it, "
                        + "or drop --all-accounts to report that account alone")
            case .defaulted:
                break
            }
            let ledger = try context.openLedger(mustExist: true)
            options.reconcile.writer = ledger.writerAtWork
            let progress = ProgressLine(command: "report", enabled: context.showsProgress, log: context.logger)
            let outcome = try AtomicFile.removingTemporariesOnSignal {
                try progress.during { try AllAccountsStage.write(ledger: ledger, options: options, progress: progress.show) }
            }
            if context.json {
                print(outcome.json.text)
            } else {
                for line in outcome.summaryLines { print(line) }
            }
            return outcome.exitStatus
        }
    }
}

