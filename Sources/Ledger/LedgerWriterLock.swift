/// The ledger's one-writer-at-a-time lock, taken with `Ledger.lockWriter(at:)` and held
/// until this object is released.
public final class LedgerWriterLock: Sendable {
    private let lock: any StoreWriterLock

    init(_ lock: any StoreWriterLock) { self.lock = lock }

    /// Takes away what the lock would leave if the process ended now by a signal (a lock
    /// file beside a ledger never made): for a command about to die of one, at a prompt.
    public func tidyBeforeDying() { lock.tidyBeforeDying() }
}
