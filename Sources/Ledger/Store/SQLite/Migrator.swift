/// Ordered, named schema migrations; each runs once, in its own transaction.
///
/// Applied names are kept in `schema_migrations`. A database that has applied a
/// migration this build does not know is newer than the build, and is refused.
struct Migrator {
    struct Migration {
        let name: String
        let apply: (Database) throws -> Void
    }

    private(set) var migrations: [Migration] = []

    mutating func register(_ name: String, _ apply: @escaping (Database) throws -> Void) {
        precondition(!migrations.contains { $0.name == name }, "duplicate migration \(name)")
        migrations.append(Migration(name: name, apply: apply))
    }

    /// Applies the migrations not yet applied, in order.
    func migrate(_ db: Database) throws {
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY NOT NULL) STRICT")
        let applied = Set(try db.statement("SELECT name FROM schema_migrations").rows { $0.text(0) })
        let known = Set(migrations.map(\.name))
        if let unknown = applied.subtracting(known).sorted().first {
            throw LedgerError.newerSchema(migration: unknown)
        }
        // The record edited away (a missing name, with what it made still there): running
        // the migration again would fail on its own tables.
        let damaged = "(edited outside credit-recon)"
        if let last = migrations.lastIndex(where: { applied.contains($0.name) }),
           let gap = migrations[..<last].first(where: { !applied.contains($0.name) }) {
            throw LedgerError.malformedEntry(
                "schema_migrations lacks \(gap.name) though it records \(migrations[last].name) \(damaged)")
        }
        if applied.isEmpty,
           try db.statement("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal'").rows { $0.int64(0) }.first != 0 {
            throw LedgerError.malformedEntry("schema_migrations records no migration though the journal exists \(damaged)")
        }
        for migration in migrations where !applied.contains(migration.name) {
            try db.writeTransaction {
                try migration.apply(db)
                try db.run("INSERT INTO schema_migrations (name) VALUES (?)", [.text(migration.name)])
            }
        }
    }
}
