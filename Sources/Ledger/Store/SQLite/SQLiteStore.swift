import CSQLite
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The ledger in one SQLite file (WAL, `synchronous=FULL`, `foreign_keys=ON`), the
/// embedded default. Writes are `BEGIN IMMEDIATE` transactions, so appends are serialized
/// by SQLite's write lock; readers read a WAL snapshot and never wait for writers.
final class SQLiteStore: LedgerStore {
    func announce(runs: [Int64]) { SQLiteWriterLock.announce(runs: runs, ledgerPath: path) }

    func runningWriter() throws(WriterUnseen) -> RunningWriter? { try SQLiteWriterLock.runningWriter(ledgerPath: path) }

    /// The file's path, as errors name it (for a ledger being created, the path it will
    /// be renamed to).
    let name: String
    let path: String
    /// The file is where this process cannot write (see `Database.init`'s `readOnlyStorage`):
    /// it is read as it is, and every write fails.
    let readOnlyStorage: Bool
    let unappliedMigrations: [String]
    /// A SQLite ledger is made whole before it is opened (`Ledger.create`).
    var tablesPending: Bool { false }
    private let connection: Mutex<Connection>

    /// The connection, used only with `connection` locked.
    final class Connection: @unchecked Sendable {
        let db: Database
        var transaction: SQLiteTransaction?
        init(_ db: Database) { self.db = db }
    }

    /// Opens the ledger file at `path` and migrates its schema; `name` is how errors name it.
    /// With `create`, a missing file, or a database holding no tables, becomes a new ledger;
    /// without, a database holding no tables is refused (`noLedger`) as it is: a reader
    /// does not start books. Without `create`, a ledger this process cannot write (a
    /// read-only mount or folder: an auditor's archived copy) is opened to be read, when it
    /// needs no migration it cannot be read without. With `checking` (`verify`), nothing is
    /// written to the file (see `Database.init`), not even a pending migration: a ledger is
    /// read as an earlier build left it (`MigrationRecord.readableWithout`), or refused
    /// (`olderSchema`) when it cannot be.
    init(path: String, create: Bool, checking: Bool = false, durability: Database.Durability = .durable, name: String? = nil) throws {
        precondition(!(create && checking), "a ledger is checked as it is, never created")
        self.path = path
        self.name = name ?? path
        // Two names of one file are two write-ahead logs and two sets of locks over it: two
        // writers through them each committed as if alone, and one's entries were lost
        // while both charged every row (probe 86).
        // So are two names of its write-ahead log: a ledger's log linked beside another
        // ledger's name was folded into that ledger's file (probe 90).
        for (file, shown) in [(path, name ?? path), (path + "-wal", (name ?? path) + "-wal")] {
            var info = stat()
            if stat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_nlink > 1 {
                throw LedgerError.manyNames(path: shown, names: Int(info.st_nlink))
            }
        }
        let admit = { (db: Database) throws -> Void in
            // A file of another application's tables is left untouched (a mistyped
            // --ledger must not add tables to it, or switch it to WAL). Table names alone
            // do not tell: `schema_migrations` is also Rails', golang-migrate's and
            // Ecto's, `journal` anyone's.
            let tables = try db.statement("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .rows { (name: $0.text(0), sql: $0.optionalText(1)) }
            if tables.isEmpty {
                guard create else { throw LedgerError.noLedger(location: name ?? path) }
                return
            }
            guard tables.contains(where: { SchemaShape.isOwn(table: $0.name, definition: $0.sql) }) else {
                throw LedgerError.otherDatabase(location: name ?? path, tables: tables.map(\.name))
            }
        }
        do {
            var opened: Database?
            var unapplied: [String] = []
            // A file this process may read but not write (another user's, in a folder it may
            // write: a shared or sticky one) is read as on read-only storage too: SQLite would
            // open it read-only without a word and make its -wal and -shm files, this user's,
            // beside it, which the owner's next write could not open (74).
            var readOnlyStorage = !create && access(path, R_OK) == 0 && access(path, W_OK) != 0
            if !readOnlyStorage {
                do {
                    let db = try Database(path: path, create: create, checking: checking, durability: durability, admit: admit)
                    if !checking {
                        try Self.migrate(db, ledgerPath: path)
                    } else {
                        unapplied = try Schema.migrator.pending(db).map(\.name)
                        if let migration = MigrationRecord.neededToRead(unapplied) {
                            throw LedgerError.olderSchema(location: name ?? path, migration: migration)
                        }
                    }
                    opened = db
                } catch let error as SQLiteError where !create && Self.cannotWrite(path, error) {
                    readOnlyStorage = true
                }
            }
            if readOnlyStorage {
                // Read as immutable, SQLite would not look at a rollback journal: the pages of
                // an interrupted write would be read as the books (a false tamper alarm).
                if Self.holdsInterruptedWrite(path + "-journal") {
                    throw LedgerError.io(path: name ?? path, detail: "it is where this process cannot write (the file, or its folder), and "
                        + "\(path)-journal beside it holds a write that was interrupted, which must be rolled back before "
                        + "the ledger can be read; copy the ledger and its -journal file together where they can be "
                        + "written, and run any command on the copy")
                }
                let db = try Database(path: path, create: false, readOnlyStorage: true, admit: admit)
                opened = db
                unapplied = try Schema.migrator.pending(db).map(\.name)
                if let migration = MigrationRecord.neededToRead(unapplied) {
                    throw LedgerError.io(path: name ?? path, detail: "it is where this process cannot write (the file, or its folder), and it needs "
                        + "migration \"\(migration)\" before this credit-recon can read it; copy it where it can be written "
                        + "(or run any command on it once where it can)")
                }
            }
            guard let opened else { preconditionFailure("a ledger file opened one way or the other") }
            self.readOnlyStorage = readOnlyStorage
            unappliedMigrations = unapplied
            connection = Mutex(Connection(opened))
        } catch {
            throw LedgerError.wrap(error, path: name ?? path)
        }
    }

    /// Whether `error`, met opening the file at `path`, is that this process cannot write
    /// there (the file, or its folder for the `-wal` and `-shm` files), while it can read.
    private static func cannotWrite(_ path: String, _ error: SQLiteError) -> Bool {
        [SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM].contains(error.code) && access(path, R_OK) == 0
            && (access(path, W_OK) != 0 || access(Ledger.directory(of: path), W_OK) != 0)
    }

    /// Whether the rollback journal at `path` is one SQLite would roll back (SQLite's own
    /// test: there, not empty, a non-zero first byte), so the ledger cannot be read without it.
    private static func holdsInterruptedWrite(_ path: String) -> Bool {
        guard let file = fopen(path, "rb") else { return false }
        defer { fclose(file) }
        let first = fgetc(file)
        return first != EOF && first != 0
    }

    /// A read-only connection to the same file.
    private init(readOnly path: String, name: String, storage readOnlyStorage: Bool, unapplied: [String]) throws {
        self.path = path
        self.name = name
        self.readOnlyStorage = readOnlyStorage
        unappliedMigrations = unapplied
        connection = Mutex(Connection(try Database(path: path, create: false, readOnly: true, readOnlyStorage: readOnlyStorage)))
    }

    func write<T: Sendable>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try withConnection { connection in
            // Before waiting for SQLite's write lock, which another writer, in the lock this
            // one lost, may hold for a long import (it was "busy" after 5 s, probe 72).
            try SQLiteWriterLock.confirm(ledgerPath: name)
            return try connection.db.writeTransaction {
                // Again first inside, so that a write whose lock was lost is said so, not as the ledger
                // damaged when another writer changed what this one expects to find.
                try SQLiteWriterLock.confirm(ledgerPath: name)
                let result = try body(connection.transaction(for: name))
                // Again before COMMIT: the lock may have been lost while it wrote (an import).
                try SQLiteWriterLock.confirm(ledgerPath: name)
                return result
            }
        }
    }

    func read<T: Sendable>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try withConnection { connection in
            try connection.db.readTransaction { try body(connection.transaction(for: name)) }
        }
    }

    func readReplaying<T: Sendable>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try withConnection { connection in
            let transaction = connection.transaction(for: name)
            try transaction.beginReplay()  // ATTACH cannot run inside a transaction
            defer { transaction.endReplay() }
            do {
                return try connection.db.readTransaction { try body(transaction) }
            } catch let error as SQLiteError where error.isDiskFull || error.isWriteRefused {
                // Only the scratch copy is written: its folder, not the ledger's disk, is full.
                throw LedgerError.scratchFull(path: name, reason: error.message, room: .sqliteTemporaryFolder)
            }
        }
    }

    /// Nothing to give up: SQLite's waits for another connection's lock end within its busy
    /// timeout (`Database`), and the writer lock is refused at once, never waited for.
    func giveUpLockWaits(because reason: String) {}

    /// Applies the migrations `db` has not, under the writer lock when it is a ledger
    /// already (a new one has no writer but its maker): a command that reads (`status`)
    /// applied one while an older build's fetch was writing, which went on appending to a
    /// ledger it would refuse (probe 141). Another process's writer at work refuses it
    /// (`writerBusy`, 75); this process's own, holding the lock already, goes on.
    private static func migrate(_ db: Database, ledgerPath: String) throws {
        let pending = try Schema.migrator.pending(db)
        guard let first = pending.first else { return }
        guard first.name != Schema.migrator.migrations.first?.name, !SQLiteWriterLock.isHeldHere(ledgerPath: ledgerPath) else {
            return try Schema.migrator.apply(pending, to: db)
        }
        let lock: SQLiteWriterLock
        do {
            lock = try SQLiteWriterLock(ledgerPath: ledgerPath)
        } catch {
            guard case .writerBusy(let lock, let holder, let here, let runs) = error else { throw error }
            throw LedgerError.writerBusy(
                lock: lock + "; the ledger needs migration " + pending.map { "\"\($0.name)\"" }.joined(separator: ", ")
                    + ", applied while no writer is at work", holder: holder, heldHere: here, runs: runs)
        }
        try Schema.migrator.apply(pending, to: db)
        withExtendedLifetime(lock) {}
    }

    func secondReader() -> (any LedgerStore)? {
        try? SQLiteStore(readOnly: path, name: name, storage: readOnlyStorage, unapplied: unappliedMigrations)
    }

    func check() throws -> StoreCheck {
        var check = try guards()
        try withConnection { connection in
            check.verdict = try connection.db.statement("PRAGMA integrity_check").rows { $0.text(0) }.joined(separator: "; ")
            check.file = try Self.cutInsideAPage(connection, damageFound: check.verdict != "ok")
        }
        check.log = Self.writeAheadLog(path)
        return check
    }

    func witnessedHeads() throws(LedgerError) -> [WitnessedHead] { try HeadWitness.heads(ledgerNamed: name) }

    /// Not while the ledger is being built under another name (`Ledger.create(at:_:)`
    /// keeps the witness once it is in place).
    func witness(_ head: ChainHead) {
        guard path == name, !readOnlyStorage else { return }
        HeadWitness.keep(head, ledgerNamed: name)
    }

    /// A file this process may not write is read as on read-only storage, and every write
    /// to it refused as that (`init`).
    func refuseWithoutWriteRights() {}

    func guards() throws -> StoreCheck {
        try withConnection { connection in
            let rows = try connection.db.statement("SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'trigger'")
                .rows { (name: $0.text(0), sql: $0.text(1), table: $0.text(2)) }
            let triggers = Dictionary(rows.map { ($0.name, $0.sql) }, uniquingKeysWith: { first, _ in first })
            let guarding = Schema.guardTriggers(without: unappliedMigrations)
            var check = StoreCheck(
                unguarded: guarding.filter { triggers[$0.name] != $0.sql }.map(\.name),
                foreign: rows.filter { row in
                    Schema.isLedgerTable(row.table) && !guarding.contains { $0.name == row.name }
                }.map { "\($0.table).\($0.name)" }.sorted())
            // Cut inside its last page, the file reads that page's missing end as zeros, and
            // a writer appended onto a journal whose newest rows read as NULLs (probe 344).
            check.file = try Self.cutInsideAPage(connection)
            return check
        }
    }

    /// `cutInsideAPage(_:pageSize:damageFound:)` of the file `connection` reads.
    private static func cutInsideAPage(_ connection: Connection, damageFound: Bool = false) throws -> String? {
        cutInsideAPage(connection.db.path, pageSize: try connection.db.scalarInt("PRAGMA page_size") ?? 0, damageFound: damageFound)
    }

    /// The `-wal` file beside the ledger's, when it holds anything (an empty one is what
    /// opening a WAL database makes).
    static func writeAheadLog(_ path: String) -> WriteAheadLog? {
        var info = stat()
        guard stat(path + "-wal", &info) == 0, info.st_size > 0 else { return nil }
        return WriteAheadLog(path: path + "-wal", bytes: Int64(info.st_size))
    }

    /// What to say of a file whose length is no whole number of its pages: SQLite reads
    /// the missing end of the last page as zeros, its check finds nothing, and the rows
    /// there read as edited ones. `nil` for a whole file, or one that cannot be measured.
    static func cutInsideAPage(_ path: String, pageSize: Int64, damageFound: Bool = false) -> String? {
        var info = stat()
        // By the system's 4 KB pages when SQLite's are larger and nothing read is wrong: a
        // checkpoint under way grows the file a system page at a time, and a reader must not
        // take that for damage. Once a read or SQLite's own check found damage (which a
        // checkpoint never makes for a reader), by SQLite's pages: a cut at a system page
        // is what explains it (probe 392: entries "not written as credit-recon writes").
        let unit = damageFound ? pageSize : min(pageSize, 4096)
        guard unit > 0, stat(path, &info) == 0, Int64(info.st_size) % unit != 0 else { return nil }
        return "the file \(path) is \(info.st_size) bytes long, not a whole number of its \(pageSize)-byte pages: it was "
            + "cut short or added to outside SQLite, so rows read from its last page may be wrong; restore the ledger "
            + "from a backup"
    }

    /// Whether `error` says the rows read are not what the ledger writes.
    private static func readsAsDamage(_ error: any Error) -> Bool {
        switch error {
        case LedgerError.malformedEntry, LedgerError.entriesLost: true
        case let error as SQLiteError: error.code == SQLITE_CORRUPT
        default: false
        }
    }

    func missingTables() throws -> [String] {
        let tables = Set(try withConnection { try $0.db.statement("SELECT name FROM sqlite_master WHERE type = 'table'").rows { $0.text(0) } })
        return Schema.ledgerTables.filter { !tables.contains($0) }
    }

    func reshapedTables() throws -> [ReshapedTable] {
        try withConnection { try SchemaShape.read($0.db).reshaped(from: .expected(without: unappliedMigrations)) }
    }

    /// Runs `body` on the connection, with SQLite's errors put in words (`LedgerError`).
    func withConnection<T: Sendable>(_ body: (Connection) throws -> T) throws -> T {
        try connection.withLock { connection in
            do { return try body(connection) } catch {
                if connection.db.logAtOpen {
                    Database.keepLog(of: connection.db.path)
                    // Damage found reading a file with a log that was there before: the log may
                    // be the cause, said beside it (probe 258: "entries were cut", of another
                    // ledger's log beside a sound file).
                    switch error {
                    case LedgerError.malformedEntry(let detail) where !detail.contains("write-ahead log"):
                        throw LedgerError.malformedEntry(detail + LedgerError.logNote(connection.db.path))
                    case LedgerError.entriesLost(let detail):
                        throw LedgerError.entriesLost(detail + LedgerError.logNote(connection.db.path))
                    default:
                        break
                    }
                }
                // Damage read from a file cut inside its last page: the cut, which explains it,
                // rather than an entry "not written as credit-recon writes" (probe 344).
                if Self.readsAsDamage(error), let cut = try? Self.cutInsideAPage(connection, damageFound: true) {
                    throw LedgerError.malformedEntry(cut)
                }
                // A column dropped behind the ledger's back: the statement names it by its
                // alias, if at all; the file's tables say which table lacks which.
                if let error = error as? SQLiteError, error.message.hasPrefix("no such column: "),
                   let lacking = try? SchemaShape.read(connection.db).lackingColumn(from: .expected(without: unappliedMigrations)) {
                    throw LedgerError.malformedEntry("its table \(lacking.table) lacks its column \(lacking.column)")
                }
                throw LedgerError.wrap(error, path: name)
            }
        }
    }
}

extension SQLiteStore.Connection {
    /// The transaction object of this connection (one, with its prepared statements).
    func transaction(for name: String) -> SQLiteTransaction {
        if let transaction { return transaction }
        let made = SQLiteTransaction(db: db, name: name)
        transaction = made
        return made
    }
}
