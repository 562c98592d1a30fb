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
            abstract: "Writes the reconciliation reports (CSV, Markdown, SVG chart).",
            discussion: """
                Writes periods.csv, charges.csv, findings.csv, reconciliation.md and balance.svg into --out. \
                The report is as of the newest entry in the ledger, so the same ledger and options always give \
                the same files. Exits 1 when a finding at warning level or above needs a person.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("First day reported, YYYY-MM-DD in --timezone (default: the first reading).", valueName: "date"))
        var from: String?

        @Option(help: ArgumentHelp("First day left out, YYYY-MM-DD (default: the day after the newest entry).", valueName: "date"))
        var to: String?

        @Option(help: ArgumentHelp("day, week (ISO, from Monday) or month.", valueName: "period"))
        var period: String = "day"

        @Option(help: ArgumentHelp("IANA time zone the periods follow, e.g. America/New_York.", valueName: "zone"))
        var timezone: String = "UTC"

        @Option(help: ArgumentHelp("Folder for the report files (created when missing).", valueName: "dir"))
        var out: String = "reports"

        @Option(help: ArgumentHelp("Readings further apart than this many hours are a finding.", valueName: "hours"))
        var maxGap: Int = 36

        @Option(help: ArgumentHelp("Runway below this many days is a finding.", valueName: "days"))
        var minRunwayDays: Int = 7

        func validate() throws {
            guard PeriodKind(rawValue: period) != nil else {
                throw ValidationError("--period must be day, week or month, not \"\(period)\"")
            }
            guard maxGap > 0 else { throw ValidationError("--max-gap must be a positive number of hours") }
            guard minRunwayDays >= 0 else { throw ValidationError("--min-runway-days must not be negative") }
        }

        /// The stage options these flags describe.
        func reportOptions(account: String) throws -> ReportOptions {
            var options = ReconcileOptions(account: account)
            options.from = try from.map { try ReconcileOptions.date($0, option: "--from") }
            options.to = try to.map { try ReconcileOptions.date($0, option: "--to") }
            options.period = PeriodKind(rawValue: period) ?? .day
            options.timeZone = timezone
            options.maxGapSeconds = Int64(maxGap) * 3600
            options.minRunwayDays = Int64(minRunwayDays)
            return ReportOptions(reconcile: options, outDirectory: out)
        }

        mutating func run() async throws {
            let command = self
            try await CLI.run(global) { context in
                let options = try command.reportOptions(account: context.account)
                // Reading needs no lock; a missing ledger is not created by a report.
                guard FileManager.default.fileExists(atPath: context.ledgerPath) else {
                    throw UsageError(
                        message: "no ledger at \(context.ledgerPath): run `credit-recon fetch` first, or pass --ledger",
                        exitStatus: .noInput)
                }
                let ledger = try context.openLedger()
                let outcome = try ReportStage.write(ledger: ledger, options: options)
                if context.json {
                    print(outcome.json.canonicalText)
                } else {
                    for line in outcome.summaryLines { print(line) }
                }
                return outcome.exitStatus
            }
        }
    }
}
