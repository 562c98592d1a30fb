import CreditTypes

/// Read queries for reconciliation, reports and `status`.
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
        /// The plan reference.
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
        /// Free text from the plan or the export.
        public let memo: String?
        /// Journal position of the entry that created or recorded it.
        public let seq: Int64
    }

    /// A top-up row that has no charge: the request was rejected, blocked, its outcome is
    /// unknown, or it is still (or was left) `requesting`.
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
        /// `rejected`, `blocked`, `unknown` or `requesting`.
        public let state: String
        /// The HTTP status the API answered, if any.
        public let httpStatus: Int64?
        /// What happened, in words.
        public let error: String?
        /// When the row reached its state (its latest journal entry's time).
        public let updatedAt: Timestamp
    }

    /// Every charge of `account`, oldest first (ties by id).
    public func charges(account: String) throws -> [ChargeRecord] {
        try db.statement(Self.chargesSQL).rows([.text(account)]) { row in
            ChargeRecord(
                chargeID: row.text(0), account: row.text(1), origin: row.text(2), topUpKey: row.optionalText(3),
                batch: row.optionalText(4), reference: row.optionalText(5), wallet: row.optionalText(6),
                chainID: row.optionalInt64(7), amount: Micros(raw: row.int64(8)),
                createdAt: try Self.time(row.text(9), "charge \(row.text(0)) created_at"),
                expiresAt: try row.optionalText(10).map { try Self.time($0, "charge \(row.text(0)) expires_at") },
                status: row.optionalText(11),
                paidAt: try row.optionalText(12).map { try Self.time($0, "charge \(row.text(0)) paid_at") },
                memo: row.optionalText(13), seq: row.int64(14))
        }
    }

    static let chargesSQL = """
        SELECT c.charge_id, c.account, c.origin, c.topup_key, t.batch, c.reference, c.wallet, c.chain_id,
               c.amount, c.created_at, c.expires_at, c.status, c.paid_at, c.memo, c.seq
        FROM charges c LEFT JOIN topups t ON t.key = c.topup_key
        WHERE c.account = ?
        ORDER BY c.created_at, c.charge_id
        """

    /// `chargesSQL` without the tie-break on `charge_id` (see `chargesForReconciliation`).
    static let chargesByCreatedSQL = """
        SELECT c.charge_id, c.account, c.origin, c.topup_key, t.batch, c.reference, c.wallet, c.chain_id,
               c.amount, c.created_at, c.expires_at, c.status, c.paid_at, c.memo, c.seq
        FROM charges c LEFT JOIN topups t ON t.key = c.topup_key
        WHERE c.account = ?
        ORDER BY c.created_at
        """

    /// Top-up rows of `account` without a charge, in the order they reached their state.
    public func chargelessTopUps(account: String) throws -> [ChargelessTopUp] {
        try db.statement(
            """
            SELECT t.key, t.account, t.batch, t.reference, t.wallet, t.chain_id, t.amount, t.memo, t.state,
                   t.http_status, t.error, json_extract(j.entry, '$.at')
            FROM topups t JOIN journal j ON j.seq = t.updated_seq
            WHERE t.account = ? AND t.charge_id IS NULL
              AND t.state IN ('rejected', 'blocked', 'unknown', 'requesting')
            ORDER BY t.updated_seq
            """
        ).rows([.text(account)]) { row in
            ChargelessTopUp(
                key: row.text(0), account: row.text(1), batch: row.text(2), reference: row.optionalText(3),
                wallet: row.text(4), chainID: row.int64(5), amount: Micros(raw: row.int64(6)),
                memo: row.optionalText(7), state: row.text(8), httpStatus: row.optionalInt64(9),
                error: row.optionalText(10), updatedAt: try Self.time(row.text(11), "top-up \(row.text(0)) time"))
        }
    }

    /// The newest time recorded in the journal (`nil` when it is empty): the as-of time of
    /// a report, so the same ledger always gives the same report, whatever the clock says.
    public func newestJournalTime() throws -> Timestamp? {
        guard let text = try db.scalarText("SELECT max(json_extract(entry, '$.at')) FROM journal") else { return nil }
        return try Self.time(text, "journal time")
    }

    private static func time(_ text: String, _ what: String) throws -> Timestamp {
        do { return try Timestamp(iso8601: text) } catch {
            throw LedgerError.malformedEntry("\(what) is an unreadable time \"\(text)\"")
        }
    }
}
