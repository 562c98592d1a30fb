import CreditTypes

/// A stored reading of every key (`GET /keys`); its keys are `KeyReadingRow`s.
public struct KeyListingRow: Sendable, Equatable {
    /// The journal entry that recorded it.
    public let id: Int64
    public let account: String
    public let observedAt: Timestamp
    public let keyCount: Int64
    /// Pages read (the last one empty).
    public let pageCount: Int64
    public let runID: Int64?
}
