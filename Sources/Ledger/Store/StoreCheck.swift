/// What a store finds of the database itself when `verify` asks (`LedgerStore.check()`):
/// beside the rows, which the replay checks, the files and the guards.
struct StoreCheck: Sendable, Equatable {
    /// The database's own check of its files in its own words (SQLite's
    /// `PRAGMA integrity_check`): `ok` when it found nothing, or when the database offers no
    /// such check to run (PostgreSQL checks each page as it reads it).
    var verdict = "ok"
    /// The append-only triggers that are missing, changed or disabled.
    var unguarded: [String] = []
    /// Triggers (and in PostgreSQL, rules) on the ledger's tables (`Schema.isLedgerTable`;
    /// another application's tables beside them are none of the ledger's business) that the
    /// ledger did not make: one can turn a write into nothing (`RAISE(IGNORE)`,
    /// `DO INSTEAD NOTHING`) or into another, so appends "succeed" and store nothing.
    var foreign: [String] = []
    /// Ledger tables under row-level security, each with its policies (PostgreSQL): a
    /// policy hides rows from the roles it names, the newest entries and the rows they made
    /// among them, and can be dropped afterwards without a trace (probe 73).
    var rowSecurity: [String] = []
    /// Ledger tables set `UNLOGGED` (PostgreSQL): the server empties them when it recovers
    /// from a crash, and leaves them out of replicas and of backups made from its log; the
    /// ledger makes every table logged (probe 373: a journal emptied by a crash, after
    /// `verify` had said the ledger was sound).
    var unlogged: [String] = []
    /// The statements that drop what `foreign` names, as the store has them (PostgreSQL's
    /// `foreign` holds rules too).
    var dropsForeign = ["DROP TRIGGER"]
    /// Append-only tables whose rows the server's statistics count as updated or deleted,
    /// and ledger tables whose rows they count as deleted, which the ledger never does, with
    /// the counts (PostgreSQL's `pg_stat_user_tables`): the triggers refuse both, so
    /// they were bypassed (`session_replication_role = replica` runs no trigger, and the
    /// trigger check cannot see a session's setting), entries cut from the journal's end
    /// among what that allows. Counted since the statistics were last reset.
    var bypassed: [String] = []
    /// The tables triggers guard: the append-only ones, and since migration v8 (unless the
    /// ledger is an earlier build's) those whose rows are never deleted.
    var guardedTables = Schema.guardedTables(without: [])
    /// What is wrong with the database's file that its own check does not look at (a
    /// SQLite file cut short inside a page), or `nil`.
    var file: String?
    /// A log of writes not yet folded into the file that was read as part of it (SQLite's
    /// `-wal`, when it holds any), or `nil`.
    var log: WriteAheadLog?

    /// The foreign triggers' and rules' finding, or `nil` when there is none.
    var foreignProblem: String? {
        guard !foreign.isEmpty else { return nil }
        return "trigger\(foreign.count == 1 ? "" : "s") or rule\(foreign.count == 1 ? "" : "s") the ledger did not make on its "
            + "tables: \(foreign.joined(separator: ", ")); one can drop or change what is written"
    }

    /// Row-level security's finding, or `nil` when no ledger table is under it.
    var rowSecurityProblem: String? {
        guard !rowSecurity.isEmpty else { return nil }
        return "row-level security on the ledger's table\(rowSecurity.count == 1 ? "" : "s") \(rowSecurity.joined(separator: ", ")), "
            + "which the ledger does not use: it hides rows from every role its policies do not let read them (with no "
            + "policy, from every role but the table's owner), so reports, status and verify itself may not see every "
            + "entry and row; drop the policies and DISABLE ROW LEVEL SECURITY on those tables"
    }

    /// Whether the server's statistics count journal rows deleted: entries were cut, which
    /// no copy of what is left brings back.
    var journalRowsDeleted: Bool {
        bypassed.contains { $0.hasPrefix("journal ") && $0.hasSuffix(" deleted") }
    }

    /// The bypassed triggers' finding, or `nil` when no row the ledger never changes was.
    var bypassedProblem: String? {
        guard !bypassed.isEmpty else { return nil }
        // Each entry starts with its table's name. A table no trigger guards was changed by a
        // statement run on it, not past a trigger (probe 250: a plain DELETE on charges was
        // said as triggers bypassed).
        let guarded = bypassed.filter { guardedTables.contains(String($0.prefix { $0 != " " })) }
        let how = switch (guarded.isEmpty, guarded.count == bypassed.count) {
        case (true, _):
            "so they were changed behind its back: no trigger guards \(bypassed.count == 1 ? "that table" : "those tables"), "
                + "and an UPDATE or DELETE run on \(bypassed.count == 1 ? "it" : "them") directly (psql, another program) is "
                + "what changes them"
        case (false, true):
            "so they were changed behind its back, past the triggers (session_replication_role = replica, or the triggers "
                + "disabled for a while)"
        case (false, false):
            "so they were changed behind its back: \(guarded.joined(separator: ", ")) past the triggers "
                + "(session_replication_role = replica, or the triggers disabled for a while), the others, which no trigger "
                + "guards, by an UPDATE or DELETE run on them directly"
        }
        return "the server's statistics count rows the ledger never changes as changed: \(bypassed.joined(separator: ", ")) "
            + "(since they were last reset); the append-only triggers refuse updating or deleting rows of the journal and "
            + "the readings, "
            + (Schema.keptTables.allSatisfy(guardedTables.contains)
                ? "and others deleting rows of runs, top-ups and charges, which the ledger never deletes either, "
                : "and the ledger deletes no row of its other tables, ") + how
    }

    /// Every finding of the guards (triggers missing or changed, triggers and rules added,
    /// row-level security, tables set unlogged, triggers bypassed), in that order.
    var guardProblems: [String] {
        [unguardedProblem, foreignProblem, rowSecurityProblem, unloggedProblem, bypassedProblem].compactMap { $0 }
    }

    /// The statements that undo what `foreign` and `unlogged` name.
    var undoStatements: [String] {
        (foreign.isEmpty ? [] : dropsForeign) + (unlogged.isEmpty ? [] : ["ALTER TABLE … SET LOGGED"])
    }

    /// The unlogged tables' finding, or `nil` when every ledger table is logged.
    var unloggedProblem: String? {
        guard !unlogged.isEmpty else { return nil }
        let one = unlogged.count == 1
        return "the ledger's table\(one ? "" : "s") \(unlogged.joined(separator: ", ")) \(one ? "is" : "are") set UNLOGGED, which "
            + "the ledger never does: the server empties an unlogged table when it recovers from a crash, and leaves it out "
            + "of replicas and of backups made from its log; ALTER TABLE … SET LOGGED \(one ? "it" : "them") (as the tables' owner)"
    }

    /// What a write refuses the ledger for, found without reading its rows: its file
    /// (`file`), then its guards (`guardProblems`).
    var writeProblems: [String] {
        (file.map { [$0] } ?? []) + guardProblems
    }

    /// The guards' finding, or `nil` when every trigger is in place.
    var unguardedProblem: String? {
        let kept = unguarded.filter { name in Schema.keptTables.contains { name.hasPrefix($0 + "_") } }
        let appendOnly = unguarded.filter { !kept.contains($0) }
        var said: [String] = []
        if !appendOnly.isEmpty {
            said.append("append-only trigger\(appendOnly.count == 1 ? "" : "s") \(appendOnly.joined(separator: ", ")) missing, "
                + "changed or disabled: the journal or the readings can be changed in place")
        }
        if !kept.isEmpty {
            said.append("trigger\(kept.count == 1 ? "" : "s") \(kept.joined(separator: ", ")) missing, changed or disabled: "
                + "rows of runs, top-ups and charges can be deleted, and a top-up then buys again what they recorded")
        }
        return said.isEmpty ? nil : said.joined(separator: "; ")
    }

    /// What the database's own check found, as a sentence naming the check; empty when it
    /// found nothing.
    var damage: [String] {
        (verdict == "ok" ? [] : ["PRAGMA integrity_check: " + verdict]) + (file.map { [$0] } ?? [])
    }
}
