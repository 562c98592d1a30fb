/// A recorded charge taken out of the books: recorded by mistake (an amount in cents, the
/// wrong account, a charge that was never paid), so the ledger, append-only, says it was
/// wrong instead of changing it. The charge's record stays in the journal; its row is kept
/// under another id (`voidedID`), out of every reckoning, and its id is free for the right
/// record.
public struct ChargeVoided: Sendable, Equatable {
    public var chargeID: String
    /// Why, in the words of who voided it.
    public var reason: String

    public init(chargeID: String, reason: String) {
        self.chargeID = chargeID
        self.reason = reason
    }

    /// The id a charge voided by entry `seq` is kept under: no charge id is, since ids hold
    /// no space.
    public static func voidedID(_ chargeID: String, seq: Int64) -> String {
        "\(chargeID) (voided by entry \(seq))"
    }

    /// The charge id and the voiding entry of a `voidedID`, or `nil` for another id.
    public static func parse(voidedID: String) -> (chargeID: String, seq: Int64)? {
        guard voidedID.hasSuffix(")"), let open = voidedID.range(of: " (voided by entry ", options: .backwards),
              let seq = Int64(voidedID[open.upperBound..<voidedID.index(before: voidedID.endIndex)]) else { return nil }
        return (String(voidedID[..<open.lowerBound]), seq)
    }
}
