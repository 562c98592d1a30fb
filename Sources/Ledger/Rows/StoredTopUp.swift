import CreditTypes

/// A top-up (plan row) and where it stands.
public struct StoredTopUp: Sendable, Equatable {
    public let key: String
    public let account: String
    public let batch: String
    public let reference: String?
    public let wallet: String
    public let chainID: Int64
    public let amount: Micros
    public let memo: String?
    public let planFile: String
    public let planLine: Int64
    /// `planned`, `requesting`, `created`, `rejected`, `blocked`, `unknown` or `recorded`.
    public let state: String
    /// How many requests were started for it.
    public let attempts: Int64
    public let chargeID: String?
    public let httpStatus: Int64?
    public let error: String?
    /// The run that last planned or sent it (`nil` for a row of a ledger older than runs).
    public let runID: Int64?
}
