import CreditTypes

/// A validated plan row, keyed for idempotency.
public struct TopUpPlanned: Sendable, Equatable {
    public var key: String
    public var batch: String
    public var reference: String?
    public var wallet: String
    public var chainID: Int64
    public var amount: Micros
    public var memo: String?
    public var planFile: String
    public var planLine: Int64
    public init(key: String, batch: String, reference: String?, wallet: String, chainID: Int64, amount: Micros,
                memo: String?, planFile: String, planLine: Int64) {
        self.key = key
        self.batch = batch
        self.reference = reference
        self.wallet = wallet
        self.chainID = chainID
        self.amount = amount
        self.memo = memo
        self.planFile = planFile
        self.planLine = planLine
    }
}
