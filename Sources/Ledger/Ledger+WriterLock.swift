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

}
