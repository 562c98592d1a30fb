import CreditTypes

/// The readers' queries on key readings and activity days.
extension SQLiteTransaction {
    func keyListings(account: String) throws -> [KeyListingRow] {
        try db.statement(
            "SELECT id, account, observed_at, key_count, page_count, run_id FROM key_listings WHERE account = ? ORDER BY observed_at, id"
        ).rows([.text(account)]) { row in
            KeyListingRow(
                id: row.int64(0), account: row.text(1), observedAt: try Self.time(row, 2, "key listing \(row.int64(0))"),
                keyCount: row.int64(3), pageCount: row.int64(4), runID: row.optionalInt64(5))
        }
    }

    /// In the primary key's order: `+account` keeps SQLite off the account index, which would
    /// look every row up and sort them all in a temporary B-tree.
    func keyReadings(account: String) throws -> [KeyReadingRow] {
        try db.statement(
            """
            SELECT listing_id, account, observed_at, key_hash, name, label, disabled, usage, byok_usage, key_limit,
                limit_remaining, limit_reset, created_at
            FROM key_readings WHERE +account = ? ORDER BY listing_id, key_hash
            """
        ).rows([.text(account)]) { row in
            let what = "key \(row.text(3)) read in entry \(row.int64(0))"
            return KeyReadingRow(
                listingID: row.int64(0), account: row.text(1), observedAt: try Self.time(row, 2, what),
                key: KeyReading(
                    hash: row.text(3), name: row.optionalText(4), label: row.optionalText(5),
                    disabled: row.optionalInt64(6).map { $0 != 0 }, usage: Micros(raw: row.int64(7)),
                    byokUsage: row.optionalInt64(8).map(Micros.init(raw:)), limit: row.optionalInt64(9).map(Micros.init(raw:)),
                    limitRemaining: row.optionalInt64(10).map(Micros.init(raw:)), limitReset: row.optionalText(11),
                    createdAt: row.isNull(12) ? nil : try Self.time(row, 12, what)))
        }
    }

    func activityDays(account: String) throws -> [ActivityDayRow] {
        try db.statement(
            """
            SELECT id, account, date, api_key_hash, observed_at, line_count, run_id
            FROM activity_days WHERE account = ? ORDER BY date, id
            """
        ).rows([.text(account)]) { row in
            let what = "activity day \(row.int64(0))"
            return ActivityDayRow(
                id: row.int64(0), account: row.text(1), date: try Self.date(row, 2, what), apiKeyHash: row.optionalText(3),
                observedAt: try Self.time(row, 4, what), lineCount: row.int64(5), runID: row.optionalInt64(6))
        }
    }

    func activityLines(account: String, from: CivilDate, through: CivilDate) throws -> [ActivityLineRow] {
        try db.statement(
            """
            SELECT day_id, line, account, date, model, model_permaslug, endpoint_id, provider, usage, byok_usage, requests,
                prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens
            FROM activity_rows WHERE account = ? AND date >= ? AND date <= ? ORDER BY date, day_id, line
            """
        ).rows([.text(account), .text(from.isoText), .text(through.isoText)]) { row in
            ActivityLineRow(
                dayID: row.int64(0), index: row.int64(1), account: row.text(2),
                date: try Self.date(row, 3, "activity day \(row.int64(0))"),
                line: ActivityLine(
                    model: row.text(4), modelPermaslug: row.optionalText(5), endpointID: row.optionalText(6),
                    provider: row.optionalText(7), usage: Micros(raw: row.int64(8)),
                    byokUsage: row.optionalInt64(9).map(Micros.init(raw:)), requests: row.optionalInt64(10),
                    promptTokens: row.optionalInt64(11), completionTokens: row.optionalInt64(12),
                    reasoningTokens: row.optionalInt64(13), cachedTokens: row.optionalInt64(14)))
        }
    }

    private static func time(_ row: Statement, _ column: Int32, _ what: String) throws -> Timestamp {
        guard let time = row.time(column) else {
            throw LedgerError.malformedEntry("\(what) has an unreadable time \"\(row.text(column))\"")
        }
        return time
    }

    private static func date(_ row: Statement, _ column: Int32, _ what: String) throws -> CivilDate {
        guard let date = CivilDate(isoText: row.text(column)) else {
            throw LedgerError.malformedEntry("\(what) has an unreadable date \"\(row.text(column))\"")
        }
        return date
    }
}
