import CreditTypes

/// Applies journal entries to the projection tables of one schema.
///
/// The live write path and `verify`'s replay both go through here, so the projections are,
/// by construction, what the journal says. Everything written comes from the entry
/// itself: no clock, no random ids.
struct Projector {
    let db: Database
    /// `main` for the live tables, the replay's schema name in `verify`.
    let schema: String

    func apply(_ entry: JournalEntry) throws {
        let s = schema
        let seq = entry.seq
        let account = entry.account
        let run = entry.runID.map(SQLValue.integer) ?? .null
        switch entry.fact {
        case .runStarted(let fact):
            try db.run(
                "INSERT INTO \(s).runs (id, account, command, started_at) VALUES (?, ?, ?, ?)",
                [.integer(seq), .text(account), .text(fact.command), .text(entry.recordedAt.iso8601)])
        case .runFinished(let fact):
            try db.run(
                "UPDATE \(s).runs SET finished_at = ?, outcome = ?, exit_code = ?, summary = ? WHERE id = ?",
                [.text(entry.recordedAt.iso8601), .text(fact.outcome), .integer(fact.exitCode),
                 fact.summary.sql, .integer(fact.runID)])
            try expectOneChange("run \(fact.runID) to finish")
        case .snapshotTaken(let fact):
            try db.run(
                """
                INSERT INTO \(s).snapshots
                    (id, account, observed_at, total_credits, total_usage, source, origin, raw_body, run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.integer(seq), .text(account), .text(fact.observedAt.iso8601), .integer(fact.totalCredits.raw),
                 .integer(fact.totalUsage.raw), .text(fact.source), fact.origin.sql, fact.rawBody.sql, run])
        case .topUpPlanned(let fact):
            try db.run(
                """
                INSERT INTO \(s).topups (key, id, account, batch, reference, wallet, chain_id, amount, memo,
                    plan_file, plan_line, state, attempts, updated_seq, run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', 0, ?, ?)
                """,
                [.text(fact.key), .integer(seq), .text(account), .text(fact.batch), fact.reference.sql,
                 .text(fact.wallet), .integer(fact.chainID), .integer(fact.amount.raw), fact.memo.sql,
                 .text(fact.planFile), .integer(fact.planLine), .integer(seq), run])
        case .chargeRequested(let fact):
            try db.run(
                """
                UPDATE \(s).topups SET state = 'requesting', attempts = ?, http_status = NULL, error = NULL,
                    updated_seq = ?, run_id = ?
                WHERE key = ?
                """,
                [.integer(fact.attempt), .integer(seq), run, .text(fact.key)])
            try expectOneChange("top-up \(fact.key) to be requested")
        case .chargeCreated(let fact):
            try db.run(
                "UPDATE \(s).topups SET state = 'created', charge_id = ?, updated_seq = ? WHERE key = ?",
                [.text(fact.chargeID), .integer(seq), .text(fact.key)])
            try expectOneChange("top-up \(fact.key) to be created")
            try db.run(
                """
                INSERT INTO \(s).charges (charge_id, seq, account, origin, topup_key, reference, wallet, chain_id,
                    amount, created_at, expires_at, memo, call_data, raw_body, run_id)
                SELECT ?, ?, ?, 'api', key, reference, wallet, chain_id, amount, ?, ?, memo, ?, ?, ?
                FROM \(s).topups WHERE key = ?
                """,
                [.text(fact.chargeID), .integer(seq), .text(account), .text(fact.createdAt.iso8601),
                 .text(fact.expiresAt.iso8601), fact.callData.sql, .text(fact.rawBody), run, .text(fact.key)])
        case .chargeRejected(let fact), .chargeBlocked(let fact), .chargeUnknown(let fact):
            let state = String(entry.fact.kind.dropFirst("charge.".count))
            try db.run(
                "UPDATE \(s).topups SET state = ?, http_status = ?, error = ?, updated_seq = ? WHERE key = ?",
                [.text(state), fact.httpStatus.map(SQLValue.integer) ?? .null, .text(fact.message),
                 .integer(seq), .text(fact.key)])
            try expectOneChange("top-up \(fact.key) to become \(state)")
        case .chargeRecorded(let fact):
            try db.run(
                """
                INSERT INTO \(s).charges (charge_id, seq, account, origin, topup_key, reference, wallet, chain_id,
                    amount, created_at, expires_at, status, paid_at, memo, source, run_id)
                VALUES (?, ?, ?, 'import', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(fact.chargeID), .integer(seq), .text(account), fact.topUpKey.sql, fact.reference.sql,
                 fact.wallet.sql, fact.chainID.map(SQLValue.integer) ?? .null, .integer(fact.amount.raw),
                 .text(fact.createdAt.iso8601), fact.expiresAt.map { .text($0.iso8601) } ?? .null,
                 fact.status.sql, fact.paidAt.map { .text($0.iso8601) } ?? .null, fact.memo.sql,
                 fact.origin.sql, run])
            if let key = fact.topUpKey {
                try db.run(
                    "UPDATE \(s).topups SET state = 'recorded', charge_id = ?, updated_seq = ? WHERE key = ?",
                    [.text(fact.chargeID), .integer(seq), .text(key)])
                try expectOneChange("top-up \(key) to be recorded")
            }
        }
    }

    private func expectOneChange(_ what: String) throws {
        guard db.changes == 1 else {
            throw LedgerError.malformedEntry("expected \(what), but no such row exists")
        }
    }
}

extension Optional where Wrapped == String {
    var sql: SQLValue { map(SQLValue.text) ?? .null }
}
