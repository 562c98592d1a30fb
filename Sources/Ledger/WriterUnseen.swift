/// Whether a writer is at work on a ledger cannot be told (`Ledger.runningWriter(at:)`):
/// its SQLite lock file cannot be read (another user's, mode 0600), or the server cannot be
/// asked. Said, never taken for "no writer": a top-up running then would be called crashed.
public struct WriterUnseen: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why, in words: `cannot read the lock file /books/l.sqlite.lock: Permission denied`.
    public let reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String { reason }
}
