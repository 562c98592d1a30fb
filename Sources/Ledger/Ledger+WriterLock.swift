extension Ledger {
    /// Takes the one-writer-at-a-time lock of the ledger at `location`, or throws at once
    /// (`LedgerError.writerBusy`, naming the holder, when another writer has it). Writing
    /// commands take it before opening the ledger, so a missing ledger is created under it;
    /// it is released when the returned object is.
    ///
    /// The ledger need not exist yet. For a SQLite ledger (a file path) the lock is
    /// `<location>.lock` beside it; for a PostgreSQL ledger, a session advisory lock of the
    /// database, held on a connection of its own.
    public static func lockWriter(at location: LedgerLocation) throws(LedgerError) -> LedgerWriterLock {
        switch location {
        case .file(let path): LedgerWriterLock(try SQLiteWriterLock(ledgerPath: path))
        case .postgres(let database): LedgerWriterLock(try PostgresWriterLock(database))
        }
    }

    /// The writer at work on the ledger at `location` now, without taking or waiting for its
    /// lock, or `nil` when none is. Throws `WriterUnseen` when that cannot be told (a SQLite
    /// lock file of another user's, a server that does not answer). For `status`, which
    /// tells rows a running top-up is sending from rows nobody will: the answer may be stale
    /// at once, so it only ever words a report, never decides a write.
    public static func runningWriter(at location: LedgerLocation) throws(WriterUnseen) -> RunningWriter? {
        switch location {
        case .file(let path): try SQLiteWriterLock.runningWriter(ledgerPath: path)
        case .postgres(let database): try PostgresWriterLock.runningWriter(database)
        }
    }

    /// `runningWriter(at:)` of this ledger, asked on its own connection (no other login):
    /// before its books are read, so the rows a writer has put in are its.
    public func runningWriter() throws(WriterUnseen) -> RunningWriter? {
        try store.runningWriter()
    }
}
