import ArgumentParser
import CreditRecon
import Foundation

extension CreditReconCommand {
    /// Balance, burn rate, runway, open charges, age of the last snapshot, keys.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Balance, burn rate, runway, open charges, age of the last snapshot, what each key can still spend.",
            discussion: """
                Without --account (or CREDIT_RECON_ACCOUNT), shows every account the ledger holds, one block \
                each; with it, that account alone. For each enabled key of the latest GET /keys listing, shows \
                what it can still spend (the smaller of the balance and what is left of its limit) and the keys \
                nearest their limits. Exits 1 when, for any account shown, the runway is under \
                --min-runway-days, the ledger is damaged so that any write to it is refused (its \
                append-only triggers gone, rows past its newest entry, the newest entry this host wrote gone from it: run \
                verify), the last reading is older than --max-gap hours, or a key has less than \
                --min-key-remaining USD (or under 10 %) left of its limit, a top-up is unknown, blocked or planned but never sent, a \
                charge expired unpaid, was rejected, or was paid and no reading shows its credits in the last 7 days, it holds \
                no reading yet, its newest reading is all zeros, its last reading is dated after now, or its last fetch, topup \
                or run failed. While a top-up runs, the rows it is sending \
                are counted as being sent, not as unknown or never sent, and a line names the writer at work. On a terminal, a line on stderr \
                names the step it is at while it reads and reconciles a large ledger.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("Runway below this many days (0 to 36500) needs attention (exit 1).", valueName: "days"))
        var minRunwayDays: Int = 7

        @Option(parsing: .unconditional, help: ArgumentHelp("A last reading older than this many hours (1 to 87600) needs attention (exit 1).", valueName: "hours"))
        var maxGap: Int = 36

        @Option(parsing: .unconditional, help: ArgumentHelp(
            "An enabled key with less than this many USD left of its limit (or under 10 % of it) needs attention (exit 1); keys without a limit never do.",
            valueName: "usd"))
        var minKeyRemaining: String = "5"

        func validate() throws {
            try ThresholdFlags.validate(maxGap: maxGap, minRunwayDays: minRunwayDays)
        }

        mutating func run() async throws {
            let minRunwayDays = Int64(self.minRunwayDays)
            let maxGap = Int64(self.maxGap)
            let minKeyRemaining = self.minKeyRemaining
            try await CLI.run(global) { context in
                var options = StatusOptions(account: context.account)
                options.minRunwayDays = minRunwayDays
                options.maxGapSeconds = maxGap * 3600
                options.minKeyRemaining = try ReconcileOptions.amount(minKeyRemaining, option: "--min-key-remaining")
                let ledger = try context.openLedger(mustExist: true)
                // Seen before the ledger is read, so the rows a writer has put in are its.
                let (writer, unseen) = context.runningWriter()
                let progress = ProgressLine(command: "status", enabled: context.showsProgress, log: context.logger)
                let (lines, json, status) = try progress.during { () throws -> ([String], JSONOutput, ExitStatus) in
                    if context.accountIsExplicit {
                        let report = try StatusReport.read(
                            ledger: ledger, options: options, now: context.now(), writer: writer, writerUnseen: unseen,
                            progress: progress.show)
                        return (report.lines, report.json, report.exitStatus)
                    }
                    let every = try AccountsStatus.read(
                        ledger: ledger, options: options, now: context.now(), writer: writer, writerUnseen: unseen,
                        progress: progress.show)
                    return (every.lines, every.json, every.exitStatus)
                }
                if context.json {
                    print(json.text)
                } else {
                    for line in lines { print(line) }
                }
                return status
            }
        }
    }
}
