import CreditTypes

/// What an export says of a charge this tool created through the API (its
/// `charge.created`): whether it was paid, and when. A charge made elsewhere carries the
/// same two in its `charge.recorded`; for the API's own charges they come later, from the
/// Coinbase export, and pin the payment to the credit increase that holds `paidAt`.
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
