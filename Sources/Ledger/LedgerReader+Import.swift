/// Cheap questions the bulk importers ask once, so that a million-row import into a
/// ledger with nothing to collide with skips a million indexed look-ups (issue "Speed").
extension LedgerReader {
    /// Whether any snapshot is stored (any account).
    public func hasSnapshots() throws -> Bool {
        try db.scalarInt("SELECT EXISTS (SELECT 1 FROM snapshots)") == 1
    }

    /// Whether any charge is stored (any account, either origin).
    public func hasCharges() throws -> Bool {
        try db.scalarInt("SELECT EXISTS (SELECT 1 FROM charges)") == 1
    }

    /// Whether any plan row (top-up) is stored.
    public func hasTopUps() throws -> Bool {
        try db.scalarInt("SELECT EXISTS (SELECT 1 FROM topups)") == 1
    }
}
