import CreditTypes

/// A stored day of activity; its lines are `ActivityLineRow`s.
public struct ActivityDayRow: Sendable, Equatable {
    /// The journal entry that recorded it.
    public let id: Int64
    public let account: String
    public let date: CivilDate
    /// The key the API was asked about; `nil` for the whole account.
    public let apiKeyHash: String?
    public let observedAt: Timestamp
    public let lineCount: Int64
    public let runID: Int64?
}
