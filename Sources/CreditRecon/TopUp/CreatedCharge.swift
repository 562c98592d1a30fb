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
    /// What the answer says the charge is for, where it says it: the chain, the paying
    /// wallet and the amount the wallet is asked to pay (checked against the row).
    public var chainID: Int64?
    public var sender: String?
    public var recipientAmount: Micros?

    public init(id: String, createdAt: Timestamp, expiresAt: Timestamp, callData: String?, rawBody: String,
                chainID: Int64? = nil, sender: String? = nil, recipientAmount: Micros? = nil) {
        self.id = id
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.callData = callData
        self.rawBody = rawBody
        self.chainID = chainID
        self.sender = sender
        self.recipientAmount = recipientAmount
    }
}
