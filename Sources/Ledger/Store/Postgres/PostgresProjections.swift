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
}
