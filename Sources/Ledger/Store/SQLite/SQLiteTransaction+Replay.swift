/// What `verify` needs of the SQLite store: the journal read in order, and a scratch copy
/// of the projection tables (`replay`) to replay it into and compare.
extension SQLiteTransaction {
    func scanJournal(batchSize: Int, _ body: (JournalRows) throws -> Bool) throws {
        let statement = try db.statement("SELECT seq, kind, entry, prev_hash, hash FROM journal ORDER BY seq")
        statement.reset()
        defer { statement.reset() }
        var more = true
        while more {
            var rows = JournalRows(capacity: batchSize)
            while rows.rows.count < batchSize {
                guard try statement.step() else {
                    more = false
                    break
                }
                rows.append(seq: statement.int64(0), kind: statement.bytes(1), text: statement.bytes(2),
                            prevHash: statement.bytes(3), hash: statement.bytes(4))
            }
            if rows.isEmpty { return }
            guard try body(rows) else { return }
        }
    }

    func beginReplay() throws {
        // A temporary file (SQLite's, deleted when detached), not memory: the copy is as
        // large as the projections, and memory should not bound the ledger an auditor can
        // check. Its page cache is the ledger's own size. Its rollback journal holds only
        // pages that existed before the replay began (the empty tables' roots), so it
        // stays in memory. (A connection opened read-only by its URI is read-only, and so is
        // what it attaches unless the URI asks otherwise.)
        try db.execute(db.readOnlyByURI ? "ATTACH DATABASE 'file:?mode=rwc' AS replay" : "ATTACH DATABASE '' AS replay")
        try db.execute("PRAGMA replay.cache_size=-65536")
        try db.execute("PRAGMA replay.journal_mode=MEMORY")
        try db.execute(Schema.projectionTables(in: "replay"))
    }

    func endReplay() {
        try? flush(.replay)
        forgetReplayStatements()
        try? db.execute("DETACH DATABASE replay")
    }

    /// The keys (ascending, at most `limit` each, as `ReplayDifferences` writes them) of the
    /// stored rows the replay does not have exactly (`extra`), and of the replayed rows the
    /// stored table does not have exactly (`missing`): what `EXCEPT` in both directions
    /// gives, found by walking both tables once in key order side by side instead of
    /// sorting a copy of each.
    func differingKeys(table: String, key: [String], limit: Int) throws -> (extra: [[String]], missing: [[String]]) {
        let columns = key.joined(separator: ", ")
        let order = (1...key.count).map(String.init).joined(separator: ", ")
        let stored = try db.statement("SELECT \(columns), * FROM main.\(table) ORDER BY \(order)")
        let replayed = try db.statement("SELECT \(columns), * FROM replay.\(table) ORDER BY \(order)")
        stored.reset()
        replayed.reset()
        defer {
            stored.reset()
            replayed.reset()
        }
        let keyColumns = Int32(key.count)
        func keyOf(_ row: Statement) -> [String] { (0..<keyColumns).map { Self.describe(row.value($0)) } }
        var extra: [[String]] = []
        var missing: [[String]] = []
        var hasStored = try stored.step()
        var hasReplayed = try replayed.step()
        while (hasStored || hasReplayed) && (extra.count < limit || missing.count < limit) {
            var order = 0
            if !hasReplayed {
                order = -1
            } else if !hasStored {
                order = 1
            } else {
                // Keys are NOT NULL primary keys of STRICT tables: one type per column.
                for column in 0..<keyColumns where order == 0 {
                    guard let compared = stored.order(column, against: replayed) else {
                        throw LedgerError.malformedEntry("\(table) has a key that is neither an integer nor text")
                    }
                    order = compared
                }
            }
            if order < 0 {
                if extra.count < limit { extra.append(keyOf(stored)) }
                hasStored = try stored.step()
            } else if order > 0 {
                if missing.count < limit { missing.append(keyOf(replayed)) }
                hasReplayed = try replayed.step()
            } else {
                if !stored.sameRow(as: replayed, from: keyColumns) {
                    if extra.count < limit { extra.append(keyOf(stored)) }
                    if missing.count < limit { missing.append(keyOf(replayed)) }
                }
                hasStored = try stored.step()
                hasReplayed = try replayed.step()
            }
        }
        return (extra, missing)
    }

    private static func describe(_ value: SQLValue) -> String {
        switch value {
        case .integer(let number): return String(number)
        case .text(let text): return "\"\(text)\""
        case .null: return "NULL"
        }
    }
}
