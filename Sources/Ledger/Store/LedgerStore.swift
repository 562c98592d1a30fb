import CreditTypes

/// What a database must do for the ledger, and nothing more: keep the journal and the
/// projection tables, append in one transaction, answer the readers' queries, and scan the
/// journal for `verify`. Each store also has its one-writer-at-a-time lock
/// (`StoreWriterLock`), which `Ledger.lockWriter(at:)` takes.
///
/// The ledger above it encodes facts, frames and hashes entries and decides which
/// projection rows each fact changes; a store only stores and reads. `SQLiteStore` is the
/// embedded default; every store passes the same conformance suite (`LedgerTests`).
protocol LedgerStore: AnyObject, Sendable {
    /// How errors and reports name the store: a file's path, or a URL without its password.
    var name: String { get }

    /// The migrations the ledger has not applied, by name, when it was opened to be read
    /// as it is (`MigrationRecord.readableWithout`); none when it was migrated.
    var unappliedMigrations: [String] { get }

    /// Whether the database holds no ledger yet, and gets its tables with the first write
    /// (a PostgreSQL database opened to be filled by an import): nothing to read until then.
    var tablesPending: Bool { get }

    /// Runs `body` in one write transaction that holds the store's append lock: what it
    /// writes is committed together when it returns, and nothing is when it throws.
    func write<T: Sendable>(_ body: (any StoreTransaction) throws -> T) throws -> T

    /// Runs `body` in one read transaction: one consistent state, without waiting for
    /// writers.
    func read<T: Sendable>(_ body: (any StoreTransaction) throws -> T) throws -> T

    /// `read(_:)` with an empty scratch copy of the projection tables beside the live ones,
    /// for `verify` to replay the journal into (`ProjectionTarget.replay`) and compare
    /// (`StoreTransaction.differingKeys`); the copy is dropped afterwards.
    func readReplaying<T: Sendable>(_ body: (any StoreTransaction) throws -> T) throws -> T

    /// A second store over the same data for reading on another core at the same time, or
    /// `nil` when it cannot be had. It gives up its lock waits with this one
    /// (`giveUpLockWaits(because:)`).
    func secondReader() -> (any LedgerStore)?

    /// From now on, every statement of this store waiting for a lock that another session
    /// of the database holds gives up, failing with `LedgerError.lockWaitGivenUp` and its
    /// transaction rolled back; statements that work, a commit among them, go on.
    func giveUpLockWaits(because reason: String)

    /// Tells the writer lock this process holds on the store's database, if any, that it
    /// started `runs` (committed), so that `Ledger.runningWriter(at:)` can name them; a
    /// lock that cannot be told is left as it is (it only words `status`).
    func announce(runs: [Int64])

    /// The writer at work on the store's database now (`Ledger.runningWriter(at:)`), asked
    /// without another login where the store has a connection to ask on.
    func runningWriter() throws(WriterUnseen) -> RunningWriter?

    /// The database's own check of its files and of the triggers that keep the journal and
    /// the readings append-only (`StoreCheck`).
    func check() throws -> StoreCheck

    /// Throws when the database would refuse this user a write the ledger makes, before
    /// anything is written: a right missing on one table let the writes before it commit
    /// (PostgreSQL's privileges; a SQLite file this process may not write is found as it
    /// opens).
    func refuseWithoutWriteRights() throws

    /// The newest entry this host's writers committed, as kept outside the database (a
    /// SQLite ledger's `HeadWitness`, beside its file and its name), or none where none is kept (PostgreSQL, whose books
    /// several hosts write: its statistics count rows deleted, `StoreCheck.bypassed`).
    func witnessedHeads() throws(LedgerError) -> [WitnessedHead]

    /// Keeps `head` as the newest entry this host's writers committed, after a commit.
    func witness(_ head: ChainHead)

    /// The guards alone (`StoreCheck`'s triggers, foreign triggers and rules, row-level
    /// security, bypassed triggers), read from the database's catalog without reading its
    /// tables, and what is wrong with its file that the database does not look at
    /// (`StoreCheck.file`): what a writer asks before its first write.
    func guards() throws -> StoreCheck

    /// The ledger's tables (the journal's and the projections', `Schema.projectionTableKeys`)
    /// that the database does not have: dropped behind the ledger's back.
    func missingTables() throws -> [String]

    /// The ledger's tables that the database holds with another definition than the
    /// migrations give them (made again without their keys, a column added or dropped, an
    /// index dropped, or added that can refuse a row), each with what differs, in the order
    /// of `Schema.ledgerTables`.
    func reshapedTables() throws -> [ReshapedTable]
}

/// A ledger table the database holds otherwise than the migrations make it, and what
/// differs, in words (`lacks index ON charges USING btree (…)`): `verify` said only that a
/// table differed, and an administrator compared the schemas by hand (probe 366).
struct ReshapedTable: Sendable, Equatable {
    var table: String
    var differences: [String]
}
