import CreditTypes

/// A charge the simulator created.
public struct SimCharge: Sendable, Equatable {
    /// The charge id.
    public var id: String
    /// The amount the wallet must pay.
    public var amount: Micros
    /// The paying wallet.
    public var sender: String
    /// The chain the wallet pays on.
    public var chainID: Int64
    /// When it was created (simulator clock).
    public var createdAt: Timestamp
    /// When it stops accepting payment.
    public var expiresAt: Timestamp
    /// When the wallet paid it, if it did.
    public var paidAt: Timestamp?

    /// A charge from its parts.
    public init(id: String, amount: Micros, sender: String, chainID: Int64, createdAt: Timestamp, expiresAt: Timestamp, paidAt: Timestamp? = nil) {
        self.id = id
        self.amount = amount
        self.sender = sender
        self.chainID = chainID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.paidAt = paidAt
    }

    /// `paid`, `expired` or `pending` at `now`.
    public func status(at now: Timestamp) -> String {
        if paidAt != nil { return "paid" }
        return now >= expiresAt ? "expired" : "pending"
    }
}
