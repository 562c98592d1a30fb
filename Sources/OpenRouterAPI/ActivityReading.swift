import CreditTypes

/// One answer of `GET /activity`: the account's (or one key's) use per UTC day × model ×
/// endpoint, for one day or for the API's whole window (the last 30 completed UTC days).
public struct ActivityReading: Sendable, Equatable {
    /// The day asked for; `nil` for the whole window.
    public let date: CivilDate?
    /// The key asked for; `nil` for the whole account.
    public let apiKeyHash: String?
    /// The rows, in the order the API sent them.
    public let rows: [ActivityRow]
    /// The response body, verbatim.
    public let rawBody: String

    /// A reading from its parts.
    public init(date: CivilDate?, apiKeyHash: String?, rows: [ActivityRow], rawBody: String) {
        self.date = date
        self.apiKeyHash = apiKeyHash
        self.rows = rows
        self.rawBody = rawBody
    }
}
