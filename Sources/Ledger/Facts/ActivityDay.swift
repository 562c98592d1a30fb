import CreditTypes

/// One completed UTC day of `GET /activity`, stored once and kept for good (the API
/// forgets it after 30 days). A day with no use is stored too, with no lines: it is then
/// known, not missing.
public struct ActivityDay: Sendable, Equatable {
    /// The UTC day.
    public var date: CivilDate
    /// When it was read.
    public var observedAt: Timestamp
    /// The key the API was asked about; `nil` for the whole account.
    public var apiKeyHash: String?
    /// The day's rows, in the order the API sent them.
    public var lines: [ActivityLine]
    /// The response body, verbatim.
    public var rawBody: String

    public init(date: CivilDate, observedAt: Timestamp, apiKeyHash: String? = nil, lines: [ActivityLine], rawBody: String) {
        self.date = date
        self.observedAt = observedAt
        self.apiKeyHash = apiKeyHash
        self.lines = lines
        self.rawBody = rawBody
    }

    /// What the day's lines add up to; `nil` when that does not fit (only a hostile answer's
    /// amounts could add up to that).
    public var usage: Micros? { ActivityLine.total(lines) }
}
