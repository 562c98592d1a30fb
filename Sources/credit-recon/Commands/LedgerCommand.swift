import ArgumentParser
import CreditRecon
import Foundation
import Ledger

extension CreditReconCommand {
    /// `ledger …`: work on the ledger as a whole.
    struct LedgerGroup: CommandGroup {
        static let configuration = CommandConfiguration(
            commandName: "ledger",
            abstract: "Work on the ledger as a whole (ledger copy).",
            subcommands: [Copy.self]
        )
    }
}

extension CreditReconCommand.LedgerGroup {
    /// `ledger copy --to PATH|URL`.
    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract: "Copies every entry of --ledger into an empty ledger (SQLite to PostgreSQL or back) and verifies it.",
            discussion: """
                This is how books move, e.g. from one SQLite file to PostgreSQL when several hosts must share \
                them: credit-recon --ledger ledger.sqlite ledger copy --to postgresql://USER@HOST:5432/DB. \
                The target gets the same entries, so the same head hash, which is printed; the copy is \
                verified there (chain, replay, tables). The target must hold no entries (exit 64 otherwise): \
                a new file, or a database without the ledger's tables (they are created); a --to that names \
                the source under another path or URL spelling is refused too (64). A failed copy \
                writes nothing; SIGINT, SIGTERM or SIGHUP stops it at its next batch of 4,096 entries, writing nothing \
                (exit 75), or, once it is committed, stops its check, saying how to check it (exit 1). The copy holds \
                the writer lock of both ledgers: no entry is appended to the \
                source while it is copied (a writer started meanwhile exits 75). A URL without a password \
                takes the password of --ledger-password-file or PGPASSWORD, like --ledger.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: ArgumentHelp("The empty ledger to copy into: a SQLite file path or a postgresql:// URL.", valueName: "path|url"))
        var to: String

        mutating func run() async throws {
            let destination = to
            try await CLI.run(global, writes: true) { context in
                try context.refuseAccountOption(command: "ledger copy", does: "copies the entries")
                // As for --ledger's (probe 130: said for --ledger, not for --to).
                GlobalOptions.warnOfPassword(in: destination, of: "--to", logger: context.logger)
                let progress = ProgressLine(
                    noun: "entries", command: "ledger copy", done: "copied",
                    enabled: context.showsProgress, log: context.logger, starting: "copying the entries")
                let verifying = ProgressLine(
                    noun: "entries", command: "ledger copy", done: "verified in the copy",
                    enabled: context.showsProgress, log: context.logger)
                let outcome = try Interruption.stoppingBetweenBatches(
                    "the copy", then: "nothing is written to the target (or, once it is committed, its check stops)",
                    logger: context.logger
                ) { interruption in
                    try verifying.during {
                        try progress.during {
                            try LedgerCopy(context: context, to: destination).run(
                                stoppedBy: interruption,
                                progress: { copied in progress.update(Int(copied)) },
                                verifying: { event in
                                    progress.finish()
                                    verifying.show(event)
                                })
                        }
                    }
                }
                let report = outcome.verification
                // A copy of a damaged source is the mend only if a person finds its head was
                // printed before the damage: exit 1, as for anything a person must settle
                // (probe 259: 0, and the copy of a cut journal then verified sound).
                let status: ExitStatus = report.isSound && outcome.sourceDamage.isEmpty ? .ok : .attention
                if context.json {
                    print(JSONOutput.object([
                        "target": .string(outcome.target), "entries": .int(outcome.copied.entries),
                        "head_hash": .string(outcome.copied.headHash), "sound": .bool(report.isSound),
                        "problems": .array(report.problems.map(JSONOutput.string)),
                        "source_damage": .array(outcome.sourceDamage.map(JSONOutput.string)),
                    ]).exitCode(status).text)
                } else {
                    print("copied \(outcome.copied.entries) journal entries to \(outcome.target)")
                    if report.isSound {
                        print("verified there: \(report.entries) entries, the same chain; head \(report.headHash)")
                        // The copy is also how tables edited behind the journal's back are mended, silently.
                        print("its tables were built from the journal alone: `verify` of the source tells whether the "
                            + "source's own tables agreed with its journal")
                    } else {
                        print("the copy does NOT verify (\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s")):")
                        for problem in report.problems { print("  \(TerminalText.printable(problem))") }
                    }
                    if !outcome.sourceDamage.isEmpty {
                        print("the source shows damage a write refuses (\(outcome.sourceDamage.count)):")
                        for problem in outcome.sourceDamage { print("  \(TerminalText.printable(problem))") }
                        print("the copy holds the source's journal as it stands, with its guards made anew: it is the mend only if "
                            + "its head is one a report or verify printed before the damage (`credit-recon --ledger "
                            + "\(ShellWord.quoted(outcome.target)) verify --holds HASH`); if not, entries may have been cut or written "
                            + "again: restore from a backup")
                    }
                }
                return status
            }
        }
    }
}
