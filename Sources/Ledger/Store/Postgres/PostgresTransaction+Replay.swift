import NIOCore
import PostgresNIO

/// What `verify` needs of the PostgreSQL store: the journal read in order, and a scratch
/// copy of the projection tables (temporary tables of the session, gone with its
/// transaction) to replay it into and compare.
extension PostgresTransaction {
    func scanJournal(batchSize: Int, _ body: (JournalRows) throws -> Bool) throws {
        var after: Int64 = 0
        while true {
            var binds = PostgresBindings(capacity: 2)
            binds.append(after)
            binds.append(Int64(batchSize))
            // Each row is copied into the batch as it arrives.
            let batch = Batch(JournalRows(capacity: batchSize))
            let count = try session.query(
                "SELECT seq, kind, entry, prev_hash, hash FROM \(Self.s).journal WHERE seq > $1 ORDER BY seq LIMIT $2", binds
            ) { row in
                let seq = try row.int64()
                let (kind, text, prevHash, hash) = (try row.bytes(), try row.bytes(), try row.bytes(), try row.bytes())
                Self.withBytes(kind) { kind in
                    Self.withBytes(text) { text in
                        Self.withBytes(prevHash) { prevHash in
                            Self.withBytes(hash) { hash in
                                batch.rows.append(seq: seq, kind: kind, text: text, prevHash: prevHash, hash: hash)
                            }
                        }
                    }
                }
                batch.last = seq
            }.count
            guard count > 0 else { return }
            after = batch.last
            guard try body(batch.rows), count == batchSize else { return }
        }
    }

    /// A column's bytes, for `body` to copy.
    private static func withBytes<T>(_ bytes: ByteBuffer, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        bytes.withUnsafeReadableBytes { body($0.bindMemory(to: UInt8.self)) }
    }

    /// A batch of the journal, filled on the connection's event loop while the scan waits.
    private final class Batch: @unchecked Sendable {
        var rows: JournalRows
        var last: Int64 = 0
        init(_ rows: JournalRows) { self.rows = rows }
    }

    /// Creates the replay's tables (temporary, in this transaction), and the savepoint a
    /// refusal goes back to (`replaying(_:_:)`).
    func beginReplay() throws {
        try session.execute(PostgresSchema.projectionTables(in: "pg_temp"))
        try session.execute("SAVEPOINT replay")
    }

    /// Runs `body`, a write to `target`'s tables. A refusal of the replay's (the journal
    /// says what the tables cannot hold) aborts the transaction: it goes back to where the
    /// replay began, so that `verify`, whose replay stops there, reads the rest of the
    /// journal to check its chain.
    func replaying<T>(_ target: ProjectionTarget, _ body: () throws -> T) throws -> T {
        guard target == .replay else { return try body() }
        do {
            return try body()
        } catch let error as LedgerError where error.isRefusal {
            try session.execute("ROLLBACK TO SAVEPOINT replay")
            throw error
        } catch let refused as ReplayRowRefused {
            try session.execute("ROLLBACK TO SAVEPOINT replay")
            throw refused
        }
    }

    /// The keys (ascending, at most `limit` rows, as `ReplayDifferences` writes them) of the
    /// stored rows of `table` the replay does not have exactly (`extra`) and of the replayed
    /// rows the stored table does not have exactly (`missing`): both tables joined once on
    /// their key, rows compared whole (key columns are never NULL).
    func differingKeys(table: String, key: [String], limit: Int) throws -> (extra: [[String]], missing: [[String]]) {
        var binds = PostgresBindings()
        binds.append(Int64(limit))
        let keys = key.map { "coalesce(l.\($0), r.\($0))" }.joined(separator: ", ")
        let join = key.map { "l.\($0) = r.\($0)" }.joined(separator: " AND ")
        let order = key.indices.map { String($0 + 1) }.joined(separator: ", ")
        let rows = try session.query(
            """
            SELECT \(keys), l.\(key[0]) IS NOT NULL, r.\(key[0]) IS NOT NULL
            FROM \(Self.s).\(table) l FULL JOIN pg_temp.\(table) r ON \(join)
            WHERE l.\(key[0]) IS NULL OR r.\(key[0]) IS NULL OR ROW(l.*) IS DISTINCT FROM ROW(r.*)
            ORDER BY \(order) LIMIT $1
            """, binds
        ) { row in
            var described: [String] = []
            for _ in key.indices {
                switch try row.integerOrText() {
                case .integer(let number): described.append(String(number))
                case .text(let text): described.append("\"\(text)\"")
                }
            }
            return (described, try row.bool(), try row.bool())
        }
        return (rows.filter(\.1).map(\.0), rows.filter(\.2).map(\.0))
    }
}
