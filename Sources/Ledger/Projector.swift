import CreditTypes

/// Applies journal entries to the projection tables of one schema.
///
/// The live write path and `verify`'s replay both go through here, so the projections are,
/// by construction, what the journal says. Everything written comes from the entry
/// itself: no clock, no random ids.
///
/// Each statement is prepared once per projector and kept: `verify` replays a million
/// entries through one projector, and building and looking up each entry's SQL text was
/// a good part of its replay (issue "Speed").
final class Projector {
    let db: Database
    /// `main` for the live tables, the replay's schema name in `verify`.
    let schema: String
    private var prepared: [Statement?] = Array(repeating: nil, count: Query.allCases.count)

    init(db: Database, schema: String) {
        self.db = db
        self.schema = schema
    }

    func apply(_ entry: JournalEntry) throws {
        let seq = entry.seq
        let account = entry.account
        let runID = entry.runID.map(SQLValue.integer) ?? .null
        switch entry.fact {
        case .runStarted(let fact):
            try run(.runStarted, [.integer(seq), .text(account), .text(fact.command), .text(entry.recordedAt.iso8601)])
        case .runFinished(let fact):
            try run(.runFinished, [.text(entry.recordedAt.iso8601), .text(fact.outcome), .integer(fact.exitCode),
                                   fact.summary.sql, .integer(fact.runID)])
            try expectOneChange("run \(fact.runID) to finish")
        case .snapshotTaken(let fact):
            try run(.snapshotTaken,
                    [.integer(seq), .text(account), .text(fact.observedAt.iso8601), .integer(fact.totalCredits.raw),
                     .integer(fact.totalUsage.raw), .text(fact.source), fact.origin.sql, fact.rawBody.sql, runID])
        case .topUpPlanned(let fact):
            try run(.topUpPlanned,
                    [.text(fact.key), .integer(seq), .text(account), .text(fact.batch), fact.reference.sql,
                     .text(fact.wallet), .integer(fact.chainID), .integer(fact.amount.raw), fact.memo.sql,
                     .text(fact.planFile), .integer(fact.planLine), .integer(seq), runID])
        case .chargeRequested(let fact):
            try run(.chargeRequested, [.integer(fact.attempt), .integer(seq), runID, .text(fact.key)])
            try expectOneChange("top-up \(fact.key) to be requested")
        case .chargeCreated(let fact):
            try run(.chargeCreated, [.text(fact.chargeID), .integer(seq), .text(fact.key)])
            try expectOneChange("top-up \(fact.key) to be created")
            try run(.chargeCreatedRow,
                    [.text(fact.chargeID), .integer(seq), .text(account), .text(fact.createdAt.iso8601),
                     .text(fact.expiresAt.iso8601), fact.callData.sql, .text(fact.rawBody), runID, .text(fact.key)])
        case .chargeRejected(let fact), .chargeBlocked(let fact), .chargeUnknown(let fact):
            let state = String(entry.fact.kind.dropFirst("charge.".count))
            try run(.chargeFailed,
                    [.text(state), fact.httpStatus.map(SQLValue.integer) ?? .null, .text(fact.message),
                     .integer(seq), .text(fact.key)])
            try expectOneChange("top-up \(fact.key) to become \(state)")
        case .chargeRecorded(let fact):
            try run(.chargeRecorded,
                    [.text(fact.chargeID), .integer(seq), .text(account), fact.topUpKey.sql, fact.reference.sql,
                     fact.wallet.sql, fact.chainID.map(SQLValue.integer) ?? .null, .integer(fact.amount.raw),
                     .text(fact.createdAt.iso8601), fact.expiresAt.map { .text($0.iso8601) } ?? .null,
                     fact.status.sql, fact.paidAt.map { .text($0.iso8601) } ?? .null, fact.memo.sql,
                     fact.origin.sql, runID])
            if let key = fact.topUpKey {
                try run(.chargeRecordedPlan, [.text(fact.chargeID), .integer(seq), .text(key)])
                try expectOneChange("top-up \(key) to be recorded")
            }
        }
    }

    /// Runs `query`'s statement, prepared at its first use, with `values` bound.
    private func run(_ query: Query, _ values: [SQLValue]) throws(SQLiteError) {
        if let statement = prepared[query.rawValue] { return try statement.run(values) }
        let statement = try db.statement(query.sql(in: schema))
        prepared[query.rawValue] = statement
        try statement.run(values)
    }

    private func expectOneChange(_ what: String) throws {
        guard db.changes == 1 else {
            throw LedgerError.malformedEntry("expected \(what), but no such row exists")
        }
    }

    /// Every statement a projector runs.
    private enum Query: Int, CaseIterable {
        case runStarted, runFinished, snapshotTaken, topUpPlanned, chargeRequested, chargeCreated, chargeCreatedRow
        case chargeFailed, chargeRecorded, chargeRecordedPlan

        func sql(in s: String) -> String {
            switch self {
            case .runStarted:
                "INSERT INTO \(s).runs (id, account, command, started_at) VALUES (?, ?, ?, ?)"
            case .runFinished:
                "UPDATE \(s).runs SET finished_at = ?, outcome = ?, exit_code = ?, summary = ? WHERE id = ?"
            case .snapshotTaken:
                """
                INSERT INTO \(s).snapshots
                    (id, account, observed_at, total_credits, total_usage, source, origin, raw_body, run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
            case .topUpPlanned:
                """
                INSERT INTO \(s).topups (key, id, account, batch, reference, wallet, chain_id, amount, memo,
                    plan_file, plan_line, state, attempts, updated_seq, run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', 0, ?, ?)
                """
            case .chargeRequested:
                """
                UPDATE \(s).topups SET state = 'requesting', attempts = ?, http_status = NULL, error = NULL,
                    updated_seq = ?, run_id = ?
                WHERE key = ?
                """
            case .chargeCreated:
                "UPDATE \(s).topups SET state = 'created', charge_id = ?, updated_seq = ? WHERE key = ?"
            case .chargeCreatedRow:
                """
                INSERT INTO \(s).charges (charge_id, seq, account, origin, topup_key, reference, wallet, chain_id,
                    amount, created_at, expires_at, memo, call_data, raw_body, run_id)
                SELECT ?, ?, ?, 'api', key, reference, wallet, chain_id, amount, ?, ?, memo, ?, ?, ?
                FROM \(s).topups WHERE key = ?
                """
            case .chargeFailed:
                "UPDATE \(s).topups SET state = ?, http_status = ?, error = ?, updated_seq = ? WHERE key = ?"
            case .chargeRecorded:
                """
                INSERT INTO \(s).charges (charge_id, seq, account, origin, topup_key, reference, wallet, chain_id,
                    amount, created_at, expires_at, status, paid_at, memo, source, run_id)
                VALUES (?, ?, ?, 'import', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
            case .chargeRecordedPlan:
                "UPDATE \(s).topups SET state = 'recorded', charge_id = ?, updated_seq = ? WHERE key = ?"
            }
        }
    }
}

extension Optional where Wrapped == String {
    var sql: SQLValue { map(SQLValue.text) ?? .null }
}
