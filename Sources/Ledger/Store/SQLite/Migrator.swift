/// Ordered, named schema migrations; each runs once, and those a ledger lacks are applied
/// in one transaction.
///
/// Applied names are kept in `schema_migrations`. A database that has applied a
/// migration this build does not know is newer than the build, and is refused.
struct Migrator {
    struct Migration {
        let name: String
        let apply: (Database) throws -> Void
    }

    private(set) var migrations: [Migration] = []

    /// The table of applied migrations, as `sqlite_master` keeps its definition.
    static let recordTable = "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY NOT NULL) STRICT"

    mutating func register(_ name: String, _ apply: @escaping (Database) throws -> Void) {
        precondition(!migrations.contains { $0.name == name }, "duplicate migration \(name)")
        migrations.append(Migration(name: name, apply: apply))
    }

    /// Applies the migrations not yet applied, in order.
    func migrate(_ db: Database) throws {
        // Read first: a record that contradicts the tables is refused before anything is written.
        try apply(try pending(db), to: db)
    }

    /// Applies `pending` (as `pending(_:)` read them, maybe before another process applied
    /// some) to `db`, all in one transaction: a failure in one (the disk full, `ulimit -f`)
    /// leaves the ledger as it was, not applied up to it behind an error that says nothing
    /// was written (probe 365: v7 applied, v8 not).
    func apply(_ pending: [Migration], to db: Database) throws {
        guard !pending.isEmpty else { return }
        try db.execute("CREATE TABLE IF NOT EXISTS" + Self.recordTable.dropFirst("CREATE TABLE".count))
        try db.writeTransaction {
            for migration in pending {
                // Another process opening the ledger may have applied it since it was read
                // (readers open without the writer lock): under the write lock, look again.
                guard try db.scalarInt("SELECT count(*) FROM schema_migrations WHERE name = ?", [.text(migration.name)]) == 0
                else { continue }
                try migration.apply(db)
                try db.run("INSERT INTO schema_migrations (name) VALUES (?)", [.text(migration.name)])
            }
        }
    }

    /// The migrations `db` has not applied, in order (a record missing or contradicting
    /// the tables is refused by `MigrationRecord.pending`); only reads.
    func pending(_ db: Database) throws -> [Migration] {
        let recorded = try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") != 0
        let applied = recorded ? Set(try db.statement("SELECT name FROM schema_migrations").rows { $0.text(0) }) : []
        func exists(_ relation: String) throws -> Bool {
            try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'index') AND name = ?", [.text(relation)]) != 0
        }
        let pending = Set(try MigrationRecord.pending(
            applied: applied, known: migrations.map(\.name), journalExists: { try exists("journal") },
            holds: { trace in
                switch trace {
                case .relation(let relation): try exists(relation)
                case .entries(let kind):
                    try exists("journal") && db.scalarInt("SELECT EXISTS (SELECT 1 FROM journal WHERE kind = ?)", [.text(kind)]) != 0
                case .trigger(let trigger):
                    try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?", [.text(trigger)]) != 0
                }
            }))
        return migrations.filter { pending.contains($0.name) }
    }
}
