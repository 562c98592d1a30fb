import CreditTypes

/// The projection rows each change writes, as SQL that both stores run (`?` for each
/// value, in order): the one place that says which column of which table holds which
/// field of a fact. Readings and recorded charges, which an import writes by the million,
/// are handed to the store to hold back and write in batches (`ProjectionTables.hold`).
struct ProjectionStatements: ProjectionWriter {
    let tables: any ProjectionTables

    private var s: String { tables.schema }

    private func changed(_ sql: String, _ values: [ColumnValue]) throws -> Bool {
        try tables.change(sql, values) == 1
    }

    /// Top-up row `t` is in the state the journal entry that last changed it gives: no
    /// trigger guards the top-ups (their states change), and a charged row set back to
    /// `planned` behind the ledger's back was requested, and charged, again.
    private var agreesWithItsEntry: String {
        """
        (SELECT kind FROM \(tables.journal) WHERE seq = t.updated_seq)
            = CASE t.state WHEN 'planned' THEN 'topup.planned' WHEN 'requesting' THEN 'charge.requested' ELSE 'charge.' || t.state END
        """
    }

    func insertRun(id: Int64, account: String, command: String, startedAt: Timestamp) throws {
        _ = try tables.change(
            "INSERT INTO \(s).runs (id, account, command, started_at) VALUES (?, ?, ?, ?)",
            [.integer(id), .text(account), .text(command), .time(startedAt)])
    }

    func finishRun(id: Int64, at time: Timestamp, _ fact: RunFinished) throws -> Bool {
        try changed(
            "UPDATE \(s).runs SET finished_at = ?, outcome = ?, exit_code = ?, summary = ? WHERE id = ?",
            [.time(time), .text(fact.outcome), .integer(fact.exitCode), .text(fact.summary), .integer(id)])
    }

    func insertSnapshot(id: Int64, account: String, _ fact: SnapshotTaken, runID: Int64?) throws {
        try tables.hold(snapshot: id, account: account, fact, runID: runID)
    }

    func insertTopUp(id: Int64, account: String, _ fact: TopUpPlanned, runID: Int64?) throws {
        _ = try tables.change(
            """
            INSERT INTO \(s).topups (key, id, account, batch, reference, wallet, chain_id, amount, memo,
                plan_file, plan_line, state, attempts, updated_seq, run_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', 0, ?, ?)
            """,
            [.text(fact.key), .integer(id), .text(account), .text(fact.batch), .text(fact.reference), .text(fact.wallet),
             .integer(fact.chainID), .integer(fact.amount.raw), .text(fact.memo), .text(fact.planFile),
             .integer(fact.planLine), .integer(id), .integer(runID)])
    }

    func requestTopUp(key: String, attempt: Int64, seq: Int64, runID: Int64?) throws -> Bool {
        try changed(
            """
            UPDATE \(s).topups AS t SET state = 'requesting', attempts = ?, http_status = NULL, error = NULL,
                updated_seq = ?, run_id = ?
            WHERE t.key = ? AND t.state NOT IN ('requesting', 'created', 'recorded') AND \(agreesWithItsEntry)
            """,
            [.integer(attempt), .integer(seq), .integer(runID), .text(key)])
    }

    func createCharge(seq: Int64, account: String, _ fact: ChargeCreated, runID: Int64?) throws -> Bool {
        guard try changed(
            "UPDATE \(s).topups SET state = 'created', charge_id = ?, updated_seq = ? WHERE key = ? AND state = 'requesting'",
            [.text(fact.chargeID), .integer(seq), .text(fact.key)])
        else { return false }
        // The charge is for what the plan row says: its wallet, chain, amount, reference and memo.
        _ = try tables.change(
            """
            INSERT INTO \(s).charges (charge_id, seq, account, origin, topup_key, reference, wallet, chain_id,
                amount, created_at, expires_at, memo, call_data, raw_body, run_id)
            SELECT ?, ?, ?, 'api', key, reference, wallet, chain_id, amount, ?, ?, memo, ?, ?, ?
            FROM \(s).topups WHERE key = ?
            """,
            [.text(fact.chargeID), .integer(seq), .text(account), .time(fact.createdAt), .time(fact.expiresAt),
             .text(fact.callData), .text(fact.rawBody), .integer(runID), .text(fact.key)])
        return true
    }

    func failTopUp(state: String, seq: Int64, _ fact: ChargeFailed) throws -> Bool {
        try changed(
            "UPDATE \(s).topups SET state = ?, http_status = ?, error = ?, updated_seq = ? WHERE key = ? AND state = 'requesting'",
            [.text(state), .integer(fact.httpStatus), .text(fact.message), .integer(seq), .text(fact.key)])
    }

    func insertRecordedCharge(seq: Int64, account: String, _ fact: ChargeRecorded, runID: Int64?) throws {
        try tables.hold(charge: seq, account: account, fact, runID: runID)
    }

    func recordTopUp(key: String, chargeID: String, seq: Int64) throws -> Bool {
        try changed(
            """
            UPDATE \(s).topups AS t SET state = 'recorded', charge_id = ?, updated_seq = ?
            WHERE t.key = ? AND t.state NOT IN ('created', 'recorded') AND \(agreesWithItsEntry)
            """,
            [.text(chargeID), .integer(seq), .text(key)])
    }

    func recordChargeStatus(_ fact: ChargeStatusRecorded) throws -> Bool {
        try changed(
            "UPDATE \(s).charges SET status = ?, paid_at = ? WHERE charge_id = ?",
            [.text(fact.status), .time(fact.paidAt), .text(fact.chargeID)])
    }

    func linkCharge(_ fact: ChargeLinked) throws -> Bool {
        try changed(
            """
            UPDATE \(s).charges SET reference = coalesce(reference, ?), topup_key = ?
            WHERE charge_id = ? AND origin = 'import' AND topup_key IS NULL
            """,
            [.text(fact.reference), .text(fact.topUpKey), .text(fact.chargeID)])
    }

    func voidCharge(_ fact: ChargeVoided, seq: Int64) throws -> Bool {
        try changed(
            """
            UPDATE \(s).charges SET charge_id = ?, status = 'void', memo = ?
            WHERE charge_id = ? AND origin = 'import' AND topup_key IS NULL AND coalesce(status, '') <> 'void'
            """,
            [.text(ChargeVoided.voidedID(fact.chargeID, seq: seq)), .text(fact.reason), .text(fact.chargeID)])
    }

    func insertKeyListing(id: Int64, account: String, _ fact: KeysRead, runID: Int64?) throws {
        _ = try tables.change(
            "INSERT INTO \(s).key_listings (id, account, observed_at, key_count, page_count, run_id) VALUES (?, ?, ?, ?, ?, ?)",
            [.integer(id), .text(account), .time(fact.observedAt), .integer(Int64(fact.keys.count)),
             .integer(Int64(fact.rawBodies.count)), .integer(runID)])
        guard !fact.keys.isEmpty else { return }
        try tables.insert(
            into: "key_readings",
            columns: ["listing_id", "key_hash", "account", "observed_at", "name", "label", "disabled", "usage",
                      "byok_usage", "key_limit", "limit_remaining", "limit_reset", "created_at"],
            rows: fact.keys.map { key in
                [.integer(id), .text(key.hash), .text(account), .time(fact.observedAt), .text(key.name), .text(key.label),
                 .integer(key.disabled.map { $0 ? 1 : 0 }), .integer(key.usage.raw), .integer(key.byokUsage?.raw),
                 .integer(key.limit?.raw), .integer(key.limitRemaining?.raw), .text(key.limitReset), .time(key.createdAt)]
            })
    }

    func insertActivityDay(id: Int64, account: String, _ fact: ActivityDay, runID: Int64?) throws {
        let date = fact.date.isoText
        _ = try tables.change(
            """
            INSERT INTO \(s).activity_days (id, account, date, api_key_hash, observed_at, line_count, raw_body, run_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.integer(id), .text(account), .text(date), .text(fact.apiKeyHash), .time(fact.observedAt),
             .integer(Int64(fact.lines.count)), .text(fact.rawBody), .integer(runID)])
        guard !fact.lines.isEmpty else { return }
        try tables.insert(
            into: "activity_rows",
            columns: ["day_id", "line", "account", "date", "model", "model_permaslug", "endpoint_id", "provider",
                      "usage", "byok_usage", "requests", "prompt_tokens", "completion_tokens", "reasoning_tokens",
                      "cached_tokens"],
            rows: fact.lines.enumerated().map { index, line in
                [.integer(id), .integer(Int64(index)), .text(account), .text(date), .text(line.model),
                 .text(line.modelPermaslug), .text(line.endpointID), .text(line.provider), .integer(line.usage.raw),
                 .integer(line.byokUsage?.raw), .integer(line.requests), .integer(line.promptTokens),
                 .integer(line.completionTokens), .integer(line.reasoningTokens), .integer(line.cachedTokens)]
            })
    }
}
