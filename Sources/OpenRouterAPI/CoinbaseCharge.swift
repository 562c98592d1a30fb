import CreditTypes

/// A charge created by `POST /credits/coinbase`: a payment intent the wallet must pay
/// before `expiresAt` for credits to arrive.
public struct CoinbaseCharge: Sendable, Equatable {
    /// The charge id.
    public let id: String
    /// When the API created it.
    public let createdAt: Timestamp
    /// When it stops accepting payment.
    public let expiresAt: Timestamp
    /// `web3_data.transfer_intent.metadata.chain_id`, when present.
    public let chainID: Int64?
    /// `web3_data.transfer_intent.call_data` as compact JSON with sorted keys, when present.
    public let callDataJSON: String?
    /// `web3_data.transfer_intent.metadata.sender`: the wallet the charge expects to pay it,
    /// when present.
    public let sender: String?
    /// `web3_data.transfer_intent.call_data.recipient_amount`: what the wallet is asked to
    /// pay the recipient, in USDC's base units (millionths, so micro-USD), when present.
    public let recipientAmount: Micros?
    /// The response body, verbatim, for the ledger.
    public let rawBody: String

    /// A charge from its parts.
    public init(id: String, createdAt: Timestamp, expiresAt: Timestamp, chainID: Int64?, callDataJSON: String?,
                sender: String? = nil, recipientAmount: Micros? = nil, rawBody: String) {
        self.id = id
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.chainID = chainID
        self.callDataJSON = callDataJSON
        self.sender = sender
        self.recipientAmount = recipientAmount
        self.rawBody = rawBody
    }
}
