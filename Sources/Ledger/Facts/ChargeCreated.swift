import CreditTypes

/// A charge the API created.
public struct ChargeCreated: Sendable, Equatable {
    public var key: String
    public var chargeID: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    /// The transfer intent's call data, as canonical JSON text.
    public var callData: String?
    public var rawBody: String
    public init(key: String, chargeID: String, createdAt: Timestamp, expiresAt: Timestamp, callData: String?,
                rawBody: String) {
        self.key = key
        self.chargeID = chargeID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.callData = callData
        self.rawBody = rawBody
    }
}
