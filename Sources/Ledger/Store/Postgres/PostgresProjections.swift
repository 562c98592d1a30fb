import CreditTypes
import PostgresNIO

/// The projection tables of one schema (`credit_recon`, or `verify`'s `pg_temp`),
/// written as the ledger's `Projector` says.
struct PostgresProjections: ProjectionWriter {
    let transaction: PostgresTransaction
    let target: ProjectionTarget

    private var s: String { PostgresTransaction.schema(target) }

    /// Runs `sql` with `values` once the rows held back are written; answers whether it
    /// changed a row.
    private func change(_ sql: String, _ values: [Value]) throws -> Bool {
        try transaction.flush(target)
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .text(let text): binds.append(text)
            case .integer(let number): binds.append(number)
            }
        }
        return try transaction.session.execute(sql, binds) == 1
    }

    /// A bound value; `nil` binds NULL.
    private enum Value {
        case text(String?)
        case integer(Int64?)
    }

    func insertRun(id: Int64, account: String, command: String, startedAt: Timestamp) throws {
        _ = try change(
            "INSERT INTO \(s).runs (id, account, command, started_at) VALUES ($1, $2, $3, $4)",
            [.integer(id), .text(account), .text(command), .text(startedAt.iso8601)])
    }

    func finishRun(id: Int64, at time: Timestamp, _ fact: RunFinished) throws -> Bool {
        try change(
            "UPDATE \(s).runs SET finished_at = $1, outcome = $2, exit_code = $3, summary = $4 WHERE id = $5",
            [.text(time.iso8601), .text(fact.outcome), .integer(fact.exitCode), .text(fact.summary), .integer(id)])
    }

    func insertSnapshot(id: Int64, account: String, _ fact: SnapshotTaken, runID: Int64?) throws {
        try transaction.hold(snapshot: id, account: account, fact, runID: runID, for: target)
    }

    func insertTopUp(id: Int64, account: String, _ fact: TopUpPlanned, runID: Int64?) throws {
        _ = try change(
            """
            INSERT INTO \(s).topups (key, id, account, batch, reference, wallet, chain_id, amount, memo,
                plan_file, plan_line, state, attempts, updated_seq, run_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'planned', 0, $2, $12)
            """,
            [.text(fact.key), .integer(id), .text(account), .text(fact.batch), .text(fact.reference), .text(fact.wallet),
             .integer(fact.chainID), .integer(fact.amount.raw), .text(fact.memo), .text(fact.planFile),
             .integer(fact.planLine), .integer(runID)])
    }

    func requestTopUp(key: String, attempt: Int64, seq: Int64, runID: Int64?) throws -> Bool {
        try change(
            """
            UPDATE \(s).topups SET state = 'requesting', attempts = $1, http_status = NULL, error = NULL,
                updated_seq = $2, run_id = $3
            WHERE key = $4
            """,
            [.integer(attempt), .integer(seq), .integer(runID), .text(key)])
    }

    func createCharge(seq: Int64, account: String, _ fact: ChargeCreated, runID: Int64?) throws -> Bool {
        let found = try change(
            "UPDATE \(s).topups SET state = 'created', charge_id = $1, updated_seq = $2 WHERE key = $3",
            [.text(fact.chargeID), .integer(seq), .text(fact.key)])
        guard found else { return false }
        _ = try change(
            """
            INSERT INTO \(s).charges (charge_id, seq, account, origin, topup_key, reference, wallet, chain_id,
                amount, created_at, expires_at, memo, call_data, raw_body, run_id)
            SELECT $1, $2, $3, 'api', key, reference, wallet, chain_id, amount, $4, $5, memo, $6, $7, $8
            FROM \(s).topups WHERE key = $9
            """,
            [.text(fact.chargeID), .integer(seq), .text(account), .text(fact.createdAt.iso8601),
             .text(fact.expiresAt.iso8601), .text(fact.callData), .text(fact.rawBody), .integer(runID), .text(fact.key)])
        return true
    }

    func failTopUp(state: String, seq: Int64, _ fact: ChargeFailed) throws -> Bool {
        try change(
            "UPDATE \(s).topups SET state = $1, http_status = $2, error = $3, updated_seq = $4 WHERE key = $5",
            [.text(state), .integer(fact.httpStatus), .text(fact.message), .integer(seq), .text(fact.key)])
    }

    func insertRecordedCharge(seq: Int64, account: String, _ fact: ChargeRecorded, runID: Int64?) throws {
        try transaction.hold(charge: seq, account: account, fact, runID: runID, for: target)
    }

    func recordTopUp(key: String, chargeID: String, seq: Int64) throws -> Bool {
        try change(
            "UPDATE \(s).topups SET state = 'recorded', charge_id = $1, updated_seq = $2 WHERE key = $3",
            [.text(chargeID), .integer(seq), .text(key)])
    }

    func insertKeyListing(id: Int64, account: String, _ fact: KeysRead, runID: Int64?) throws {
        _ = try change(
            "INSERT INTO \(s).key_listings (id, account, observed_at, key_count, page_count, run_id) VALUES ($1, $2, $3, $4, $5, $6)",
            [.integer(id), .text(account), .text(fact.observedAt.iso8601), .integer(Int64(fact.keys.count)),
             .integer(Int64(fact.rawBodies.count)), .integer(runID)])
        guard !fact.keys.isEmpty else { return }
        // The listing's keys in one statement: one array per column.
        var columns = [ArrayColumn.texts(), .texts(), .texts(), .integers(), .integers(), .integers(), .integers(),
                       .integers(), .texts(), .texts()]
        for key in fact.keys {
            columns[0].append(key.hash)
            columns[1].append(key.name)
            columns[2].append(key.label)
            columns[3].append(key.disabled.map { $0 ? Int64(1) : 0 })
            columns[4].append(key.usage.raw)
            columns[5].append(key.byokUsage?.raw)
            columns[6].append(key.limit?.raw)
            columns[7].append(key.limitRemaining?.raw)
            columns[8].append(key.limitReset)
            columns[9].append(key.createdAt?.iso8601)
        }
        try insert(
            """
            INSERT INTO \(s).key_readings (listing_id, account, observed_at, key_hash, name, label, disabled, usage,
                byok_usage, key_limit, limit_remaining, limit_reset, created_at)
            SELECT $1, $2, $3, * FROM unnest($4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
                $9::bigint[], $10::bigint[], $11::bigint[], $12::text[], $13::text[])
            """, id: id, account: account, time: fact.observedAt.iso8601, columns)
    }

    func insertActivityDay(id: Int64, account: String, _ fact: ActivityDay, runID: Int64?) throws {
        let date = fact.date.isoText
        _ = try change(
            """
            INSERT INTO \(s).activity_days (id, account, date, api_key_hash, observed_at, line_count, raw_body, run_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """,
            [.integer(id), .text(account), .text(date), .text(fact.apiKeyHash), .text(fact.observedAt.iso8601),
             .integer(Int64(fact.lines.count)), .text(fact.rawBody), .integer(runID)])
        guard !fact.lines.isEmpty else { return }
        var columns = [ArrayColumn.integers(), .texts(), .texts(), .texts(), .texts(), .integers(), .integers(),
                       .integers(), .integers(), .integers(), .integers(), .integers()]
        for (index, line) in fact.lines.enumerated() {
            columns[0].append(Int64(index))
            columns[1].append(line.model)
            columns[2].append(line.modelPermaslug)
            columns[3].append(line.endpointID)
            columns[4].append(line.provider)
            columns[5].append(line.usage.raw)
            columns[6].append(line.byokUsage?.raw)
            columns[7].append(line.requests)
            columns[8].append(line.promptTokens)
            columns[9].append(line.completionTokens)
            columns[10].append(line.reasoningTokens)
            columns[11].append(line.cachedTokens)
        }
        try insert(
            """
            INSERT INTO \(s).activity_rows (day_id, account, date, line, model, model_permaslug, endpoint_id, provider,
                usage, byok_usage, requests, prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens)
            SELECT $1, $2, $3, * FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[])
            """, id: id, account: account, time: date, columns)
    }

    /// Inserts rows that share their first three values (`id`, `account`, a time or date)
    /// and take the rest from `columns`, one array per column.
    private func insert(_ sql: String, id: Int64, account: String, time: String, _ columns: [ArrayColumn]) throws {
        var binds = PostgresBindings(capacity: columns.count + 3)
        binds.append(id)
        binds.append(account)
        binds.append(time)
        for column in columns { binds.append(column) }
        try transaction.session.execute(sql, binds)
    }
}
