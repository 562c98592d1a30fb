import CreditTypes
import Synchronization

/// The append-only, hash-chained ledger in one SQLite file.
///
/// Every write goes through `write(_:)`, a `BEGIN IMMEDIATE` transaction in which facts
/// are appended to the journal and applied to the projections together. The interface is
/// kept narrow (facts in, typed rows out) so another store could stand behind it.
public final class Ledger: Sendable {
    /// The file's path.
    public let path: String
    /// The path errors name: `path`, or the path a ledger being created will be renamed to.
    private let reportedPath: String
    private let connection: Mutex<Box>

    private final class Box: @unchecked Sendable {
        // Only touched inside `connection.withLock`.
        let db: Database
        init(_ db: Database) { self.db = db }
    }

    /// Opens the ledger at `path`, creating it (mode 0600) and migrating its schema.
    public convenience init(path: String, create: Bool = true) throws {
        try self.init(path: path, create: create, durability: .durable, reportedPath: path)
    }

    init(path: String, create: Bool, durability: Database.Durability, reportedPath: String) throws {
        self.path = path
        self.reportedPath = reportedPath
        do {
            let db = try Database(path: path, create: create, durability: durability)
            try Schema.migrator.migrate(db)
            connection = Mutex(Box(db))
        } catch {
            throw LedgerError.wrap(error, path: reportedPath)
        }
    }

    /// Runs `body` with exclusive access to the connection, classifying SQLite errors.
    func withDatabase<T: Sendable>(_ body: (Database) throws -> T) throws -> T {
        try connection.withLock { box in
            do { return try body(box.db) } catch { throw LedgerError.wrap(error, path: reportedPath) }
        }
    }

    /// Runs `body` in one write transaction: everything it appends is committed together,
    /// or nothing is (the error is rethrown).
    public func write<T: Sendable>(_ body: (inout LedgerWriter) throws -> T) throws -> T {
        try withDatabase { db in
            try db.writeTransaction {
                var writer = try LedgerWriter(db: db)
                return try body(&writer)
            }
        }
    }

    /// Runs `body` in one read transaction (a consistent view while others write).
    public func read<T: Sendable>(_ body: (LedgerReader) throws -> T) throws -> T {
        try withDatabase { db in try db.readTransaction { try body(LedgerReader(db: db)) } }
    }

    /// The hash of the newest journal entry (the genesis hash for an empty journal).
    public func headHash() throws -> String {
        try read { try $0.head().hash }
    }
}

/// Read access inside a transaction.
public struct LedgerReader {
    let db: Database

    /// The newest entry's sequence number (0 when empty) and hash.
    public func head() throws -> (seq: Int64, hash: String) {
        try db.statement("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
            .first { ($0.int64(0), $0.text(1)) } ?? (0, JournalEntry.genesisHash)
    }

    /// Number of journal entries.
    public func journalCount() throws -> Int64 {
        try db.scalarInt("SELECT count(*) FROM journal") ?? 0
    }

    /// The stored snapshot at exactly `observedAt` for `account`, if any.
    public func snapshot(account: String, observedAt: Timestamp) throws -> SnapshotRow? {
        try db.statement("\(SnapshotRow.select) WHERE account = ? AND observed_at = ?")
            .first([.text(account), .text(observedAt.iso8601)], SnapshotRow.init(row:))
    }

    /// Snapshots of `account` in time order (all accounts when `nil`).
    public func snapshots(account: String?) throws -> [SnapshotRow] {
        if let account {
            return try db.statement("\(SnapshotRow.select) WHERE account = ? ORDER BY observed_at, id")
                .rows([.text(account)], SnapshotRow.init(row:))
        }
        return try db.statement("\(SnapshotRow.select) ORDER BY account, observed_at, id")
            .rows([], SnapshotRow.init(row:))
    }

    /// Runs, newest first.
    public func runs(limit: Int64 = 100) throws -> [RunRow] {
        try db.statement(
            "SELECT id, account, command, started_at, finished_at, outcome, exit_code, summary FROM runs ORDER BY id DESC LIMIT ?"
        ).rows([.integer(limit)]) { row in
            RunRow(
                id: row.int64(0), account: row.text(1), command: row.text(2), startedAt: row.text(3),
                finishedAt: row.optionalText(4), outcome: row.optionalText(5), exitCode: row.optionalInt64(6),
                summary: row.optionalText(7))
        }
    }
}

/// Write access inside a transaction: appends facts to the journal and projections.
public struct LedgerWriter {
    let db: Database
    // Internal, not private: the bulk path (`Ledger+BulkAppend.swift`) advances them too.
    var headSeq: Int64
    var headHash: String
    let projector: Projector
    /// Entries the bulk path took as framed and hashed ahead (`FactTexts.chain(from:)`).
    var entriesFramedAhead = 0

    init(db: Database) throws {
        self.db = db
        let head = try LedgerReader(db: db).head()
        self.headSeq = head.seq
        self.headHash = head.hash
        self.projector = Projector(db: db, schema: "main")
    }

    /// Reads within the same transaction.
    public var reader: LedgerReader { LedgerReader(db: db) }

    /// Where the chain would stand if `fact`, a run's start, were appended next (with no
    /// run, for `account`, at `time`) and the run's entries followed it: the next entry's
    /// sequence number, the run (the start's own number), the time, and the start's hash.
    /// Nothing is written. An import hands it to the thread that frames its entries ahead
    /// (`FactTexts.chain(from:)`).
    public func anchor(afterStarting fact: Fact, account: String, at time: Timestamp) -> ChainAnchor {
        let entry = JournalEntry(seq: headSeq + 1, recordedAt: time, account: account, runID: nil, fact: fact)
        let hash = JournalEntry.chainHash(previous: headHash, entryBytes: entry.canonicalBytes)
        return ChainAnchor(seq: headSeq + 2, runID: headSeq + 1, at: time, prevHash: hash)
    }

    /// Appends `fact`, hash-chained to the previous entry, and applies it to the
    /// projections. Returns the entry's sequence number.
    @discardableResult
    public mutating func append(_ fact: Fact, account: String, runID: Int64?, at time: Timestamp) throws -> Int64 {
        let entry = JournalEntry(seq: headSeq + 1, recordedAt: time, account: account, runID: runID, fact: fact)
        let bytes = entry.canonicalBytes
        let hash = JournalEntry.chainHash(previous: headHash, entryBytes: bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        try db.run(
            "INSERT INTO journal (seq, kind, entry, prev_hash, hash) VALUES (?, ?, ?, ?, ?)",
            [.integer(entry.seq), .text(fact.kind), .text(text), .text(headHash), .text(hash)])
        try projector.apply(entry)
        headSeq = entry.seq
        headHash = hash
        return entry.seq
    }
}

/// A stored snapshot.
public struct SnapshotRow: Sendable, Equatable {
    public let id: Int64
    public let account: String
    public let observedAt: Timestamp
    public let totalCredits: Micros
    public let totalUsage: Micros
    public let source: String
    public let runID: Int64?

    static let select = "SELECT id, account, observed_at, total_credits, total_usage, source, run_id FROM snapshots"

    init(row: Statement) throws {
        id = row.int64(0)
        account = row.text(1)
        let observed = row.text(2)
        do { observedAt = try Timestamp(iso8601: observed) } catch {
            throw LedgerError.malformedEntry("snapshot \(row.int64(0)) has an unreadable time \"\(observed)\"")
        }
        totalCredits = Micros(raw: row.int64(3))
        totalUsage = Micros(raw: row.int64(4))
        source = row.text(5)
        runID = row.optionalInt64(6)
    }
}

/// A stored run.
public struct RunRow: Sendable, Equatable {
    public let id: Int64
    public let account: String
    public let command: String
    public let startedAt: String
    public let finishedAt: String?
    public let outcome: String?
    public let exitCode: Int64?
    public let summary: String?
}
