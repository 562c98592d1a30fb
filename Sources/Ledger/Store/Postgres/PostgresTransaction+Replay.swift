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
                let seq = try row.int64(0)
                row.withBytes(1) { kind in
                    row.withBytes(2) { text in
                        row.withBytes(3) { prevHash in
                            row.withBytes(4) { hash in
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

    /// A batch of the journal, filled on the connection's event loop while the scan waits.
    private final class Batch: @unchecked Sendable {
        var rows: JournalRows
        var last: Int64 = 0
        init(_ rows: JournalRows) { self.rows = rows }
    }

    /// Creates the replay's tables (temporary, in this transaction).
    func beginReplay() throws {
        try session.execute(PostgresSchema.projectionTables(in: "pg_temp"))
    }

    func replayDifferences(limit: Int) throws -> [String] {
        try flush(.replay)
        var problems: [String] = []
        for (table, key) in Schema.projectionTableKeys {
            let extra = try differingKeys(table: table, key: key, from: Self.s, notIn: "pg_temp", limit: limit)
            let missing = try differingKeys(table: table, key: key, from: "pg_temp", notIn: Self.s, limit: limit)
            problems += ReplayDifferences.sentences(table: table, extra: extra, missing: missing)
            if problems.count >= limit { break }
        }
        return problems
    }

    /// The keys (ascending, at most `limit`, as `ReplayDifferences` writes them) of the rows
    /// of `table` in schema `from` that schema `notIn` does not have exactly.
    private func differingKeys(table: String, key: [String], from: String, notIn: String, limit: Int) throws -> [[String]] {
        var binds = PostgresBindings()
        binds.append(Int64(limit))
        let columns = key.joined(separator: ", ")
        return try session.query(
            """
            SELECT \(columns) FROM (SELECT * FROM \(from).\(table) EXCEPT ALL SELECT * FROM \(notIn).\(table)) AS differing
            ORDER BY \(columns) LIMIT $1
            """, binds
        ).map { row in
            try key.indices.map { (column) throws(LedgerError) in
                row.isInteger(column) ? String(try row.int64(column)) : "\"\(try row.text(column))\""
            }
        }
    }
}
