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
                reading must be from 2000 on and at most a day after now (--now, else the clock).
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The snapshots CSV file.", valueName: "file.csv"))
        var file: String

        mutating func run() async throws {
            let file = self.file
            try await CLI.run(global) { context in
                let lock = try context.lockWriter()
                defer { withExtendedLifetime(lock) {} }
                let importer = SnapshotImport(path: file, defaultAccount: context.account)
                let progress = ProgressLine(noun: "snapshots", enabled: context.showsProgress)
                let summary = try context.withLedgerForImport { ledger in
                    try progress.during { try importer.run(ledger: ledger, now: context.now(), progress: progress.update) }
                }
                if context.json {
                    print(JSONOutput.object([
                        "file": .string(file), "rows": .int(Int64(summary.rows)),
                        "inserted": .int(Int64(summary.inserted)), "skipped": .int(Int64(summary.skipped)),
                        "head_hash": .string(summary.headHash),
                    ]).exitCode(.ok).text)
                } else {
                    print("imported \(summary.inserted) snapshots from \(file) (\(summary.skipped) already in the ledger)")
                    print("ledger head \(summary.headHash)")
                }
                return .ok
            }
        }
    }
}
