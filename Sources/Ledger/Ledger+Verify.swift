import CSQLite
import CreditTypes
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
        // `PRAGMA integrity_check` reads the whole file on one core while the chain is
        // rehashed and replayed on the other, on a second read-only connection (issue
        // "Speed"). Its verdict is only known at the end; when it is anything but `ok`, or
        // the second connection cannot be had, everything is done again one step after
        // the other, so a damaged file gets exactly the report it always got.
        if let integrity = IntegrityCheck(path: path) {
            let outcome = Result { try verifyChainAndProjections(limit: limit, integrity: nil) }
            if let verdict = integrity.wait(), verdict == ["ok"] {
                var report = try outcome.get()
                report.integrity = "ok"
                return report
            }
        }
        return try verifyChainAndProjections(limit: limit, integrity: [])
    }

    /// The chain and projection checks; `integrity` is `nil` when `PRAGMA integrity_check`
    /// runs elsewhere, else it runs here first and its problem comes first.
    private func verifyChainAndProjections(limit: Int, integrity: [String]?) throws -> VerifyReport {
        try withDatabase { db in
            var report = VerifyReport()
            if integrity != nil {
                let integrity = try db.statement("PRAGMA integrity_check").rows { $0.text(0) }
                report.integrity = integrity.joined(separator: "; ")
                if integrity != ["ok"] {
                    report.problems.append("PRAGMA integrity_check: \(report.integrity)")
                }
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
        // Hashing and decoding an entry need nothing but the entry, so batches of them are
        // worked out on the other core while this one reads the next batch and replays the
        // previous one (issue "Speed"). The checks below still run entry by entry, in the
        // same order and with the same outcome as before.
        var exhausted = false  // stepping a finished statement would start it again
        func readBatch() throws -> [ChainRow] {
            var batch: [ChainRow] = []
            guard !exhausted else { return batch }
            batch.reserveCapacity(Self.chainBatch)
            while batch.count < Self.chainBatch {
                guard try rows.step() else {
                    exhausted = true
                    break
                }
                batch.append(ChainRow(
                    seq: rows.int64(0), kind: rows.text(1), text: rows.text(2), prev: rows.text(3), hash: rows.text(4)))
            }
            return batch
        }
        var batch = try readBatch()
        var work = batch.isEmpty ? nil : ChainWork(batch)
        chain: while let current = work {
            let next = try readBatch()
            work = next.isEmpty ? nil : ChainWork(next)
            let checked = current.wait()
            for (offset, row) in batch.enumerated() {
                let seq = row.seq
                func fail(_ what: String) { report.problems.append("journal entry \(seq): \(what)") }
                if seq != expectedSeq {
                    fail("expected entry \(expectedSeq) here; entries are missing or out of order")
                } else if row.prev != previous {
                    fail("prev_hash does not match entry \(seq - 1)'s hash: an entry was changed, removed or swapped")
                } else if !checked[offset].hashMatches {
                    fail("its hash does not match its content: the entry was edited")
                } else {
                    do {
                        let entry = try checked[offset].entry.get()
                        if entry.seq != seq || entry.fact.kind != row.kind {
                            fail("its content says entry \(entry.seq) of kind \(entry.fact.kind)")
                        } else {
                            try projector.apply(entry)
                        }
                    } catch {
                        fail("cannot be replayed: \(error)")
                    }
                }
                if report.problems.count >= limit || !report.problems.isEmpty { break chain }
                previous = row.hash
                expectedSeq = seq + 1
                report.entries = seq
                report.headHash = row.hash
            }
            batch = next
        }
        _ = work?.wait()  // stopped early: let the last batch finish before returning
        if report.problems.isEmpty {
            // A truncated journal still chains; the projections will show what it lost.
            report.headHash = previous
        }
    }

    /// Entries hashed and decoded per batch on the other core.
    private static let chainBatch = 4096

    private func compareProjections(_ db: Database, into report: inout VerifyReport, limit: Int) throws {
        for (table, key) in Schema.projectionTableKeys {
            let (extra, missing) = try differingKeys(db, table: table, key: key, limit: limit)
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

    /// The keys (ascending, at most `limit` each) of the stored rows the replay does not
    /// have exactly (`extra`), and of the replayed rows the stored table does not have
    /// exactly (`missing`): what `SELECT … EXCEPT SELECT …` in both directions gives.
    ///
    /// Both tables are walked once in key order side by side. The two `EXCEPT`s each
    /// built and sorted a copy of a million-row table, half of `verify`'s time (issue
    /// "Speed"). Keys are unique (primary keys), so a row is in the other table exactly
    /// when a row with its key is and every column is the same value of the same type
    /// (what `EXCEPT` means by "not distinct").
    private func differingKeys(
        _ db: Database, table: String, key: String, limit: Int
    ) throws -> (extra: [SQLValue], missing: [SQLValue]) {
        let stored = try db.statement("SELECT \(key), * FROM main.\(table) ORDER BY 1")
        let replayed = try db.statement("SELECT \(key), * FROM replay.\(table) ORDER BY 1")
        try stored.bind([])
        defer { _ = try? stored.bind([]) }
        try replayed.bind([])
        defer { _ = try? replayed.bind([]) }
        var extra: [SQLValue] = []
        var missing: [SQLValue] = []
        var hasStored = try stored.step()
        var hasReplayed = try replayed.step()
        while (hasStored || hasReplayed) && (extra.count < limit || missing.count < limit) {
            let order: Int32
            if !hasReplayed {
                order = -1
            } else if !hasStored {
                order = 1
            } else {
                order = try Self.compareKeys(stored, replayed, table: table)
            }
            if order < 0 {
                if extra.count < limit { extra.append(stored.value(0)) }
                hasStored = try stored.step()
            } else if order > 0 {
                if missing.count < limit { missing.append(replayed.value(0)) }
                hasReplayed = try replayed.step()
            } else {
                if !Self.sameRow(stored, replayed) {
                    if extra.count < limit { extra.append(stored.value(0)) }
                    if missing.count < limit { missing.append(replayed.value(0)) }
                }
                hasStored = try stored.step()
                hasReplayed = try replayed.step()
            }
        }
        return (extra, missing)
    }

    /// Orders the two rows' keys (column 0) as `ORDER BY` does for the key's type.
    private static func compareKeys(_ a: Statement, _ b: Statement, table: String) throws -> Int32 {
        let typeA = sqlite3_column_type(a.handle, 0)
        let typeB = sqlite3_column_type(b.handle, 0)
        switch (typeA, typeB) {
        case (SQLITE_INTEGER, SQLITE_INTEGER):
            let (x, y) = (a.int64(0), b.int64(0))
            return x < y ? -1 : (x > y ? 1 : 0)
        case (SQLITE_TEXT, SQLITE_TEXT):
            return compareText(a, b, 0)
        default:
            // Keys are NOT NULL primary keys of STRICT tables: one type per table.
            throw LedgerError.malformedEntry("\(table) has a key that is neither an integer nor text")
        }
    }

    /// BINARY collation: bytes compared, the shorter first on a common prefix.
    private static func compareText(_ a: Statement, _ b: Statement, _ column: Int32) -> Int32 {
        let bytesA = sqlite3_column_text(a.handle, column)
        let countA = Int(sqlite3_column_bytes(a.handle, column))
        let bytesB = sqlite3_column_text(b.handle, column)
        let countB = Int(sqlite3_column_bytes(b.handle, column))
        if countA > 0 || countB > 0 {
            guard let bytesA, let bytesB else { return countA == 0 ? -1 : 1 }
            let common = memcmp(bytesA, bytesB, min(countA, countB))
            if common != 0 { return common < 0 ? -1 : 1 }
        }
        return countA < countB ? -1 : (countA > countB ? 1 : 0)
    }

    /// Every column the same type and value (`NULL` equal to `NULL`, as in `EXCEPT`).
    private static func sameRow(_ a: Statement, _ b: Statement) -> Bool {
        let count = a.columnCount
        guard count == b.columnCount else { return false }
        for column in 1..<count {
            let type = sqlite3_column_type(a.handle, column)
            guard type == sqlite3_column_type(b.handle, column) else { return false }
            switch type {
            case SQLITE_NULL: continue
            case SQLITE_INTEGER: if a.int64(column) != b.int64(column) { return false }
            case SQLITE_FLOAT:
                if sqlite3_column_double(a.handle, column) != sqlite3_column_double(b.handle, column) { return false }
            case SQLITE_TEXT: if compareText(a, b, column) != 0 { return false }
            default:
                let countA = Int(sqlite3_column_bytes(a.handle, column))
                let countB = Int(sqlite3_column_bytes(b.handle, column))
                guard countA == countB else { return false }
                if countA > 0 {
                    guard let blobA = sqlite3_column_blob(a.handle, column), let blobB = sqlite3_column_blob(b.handle, column),
                          memcmp(blobA, blobB, countA) == 0
                    else { return false }
                }
            }
        }
        return true
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

/// `PRAGMA integrity_check` on its own read-only connection, on another thread.
private final class IntegrityCheck: Sendable {
    private let verdict = Mutex<[String]?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the check; `nil` when a second connection cannot be opened.
    init?(path: String) {
        guard let connection = try? Database(path: path, create: false, readOnly: true) else { return nil }
        let box = Connection(connection)
        DispatchQueue.global().async { [self] in
            let rows = try? box.db.statement("PRAGMA integrity_check").rows { $0.text(0) }
            verdict.withLock { $0 = rows }
            finished.signal()
        }
    }

    /// The check's rows; `nil` when it failed to run.
    func wait() -> [String]? {
        finished.wait()
        return verdict.withLock { $0 }
    }

    /// The connection, handed to the one thread that uses it.
    private final class Connection: @unchecked Sendable {
        let db: Database
        init(_ db: Database) { self.db = db }
    }
}

/// One journal row as stored.
private struct ChainRow: Sendable {
    let seq: Int64
    let kind: String
    let text: String
    let prev: String
    let hash: String
}

/// What `verify` needs from a row that does not depend on the rows before it.
private struct CheckedRow: Sendable {
    /// The stored hash is the hash of the stored `prev_hash` and text.
    let hashMatches: Bool
    /// The decoded entry, or why it cannot be decoded.
    let entry: Result<JournalEntry, any Error>
}

/// A batch of rows hashed and decoded on another thread.
private final class ChainWork: Sendable {
    private let result = Mutex<[CheckedRow]>([])
    private let finished = DispatchSemaphore(value: 0)

    init(_ rows: [ChainRow]) {
        DispatchQueue.global().async { [self] in
            let checked = rows.map { row in
                CheckedRow(
                    hashMatches: JournalEntry.chainHash(previous: row.prev, entryText: row.text) == row.hash,
                    entry: Result {
                        // The bulk kinds' canonical text first; anything else as before.
                        if let entry = VerifyDecoder.decode(row.text) { return entry }
                        return try JournalEntry.decode(text: row.text, seq: row.seq)
                    })
            }
            result.withLock { $0 = checked }
            finished.signal()
        }
    }

    /// Waits for the batch; call once.
    func wait() -> [CheckedRow] {
        finished.wait()
        return result.withLock { $0 }
    }
}
