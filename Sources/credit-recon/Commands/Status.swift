import ArgumentParser
import CreditRecon
import Foundation

extension CreditReconCommand {
    /// Balance, burn rate, runway, open charges, age of the last snapshot.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Balance, burn rate, runway, open charges, age of the last snapshot.",
            discussion: """
                Exits 1 when the runway is under --min-runway-days or the last reading is older than --max-gap hours.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Runway below this many days needs attention (exit 1).", valueName: "days"))
        var minRunwayDays: Int = 7

        @Option(help: ArgumentHelp("A last reading older than this many hours needs attention (exit 1).", valueName: "hours"))
        var maxGap: Int = 36

        func validate() throws {
            guard maxGap > 0 else { throw ValidationError("--max-gap must be a positive number of hours") }
            guard minRunwayDays >= 0 else { throw ValidationError("--min-runway-days must not be negative") }
        }

        mutating func run() async throws {
            let minRunwayDays = Int64(self.minRunwayDays)
            let maxGap = Int64(self.maxGap)
            try await CLI.run(global) { context in
                var options = StatusOptions(account: context.account)
                options.minRunwayDays = minRunwayDays
                options.maxGapSeconds = maxGap * 3600
                let report = try StatusReport.read(ledger: try context.openLedger(mustExist: true), options: options, now: context.now())
                if context.json {
                    print(report.json.text)
                } else {
                    for line in report.lines { print(line) }
                }
                return report.exitStatus
            }
        }
    }
}
