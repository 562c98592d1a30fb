import CreditTypes

/// How many charges in one state are still open, and for how much.
public struct OpenCharges: Sendable, Equatable {
    /// How many.
    public var count = 0
    /// Their total amount.
    public var amount = Micros.zero

    /// None.
    public init() {}

    /// `count` charges of `amount` in all.
    public init(count: Int, amount: Micros) {
        self.count = count
        self.amount = amount
    }

    /// The charges of `lines`, and their total.
    init(_ lines: [ChargeLine]) {
        self.init()
        for line in lines { add(line.amount) }
    }

    mutating func add(_ value: Micros) {
        count += 1
        amount += value
    }
}
