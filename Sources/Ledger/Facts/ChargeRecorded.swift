import CreditTypes

/// A charge made elsewhere and recorded from an export.
public struct ChargeRecorded: Sendable, Equatable {
    public var chargeID: String
    public var amount: Micros
    public var wallet: String?
    public var chainID: Int64?
    public var createdAt: Timestamp
    public var expiresAt: Timestamp?
    public var reference: String?
    /// The plan row this charge carries out, when `reference` names one.
    public var topUpKey: String?
    /// `paid`, `expired` or `pending`, as the export says.
    public var status: String?
    public var paidAt: Timestamp?
    public var memo: String?
    /// Where the row came from (`charges.csv:4`).
    public var origin: String?
    public init(chargeID: String, amount: Micros, wallet: String?, chainID: Int64?, createdAt: Timestamp,
                expiresAt: Timestamp?, reference: String?, topUpKey: String?, status: String?, paidAt: Timestamp?,
                memo: String?, origin: String?) {
        self.chargeID = chargeID
        self.amount = amount
        self.wallet = wallet
        self.chainID = chainID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.reference = reference
        self.topUpKey = topUpKey
        self.status = status
        self.paidAt = paidAt
        self.memo = memo
        self.origin = origin
    }
}
