import CreditTypes

extension LedgerReader {
    /// A top-up row that has no charge: the request was rejected, blocked, its outcome is
    /// unknown, it is still (or was left) `requesting`, or it was never sent (`planned`: the
    /// run stopped, or has not reached it yet).
    public struct ChargelessTopUp: Sendable, Equatable {
        /// The row's idempotency key.
        public let key: String
        /// The account label.
        public let account: String
        /// The plan batch.
        public let batch: String
        /// The plan reference.
        public let reference: String?
        /// The paying wallet.
        public let wallet: String
        /// The chain id.
        public let chainID: Int64
        /// The planned amount.
        public let amount: Micros
        /// Free text from the plan.
        public let memo: String?
        /// `planned`, `rejected`, `blocked`, `unknown` or `requesting`.
        public let state: String
        /// The HTTP status the API answered, if any.
        public let httpStatus: Int64?
        /// What happened, in words.
        public let error: String?
        /// The run that planned the row or last sent its request (`runs.id`), when one did.
        public let runID: Int64?
        /// The plan's name as the run that planned the row gave it (`plan_file`).
        public let planFile: String
        /// When the row reached its state (its latest journal entry's time).
        public let updatedAt: Timestamp
    }
}
