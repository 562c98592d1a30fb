import CreditTypes
import PostgresNIO

/// The readers' queries on key readings and activity days, in PostgreSQL: the SQLite
/// store's answers, in the same order.
extension PostgresTransaction {
    func keyListings(account: String) throws -> [KeyListingRow] {
        try session.query(
            "SELECT \(KeyListingRow.columns) FROM \(Self.s).key_listings WHERE account = $1 ORDER BY observed_at, id",
            Self.binds(account)) { try KeyListingRow(reading: &$0) }
    }

    func keyReadings(account: String) throws -> [KeyReadingRow] {
        try session.query(
            "SELECT \(KeyReadingRow.columns) FROM \(Self.s).key_readings WHERE account = $1 ORDER BY listing_id, key_hash",
            Self.binds(account)) { try KeyReadingRow(reading: &$0) }
    }

    func activityDays(account: String) throws -> [ActivityDayRow] {
        try session.query(
            "SELECT \(ActivityDayRow.columns) FROM \(Self.s).activity_days WHERE account = $1 ORDER BY date, id",
            Self.binds(account)) { try ActivityDayRow(reading: &$0) }
    }

    func activityLines(account: String, from: CivilDate, through: CivilDate) throws -> [ActivityLineRow] {
        try session.query(
            """
            SELECT \(ActivityLineRow.columns) FROM \(Self.s).activity_rows
            WHERE account = $1 AND date >= $2 AND date <= $3 ORDER BY date, day_id, line
            """, Self.binds(account, from.isoText, through.isoText)) { try ActivityLineRow(reading: &$0) }
    }
}
