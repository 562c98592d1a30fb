/// A charge recorded without the reference of the plan row it carries out (a Coinbase
/// export has none, or a typo named no row), linked to that row later, when the file is
/// imported again with the row's reference: the row is resolved (`recorded`) as the first
/// import would have done. The charge's record keeps what it was recorded with (a
/// reference that named no row too, as the export gives it, so the export imported again
/// agrees); its plan row is set, and a charge recorded without a reference takes the row's.
public struct ChargeLinked: Sendable, Equatable {
    public var chargeID: String
    /// The reference as the file gave it: the row's reference, or its key for a row without one.
    public var reference: String
    /// The plan row the charge carries out.
    public var topUpKey: String
    /// Where the row came from (`charges.csv:4`).
    public var origin: String?

    public init(chargeID: String, reference: String, topUpKey: String, origin: String?) {
        self.chargeID = chargeID
        self.reference = reference
        self.topUpKey = topUpKey
        self.origin = origin
    }
}
