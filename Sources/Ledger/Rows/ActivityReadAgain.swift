import CreditTypes

/// A day of activity read again: the API answered other rows for it than the ledger held,
/// and both readings are kept.
public struct ActivityReadAgain: Sendable, Equatable {
    /// The newer reading.
    public let reading: ActivityDayRow
    /// What its lines add up to (`nil` when that does not fit).
    public let usage: Micros?
    /// The reading it took the place of.
    public let earlier: ActivityDayRow
    /// What the earlier reading's lines add up to.
    public let earlierUsage: Micros?
}
