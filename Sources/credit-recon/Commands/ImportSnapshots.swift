import ArgumentParser
import CreditRecon
import Foundation
import Ledger

extension CreditReconCommand.Import {
    /// `import snapshots FILE.csv`.
    struct Snapshots: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "snapshots",
            abstract: "Backfills snapshot history (observed_at,total_credits,total_usage[,account]) from a CSV file.",
            discussion: """
                Every row is checked before anything is written: one bad row rejects the file (exit 65) \
                with every problem listed as FILE:LINE: column: what is wrong. Rows already in the ledger \
                with the same values are skipped, so importing the same file twice changes nothing. A \
                reading must be from 2000 on and at most a day after now (--now, else the clock). SIGINT or \
                SIGTERM stops the import at its next batch of 4,096 rows, writing nothing (exit 75).
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The snapshots CSV file.", valueName: "file.csv"))
        var file: String

        mutating func run() async throws {
            let file = self.file
            try await CLI.run(global, writes: true) { context in
                let lock = try context.lockWriter()
                defer { withExtendedLifetime(lock) {} }
                let importer = SnapshotImport(path: file, defaultAccount: context.account)
                let progress = ProgressLine(
                    noun: "snapshots", enabled: context.showsProgress, log: context.logger, starting: "checking and writing snapshots")
                let summary = try context.importing(file, progress: progress) { ledger, heard, finishing in
                    try importer.run(ledger: ledger, now: context.now(), progress: heard, finishing: finishing)
                }
                if context.json {
                    print(JSONOutput.object([
                        "file": .string(file), "rows": .int(Int64(summary.rows)),
                        "inserted": .int(Int64(summary.inserted)), "skipped": .int(Int64(summary.skipped)),
                        "decrease_count": .int(Int64(summary.decreaseCount)),
                        "decreases": .array(summary.decreases.map {
                            .object([
                                "line": .int(Int64($0.line)), "account": .string($0.account),
                                "observed_at": .string($0.observedAt.iso8601), "column": .string($0.column),
                                "earlier_line": .int(Int64($0.earlierLine)), "from": .string($0.from.decimalText),
                                "to": .string($0.to.decimalText),
                            ])
                        }),
                        "ledger_decrease_count": .int(Int64(summary.ledgerDecreaseCount)),
                        "ledger_decreases": .array(summary.ledgerDecreases.map {
                            .object([
                                "line": .int(Int64($0.line)), "account": .string($0.account),
                                "observed_at": .string($0.observedAt.iso8601), "column": .string($0.column),
                                "value": .string($0.value.decimalText), "ledger_observed_at": .string($0.ledgerObservedAt.iso8601),
                                "ledger_value": .string($0.ledgerValue.decimalText),
                            ])
                        }),
                        "after_now_count": .int(Int64(summary.afterNowCount)),
                        "head_hash": .string(summary.headHash),
                    ]).exitCode(.ok).text)
                } else {
                    print("imported \(summary.inserted) snapshot\(summary.inserted == 1 ? "" : "s") from \(file) (\(summary.skipped) already in the ledger)")
                    for line in Self.decreaseLines(summary) + Self.ledgerDecreaseLines(summary) { print(TerminalText.printable(line)) }
                    if let note = summary.afterNowNote { print(note) }
                    print("ledger head \(summary.headHash)")
                }
                return .ok
            }
        }

        /// The running totals the file has going down: kept (they are what was read), said
        /// here so a file of two accounts' readings mixed up is caught at once, not at the
        /// next report.
        static func decreaseLines(_ summary: SnapshotImport.Summary) -> [String] {
            let count = summary.decreaseCount
            guard count > 0 else { return [] }
            var lines = ["note: the file has a running total going down \(count == 1 ? "once" : "\(count) times"); running "
                + "totals only rise, so check the file holds one account's readings (or give the account column); "
                + "the readings are kept, and `report` lists each as credits_decreased or usage_decreased:"]
            for decrease in summary.decreases {
                lines.append("  line \(decrease.line) (\(decrease.account) at \(decrease.observedAt.iso8601)): \(decrease.column) "
                    + "\(decrease.to.decimalText), below \(decrease.from.decimalText) at line \(decrease.earlierLine), an earlier reading")
            }
            if count > summary.decreases.count { lines.append("  (\(count - summary.decreases.count) more)") }
            return lines
        }

        /// The file's running totals going down against the ledger's readings: kept, as a
        /// decrease within the file is, and said (probe 260: a reading typed 200 among fetched
        /// ones of 100 was said nowhere, the report's day a 100 USD purchase).
        static func ledgerDecreaseLines(_ summary: SnapshotImport.Summary) -> [String] {
            let count = summary.ledgerDecreaseCount
            guard count > 0 else { return [] }
            var lines = ["note: the file's readings and the ledger's have a running total going down between them "
                + "\(count == 1 ? "once" : "\(count) times"); running totals only rise, so check the file's times (a local "
                + "time needs its offset) and its account; the readings are kept, and `report` lists each as "
                + "credits_decreased or usage_decreased:"]
            lines += summary.ledgerDecreases.map { "  " + $0.text }
            if count > summary.ledgerDecreases.count { lines.append("  (\(count - summary.ledgerDecreases.count) more)") }
            return lines
        }
    }
}
