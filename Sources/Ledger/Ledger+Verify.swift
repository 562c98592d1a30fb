import CreditTypes

/// What `verify` found.
public struct VerifyReport: Sendable {
    /// Journal entries checked.
    public var entries: Int64 = 0
    /// The newest entry's hash.
    public var headHash: String = JournalEntry.genesisHash
    /// Problems, in the order found; empty when the ledger is sound.
    public var problems: [String] = []
    /// `PRAGMA integrity_check`'s verdict (`ok` when sound).
    public var integrity: String = ""

    /// Sound: the chain, the projections and SQLite's own check all agree.
    public var isSound: Bool { problems.isEmpty }
}

extension Ledger {
    /// Proves the ledger is what its journal says: recomputes the hash chain, replays every
    /// entry into fresh in-memory projections and compares them row by row with the stored
    /// ones, and runs `PRAGMA integrity_check`.
    ///
    /// Stops collecting after `limit` problems; the first one names the broken entry.
    public func verify(limit: Int = 20) throws -> VerifyReport {
        try withDatabase { db in
            var report = VerifyReport()
            let integrity = try db.statement("PRAGMA integrity_check").rows { $0.text(0) }
            report.integrity = integrity.joined(separator: "; ")
            if integrity != ["ok"] {
                report.problems.append("PRAGMA integrity_check: \(report.integrity)")
            }
            try db.execute("ATTACH DATABASE ':memory:' AS replay")
            defer { try? db.execute("DETACH DATABASE replay") }
            try db.execute(Schema.projectionTables(in: "replay"))
            try db.readTransaction {
                try checkChain(db, into: &report, limit: limit)
                if report.problems.isEmpty {
                    try compareProjections(db, into: &report, limit: limit)
                }
            }
            return report
        }
    }

    private func checkChain(_ db: Database, into report: inout VerifyReport, limit: Int) throws {
        let projector = Projector(db: db, schema: "replay")
        var expectedSeq: Int64 = 1
        var previous = JournalEntry.genesisHash
        let rows = try db.statement("SELECT seq, kind, entry, prev_hash, hash FROM journal ORDER BY seq")
        try rows.bind([])
        defer { _ = try? rows.bind([]) }
        try db.execute("SAVEPOINT replay")
        defer { try? db.execute("RELEASE replay") }
        while try rows.step() {
            let seq = rows.int64(0)
            let kind = rows.text(1)
            let text = rows.text(2)
            let prev = rows.text(3)
            let hash = rows.text(4)
            func fail(_ what: String) { report.problems.append("journal entry \(seq): \(what)") }
            if seq != expectedSeq {
                fail("expected entry \(expectedSeq) here; entries are missing or out of order")
            } else if prev != previous {
                fail("prev_hash does not match entry \(seq - 1)'s hash: an entry was changed, removed or swapped")
            } else if JournalEntry.chainHash(previous: prev, entryText: text) != hash {
                fail("its hash does not match its content: the entry was edited")
            } else {
                do {
                    let entry = try JournalEntry.decode(text: text, seq: seq)
                    if entry.seq != seq || entry.fact.kind != kind {
                        fail("its content says entry \(entry.seq) of kind \(entry.fact.kind)")
                    } else {
                        try projector.apply(entry)
                    }
                } catch {
                    fail("cannot be replayed: \(error)")
                }
            }
            if report.problems.count >= limit || !report.problems.isEmpty { break }
            previous = hash
            expectedSeq = seq + 1
            report.entries = seq
            report.headHash = hash
        }
        if report.problems.isEmpty {
            // A truncated journal still chains; the projections will show what it lost.
            report.headHash = previous
        }
    }

    private func compareProjections(_ db: Database, into report: inout VerifyReport, limit: Int) throws {
        for (table, key) in Schema.projectionTableKeys {
            let extra = try db.statement(
                "SELECT \(key) FROM (SELECT * FROM main.\(table) EXCEPT SELECT * FROM replay.\(table)) ORDER BY 1 LIMIT ?"
            ).rows([.integer(Int64(limit))]) { $0.value(0) }
            let missing = try db.statement(
                "SELECT \(key) FROM (SELECT * FROM replay.\(table) EXCEPT SELECT * FROM main.\(table)) ORDER BY 1 LIMIT ?"
            ).rows([.integer(Int64(limit))]) { $0.value(0) }
            let extraKeys = Set(extra.map(describe))
            for value in missing.map(describe) where !extraKeys.contains(value) {
                report.problems.append("\(table) row \(value) is missing: the journal records it (\(origin(table, value)))")
            }
            for value in extra.map(describe) {
                if missing.map(describe).contains(value) {
                    report.problems.append("\(table) row \(value) differs from what the journal records (\(origin(table, value)))")
                } else {
                    report.problems.append("\(table) row \(value) is not in the journal: it was added behind the ledger's back")
                }
            }
            if report.problems.count >= limit { return }
        }
    }

    private func describe(_ value: SQLValue) -> String {
        switch value {
        case .integer(let number): return String(number)
        case .text(let text): return "\"\(text)\""
        case .null: return "NULL"
        }
    }

    private func origin(_ table: String, _ key: String) -> String {
        switch table {
        case "runs", "snapshots": return "journal entry \(key)"
        default: return "see its journal entries"
        }
    }
}
