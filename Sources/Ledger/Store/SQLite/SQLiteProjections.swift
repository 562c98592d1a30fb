import CreditTypes

/// The projection tables of one schema (`main`, or `verify`'s `replay`), written as the
/// ledger's `Projector` says.
struct SQLiteProjections: ProjectionWriter {
    let transaction: SQLiteTransaction
    let target: ProjectionTarget

    private var db: Database { transaction.db }
    private var s: String { SQLiteTransaction.schema(target) }

    /// Runs `sql` once the rows held back are written; answers whether it changed a row.
    private func change(_ sql: String, _ bind: (Statement) throws -> Void) throws -> Bool {
        try transaction.flush(target)
        let statement = try db.statement(sql)
        statement.reset()
        try bind(statement)
        try statement.execute()
        return db.changes == 1
    }

    func insertRun(id: Int64, account: String, command: String, startedAt: Timestamp) throws {
        _ = try change("INSERT INTO \(s).runs (id, account, command, started_at) VALUES (?, ?, ?, ?)") {
            try $0.bind(id, at: 1)
            try $0.bind(account, at: 2)
            try $0.bind(command, at: 3)
            try $0.bind(startedAt, at: 4)
        }
    }

    func finishRun(id: Int64, at time: Timestamp, _ fact: RunFinished) throws -> Bool {
        try change("UPDATE \(s).runs SET finished_at = ?, outcome = ?, exit_code = ?, summary = ? WHERE id = ?") {
            try $0.bind(time, at: 1)
            try $0.bind(fact.outcome, at: 2)
            try $0.bind(fact.exitCode, at: 3)
            try $0.bind(fact.summary, at: 4)
            try $0.bind(id, at: 5)
        }
    }

    func insertSnapshot(id: Int64, account: String, _ fact: SnapshotTaken, runID: Int64?) throws {
        try transaction.hold(snapshot: id, account: account, fact, runID: runID, for: target)
    }

    func insertTopUp(id: Int64, account: String, _ fact: TopUpPlanned, runID: Int64?) throws {
        _ = try change(
            """
            INSERT INTO \(s).topups (key, id, account, batch, reference, wallet, chain_id, amount, memo,
                plan_file, plan_line, state, attempts, updated_seq, run_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', 0, ?, ?)
            """
        ) {
            try $0.bind(fact.key, at: 1)
            try $0.bind(id, at: 2)
            try $0.bind(account, at: 3)
            try $0.bind(fact.batch, at: 4)
            try $0.bind(fact.reference, at: 5)
            try $0.bind(fact.wallet, at: 6)
            try $0.bind(fact.chainID, at: 7)
            try $0.bind(fact.amount.raw, at: 8)
            try $0.bind(fact.memo, at: 9)
            try $0.bind(fact.planFile, at: 10)
            try $0.bind(fact.planLine, at: 11)
            try $0.bind(id, at: 12)
            try $0.bind(runID, at: 13)
        }
    }

    func requestTopUp(key: String, attempt: Int64, seq: Int64, runID: Int64?) throws -> Bool {
        try change(
            """
            UPDATE \(s).topups SET state = 'requesting', attempts = ?, http_status = NULL, error = NULL,
                updated_seq = ?, run_id = ?
            WHERE key = ?
            """
        ) {
            try $0.bind(attempt, at: 1)
            try $0.bind(seq, at: 2)
            try $0.bind(runID, at: 3)
            try $0.bind(key, at: 4)
        }
    }

    func createCharge(seq: Int64, account: String, _ fact: ChargeCreated, runID: Int64?) throws -> Bool {
        let found = try change("UPDATE \(s).topups SET state = 'created', charge_id = ?, updated_seq = ? WHERE key = ?") {
            try $0.bind(fact.chargeID, at: 1)
            try $0.bind(seq, at: 2)
            try $0.bind(fact.key, at: 3)
        }
        guard found else { return false }
        _ = try change(
            """
            INSERT INTO \(s).charges (charge_id, seq, account, origin, topup_key, reference, wallet, chain_id,
                amount, created_at, expires_at, memo, call_data, raw_body, run_id)
            SELECT ?, ?, ?, 'api', key, reference, wallet, chain_id, amount, ?, ?, memo, ?, ?, ?
            FROM \(s).topups WHERE key = ?
            """
        ) {
            try $0.bind(fact.chargeID, at: 1)
            try $0.bind(seq, at: 2)
            try $0.bind(account, at: 3)
            try $0.bind(fact.createdAt, at: 4)
            try $0.bind(fact.expiresAt, at: 5)
            try $0.bind(fact.callData, at: 6)
            try $0.bind(fact.rawBody, at: 7)
            try $0.bind(runID, at: 8)
            try $0.bind(fact.key, at: 9)
        }
        return true
    }

    func failTopUp(state: String, seq: Int64, _ fact: ChargeFailed) throws -> Bool {
        try change("UPDATE \(s).topups SET state = ?, http_status = ?, error = ?, updated_seq = ? WHERE key = ?") {
            try $0.bind(state, at: 1)
            try $0.bind(fact.httpStatus, at: 2)
            try $0.bind(fact.message, at: 3)
            try $0.bind(seq, at: 4)
            try $0.bind(fact.key, at: 5)
        }
    }

    func insertRecordedCharge(seq: Int64, account: String, _ fact: ChargeRecorded, runID: Int64?) throws {
        try transaction.hold(charge: seq, account: account, fact, runID: runID, for: target)
    }

    func recordTopUp(key: String, chargeID: String, seq: Int64) throws -> Bool {
        try change("UPDATE \(s).topups SET state = 'recorded', charge_id = ?, updated_seq = ? WHERE key = ?") {
            try $0.bind(chargeID, at: 1)
            try $0.bind(seq, at: 2)
            try $0.bind(key, at: 3)
        }
    }

    func insertKeyListing(id: Int64, account: String, _ fact: KeysRead, runID: Int64?) throws {
        _ = try change(
            "INSERT INTO \(s).key_listings (id, account, observed_at, key_count, page_count, run_id) VALUES (?, ?, ?, ?, ?, ?)"
        ) {
            try $0.bind(id, at: 1)
            try $0.bind(account, at: 2)
            try $0.bind(fact.observedAt, at: 3)
            try $0.bind(Int64(fact.keys.count), at: 4)
            try $0.bind(Int64(fact.rawBodies.count), at: 5)
            try $0.bind(runID, at: 6)
        }
        for key in fact.keys {
            _ = try change(
                """
                INSERT INTO \(s).key_readings (listing_id, key_hash, account, observed_at, name, label, disabled, usage,
                    byok_usage, key_limit, limit_remaining, limit_reset, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
            ) {
                try $0.bind(id, at: 1)
                try $0.bind(key.hash, at: 2)
                try $0.bind(account, at: 3)
                try $0.bind(fact.observedAt, at: 4)
                try $0.bind(key.name, at: 5)
                try $0.bind(key.label, at: 6)
                try $0.bind(key.disabled.map { $0 ? Int64(1) : 0 }, at: 7)
                try $0.bind(key.usage.raw, at: 8)
                try $0.bind(key.byokUsage?.raw, at: 9)
                try $0.bind(key.limit?.raw, at: 10)
                try $0.bind(key.limitRemaining?.raw, at: 11)
                try $0.bind(key.limitReset, at: 12)
                try $0.bind(key.createdAt, at: 13)
            }
        }
    }

    func insertActivityDay(id: Int64, account: String, _ fact: ActivityDay, runID: Int64?) throws {
        let date = fact.date.isoText
        _ = try change(
            """
            INSERT INTO \(s).activity_days (id, account, date, api_key_hash, observed_at, line_count, raw_body, run_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """
        ) {
            try $0.bind(id, at: 1)
            try $0.bind(account, at: 2)
            try $0.bind(date, at: 3)
            try $0.bind(fact.apiKeyHash, at: 4)
            try $0.bind(fact.observedAt, at: 5)
            try $0.bind(Int64(fact.lines.count), at: 6)
            try $0.bind(fact.rawBody, at: 7)
            try $0.bind(runID, at: 8)
        }
        for (index, line) in fact.lines.enumerated() {
            _ = try change(
                """
                INSERT INTO \(s).activity_rows (day_id, line, account, date, model, model_permaslug, endpoint_id, provider,
                    usage, byok_usage, requests, prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
            ) {
                try $0.bind(id, at: 1)
                try $0.bind(Int64(index), at: 2)
                try $0.bind(account, at: 3)
                try $0.bind(date, at: 4)
                try $0.bind(line.model, at: 5)
                try $0.bind(line.modelPermaslug, at: 6)
                try $0.bind(line.endpointID, at: 7)
                try $0.bind(line.provider, at: 8)
                try $0.bind(line.usage.raw, at: 9)
                try $0.bind(line.byokUsage?.raw, at: 10)
                try $0.bind(line.requests, at: 11)
                try $0.bind(line.promptTokens, at: 12)
                try $0.bind(line.completionTokens, at: 13)
                try $0.bind(line.reasoningTokens, at: 14)
                try $0.bind(line.cachedTokens, at: 15)
            }
        }
    }
}
