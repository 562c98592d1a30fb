import CreditTypes

/// The readers' queries on key readings and activity days.
extension SQLiteTransaction {
    func keyListings(account: String) throws -> [KeyListingRow] {
        try db.statement("SELECT \(KeyListingRow.columns) FROM key_listings WHERE account = ? ORDER BY observed_at, id")
            .rows([.text(account)], as: KeyListingRow.self)
    }

    /// In the primary key's order: `+account` keeps SQLite off the account index, which would
    /// look every row up and sort them all in a temporary B-tree.
    func keyReadings(account: String) throws -> [KeyReadingRow] {
        try db.statement("SELECT \(KeyReadingRow.columns) FROM key_readings WHERE +account = ? ORDER BY listing_id, key_hash")
            .rows([.text(account)], as: KeyReadingRow.self)
    }

    func activityDays(account: String) throws -> [ActivityDayRow] {
        try db.statement("SELECT \(ActivityDayRow.columns) FROM activity_days WHERE account = ? ORDER BY date, id")
            .rows([.text(account)], as: ActivityDayRow.self)
    }

    func activityLines(account: String, from: CivilDate, through: CivilDate) throws -> [ActivityLineRow] {
        try db.statement(
            "SELECT \(ActivityLineRow.columns) FROM activity_rows WHERE account = ? AND date >= ? AND date <= ? ORDER BY date, day_id, line"
        ).rows([.text(account), .text(from.isoText), .text(through.isoText)], as: ActivityLineRow.self)
    }
}
