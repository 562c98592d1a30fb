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
                Exit 0 when the ledger is sound, 1 when it is not (every broken entry is named, up to 20). \
                The head hash pins the ledger's state: every report prints it. A table or an \
                append-only trigger dropped behind the ledger's back is a finding too; a dropped table \
                is built again from the journal by `ledger copy --to NEW`. On a terminal, a line \
                on stderr tells how far a long verify has got. With a SQLite ledger the journal is \
                replayed into a temporary file about the size of the ledger's tables, in SQLITE_TMPDIR \
                (else TMPDIR, /var/tmp or /tmp); no room there exits 74 and says how to point it elsewhere. \
                With PostgreSQL it replays into temporary tables of its session, in a transaction it \
                rolls back: the user needs SELECT and the TEMP right, not the right to write the ledger. \
                Verify writes nothing to the ledger it checks: a SQLite file's -wal log is read where it \
                is, not folded into the file, and a ledger written by an earlier credit-recon is checked as \
                that build left it, without this build's migrations (a line names them; any other command \
                that may write the ledger applies them, after which the earlier build refuses it as newer); \
                one that needs a migration to be read at all is refused \
                (78) until another command has applied it. When a ledger read \
                with its -wal log is not sound, the log is named: one left beside a ledger it is not \
                the log of (a crashed writer's, beside a file restored from a backup) reads as changes \
                to it; verify a copy of the file alone to tell.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("holds"), help: ArgumentHelp(
            "A head hash a report, an export or an earlier verify printed (repeatable): check that the chain still "
                + "holds it, as an entry's hash, so the books that report came from are this ledger's first entries, "
                + "unchanged. Exit 1 when no entry has it.", valueName: "hash"))
        var holds: [String] = []

        mutating func run() async throws {
            try await CLI.run(global) { [holds] context in
                try context.refuseAccountOption(command: "verify", does: "checks the entries")
                let wanted = try Self.headHashes(holds)
                let location = try context.ledgerLocation()
                // Found before anything could be checked: a finding, not a failure to run. The
                // log beside a file that cannot be read is named, as a checked one's is: it may be
                // what breaks it (probe 282: "restore from a backup" of a sound file beside
                // another ledger's log, and `wal_log` null).
                let log: WriteAheadLog? = if case .file(let path) = location { WriteAheadLog.beside(ledgerAt: path) } else { nil }
                let advice = log == nil ? Self.restore : "first " + Self.logFirst + "; if it is not, " + Self.restore
                func notSound(_ problem: String) -> ExitStatus {
                    if context.json {
                        print(JSONOutput.object([
                            "sound": .bool(false), "entries": .int(0), "head_hash": .string(""),
                            "integrity_check": .string("not run"), "problems": .array([.string(problem)]),
                            "problems_may_be_more": .bool(false),
                            "holds": .array(wanted.map { .object(["hash": .string($0), "entry": .null]) }),
                            "wal_log": Self.logJSON(log),
                            "journal_sound": .bool(false), "rows_past_head": .null, "unapplied_migrations": .array([]),
                            "what_to_do": .string(advice),
                        ]).exitCode(.attention).text)
                    } else {
                        print("ledger NOT sound (1 problem):")
                        print("  \(TerminalText.printable(problem))")
                        if let log { print(TerminalText.printable(Self.logLine(log))) }
                        print("what to do: \(advice)")
                        for hash in wanted { print("does NOT hold \(hash): no entry could be read") }
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
                    enabled: context.showsProgress, log: context.logger, starting: "hashing and replaying the journal")
                let report: VerifyReport
                do {
                    report = try progress.during { try ledger.verify(holds: wanted, progress: progress.show) }
                } catch LedgerError.malformedEntry(let detail) {
                    // Pages SQLite calls malformed past the file's first ones: the same finding as
                    // a file that cannot be opened, not 74 and "run verify" (probe 344).
                    return notSound("the ledger is damaged: \(detail); restore it from a backup")
                }
                let holdsAll = report.held.allSatisfy { Self.isHeld($0, report) }
                // PostgreSQL has no integrity_check to run (it checks each page as it reads it).
                let isPostgres = if case .postgres = location { true } else { false }
                if context.json {
                    print(JSONOutput.object([
                        "sound": .bool(report.isSound), "entries": .int(report.entries),
                        "head_hash": .string(report.headHash),
                        "integrity_check": .string(isPostgres ? "not run" : report.integrity),
                        "problems": .array(report.problems.map(JSONOutput.string)),
                        "problems_may_be_more": .bool(report.stoppedAtLimit),
                        "holds": .array(report.held.map { held in
                            .object(["hash": .string(held.hash), "entry": held.entry.map(JSONOutput.int) ?? .null,
                                     "held": .bool(Self.isHeld(held, report))])
                        }),
                        "wal_log": Self.logJSON(report.log),
                        "journal_sound": .bool(report.journalIsSound),
                        "rows_past_head": report.rowsPastHead.map(JSONOutput.int) ?? .null,
                        "unapplied_migrations": .array(ledger.unappliedMigrations.map(JSONOutput.string)),
                        "what_to_do": Self.whatToDo(report, ledger: context.ledgerName).map(JSONOutput.string) ?? .null,
                    ]).exitCode(report.isSound && holdsAll ? .ok : .attention).text)
                } else if report.isSound {
                    // What PostgreSQL's store checked is the guards.
                    let checked = isPostgres
                        ? "the append-only triggers in place, no row-level security, and no row the ledger never changes "
                            + "counted changed by the server's statistics (which start again when reset or when a table is made again)"
                        : "integrity_check \(report.integrity)"
                    print("ledger sound: \(report.entries) journal entries, \(checked)")
                    print("head \(report.headHash)")
                } else {
                    // The count listed, and that there may be more (probe 401: "29 problems" beside
                    // "stops listing at 20").
                    print("ledger NOT sound (\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s")"
                        + (report.stoppedAtLimit ? " listed, and there may be more" : "") + "):")
                    for problem in report.problems { print("  \(TerminalText.printable(problem))") }
                    if report.stoppedAtLimit {
                        print("  (verify stops listing broken entries at \(Ledger.verifyProblemLimit): there may be more; fix these and run it again)")
                    }
                    // A chain the witness says this host never wrote is not called sound (probe 196).
                    print(report.witnessedEntryRewritten && report.journalIsSound
                        ? "head of the chain as it stands \(report.headHash) after \(report.entries) entries (it chains, but it is not "
                            + "the journal this host wrote: see above)"
                        : "last sound head \(report.headHash) after \(report.entries) entries")
                    if let log = report.log { print(TerminalText.printable(Self.logLine(log))) }
                    if let advice = Self.whatToDo(report, ledger: context.ledgerName) { print("what to do: \(advice)") }
                }
                if !context.json {
                    if let line = Self.unappliedLine(ledger.unappliedMigrations) { print(line) }
                    for line in Self.heldLines(report) { print(line) }
                    if report.isSound, let advice = Self.whatToDo(report, ledger: context.ledgerName) { print("what to do: \(advice)") }
                }
                return report.isSound && holdsAll ? .ok : .attention
            }
        }

        /// `--holds`'s values in lower case; one that is not a head hash (64 hex digits) is
        /// a usage error naming it.
        static func headHashes(_ values: [String]) throws -> [String] {
            try values.map { value in
                let hash = value.lowercased()
                guard hash.utf8.count == 64, hash.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
                else {
                    throw UsageError.usage("--holds takes a head hash, 64 hex digits as a report prints it (its ledger "
                        + "head hash); \"\(TerminalText.printable(String(value.prefix(80))))\" is not one")
                }
                return hash
            }
        }

        /// What to say of a ledger checked as an earlier build left it: the migrations it was
        /// checked without, none of which its tables or entries need.
        static func unappliedLine(_ migrations: [String]) -> String? {
            guard !migrations.isEmpty else { return nil }
            let names = migrations.map { "\"\($0)\"" }.joined(separator: ", ")
            return "checked as an earlier credit-recon left it, without migration\(migrations.count == 1 ? "" : "s") \(names) "
                + "(an index, guarding triggers, or entry kinds it holds none of); verify applies none, but any other command of this build "
                + "(status and report too) applies \(migrations.count == 1 ? "it" : "them") where it may write the ledger, "
                + "and the earlier build then refuses the ledger as newer: on books an earlier build still writes, run them "
                + "on a copy"
        }

        /// What to try before a backup when a log beside the file may be what breaks it.
        static let logFirst = "copy the ledger's file alone and verify the copy: when it is sound, the log beside it is "
            + "what breaks it, and the file alone is the ledger"

        /// `--json`'s `wal_log`: the log's path and bytes, or `null`.
        static func logJSON(_ log: WriteAheadLog?) -> JSONOutput {
            log.map { .object(["path": .string($0.path), "bytes": .int($0.bytes)]) } ?? .null
        }

        /// What to say of a log of writes read with a ledger that is not sound: one left
        /// beside another file reads as changes to this one, and the next command to open
        /// the ledger would fold it into the file for good.
        static func logLine(_ log: WriteAheadLog) -> String {
            "read with its log \(log.path) (\(log.bytes) bytes of writes not yet folded into the file): a log that is "
                + "not this ledger's own (a crashed writer's, left beside a ledger restored from a backup, or one copied "
                + "from another ledger) reads as changes to it. To tell, copy the ledger's file alone and verify the "
                + "copy; when the copy is sound, the log is what breaks it: move it and its -shm aside, keeping them, "
                + "before any command writes to the ledger, which would fold the log into the file for good"
        }

        /// What to do about a ledger that is not sound, by what is broken: the journal (only a
        /// backup mends it), or only the tables built from it and their guards (a new ledger
        /// built from the journal does, unless the tables hold rows the journal lacks, which
        /// it would leave out); `nil` for a sound one.
        static func whatToDo(_ report: VerifyReport, ledger: String) -> String? {
            // Sound, but without a head printed earlier: entries cut cleanly from its end, with
            // what they made, leave a sound chain, which only that head shows (probe 376:
            // exit 1, and no advice).
            if report.isSound, let lost = report.held.first(where: { $0.entry == nil }) {
                return "the ledger is sound but holds no entry with \(lost.hash): entries were cut from the journal's end with "
                    + "what they made, or written again, since it was printed (unless it is another ledger's head): restore the "
                    + "ledger from a backup that holds it (`verify --holds HASH` on the backup), and \(keep)"
            }
            guard !report.isSound else { return nil }
            // Rows hidden from this role read as cut or missing: nothing else is known yet, and
            // a copy or a restore made from what this role sees would lose them (probe 74).
            guard !report.rowsMayBeHidden else {
                return "row-level security is on the ledger's tables, so rows this role may not see read as missing or "
                    + "cut, and the other findings may be only that: drop the policies and DISABLE ROW LEVEL SECURITY "
                    + "(as the tables' owner), then run verify again, before anything else; do not copy or restore the "
                    + "ledger meanwhile, which would keep only the rows this role sees, and \(keep)"
            }
            // Its own guards in place and the tables agreeing with the journal: nothing was cut or
            // changed past them, and no command writes while they are there (each refuses, 74).
            // The advice was a copy or a backup (probe 364: an AFTER INSERT trigger logging rows).
            guard !report.foreignTriggersOnly else {
                return "the journal and the tables agree and the ledger's own triggers are in place: only what is named "
                    + "above was done to them, which no credit-recon command writes past (each refuses, 74). Undo it ("
                    + report.undoInPlace.joined(separator: ", ") + ", as the tables' owner), then run verify again"
            }
            guard report.journalIsSound else {
                return "the journal itself is not as it was written: restore the ledger from a backup (`verify --holds "
                    + "HASH` on the backup finds a head a report printed; the last sound head above is the newest state "
                    + "this ledger still proves), and \(keep)"
            }
            guard !report.witnessedEntryMissing else {
                return "the journal chains, but lacks the newest entry this host wrote to it (the line above names it, and what "
                    + "to do when this ledger was put in its place on purpose): otherwise find the ledger that holds it "
                    + "(`verify --holds HASH` on each copy and backup), and \(keep)"
            }
            let copy = "`credit-recon --ledger \(ledger) ledger copy --to NEW` builds every table again from the journal, "
                + "with its append-only triggers, in a new ledger; use NEW from then on"
            // Rows past the head prove entries cut (or rows forged): a copy would drop what they
            // recorded, whatever `--holds` says of the heads before (a charge dropped is bought again).
            if let newestRow = report.rowsPastHead {
                return "the tables hold rows of entries up to \(newestRow), past the journal's newest entry "
                    + "(\(report.entries)): entries were cut from the journal's end and left their rows behind, and a ledger "
                    + "built from the journal would lose what they recorded, a charge among them bought again by the next "
                    + "top-up. Restore the ledger from a backup that holds entry \(newestRow) at least (`verify` of the "
                    + "backup prints how many entries it holds; entries that changed rows, a run's end or a charge's "
                    + "status, may have been cut after it too: `verify --holds` on the backup of the newest head a report "
                    + "or verify printed says whether it holds them). Only if those rows were written behind the ledger's back, "
                    + "recording nothing that happened, is a copy the mend: \(copy). Either way \(keep)"
            }
            // Neither a chain nor the tables show entries cut from the journal's end (with the
            // rows they made, when the triggers were dropped first): a head printed earlier does,
            // and `--holds` may have been given one (probe 177: its answer was not used).
            let check: String
            if report.journalRowsDeleted {
                // Counted deleted, the journal's rows may have been cut, whatever head it still
                // holds (probe 403: "no entry was cut", beside it); or a delete rolled back,
                // which the statistics count too (probe 404: "entries were cut" of a whole journal).
                check = "The server's statistics count journal rows deleted (above): entries may have been cut from the "
                    + "journal's end (a delete rolled back counts too), and a copy of what is left would lose any cut "
                    + "entry for good. Copy only if the newest head a report or verify printed, after the delete if "
                    + "you know when it was, is the last sound head above (`verify --holds HASH`): \(copy); otherwise "
                    + "restore the ledger from a backup that holds that head (`verify --holds HASH` on the backup). "
                    + "Either way \(keep)"
            } else if report.readWholeJournal, let lost = report.held.first(where: { $0.entry == nil }) {
                check = "`--holds` found no entry with \(lost.hash): entries were cut from the journal's end or written again "
                    + "since it was printed (unless it is another ledger's head): restore the ledger from a backup that holds it "
                    + "(`verify --holds HASH` on the backup), and \(keep)"
            } else if report.entries > 0, let newest = report.held.first(where: { $0.entry == report.entries }) {
                // Not the empty journal's head, which every ledger holds (probe 401: a journal
                // emptied was "no entry cut", and a copy of it was advised).
                // Of what it pinned: entries written after it was printed may still have been cut.
                check = "`--holds` finds \(newest.hash) at the last sound head, so nothing it pinned was cut; if it is the newest "
                    + "head a report or verify printed, nothing was cut since either: \(copy) (if a newer one was printed, "
                    + "`verify --holds` that one first); and \(keep)"
            } else {
                check = "If the newest head hash a report or verify printed is this ledger's (`verify --holds HASH` says "
                    + "`the last sound head`), nothing was cut: \(copy). Otherwise restore the ledger from a backup. Either way \(keep)"
            }
            guard report.tablesDiffer else {
                return "the journal and the tables agree, but the triggers on them are not the ledger's own (a guard missing "
                    + "or changed, one someone else added, or the guards bypassed), or rows are hidden, so entries may have "
                    + "been cut from the journal's end with the rows they made, which nothing else shows. \(check)"
            }
            return "the journal chains up to the head above, but the tables differ from it: they were changed behind the "
                + "ledger's back, or entries were cut from the journal's end, which a chain cannot show. \(check)"
        }

        private static let keep = "keep this ledger as it is for whoever looks into what changed it"

        /// What to do about a ledger that cannot be read as one.
        static let restore = "restore the ledger from a backup, and \(keep)"

        /// Whether the ledger holds `held` as the text says it: an entry has it, at or before
        /// the last sound head (a script reading `entry` alone took a head past the first
        /// break for books still pinned, probe 401).
        static func isHeld(_ held: HeldHead, _ report: VerifyReport) -> Bool {
            held.entry.map { $0 <= report.entries } ?? false
        }

        /// A line for each head hash asked for: the entry that has it, or that none does.
        static func heldLines(_ report: VerifyReport) -> [String] {
            report.held.map { held in
                guard let entry = held.entry else {
                    // Rows this role may not see read as cut (probe 178: said cut of an entry hidden).
                    if report.rowsMayBeHidden {
                        return "does NOT hold \(held.hash) among the entries this role may see: row-level security on the "
                            + "ledger's tables may hide the entry that has it (see what to do)"
                    }
                    let read = report.readWholeJournal ? "no entry has" : "none of the entries read before verify stopped has"
                    return "does NOT hold \(held.hash): \(read) that hash, so the books it pinned are not this ledger's "
                        + "first entries (entries were cut from the journal's end, or it was written again since, or it pinned "
                        + "another ledger)"
                }
                let since = report.entries - entry
                guard entry > 0 else {
                    return "holds \(held.hash), but it is the empty journal's head, which every ledger holds before its "
                        + "first entry, so it pins no books"
                }
                // Past the first break the books it pinned are not proven, so not "holds".
                guard isHeld(held, report) else {
                    let sound = report.entries == 0 ? "no entry before it is sound" : "the last sound head is entry \(report.entries)'s"
                    return "does NOT hold \(held.hash) soundly: entry \(entry) has that hash, but the chain breaks at or before it "
                        + "(\(sound)), so the books it pinned are not sound either"
                }
                let head = report.isSound ? "head" : "last sound head"
                let place = since == 0 ? "the \(head)" : "\(since) entr\(since == 1 ? "y" : "ies") before the \(head)"
                return "holds \(held.hash) as entry \(entry)'s hash (\(place))"
            }
        }
    }
}
