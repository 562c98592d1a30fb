import CreditTypes

/// A charge the API created, as the ledger keeps it.
public struct CreatedCharge: Sendable, Equatable {
    public var id: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    /// The transfer intent's call data as JSON text.
    public var callData: String?
    /// The response body, verbatim.
    public var rawBody: String

    public init(id: String, createdAt: Timestamp, expiresAt: Timestamp, callData: String?, rawBody: String) {
        self.id = id
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.callData = callData
        self.rawBody = rawBody
    }
}
