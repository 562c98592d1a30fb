import CreditTypes

/// A reading of the running totals.
public struct SnapshotTaken: Sendable, Equatable {
    public var observedAt: Timestamp
    public var totalCredits: Micros
    public var totalUsage: Micros
    /// `api` or `import`.
    public var source: String
    /// Where an imported row came from (`history.csv:12`).
    public var origin: String?
    /// The API's response body, verbatim.
    public var rawBody: String?
    public init(observedAt: Timestamp, totalCredits: Micros, totalUsage: Micros, source: String,
                origin: String? = nil, rawBody: String? = nil) {
        self.observedAt = observedAt
        self.totalCredits = totalCredits
        self.totalUsage = totalUsage
        self.source = source
        self.origin = origin
        self.rawBody = rawBody
    }
}
