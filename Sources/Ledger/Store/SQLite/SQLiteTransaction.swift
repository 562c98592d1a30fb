import CreditTypes

/// The SQLite store's side of a transaction: appends to the journal, writes projection
/// rows (`ProjectionStatements`, through `SQLiteProjections`), answers the readers (`SQLiteTransaction+Queries.swift`) and serves `verify`
/// (`SQLiteTransaction+Replay.swift`). One per connection, reused from one transaction to
/// the next so its prepared statements are too.
///
/// Journal rows and the live rows of the insert-only projections (readings, recorded
/// charges) are written many to a statement (`RowInsert`); any other change first writes
/// the rows held back, so every change lands in order. When `verify`'s replay writes a
/// batch that the tables refuse, its rows are written again one by one to name the entry
/// whose row was refused (`ReplayRowRefused`).
final class SQLiteTransaction: StoreTransaction {
    let db: Database
    let name: String
    /// Rows per multi-row `INSERT`: fewer statement runs for a large import, within the
    /// library's limit on bound parameters (16 per row at most).
    let batchRows: Int
    private var inserts: [InsertKey: RowInsert] = [:]

    /// A multi-row insert: its table and the schema it writes to.
    private enum InsertKey: Hashable {
        case journal
        case snapshots(ProjectionTarget)
        case charges(ProjectionTarget)
    }
    // Used by the one thread that holds the transaction at a time: not checked at run
    // time for each row.
    @exclusivity(unchecked) private var held = HeldRows()
    /// Journal rows written since a new ledger's pages were last sent towards the disk.
    private var journalRowsSinceWriteback = 0
    /// The newest entry time this connection last read, with the head it read it at: the
    /// same head is the same journal (`newestEntryTime`).
    var newestRead: (head: ChainHead, time: Timestamp?)?

    init(db: Database, name: String) {
        self.db = db
        self.name = name
        batchRows = max(1, min(1024, db.parameterLimit / 16))
    }

    func head() throws -> ChainHead {
        try db.statement("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
            .first { ChainHead(seq: $0.int64(0), hash: $0.text(1)) } ?? .empty
    }

    func newestRowSeq() throws -> Int64 {
        try db.statement(Schema.newestRowSeq(in: "main")).first { $0.int64(0) } ?? 0
    }

    func headEntry() throws -> StoredHeadEntry? {
        try db.statement("SELECT seq, prev_hash, entry, hash FROM journal ORDER BY seq DESC LIMIT 1")
            .first { StoredHeadEntry(seq: $0.int64(0), prevHash: $0.text(1), entry: $0.text(2), hash: $0.text(3)) }
    }

    func appendJournal(_ batch: AppendBatch) throws {
        let insert = try rowInsert(
            .journal, "INSERT INTO journal (seq, kind, entry, prev_hash, hash) VALUES ", "(?, ?, ?, ?, ?)", columns: 5)
        // Through buffers, so each entry is read in place rather than copied out.
        try batch.entries.withUnsafeBufferPointer { entries in
            try batch.text.withUnsafeBufferPointer { text in
                try batch.hashes.withUnsafeBufferPointer { hashes in
                    try insert.insert(count: entries.count) { statement, row, base in
                        try statement.bind(entries[row].entry.seq, at: base)
                        try statement.bind(entries[row].entry.fact.kind, at: base + 1)
                        try statement.bind(inPlace: UnsafeBufferPointer(rebasing: text[entries[row].text]), at: base + 2)
                        try statement.bind(inPlace: UnsafeBufferPointer(rebasing: hashes[entries[row].prevHash]), at: base + 3)
                        try statement.bind(inPlace: UnsafeBufferPointer(rebasing: hashes[entries[row].hash]), at: base + 4)
                    }
                }
            }
        }
        journalRowsSinceWriteback += batch.count
        if journalRowsSinceWriteback >= 8192 {
            journalRowsSinceWriteback = 0
            db.startWriteback()
        }
    }

    func projections(_ target: ProjectionTarget) -> any ProjectionWriter {
        ProjectionStatements(tables: SQLiteProjections(transaction: self, target: target))
    }

    func flush() throws {
        try flush(.live)
        try flush(.replay)
    }

    /// Writes the rows held back for `target`.
    func flush(_ target: ProjectionTarget) throws {
        let batch = held.take(target)
        guard !batch.isEmpty else { return }
        do {
            try write(batch, to: target)
        } catch let error as SQLiteError where target == .replay && error.isRefusal {
            // A refused multi-row insert wrote none of its rows: write them one by one to
            // find the entry whose row was refused.
            for (seq, row) in batch.singleRows {
                do { try write(row, to: target) } catch let refusal as SQLiteError where refusal.isRefusal {
                    throw ReplayRowRefused(seq: seq, reason: refusal)
                }
            }
            throw error
        }
    }

    private func write(_ held: HeldRows.Batch, to target: ProjectionTarget) throws {
        // Rows are read in place through their buffers rather than copied out.
        if !held.snapshots.isEmpty {
            let schema = Self.schema(target)
            try held.snapshots.withUnsafeBufferPointer { rows in try rowInsert(
                .snapshots(target),
                "INSERT INTO \(schema).snapshots (id, account, observed_at, total_credits, total_usage, source, origin, raw_body, run_id) VALUES ",
                "(?, ?, ?, ?, ?, ?, ?, ?, ?)", columns: 9
            ).insert(count: rows.count) { statement, index, base in
                try statement.bind(rows[index].id, at: base)
                try statement.bind(rows[index].account, at: base + 1)
                try statement.bind(rows[index].fact.observedAt, at: base + 2)
                try statement.bind(rows[index].fact.totalCredits.raw, at: base + 3)
                try statement.bind(rows[index].fact.totalUsage.raw, at: base + 4)
                try statement.bind(rows[index].fact.source, at: base + 5)
                try statement.bind(rows[index].fact.origin, at: base + 6)
                try statement.bind(rows[index].fact.rawBody, at: base + 7)
                try statement.bind(rows[index].runID, at: base + 8)
            } }
        }
        if !held.charges.isEmpty {
            let schema = Self.schema(target)
            try held.charges.withUnsafeBufferPointer { rows in try rowInsert(
                .charges(target),
                "INSERT INTO \(schema).charges (charge_id, seq, account, origin, topup_key, reference, wallet, chain_id, "
                    + "amount, created_at, expires_at, status, paid_at, memo, source, run_id) VALUES ",
                "(?, ?, ?, 'import', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", columns: 15
            ).insert(count: rows.count) { statement, index, base in
                try statement.bind(rows[index].fact.chargeID, at: base)
                try statement.bind(rows[index].seq, at: base + 1)
                try statement.bind(rows[index].account, at: base + 2)
                try statement.bind(rows[index].fact.topUpKey, at: base + 3)
                try statement.bind(rows[index].fact.reference, at: base + 4)
                try statement.bind(rows[index].fact.wallet, at: base + 5)
                try statement.bind(rows[index].fact.chainID, at: base + 6)
                try statement.bind(rows[index].fact.amount.raw, at: base + 7)
                try statement.bind(rows[index].fact.createdAt, at: base + 8)
                try statement.bind(rows[index].fact.expiresAt, at: base + 9)
                try statement.bind(rows[index].fact.status, at: base + 10)
                try statement.bind(rows[index].fact.paidAt, at: base + 11)
                try statement.bind(rows[index].fact.memo, at: base + 12)
                try statement.bind(rows[index].fact.origin, at: base + 13)
                try statement.bind(rows[index].runID, at: base + 14)
            } }
        }
    }

    /// Holds a reading back for the next multi-row insert.
    func hold(snapshot id: Int64, account: String, _ fact: SnapshotTaken, runID: Int64?, for target: ProjectionTarget) throws {
        if held.hold(HeldRows.Snapshot(id: id, account: account, fact: fact, runID: runID), for: target, limit: batchRows) { try flush(target) }
    }

    /// Holds a recorded charge back for the next multi-row insert.
    func hold(charge seq: Int64, account: String, _ fact: ChargeRecorded, runID: Int64?, for target: ProjectionTarget) throws {
        if held.hold(HeldRows.Charge(seq: seq, account: account, fact: fact, runID: runID), for: target, limit: batchRows) { try flush(target) }
    }

    /// The schema name of `target`'s tables.
    static func schema(_ target: ProjectionTarget) -> String {
        switch target {
        case .live: "main"
        case .replay: "replay"
        }
    }

    /// The multi-row insert `key`, made at its first use from `prefix` and `row`.
    private func rowInsert(
        _ key: InsertKey, _ prefix: @autoclosure () -> String, _ row: String, columns: Int
    ) throws -> RowInsert {
        if let insert = inserts[key] { return insert }
        let insert = try RowInsert(db: db, name: "\(key)", prefix: prefix(), row: row, columns: columns, batchRows: batchRows)
        inserts[key] = insert
        return insert
    }

    /// Forgets the statements of the replay's tables (they go with `endReplay()`).
    func forgetReplayStatements() {
        inserts = inserts.filter { key, _ in
            switch key {
            case .snapshots(.replay), .charges(.replay): false
            default: true
            }
        }
    }
}
