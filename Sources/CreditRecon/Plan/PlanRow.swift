import CreditTypes

/// One valid plan row: a top-up to request.
public struct PlanRow: Sendable, Equatable {
    /// The line the row starts on.
    public var line: Int
    /// The paying wallet, checksummed.
    public var wallet: EthereumAddress
    public var chain: Chain
    /// More than 0, at most 2 decimals, at most `--max-amount`.
    public var amount: Micros
    /// The row's idempotency key when given; unique within the plan.
    public var reference: String?
    public var memo: String?
    /// The row's `account`, else `--account`.
    public var account: String

    public init(line: Int, wallet: EthereumAddress, chain: Chain, amount: Micros, reference: String?, memo: String?,
                account: String) {
        self.line = line
        self.wallet = wallet
        self.chain = chain
        self.amount = amount
        self.reference = reference
        self.memo = memo
        self.account = account
    }
}
