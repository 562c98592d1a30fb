import ArgumentParser
import CreditRecon
import Foundation
import Ledger

extension CreditReconCommand {
    /// `verify`: proves the ledger is what its journal says.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Checks the hash chain, replays the journal against every table, runs PRAGMA integrity_check; prints the head hash.",
            discussion: """
                Exit 0 when the ledger is sound, 1 when it is not (the first broken entry is named). \
                The head hash pins the ledger's state: every report prints it. A table or an \
                append-only trigger dropped behind the ledger's back is a finding too; a dropped table \
                is built again from the journal by `ledger copy --to NEW`. On a terminal, a line \
                on stderr tells how far a long verify has got. With a SQLite ledger the journal is \
                replayed into a temporary file about the size of the ledger's tables, in SQLITE_TMPDIR \
                (else TMPDIR, /var/tmp or /tmp); no room there exits 74 and says how to point it elsewhere. \
                With PostgreSQL it replays into temporary tables of its session, in a transaction it \
                rolls back: the user needs SELECT and the TEMP right, not the right to write the ledger. \
                Verify writes nothing to the ledger it checks: a SQLite file's -wal log is read where it \
                is, not folded into the file, and a ledger written by an earlier credit-recon that needs \
                a migration is refused (78) until another command has applied it.
                """
        )

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            try await CLI.run(global) { context in
                let location = try context.ledgerLocation()
                // Found before anything could be checked: a finding, not a failure to run.
                func notSound(_ problem: String) -> ExitStatus {
                    if context.json {
                        print(JSONOutput.object([
                            "sound": .bool(false), "entries": .int(0), "head_hash": .string(""),
                            "integrity_check": .string("not run"), "problems": .array([.string(problem)]),
                        ]).exitCode(.attention).text)
                    } else {
                        print("ledger NOT sound (1 problem):")
                        print("  \(TerminalText.printable(problem))")
                    }
                    return .attention
                }
                if case .file = location, context.ledgerFile == .truncated {
                    return notSound(context.truncatedLedgerProblem)
                }
                let ledger: Ledger
                do {
                    ledger = try context.ledgerToCheck()
                } catch LedgerError.malformedEntry(let detail) {
                    // Its tables contradict its record of migrations (schema_migrations dropped
                    // or edited): said as a finding, not with "run verify".
                    return notSound("the ledger is damaged: \(detail); restore it from a backup")
                }
                let progress = ProgressLine(
                    noun: "entries", command: "verify", done: "hashed and replayed",
                    enabled: context.showsProgress)
                let report = try progress.during { try ledger.verify(progress: progress.show) }
                // PostgreSQL has no integrity_check to run (it checks each page as it reads it).
                let isPostgres = if case .postgres = location { true } else { false }
                if context.json {
                    print(JSONOutput.object([
                        "sound": .bool(report.isSound), "entries": .int(report.entries),
                        "head_hash": .string(report.headHash),
                        "integrity_check": .string(isPostgres ? "not run" : report.integrity),
                        "problems": .array(report.problems.map(JSONOutput.string)),
                        "problems_may_be_more": .bool(report.stoppedAtLimit),
                    ]).exitCode(report.isSound ? .ok : .attention).text)
                } else if report.isSound {
                    // What PostgreSQL's store checked is the guards.
                    let checked = isPostgres ? "the append-only triggers in place" : "integrity_check \(report.integrity)"
                    print("ledger sound: \(report.entries) journal entries, \(checked)")
                    print("head \(report.headHash)")
                } else {
                    print("ledger NOT sound (\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s")):")
                    for problem in report.problems { print("  \(TerminalText.printable(problem))") }
                    if report.stoppedAtLimit {
                        print("  (verify stops listing at \(Ledger.verifyProblemLimit) problems: there may be more; fix these and run it again)")
                    }
                    print("last sound head \(report.headHash) after \(report.entries) entries")
                }
                return report.isSound ? .ok : .attention
            }
        }
    }
}
