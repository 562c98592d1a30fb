import CreditTypes

/// What an export says later of a charge already in the ledger: whether it was paid, and
/// when. A charge this tool created through the API (`charge.created`) has neither, and
/// one recorded as pending (`charge.recorded`) learns them this way; they pin the payment
/// to the credit increase that holds `paidAt`.
public struct ChargeStatusRecorded: Sendable, Equatable {
    public var chargeID: String
    /// `paid`, `expired` or `pending`, as the export says.
    public var status: String
    public var paidAt: Timestamp?
    /// Where the row came from (`charges.csv:4`).
    public var origin: String?

    public init(chargeID: String, status: String, paidAt: Timestamp?, origin: String?) {
        self.chargeID = chargeID
        self.status = status
        self.paidAt = paidAt
        self.origin = origin
    }
}
