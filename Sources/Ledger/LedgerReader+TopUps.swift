import CreditTypes

/// Read queries for the top-up flow and charge imports.
extension LedgerReader {
    /// The top-up with idempotency key `key`, if any.
    public func topUp(key: String) throws -> StoredTopUp? {
        try db.statement("\(StoredTopUp.select) WHERE key = ?").first([.text(key)], StoredTopUp.init(row:))
    }

    /// The top-up of `account` whose plan row had reference `reference`, if any.
    public func topUp(account: String, reference: String) throws -> StoredTopUp? {
        try db.statement("\(StoredTopUp.select) WHERE account = ? AND reference = ? ORDER BY id LIMIT 1")
            .first([.text(account), .text(reference)], StoredTopUp.init(row:))
    }

    /// Top-ups in `state` (`planned`, `requesting`, …), oldest first.
    public func topUps(state: String) throws -> [StoredTopUp] {
        try db.statement("\(StoredTopUp.select) WHERE state = ? ORDER BY id").rows([.text(state)], StoredTopUp.init(row:))
    }

    /// Every top-up, oldest first.
    public func allTopUps() throws -> [StoredTopUp] {
        try db.statement("\(StoredTopUp.select) ORDER BY id").rows([], StoredTopUp.init(row:))
    }

    /// The charge with id `chargeID`, if any.
    public func charge(id chargeID: String) throws -> StoredCharge? {
        try db.statement("\(StoredCharge.select) WHERE charge_id = ?").first([.text(chargeID)], StoredCharge.init(row:))
    }

    /// Number of charges (all accounts, all origins).
    public func chargeCount() throws -> Int64 {
        try db.scalarInt("SELECT count(*) FROM charges") ?? 0
    }
}

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

    static let select = """
        SELECT key, account, batch, reference, wallet, chain_id, amount, memo, plan_file, plan_line, state, attempts,
            charge_id, http_status, error FROM topups
        """

    init(row: Statement) throws {
        key = row.text(0)
        account = row.text(1)
        batch = row.text(2)
        reference = row.optionalText(3)
        wallet = row.text(4)
        chainID = row.int64(5)
        amount = Micros(raw: row.int64(6))
        memo = row.optionalText(7)
        planFile = row.text(8)
        planLine = row.int64(9)
        state = row.text(10)
        attempts = row.int64(11)
        chargeID = row.optionalText(12)
        httpStatus = row.optionalInt64(13)
        error = row.optionalText(14)
    }
}

/// A stored charge, created through the API or recorded from an export.
public struct StoredCharge: Sendable, Equatable {
    public let chargeID: String
    public let account: String
    /// `api` or `import`.
    public let origin: String
    public let topUpKey: String?
    public let reference: String?
    public let wallet: String?
    public let chainID: Int64?
    public let amount: Micros
    public let createdAt: String
    public let expiresAt: String?
    public let status: String?
    public let paidAt: String?
    public let memo: String?

    static let select = """
        SELECT charge_id, account, origin, topup_key, reference, wallet, chain_id, amount, created_at, expires_at,
            status, paid_at, memo FROM charges
        """

    init(row: Statement) throws {
        chargeID = row.text(0)
        account = row.text(1)
        origin = row.text(2)
        topUpKey = row.optionalText(3)
        reference = row.optionalText(4)
        wallet = row.optionalText(5)
        chainID = row.optionalInt64(6)
        amount = Micros(raw: row.int64(7))
        createdAt = row.text(8)
        expiresAt = row.optionalText(9)
        status = row.optionalText(10)
        paidAt = row.optionalText(11)
        memo = row.optionalText(12)
    }
}
