import CreditTypes

// Each row type's columns and how it is made from them, for both stores.

extension RunRow: ColumnReadable {
    static let columns = "id, account, command, started_at, finished_at, outcome, exit_code, summary"

    init(reading row: inout some ColumnCursor) throws {
        self.init(
            id: try row.int64(), account: try row.text(), command: try row.text(), startedAt: try row.text(),
            finishedAt: try row.optionalText(), outcome: try row.optionalText(), exitCode: try row.optionalInt64(),
            summary: try row.optionalText())
    }
}

extension StoredTopUp: ColumnReadable {
    static let columns = """
        key, account, batch, reference, wallet, chain_id, amount, memo, plan_file, plan_line, state, attempts,
            charge_id, http_status, error, run_id
        """

    init(reading row: inout some ColumnCursor) throws {
        self.init(
            key: try row.text(), account: try row.text(), batch: try row.text(), reference: try row.optionalText(),
            wallet: try row.text(), chainID: try row.int64(), amount: try row.micros(), memo: try row.optionalText(),
            planFile: try row.text(), planLine: try row.int64(), state: try row.text(), attempts: try row.int64(),
            chargeID: try row.optionalText(), httpStatus: try row.optionalInt64(), error: try row.optionalText(),
            runID: try row.optionalInt64())
    }
}

extension LedgerReader.ChargelessTopUp: ColumnReadable {
    /// The columns of `topups t`. Each store's query adds one more, last: the time of the
    /// journal entry that last changed the top-up, which it reads in its own SQL.
    static let columns = "t.key, t.account, t.batch, t.reference, t.wallet, t.chain_id, t.amount, t.memo, t.state, t.http_status, t.error, t.run_id, t.plan_file"

    init(reading row: inout some ColumnCursor) throws {
        let key = try row.text()
        self.init(
            key: key, account: try row.text(), batch: try row.text(), reference: try row.optionalText(),
            wallet: try row.text(), chainID: try row.int64(), amount: try row.micros(), memo: try row.optionalText(),
            state: try row.text(), httpStatus: try row.optionalInt64(), error: try row.optionalText(),
            runID: try row.optionalInt64(), planFile: try row.text(), updatedAt: try row.time(of: "top-up \(key)"))
    }
}

extension LedgerReader.DatedTopUp: ColumnReadable {
    /// The columns of `topups t`; each store's query adds its time last (see
    /// `LedgerReader.topUps(since:)`), read in its own SQL.
    static let columns = "t.key, t.account, t.batch, t.reference, t.wallet, t.chain_id, t.amount, t.memo, t.plan_file, "
        + "t.plan_line, t.state, t.attempts, t.charge_id, t.http_status, t.error, t.run_id"

    init(reading row: inout some ColumnCursor) throws {
        let topUp = try StoredTopUp(reading: &row)
        self.init(topUp: topUp, boughtAt: try row.time(of: "top-up \(topUp.key)"))
    }
}

extension StoredCharge: ColumnReadable {
    static let columns = """
        charge_id, account, origin, topup_key, reference, wallet, chain_id, amount, created_at, expires_at,
            status, paid_at, memo
        """

    init(reading row: inout some ColumnCursor) throws {
        self.init(
            chargeID: try row.text(), account: try row.text(), origin: try row.text(), topUpKey: try row.optionalText(),
            reference: try row.optionalText(), wallet: try row.optionalText(), chainID: try row.optionalInt64(),
            amount: try row.micros(), createdAt: try row.text(), expiresAt: try row.optionalText(),
            status: try row.optionalText(), paidAt: try row.optionalText(), memo: try row.optionalText())
    }
}

extension KeyListingRow: ColumnReadable {
    static let columns = "id, account, observed_at, key_count, page_count, run_id"

    init(reading row: inout some ColumnCursor) throws {
        let id = try row.int64()
        self.init(
            id: id, account: try row.text(), observedAt: try row.time(of: "key listing \(id)"),
            keyCount: try row.int64(), pageCount: try row.int64(), runID: try row.optionalInt64())
    }
}

extension KeyReadingRow: ColumnReadable {
    static let columns = """
        listing_id, key_hash, account, observed_at, name, label, disabled, usage, byok_usage, key_limit,
            limit_remaining, limit_reset, created_at
        """

    init(reading row: inout some ColumnCursor) throws {
        let listingID = try row.int64()
        let hash = try row.text()
        let what = "key \(hash) read in entry \(listingID)"
        self.init(
            listingID: listingID, account: try row.text(), observedAt: try row.time(of: what),
            key: KeyReading(
                hash: hash, name: try row.optionalText(), label: try row.optionalText(),
                disabled: try row.optionalInt64().map { $0 != 0 }, usage: try row.micros(),
                byokUsage: try row.optionalMicros(), limit: try row.optionalMicros(),
                limitRemaining: try row.optionalMicros(), limitReset: try row.optionalText(),
                createdAt: try row.optionalTime(of: what)))
    }
}

extension ActivityDayRow: ColumnReadable {
    static let columns = "id, account, date, api_key_hash, observed_at, line_count, run_id"

    init(reading row: inout some ColumnCursor) throws {
        let id = try row.int64()
        let what = "activity day \(id)"
        self.init(
            id: id, account: try row.text(), date: try row.date(of: what), apiKeyHash: try row.optionalText(),
            observedAt: try row.time(of: what), lineCount: try row.int64(), runID: try row.optionalInt64())
    }
}

extension ActivityLineRow: ColumnReadable {
    static let columns = """
        day_id, line, account, date, model, model_permaslug, endpoint_id, provider, usage, byok_usage, requests,
            prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens
        """

    init(reading row: inout some ColumnCursor) throws {
        let dayID = try row.int64()
        self.init(
            dayID: dayID, index: try row.int64(), account: try row.text(), date: try row.date(of: "activity day \(dayID)"),
            line: ActivityLine(
                model: try row.text(), modelPermaslug: try row.optionalText(), endpointID: try row.optionalText(),
                provider: try row.optionalText(), usage: try row.micros(), byokUsage: try row.optionalMicros(),
                requests: try row.optionalInt64(), promptTokens: try row.optionalInt64(),
                completionTokens: try row.optionalInt64(), reasoningTokens: try row.optionalInt64(),
                cachedTokens: try row.optionalInt64()))
    }
}
