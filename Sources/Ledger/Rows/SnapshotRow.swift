import CreditTypes

/// A stored snapshot.
public struct SnapshotRow: Sendable, Equatable {
    public let id: Int64
    public let account: String
    public let observedAt: Timestamp
    public let totalCredits: Micros
    public let totalUsage: Micros
    public let source: String
    public let runID: Int64?
}
