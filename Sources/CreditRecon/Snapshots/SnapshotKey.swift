import CreditTypes

/// A reading's identity within an account: one reading per account and time.
struct SnapshotKey: Hashable {
    let account: String
    let observedAt: Timestamp
}
