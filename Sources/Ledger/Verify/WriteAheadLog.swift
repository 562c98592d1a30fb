/// A log of writes beside the ledger's file that are not yet folded into it (SQLite's
/// `-wal` file), which the database reads as part of the ledger. A writer's own log is
/// part of its books; one left beside another file (a crashed writer's, beside a ledger
/// restored from a backup, or one copied from another ledger) is read as changes to this
/// ledger all the same.
public struct WriteAheadLog: Sendable, Equatable {
    /// The log's path.
    public let path: String
    /// Its length in bytes when the database was checked.
    public let bytes: Int64

    public init(path: String, bytes: Int64) {
        self.path = path
        self.bytes = bytes
    }

    /// The log beside the SQLite ledger at `ledgerPath`, when it holds writes.
    public static func beside(ledgerAt ledgerPath: String) -> WriteAheadLog? { SQLiteStore.writeAheadLog(ledgerPath) }
}
