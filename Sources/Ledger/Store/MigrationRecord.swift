/// What every store checks of its record of applied migrations (`schema_migrations`)
/// before applying any.
enum MigrationRecord {
    /// The names of `known` (in order) not in `applied`. A name this build does not know is
    /// a newer ledger (`newerSchema`); a record edited away (a name missing before one that
    /// is there, or none at all beside a journal) is damage (`malformedEntry`): applying the
    /// migration again would fail on its own tables.
    static func pending(applied: Set<String>, known: [String], journalExists: () throws -> Bool) throws -> [String] {
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
        return known.filter { !applied.contains($0) }
    }
}
