import CSQLite

extension LedgerError {
    /// Classifies a raw SQLite failure.
    static func wrap(_ error: any Error, path: String) -> any Error {
        guard let error = error as? SQLiteError else { return error }
        if error.isDiskFull { return LedgerError.diskFull(path: path) }
        if error.isBusy { return LedgerError.busy(path: path) }
        if error.isIO {
            // A refused write whose errno SQLite did not keep (it keeps none at COMMIT):
            // say what it most often is, so the person knows where to look.
            let detail = error.isWriteRefused
                ? "\(error.message) while writing (the disk may be full, over a quota or file-size limit, or failing)"
                : error.message
            return LedgerError.io(path: path, detail: detail)
        }
        if error.code == SQLITE_ERROR, error.message.hasPrefix("no such table: ") {
            // Dropped behind the ledger's back (the schema names every table it reads).
            return LedgerError.malformedEntry("its table \(error.message.dropFirst("no such table: ".count)) is missing")
        }
        return LedgerError.store(error.description)
    }
}
