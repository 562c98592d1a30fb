import CreditTypes
import PostgresNIO

/// The readers' queries on key readings and activity days, in PostgreSQL: the SQLite
/// store's answers, in the same order.
extension PostgresTransaction {
    func keyListings(account: String) throws -> [KeyListingRow] {
        try session.query(
            "SELECT id, account, observed_at, key_count, page_count, run_id FROM \(Self.s).key_listings "
                + "WHERE account = $1 ORDER BY observed_at, id", Self.binds(account)
        ) { row in
            let id = try row.int64()
            return KeyListingRow(
                id: id, account: try row.text(), observedAt: try Self.time(&row, "key listing \(id)"),
                keyCount: try row.int64(), pageCount: try row.int64(), runID: try row.optionalInt64())
        }
    }

    func keyReadings(account: String) throws -> [KeyReadingRow] {
        try session.query(
            """
            SELECT listing_id, key_hash, account, observed_at, name, label, disabled, usage, byok_usage, key_limit,
                limit_remaining, limit_reset, created_at
            FROM \(Self.s).key_readings WHERE account = $1 ORDER BY listing_id, key_hash
            """, Self.binds(account)
        ) { row in
            let listingID = try row.int64()
            let hash = try row.text()
            let what = "key \(hash) read in entry \(listingID)"
            return KeyReadingRow(
                listingID: listingID, account: try row.text(), observedAt: try Self.time(&row, what),
                key: KeyReading(
                    hash: hash, name: try row.optionalText(), label: try row.optionalText(),
                    disabled: try row.optionalInt64().map { $0 != 0 }, usage: Micros(raw: try row.int64()),
                    byokUsage: try row.optionalInt64().map(Micros.init(raw:)),
                    limit: try row.optionalInt64().map(Micros.init(raw:)),
                    limitRemaining: try row.optionalInt64().map(Micros.init(raw:)), limitReset: try row.optionalText(),
                    createdAt: try Self.optionalTime(&row, what)))
        }
    }

    func activityDays(account: String) throws -> [ActivityDayRow] {
        try session.query(
            """
            SELECT id, account, date, api_key_hash, observed_at, line_count, run_id
            FROM \(Self.s).activity_days WHERE account = $1 ORDER BY date, id
            """, Self.binds(account)
        ) { row in
            let id = try row.int64()
            let what = "activity day \(id)"
            return ActivityDayRow(
                id: id, account: try row.text(), date: try Self.date(&row, what),
                apiKeyHash: try row.optionalText(), observedAt: try Self.time(&row, what), lineCount: try row.int64(),
                runID: try row.optionalInt64())
        }
    }

    func activityLines(account: String, from: CivilDate, through: CivilDate) throws -> [ActivityLineRow] {
        try session.query(
            """
            SELECT day_id, line, account, date, model, model_permaslug, endpoint_id, provider, usage, byok_usage, requests,
                prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens
            FROM \(Self.s).activity_rows WHERE account = $1 AND date >= $2 AND date <= $3 ORDER BY date, day_id, line
            """, Self.binds(account, from.isoText, through.isoText)
        ) { row in
            let dayID = try row.int64()
            return ActivityLineRow(
                dayID: dayID, index: try row.int64(), account: try row.text(),
                date: try Self.date(&row, "activity day \(dayID)"),
                line: ActivityLine(
                    model: try row.text(), modelPermaslug: try row.optionalText(), endpointID: try row.optionalText(),
                    provider: try row.optionalText(), usage: Micros(raw: try row.int64()),
                    byokUsage: try row.optionalInt64().map(Micros.init(raw:)), requests: try row.optionalInt64(),
                    promptTokens: try row.optionalInt64(), completionTokens: try row.optionalInt64(),
                    reasoningTokens: try row.optionalInt64(), cachedTokens: try row.optionalInt64()))
        }
    }

    /// The next column of `row`, a date.
    private static func date(_ row: inout PostgresSession.Row, _ what: String) throws -> CivilDate {
        let text = try row.text()
        guard let date = CivilDate(isoText: text) else {
            throw LedgerError.malformedEntry("\(what) has an unreadable date \"\(text)\"")
        }
        return date
    }
}
