import CreditTypes

/// One key of a stored listing.
public struct KeyReadingRow: Sendable, Equatable {
    /// The listing (journal entry) it belongs to.
    public let listingID: Int64
    public let account: String
    public let observedAt: Timestamp
    /// The key as it was read.
    public let key: KeyReading
}
