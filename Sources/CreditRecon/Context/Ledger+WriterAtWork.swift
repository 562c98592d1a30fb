import Ledger

extension Ledger {
    /// The writer at work on this ledger, asked before its books are read by a command that
    /// does not hold the lock, so the rows a writer has put in are its: those its top-up is
    /// planning or sending are in flight, not unknown or to send (probe 410); `nil` when none
    /// is, or when that cannot be told (the rows are then judged as without one).
    public var writerAtWork: RunningWriter? {
        (try? runningWriter()) ?? nil
    }
}
