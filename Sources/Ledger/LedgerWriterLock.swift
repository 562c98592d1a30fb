/// The ledger's one-writer-at-a-time lock, taken with `Ledger.lockWriter(at:)` and held
/// until this object is released.
public final class LedgerWriterLock: Sendable {
    private let lock: any StoreWriterLock

    init(_ lock: any StoreWriterLock) { self.lock = lock }
}
