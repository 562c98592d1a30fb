import CreditTypes
import PostgresNIO

/// The PostgreSQL store's side of a transaction: appends to the journal, writes
/// projection rows (`ProjectionStatements`, through `PostgresProjections`), answers the
/// readers (`PostgresTransaction+Queries.swift`) and serves `verify`
/// (`PostgresTransaction+Replay.swift`).
///
/// Journal rows and the insert-only projection rows (readings, recorded charges) are sent
/// a batch to a statement, as arrays (`ArrayColumn`), and the next batch is made while
/// the server writes them (`PostgresSession.send`); any other change first writes the
/// rows held back, so every change lands in order.
final class PostgresTransaction: StoreTransaction {
    let session: PostgresSession
    /// The ledger's tables.
    static let s = PostgresSchema.schema
    /// Rows held back before they are written together.
    static let batchRows = 1024

    @exclusivity(unchecked) private var held = HeldRows()
    /// Journal entries appended since the store last set it to 0 (at each write's start).
    var appendedEntries = 0

    init(session: PostgresSession) { self.session = session }

    func head() throws -> ChainHead {
        try session.query("SELECT seq, hash FROM \(Self.s).journal ORDER BY seq DESC LIMIT 1") { row in
            ChainHead(seq: try row.int64(), hash: try row.text())
        }.first ?? .empty
    }

    func newestRowSeq() throws -> Int64 {
        try session.query(Schema.newestRowSeq(in: Self.s)) { try $0.int64() }.first ?? 0
    }

    func headEntry() throws -> StoredHeadEntry? {
        try session.query("SELECT seq, prev_hash, entry, hash FROM \(Self.s).journal ORDER BY seq DESC LIMIT 1") { row in
            StoredHeadEntry(seq: try row.int64(), prevHash: try row.text(), entry: try row.text(), hash: try row.text())
        }.first
    }

    func appendJournal(_ batch: AppendBatch) throws {
        let count = batch.count
        appendedEntries += count
        var seqs = ArrayColumn.integers(count: count), kinds = ArrayColumn.texts(bytes: count * 16)
        var entries = ArrayColumn.texts(bytes: batch.text.count)
        var previous = ArrayColumn.texts(bytes: count * 64), hashes = ArrayColumn.texts(bytes: count * 64)
        batch.text.withUnsafeBufferPointer { text in
            batch.hashes.withUnsafeBufferPointer { chain in
                for entry in batch.entries {
                    seqs.append(entry.entry.seq)
                    kinds.append(entry.entry.fact.kind)
                    entries.append(UnsafeBufferPointer(rebasing: text[entry.text]))
                    previous.append(UnsafeBufferPointer(rebasing: chain[entry.prevHash]))
                    hashes.append(UnsafeBufferPointer(rebasing: chain[entry.hash]))
                }
            }
        }
        var binds = PostgresBindings(capacity: 5)
        for column in [seqs, kinds, entries, previous, hashes] { binds.append(column) }
        try session.send(
            "INSERT INTO \(Self.s).journal (seq, kind, entry, prev_hash, hash) "
                + "SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])", binds)
    }

    func projections(_ target: ProjectionTarget) -> any ProjectionWriter {
        ProjectionStatements(tables: PostgresProjections(transaction: self, target: target))
    }

    func flush() throws {
        try flush(.live)
        try flush(.replay)
    }

    /// Writes the rows held back for `target`.
    func flush(_ target: ProjectionTarget) throws {
        let batch = held.take(target)
        guard !batch.isEmpty else { return }
        guard target == .replay else { return try write(batch, to: target) }
        // A refused statement aborts the transaction; past a savepoint it can go on, to
        // write the rows one by one and name the entry whose row was refused.
        try replaying(target) {
            try session.execute("SAVEPOINT replay_batch")
            do {
                try write(batch, to: target)
                try session.execute("RELEASE SAVEPOINT replay_batch")
            } catch let error as LedgerError where error.isRefusal {
                try session.execute("ROLLBACK TO SAVEPOINT replay_batch")
                for (seq, row) in batch.singleRows {
                    do { try write(row, to: target) } catch let refusal as LedgerError where refusal.isRefusal {
                        throw ReplayRowRefused(seq: seq, reason: refusal)
                    }
                }
                throw error
            }
        }
    }

    private func write(_ held: HeldRows.Batch, to target: ProjectionTarget) throws {
        let schema = Self.schema(target)
        if !held.snapshots.isEmpty {
            var columns = (0..<9).map { [0, 3, 4, 8].contains($0) ? ArrayColumn.integers() : ArrayColumn.texts() }
            for row in held.snapshots {
                columns[0].append(row.id)
                columns[1].append(row.account)
                columns[2].append(row.fact.observedAt.iso8601)
                columns[3].append(row.fact.totalCredits.raw)
                columns[4].append(row.fact.totalUsage.raw)
                columns[5].append(row.fact.source)
                columns[6].append(row.fact.origin)
                columns[7].append(row.fact.rawBody)
                columns[8].append(row.runID)
            }
            try insert(
                to: target,
                "INSERT INTO \(schema).snapshots (id, account, observed_at, total_credits, total_usage, source, origin, "
                    + "raw_body, run_id) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], "
                    + "$5::bigint[], $6::text[], $7::text[], $8::text[], $9::bigint[])", columns)
        }
        if !held.charges.isEmpty {
            let integers: Set = [1, 6, 7, 14]
            var columns = (0..<15).map { integers.contains($0) ? ArrayColumn.integers() : ArrayColumn.texts() }
            for row in held.charges {
                let fact = row.fact
                columns[0].append(fact.chargeID)
                columns[1].append(row.seq)
                columns[2].append(row.account)
                columns[3].append(fact.topUpKey)
                columns[4].append(fact.reference)
                columns[5].append(fact.wallet)
                columns[6].append(fact.chainID)
                columns[7].append(fact.amount.raw)
                columns[8].append(fact.createdAt.iso8601)
                columns[9].append(fact.expiresAt?.iso8601)
                columns[10].append(fact.status)
                columns[11].append(fact.paidAt?.iso8601)
                columns[12].append(fact.memo)
                columns[13].append(fact.origin)
                columns[14].append(row.runID)
            }
            try insert(
                to: target,
                "INSERT INTO \(schema).charges (charge_id, seq, account, topup_key, reference, wallet, chain_id, amount, "
                    + "created_at, expires_at, status, paid_at, memo, source, run_id, origin) "
                    + "SELECT *, 'import' FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], "
                    + "$6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], "
                    + "$13::text[], $14::text[], $15::bigint[])", columns)
        }
    }

    /// Sends the live tables' rows without waiting for the answer (`PostgresSession.send`);
    /// the replay's are waited for, so that a refusal is known to be this batch's.
    private func insert(to target: ProjectionTarget, _ sql: String, _ columns: [ArrayColumn]) throws {
        var binds = PostgresBindings(capacity: columns.count)
        for column in columns { binds.append(column) }
        switch target {
        case .live: try session.send(sql, binds)
        case .replay: try session.execute(sql, binds)
        }
    }

    /// Holds a reading back for the next batch.
    func hold(snapshot id: Int64, account: String, _ fact: SnapshotTaken, runID: Int64?, for target: ProjectionTarget) throws {
        if held.hold(HeldRows.Snapshot(id: id, account: account, fact: fact, runID: runID), for: target, limit: Self.batchRows) { try flush(target) }
    }

    /// Holds a recorded charge back for the next batch.
    func hold(charge seq: Int64, account: String, _ fact: ChargeRecorded, runID: Int64?, for target: ProjectionTarget) throws {
        if held.hold(HeldRows.Charge(seq: seq, account: account, fact: fact, runID: runID), for: target, limit: Self.batchRows) { try flush(target) }
    }

    /// Forgets rows held back (the transaction is being rolled back).
    func forgetHeldRows() {
        held = HeldRows()
    }

    /// The schema of `target`'s tables: the ledger's, or the session's temporary one.
    static func schema(_ target: ProjectionTarget) -> String {
        switch target {
        case .live: s
        case .replay: "pg_temp"
        }
    }
}
