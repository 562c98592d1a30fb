import CreditTypes

/// One line of a stored day of activity.
public struct ActivityLineRow: Sendable, Equatable {
    /// The day (journal entry) it belongs to.
    public let dayID: Int64
    /// Its place in the day, from 0, in the order the API sent the rows.
    public let index: Int64
    public let account: String
    public let date: CivilDate
    /// The line as it was read.
    public let line: ActivityLine
}
