import CreditTypes

extension LedgerReader {
    /// A stored charge (created through the API or recorded from an export), with the
    /// top-up row it carries out, if any.
    public struct ChargeRecord: Sendable, Equatable {
        /// The charge's id.
        public let chargeID: String
        /// The account label.
        public let account: String
        /// `api` or `import`.
        public let origin: String
        /// The top-up key it carries out, if any.
        public let topUpKey: String?
        /// The top-up's batch, when it carries out a plan row.
        public let batch: String?
        /// The plan reference: the plan row's, for a charge that carries one out (a charge
        /// linked to its row keeps the reference it was recorded with, which may name none),
        /// else the charge's own.
        public let reference: String?
        /// The paying wallet.
        public let wallet: String?
        /// The chain id.
        public let chainID: Int64?
        /// The charge's amount.
        public let amount: Micros
        /// When the charge was created.
        public let createdAt: Timestamp
        /// When it expires, if known.
        public let expiresAt: Timestamp?
        /// `paid`, `expired`, `pending` as an export says; `nil` for API charges.
        public let status: String?
        /// When it was paid, as an export says.
        public let paidAt: Timestamp?
        /// Free text from the export, or else from the plan row the charge is for (a web-flow
        /// charge recorded for a plan row keeps the row's memo).
        public let memo: String?
        /// Journal position of the entry that created or recorded it.
        public let seq: Int64

        /// The same charge, carrying out a plan row of batch `batch`.
        func carrying(batch: String, memo planMemo: String?, reference planReference: String?) -> ChargeRecord {
            ChargeRecord(
                chargeID: chargeID, account: account, origin: origin, topUpKey: topUpKey, batch: batch,
                reference: planReference ?? reference, wallet: wallet, chainID: chainID, amount: amount, createdAt: createdAt,
                expiresAt: expiresAt, status: status, paidAt: paidAt, memo: memo ?? planMemo, seq: seq)
        }
    }
}
