import CreditTypes
import Synchronization

/// The append-only, hash-chained ledger.
///
/// The one place that knows the journal: it encodes facts canonically, frames and hashes
/// entries, decides the projection rows each fact changes, replays and verifies. Callers
/// hand it facts and get typed rows back. Below it, a store (`LedgerStore`; SQLite by
/// default) keeps the tables.
public final class Ledger: Sendable {
    /// How the ledger is named: a SQLite file's path, or a PostgreSQL URL without its
    /// password.
    public let path: String
    let store: any LedgerStore
    /// Whether a write of this ledger found its guards in place and no row past its head.
    private let checked = Mutex(false)

    /// Opens the SQLite ledger at `path`, migrating its schema; with `create`, a missing file
    /// is created (mode 0600) and a database holding no tables becomes a ledger, and without,
    /// such a database is refused with `noLedger`, left as it is.
    public convenience init(path: String, create: Bool = true) throws {
        self.init(path: path, store: try SQLiteStore(path: path, create: create))
    }

    /// Opens the ledger at `location`: a SQLite file or a PostgreSQL database, its tables
    /// migrated, and created when missing with `create`; without, a database holding no
    /// ledger is refused with `noLedger`.
    public convenience init(_ location: LedgerLocation, create: Bool = true) throws {
        switch location {
        case .file(let path): try self.init(path: path, create: create)
        case .postgres(let database): self.init(path: database.description, store: try PostgresStore(database, create: create))
        }
    }

    /// Opens the ledger at `location` to be checked (`verify`), writing nothing to it: a
    /// SQLite file is read as it is, its `-wal` file left where it is, and a ledger that
    /// an earlier build left is read as it is (`unappliedMigrations`), or refused
    /// (`olderSchema`) when it needs a migration to be read; one that is not there is
    /// refused with `noLedger`.
    public convenience init(checking location: LedgerLocation) throws {
        switch location {
        case .file(let path): self.init(path: path, store: try SQLiteStore(path: path, create: false, checking: true))
        case .postgres(let database):
            self.init(path: database.description, store: try PostgresStore(database, create: false, checking: true))
        }
    }

    /// Opens the PostgreSQL ledger at `database` for a write that may fail on what it is
    /// given (an import): a database holding no ledger gets the ledger's tables in that
    /// write's transaction, so a failed write leaves it as it was, as `create(at:_:)`
    /// leaves no SQLite file. Read before it is written, it gets them first, as `init(_:)`.
    public convenience init(creatingWithFirstWrite database: PostgresLocation) throws {
        self.init(path: database.description, store: try PostgresStore(database, create: true, tablesWithFirstWrite: true))
    }

    init(path: String, store: any LedgerStore) {
        self.path = path
        self.store = store
    }

    /// The newest migration of the ledger's schema this build makes and reads, by name
    /// (`--version` says it: builds of one version may differ in it): PostgreSQL's, whose
    /// migrations are SQLite's and its own (`PostgresSchema.migrations`).
    public static var newestMigration: String { PostgresSchema.migrations.last?.name ?? "" }

    /// The migrations of this build the ledger has not applied, by name, in order: an
    /// earlier build's ledger opened to be read as it is (checked by `verify`, or an archive
    /// on storage this process cannot write). Empty for a ledger opened to be written.
    public var unappliedMigrations: [String] { store.unappliedMigrations }

    /// Whether the ledger's tables are still to be made by its first write (a PostgreSQL
    /// database without a ledger, opened by `init(creatingWithFirstWrite:)`): it holds no
    /// books to read yet.
    public var tablesPending: Bool { store.tablesPending }

    /// Runs `body` in one write transaction: everything it appends is committed together,
    /// or nothing is (the error is rethrown).
    ///
    /// Before the first write, the store's guards (the triggers that keep the journal and
    /// the readings append-only) must be in place: without them, entries can be cut from
    /// the journal's end with the rows they made, which no chain shows, and a writer went on
    /// appending, `topup` buying again what the cut entries had bought (probe 153). And no
    /// row may be past the journal's head (`AppendSession`'s `checkingRows`), and the
    /// journal must hold the newest entry this host wrote to it (`HeadWitness`), which
    /// each write keeps once committed.
    public func write<T: Sendable>(_ body: (inout LedgerWriter) throws -> T) throws -> T {
        try write(checkingFirst: true, body)
    }

    /// `write(_:)`; without `checkingFirst`, for a caller that checks the guards and the
    /// rows itself, more strictly (`copy(into:)`: no row at all in an empty ledger).
    func write<T: Sendable>(checkingFirst: Bool, _ body: (inout LedgerWriter) throws -> T) throws -> T {
        let first = checkingFirst && !checked.withLock { $0 }
        if first { try refuseMissingGuards() }
        // `copy(into:)` asks it of its source instead: what the copy will hold.
        let witnessed = first ? try store.witnessedHeads() : []
        let (result, started, head): (T, [Int64], ChainHead?)
        do {
            (result, started, head) = try store.write { transaction in
                let session = try AppendSession(transaction, checkingRows: first, witnessed: witnessed)
                do {
                    var writer = LedgerWriter(session: session)
                    let result = try body(&writer)
                    try session.flush(wait: true)
                    try session.confirmStored()
                    return (result, writer.startedRuns, session.appendedHead)
                } catch {
                    session.abandon()
                    throw error
                }
            }
        } catch LedgerError.refused(let reason) {
            // Refused as PostgreSQL answers a batch's statements, or as it commits, past the
            // append that names its entries: damage all the same, not a "ledger error" (70,
            // probe 377: an index someone added).
            throw AppendSession.refusedRow("a row", reason)
        }
        if first { checked.withLock { $0 = true } }
        if let head { store.witness(head) }
        // Committed: the writer lock says which runs are its own (`runningWriter(at:)`).
        if !started.isEmpty { store.announce(runs: started) }
        return result
    }

    /// The store's guards and its file, and this user's rights to write, checked before the
    /// first write (`write(_:)`).
    private func refuseMissingGuards() throws {
        let problems = try store.guards().writeProblems
        guard problems.isEmpty else {
            throw LedgerError.malformedEntry(problems.joined(separator: "; ") + "; nothing was written")
        }
        try store.refuseWithoutWriteRights()
    }

    /// Throws what the next write would be refused for (`write(_:)`), writing nothing: for
    /// a command that asks the API before it writes, so that it asks nothing of it for books
    /// that would refuse to keep the answer (`fetch` sent GET /key first).
    public func checkWritable() throws {
        guard !store.tablesPending else { return }
        let first = !checked.withLock { $0 }
        if first { try refuseMissingGuards() }
        let witnessed = first ? try store.witnessedHeads() : []
        _ = try store.read { transaction in
            try AppendSession.chainHead(in: transaction, checkingRows: first, witnessed: witnessed)
        }
    }

    /// What a write would refuse this ledger for (`write(_:)`, `AppendSession`), found
    /// without writing: its file, its guards, a newest entry that is not what its hash says, rows past
    /// its head, an entry this host wrote that it no longer holds. Empty for a ledger that shows none; `verify` checks everything. For
    /// `status`, which read a ledger writers refuse and said nothing (probe 153).
    public func damageSigns() throws -> [String] {
        let guards = try store.guards().writeProblems
        return try guards + store.read { transaction in
            let newest = try transaction.headEntry()
            return [AppendSession.headProblem(newest), AppendSession.rowsProblem(try transaction.newestRowSeq(), head: newest?.seq ?? 0),
                    try AppendSession.witnessProblem(try store.witnessedHeads(), in: transaction)].compactMap { $0 }
        }
    }

    /// Runs `body` in one read transaction (a consistent view while others write).
    public func read<T: Sendable>(_ body: (LedgerReader) throws -> T) throws -> T {
        try store.read { try body(LedgerReader($0)) }
    }

    /// What `first` and `second` read, as one read transaction would give it, with
    /// `second` read on another core at the same time when the store can open a second
    /// reader (`report` reads a million readings alongside a million charges).
    ///
    /// Two readers can see two states if a write lands between their starts; every write
    /// moves the journal's head, so both read the head too, and when the heads differ (or
    /// the second reader fails) both are read again in one transaction. A failure of the
    /// first is the read's: read again, on a session a given-up wait closed, it was said as
    /// "the connection to the server was lost" instead (probe 73's psql holding a lock).
    public func read<First: Sendable, Second: Sendable>(
        _ first: (LedgerReader) throws -> First, alongside second: @escaping @Sendable (LedgerReader) throws -> Second
    ) throws -> (First, Second) {
        if let other = store.secondReader() {
            let there = BackgroundWork { () -> (ChainHead, Second)? in
                try? other.read { transaction in (try transaction.head(), try second(LedgerReader(transaction))) }
            }
            let here = Result { try store.read { transaction in (try transaction.head(), try first(LedgerReader(transaction))) } }
            let theirs = there.wait()
            let mine = try here.get()
            if let theirs, mine.0 == theirs.0 {
                return (mine.1, theirs.1)
            }
        }
        return try store.read { transaction in
            let reader = LedgerReader(transaction)
            return (try first(reader), try second(reader))
        }
    }

    /// From now on, every wait of this ledger's statements for a lock that another session
    /// of its database holds is given up (a PostgreSQL ledger; SQLite's waits end within a
    /// few seconds anyway): the statement fails with `LedgerError.lockWaitGivenUp` naming the
    /// holders, `because` in its words (`SIGTERM`), and its transaction is rolled back, its
    /// session ended on the server. Statements that work, a commit among them, go on. For a
    /// write of one transaction asked to stop (a signal), which would otherwise wait behind
    /// another session's long statement before it could stop.
    public func giveUpLockWaits(because reason: String) {
        store.giveUpLockWaits(because: reason)
    }

    /// The hash of the newest journal entry (the genesis hash for an empty journal).
    public func headHash() throws -> String {
        try read { try $0.head().hash }
    }
}
