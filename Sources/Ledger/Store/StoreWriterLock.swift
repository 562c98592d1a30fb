/// A store's one-writer-at-a-time lock (CONTRACT.md: a second writer exits 75 at once,
/// naming the holder), held for as long as this object lives and released when it is.
///
/// Each store takes it its own way (`Ledger.lockWriter(at:)` picks it): SQLite with a `flock`
/// on a file beside the ledger, a database server with a lock on a session of its own that
/// names the holder. Whatever the way, the lock must fall when the holding process dies,
/// so a crashed writer never leaves a stale lock behind.
protocol StoreWriterLock: AnyObject, Sendable {
    /// What the lock leaves behind when the process is about to end by a signal, without
    /// its release (a lock file beside a ledger never made), taken away now. May be called
    /// from any thread, while the lock is held.
    func tidyBeforeDying()
}

extension StoreWriterLock {
    func tidyBeforeDying() {}
}
