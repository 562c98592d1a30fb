import CreditTypes

/// How many charges in one state are still open, and for how much.
public struct OpenCharges: Sendable, Equatable {
    /// How many.
    public var count = 0
    /// Their total amount.
    public var amount = Micros.zero

    /// None.
    public init() {}

    mutating func add(_ value: Micros) {
        count += 1
        amount += value
    }
}
