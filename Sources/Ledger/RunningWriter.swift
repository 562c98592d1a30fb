/// A writer seen at work on a ledger (`Ledger.runningWriter(at:)`): a command holding its
/// one-writer-at-a-time lock now.
public struct RunningWriter: Sendable, Equatable {
    /// Who holds the lock, as the lock names it: `process 1234` for a SQLite ledger,
    /// `<host> pid <pid> (from <address>)` for a PostgreSQL one; `nil` when it does not say.
    public let holder: String?

    public init(holder: String?) { self.holder = holder }
}
