import CreditTypes

/// A stored charge, created through the API or recorded from an export.
public struct StoredCharge: Sendable, Equatable {
    public let chargeID: String
    public let account: String
    /// `api` or `import`.
    public let origin: String
    public let topUpKey: String?
    public let reference: String?
    public let wallet: String?
    public let chainID: Int64?
    public let amount: Micros
    public let createdAt: String
    public let expiresAt: String?
    public let status: String?
    public let paidAt: String?
    public let memo: String?
}
