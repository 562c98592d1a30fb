/// A writer seen at work on a ledger (`Ledger.runningWriter(at:)`): a command holding its
/// one-writer-at-a-time lock now.
public struct RunningWriter: Sendable, Equatable {
    /// Who holds the lock, as the lock names it: `process 1234` for a SQLite ledger,
    /// `<host> pid <pid> (from <address>)` for a PostgreSQL one; `nil` when it does not say.
    public let holder: String?
    /// The runs the writer started (their `runs.id`, oldest first), as it said once each
    /// start was committed: a `run` job's, then its stages'. Empty before its first, and
    /// for a command that starts its run in the transaction that writes everything (an
    /// import). Any other unfinished run in the ledger is not this writer's: a crashed one.
    public let runs: [Int64]

    public init(holder: String?, runs: [Int64] = []) {
        self.holder = holder
        self.runs = runs
    }
}
