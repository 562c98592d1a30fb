/// What every store checks of its record of applied migrations (`schema_migrations`)
/// before applying any.
enum MigrationRecord {
    /// What a migration leaves in a ledger that applied it, as a store can look for it.
    enum Trace {
        /// A table or an index it creates, by name (in the ledger's schema).
        case relation(String)
        /// Journal entries of a kind that only a ledger past it may hold.
        case entries(kind: String)
        /// A trigger it creates, by name.
        case trigger(String)
    }

    /// What of migration `name` a store can find in a ledger that applied it (none of v4's
    /// or v5's tables, since they create none: their `charge.status` and `charge.linked`
    /// entries).
    static func traces(of name: String) -> [Trace] {
        switch name {
        case "v1: journal, runs, snapshots, top-ups, charges":
            ["journal", "runs", "snapshots", "topups", "charges"].map(Trace.relation)
        // Its tables, and its entries: a ledger without the tables but with their entries
        // had them dropped, and is damaged, not an earlier build's.
        case "v2: key readings, activity days":
            Schema.usageTableNames.map(Trace.relation) + [.entries(kind: "keys.read"), .entries(kind: "activity.day")]
        case PostgresSchema.journalTimesMigration: [.relation("journal_by_time")]
        case Schema.entryKindsMigration: [.entries(kind: "charge.status")]
        case Schema.linkedChargesMigration: [.entries(kind: "charge.linked")]
        case Schema.activityReadingsMigration: [.relation("activity_days_by_reading")]
        // Its index, and its entries: an older build would stop at the first it read.
        case Schema.voidedChargesMigration: [.relation("charges_voided"), .entries(kind: "charge.voided")]
        // Its triggers, PostgreSQL's refusing TRUNCATE too: with its record gone and only
        // those left, it was applied again and failed on them (70, probe 365).
        case Schema.keptRowsMigration:
            Schema.keptRowTriggers.map { .trigger($0.name) } + Schema.keptTables.map { .trigger("\($0)_no_truncate") }
        case PostgresSchema.chargesByTimeMigration: [.relation("charges_by_time")]
        default: []
        }
    }

    /// The migrations a ledger can be read and checked without, as an earlier build left
    /// it (`verify`, which writes nothing; an archive on read-only storage): each makes
    /// only an index, or marks entry kinds that a ledger without it cannot hold (its trace
    /// says so when one does). The tables and columns every reader reads are v1's and v2's.
    static let readableWithout: Set<String> = [
        PostgresSchema.journalTimesMigration, Schema.entryKindsMigration, Schema.linkedChargesMigration,
        Schema.activityReadingsMigration, Schema.voidedChargesMigration, Schema.keptRowsMigration,
        PostgresSchema.chargesByTimeMigration,
    ]

    /// The first of `pending` that a ledger cannot be read without, if any.
    static func neededToRead(_ pending: [String]) -> String? {
        pending.first { !readableWithout.contains($0) }
    }

    /// The names of `known` (in order) not in `applied`. A name this build does not know is
    /// a newer ledger (`newerSchema`); a record edited away (a name missing before one that
    /// is there, or none at all beside a journal, or one whose tables or entries the
    /// ledger holds) is damage (`malformedEntry`): applying the migration again would fail
    /// on its own tables, or change the file behind a record that was edited.
    ///
    /// `holds` says whether the ledger holds a migration's trace (`Trace`).
    static func pending(
        applied: Set<String>, known: [String], journalExists: () throws -> Bool, holds: (Trace) throws -> Bool
    ) throws -> [String] {
        if let unknown = applied.subtracting(known).sorted().first {
            throw LedgerError.newerSchema(migration: unknown)
        }
        let edited = "(edited outside credit-recon)"
        if let last = known.lastIndex(where: applied.contains), let gap = known[..<last].first(where: { !applied.contains($0) }) {
            throw LedgerError.malformedEntry("schema_migrations lacks \(gap) though it records \(known[last]) \(edited)")
        }
        if applied.isEmpty, try journalExists() {
            throw LedgerError.malformedEntry("schema_migrations records no migration though the journal exists \(edited)")
        }
        let pending = known.filter { !applied.contains($0) }
        // A ledger whose record is missing its newest migrations: an older ledger, unless it
        // holds what they made. One with no record at all: a new database, unless it holds
        // the ledger's tables (the journal and the record dropped, the rest kept), which the
        // first migration would fail on.
        for name in pending {
            for trace in traces(of: name) where try holds(trace) {
                let found = switch trace {
                case .relation(let relation): "\(relation) exists"
                case .entries(let kind): "the journal holds \(kind) entries"
                case .trigger(let trigger): "its trigger \(trigger) exists"
                }
                throw LedgerError.malformedEntry(applied.isEmpty
                    ? "schema_migrations records no migration though \(found) \(edited)"
                    : "schema_migrations lacks \(name) though \(found) \(edited)")
            }
        }
        return pending
    }
}
