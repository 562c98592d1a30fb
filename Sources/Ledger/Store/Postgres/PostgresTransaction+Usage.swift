import CreditTypes
import PostgresNIO

/// The readers' queries on key readings and activity days, in PostgreSQL: the SQLite
/// store's answers, in the same order.
extension PostgresTransaction {
    func keyListings(account: String) throws -> [KeyListingRow] {
        try session.query(
            "SELECT id, account, observed_at, key_count, page_count, run_id FROM \(Self.s).key_listings "
                + "WHERE account = $1 ORDER BY observed_at, id", Self.binds(account)
        ).map { row in
            let id = try row.int64(0)
            return KeyListingRow(
                id: id, account: try row.text(1), observedAt: try Self.time(row, 2, "key listing \(id)"),
                keyCount: try row.int64(3), pageCount: try row.int64(4), runID: try row.optionalInt64(5))
        }
    }

    func keyReadings(account: String) throws -> [KeyReadingRow] {
        try session.query(
            """
            SELECT listing_id, account, observed_at, key_hash, name, label, disabled, usage, byok_usage, key_limit,
                limit_remaining, limit_reset, created_at
            FROM \(Self.s).key_readings WHERE account = $1 ORDER BY listing_id, key_hash
            """, Self.binds(account)
        ).map { row in
            let what = "key \(try row.text(3)) read in entry \(try row.int64(0))"
            return KeyReadingRow(
                listingID: try row.int64(0), account: try row.text(1), observedAt: try Self.time(row, 2, what),
                key: KeyReading(
                    hash: try row.text(3), name: try row.optionalText(4), label: try row.optionalText(5),
                    disabled: try row.optionalInt64(6).map { $0 != 0 }, usage: Micros(raw: try row.int64(7)),
                    byokUsage: try row.optionalInt64(8).map(Micros.init(raw:)),
                    limit: try row.optionalInt64(9).map(Micros.init(raw:)),
                    limitRemaining: try row.optionalInt64(10).map(Micros.init(raw:)), limitReset: try row.optionalText(11),
                    createdAt: row.isNull(12) ? nil : try Self.time(row, 12, what)))
        }
    }

    func activityDays(account: String) throws -> [ActivityDayRow] {
        try session.query(
            """
            SELECT id, account, date, api_key_hash, observed_at, line_count, run_id
            FROM \(Self.s).activity_days WHERE account = $1 ORDER BY date, id
            """, Self.binds(account)
        ).map { row in
            let what = "activity day \(try row.int64(0))"
            return ActivityDayRow(
                id: try row.int64(0), account: try row.text(1), date: try Self.date(row, 2, what),
                apiKeyHash: try row.optionalText(3), observedAt: try Self.time(row, 4, what), lineCount: try row.int64(5),
                runID: try row.optionalInt64(6))
        }
    }

    func activityLines(account: String, from: CivilDate, through: CivilDate) throws -> [ActivityLineRow] {
        try session.query(
            """
            SELECT day_id, line, account, date, model, model_permaslug, endpoint_id, provider, usage, byok_usage, requests,
                prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens
            FROM \(Self.s).activity_rows WHERE account = $1 AND date >= $2 AND date <= $3 ORDER BY date, day_id, line
            """, Self.binds(account, from.isoText, through.isoText)
        ).map { row in
            ActivityLineRow(
                dayID: try row.int64(0), index: try row.int64(1), account: try row.text(2),
                date: try Self.date(row, 3, "activity day \(try row.int64(0))"),
                line: ActivityLine(
                    model: try row.text(4), modelPermaslug: try row.optionalText(5), endpointID: try row.optionalText(6),
                    provider: try row.optionalText(7), usage: Micros(raw: try row.int64(8)),
                    byokUsage: try row.optionalInt64(9).map(Micros.init(raw:)), requests: try row.optionalInt64(10),
                    promptTokens: try row.optionalInt64(11), completionTokens: try row.optionalInt64(12),
                    reasoningTokens: try row.optionalInt64(13), cachedTokens: try row.optionalInt64(14)))
        }
    }

    private static func date(_ row: PostgresSession.Row, _ column: Int, _ what: String) throws -> CivilDate {
        let text = try row.text(column)
        guard let date = CivilDate(isoText: text) else {
            throw LedgerError.malformedEntry("\(what) has an unreadable date \"\(text)\"")
        }
        return date
    }
}
