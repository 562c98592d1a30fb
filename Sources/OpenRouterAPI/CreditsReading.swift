import CreditTypes

/// One answer of `GET /credits`: the account's running totals since it opened.
public struct CreditsReading: Sendable, Equatable {
    /// All credits ever added (purchases, charges paid), exact.
    public let totalCredits: Micros
    /// All credits ever used, exact.
    public let totalUsage: Micros
    /// The response body, verbatim, for the ledger.
    public let rawBody: String

    /// A reading from its parts.
    public init(totalCredits: Micros, totalUsage: Micros, rawBody: String) {
        self.totalCredits = totalCredits
        self.totalUsage = totalUsage
        self.rawBody = rawBody
    }
}
