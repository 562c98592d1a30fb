import CreditTypes
import PostgresNIO

/// The readers' queries, in PostgreSQL. They return what the SQLite store's return, in
/// the same order (text compares bytes in both).
extension PostgresTransaction {
    private typealias Row = PostgresSession.Row

    private func rows<T>(
        _ sql: String, _ binds: PostgresBindings = PostgresBindings(), _ make: @escaping @Sendable (inout Row) throws -> T
    ) throws -> [T] {
        try session.query(sql, binds, make)
    }

    private func count(_ sql: String) throws -> Int64 {
        try session.query(sql) { try $0.int64() }.first ?? 0
    }

    private func exists(_ table: String) throws -> Bool {
        try session.query("SELECT EXISTS (SELECT 1 FROM \(Self.s).\(table))") { try $0.bool() }.first ?? false
    }

    static func binds(_ values: String...) -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { binds.append(value) }
        return binds
    }

    func journalCount() throws -> Int64 {
        try count("SELECT count(*) FROM \(Self.s).journal")
    }

    func entryHash(seq: Int64) throws -> String? {
        var binds = PostgresBindings()
        binds.append(seq)
        return try rows("SELECT hash FROM \(Self.s).journal WHERE seq = $1", binds) { try $0.text() }.first
    }

    func tablesWithRows() throws -> [String] {
        try Schema.ledgerTables.filter { try exists($0) }
    }

    /// Read off the journal's index of entry times (`PostgresSchema.entryTime`).
    func newestEntryTime() throws -> Timestamp? {
        try session.query("SELECT max(\(PostgresSchema.entryTime)) FROM \(Self.s).journal") { row in
            try row.optionalTime(of: "the newest journal entry")
        }.first ?? nil
    }

    // MARK: Readings

    private static let snapshotColumns = "SELECT id, account, observed_at, total_credits, total_usage, source, run_id FROM \(s).snapshots"

    func snapshot(account: String, observedAt: Timestamp) throws -> SnapshotRow? {
        try snapshotRows("\(Self.snapshotColumns) WHERE account = $1 AND observed_at = $2", Self.binds(account, observedAt.iso8601)).first
    }

    /// In the order of the `(account, observed_at)` key, which is unique: no tie to break,
    /// and the rows come straight off the index, unsorted.
    func snapshots(account: String?) throws -> [SnapshotRow] {
        if let account {
            return try snapshotRows("\(Self.snapshotColumns) WHERE account = $1 ORDER BY observed_at", Self.binds(account))
        }
        return try snapshotRows("\(Self.snapshotColumns) ORDER BY account, observed_at", PostgresBindings())
    }

    /// One probe of the `(account, observed_at)` key per time, whatever the statistics say:
    /// asked as `observed_at = ANY($2)`, the planner scans the whole table when they were
    /// taken while it held a few readings, and an import into such a ledger would read every
    /// row it had written so far, once per batch.
    func snapshots(account: String, at times: [Timestamp]) throws -> [SnapshotRow] {
        guard !times.isEmpty else { return [] }
        var binds = Self.binds(account)
        binds.append(times.map(\.iso8601))
        return try snapshotRows(
            """
            SELECT s.* FROM (SELECT DISTINCT unnest($2::text[])) AS wanted (observed_at),
                LATERAL (\(Self.snapshotColumns) WHERE account = $1 AND observed_at = wanted.observed_at LIMIT 1) AS s
            ORDER BY s.observed_at
            """, binds)
    }

    func snapshots(account: String, around from: Timestamp, _ to: Timestamp) throws -> [SnapshotRow] {
        try snapshotRows(
            """
            \(Self.snapshotColumns) WHERE account = $1
                AND observed_at >= coalesce((SELECT max(observed_at) FROM \(Self.s).snapshots WHERE account = $1 AND observed_at < $2), $2)
                AND observed_at <= coalesce((SELECT min(observed_at) FROM \(Self.s).snapshots WHERE account = $1 AND observed_at > $3), $3)
            ORDER BY observed_at
            """, Self.binds(account, from.iso8601, to.iso8601))
    }

    func hasSnapshots() throws -> Bool { try exists("snapshots") }

    /// The accounts of `Schema.accountTables`, each table's found one account after another
    /// (PostgreSQL has no skip scan of its own), through an index that begins with the
    /// account: a `UNION` of the tables would read and sort every row. `runs`, small, is
    /// read whole.
    func accounts() throws -> [String] {
        let each = Schema.accountTables.map { table in
            """
            (WITH RECURSIVE a (account) AS (
                SELECT min(account) FROM \(Self.s).\(table)
                UNION ALL
                SELECT (SELECT min(account) FROM \(Self.s).\(table) WHERE account > a.account) FROM a WHERE a.account IS NOT NULL)
            SELECT account FROM a WHERE account IS NOT NULL)
            """
        }
        let runs = "SELECT account FROM \(Self.s).runs WHERE \(Schema.accountRuns)"
        return try rows((each + [runs]).joined(separator: " UNION ") + " ORDER BY 1") { try $0.text() }
    }

    private func snapshotRows(_ sql: String, _ binds: PostgresBindings) throws -> [SnapshotRow] {
        try rows(sql, binds) { row in
            let id = try row.int64()
            return SnapshotRow(
                id: id, account: try row.text(), observedAt: try row.time(of: "snapshot \(id)"),
                totalCredits: try .stored(try row.int64(), in: "snapshot \(id)"),
                totalUsage: try .stored(try row.int64(), in: "snapshot \(id)"),
                source: try row.text(), runID: try row.optionalInt64())
        }
    }

    // MARK: Runs

    func runs(limit: Int64) throws -> [RunRow] {
        var binds = PostgresBindings()
        binds.append(limit)
        return try rows("SELECT \(RunRow.columns) FROM \(Self.s).runs ORDER BY id DESC LIMIT $1", binds) { try RunRow(reading: &$0) }
    }

    func failedRuns(account: String) throws -> [RunRow] {
        try rows(
            """
            SELECT \(RunRow.columns) FROM \(Self.s).runs WHERE account = $1
              AND (outcome = 'failed' OR (outcome IS NULL AND (
                (command <> 'run' AND id < (SELECT max(id) FROM \(Self.s).runs WHERE outcome IS NOT NULL))
                OR (command = 'run' AND id < (SELECT max(id) FROM \(Self.s).runs WHERE command = 'run')))))
            ORDER BY id
            """, Self.binds(account)) { try RunRow(reading: &$0) }
    }

    // MARK: Top-ups

    private static let selectTopUps = "SELECT \(StoredTopUp.columns) FROM \(s).topups"

    func topUp(key: String) throws -> StoredTopUp? {
        try rows("\(Self.selectTopUps) WHERE key = $1", Self.binds(key)) { try StoredTopUp(reading: &$0) }.first
    }

    func topUp(account: String, reference: String) throws -> StoredTopUp? {
        try rows("\(Self.selectTopUps) WHERE account = $1 AND reference = $2 ORDER BY id LIMIT 1",
                 Self.binds(account, reference)) { try StoredTopUp(reading: &$0) }.first
    }

    func references(account: String) throws -> [String] {
        try rows("""
            SELECT reference FROM \(Self.s).topups WHERE account = $1 AND reference IS NOT NULL
            UNION SELECT reference FROM \(Self.s).charges WHERE account = $1 AND reference IS NOT NULL
              AND coalesce(status, '') <> 'void' ORDER BY 1
            """, Self.binds(account)) { try $0.text() }
    }

    func topUps(state: String) throws -> [StoredTopUp] {
        try rows("\(Self.selectTopUps) WHERE state = $1 ORDER BY id", Self.binds(state)) { try StoredTopUp(reading: &$0) }
    }

    func allTopUps() throws -> [StoredTopUp] {
        try rows("\(Self.selectTopUps) ORDER BY id") { try StoredTopUp(reading: &$0) }
    }

    func hasTopUps() throws -> Bool { try exists("topups") }

    func topUpBatches(runs: [Int64]) throws -> [LedgerReader.RunBatch] {
        guard !runs.isEmpty else { return [] }
        return try rows(
            "SELECT DISTINCT account, batch, plan_file, run_id FROM \(Self.s).topups "
                + "WHERE run_id IN (\(runs.map(String.init).joined(separator: ", ")))"
        ) { LedgerReader.RunBatch(account: try $0.text(), batch: try $0.text(), planFile: try $0.text(), runID: try $0.int64()) }
    }

    func chargelessTopUps(account: String) throws -> [LedgerReader.ChargelessTopUp] {
        try rows(
            """
            SELECT \(LedgerReader.ChargelessTopUp.columns), j.entry::json ->> 'at'
            FROM \(Self.s).topups t JOIN \(Self.s).journal j ON j.seq = t.updated_seq
            WHERE t.account = $1 AND t.charge_id IS NULL
              AND t.state IN ('planned', 'rejected', 'blocked', 'unknown', 'requesting')
            ORDER BY t.updated_seq
            """, Self.binds(account)) { try LedgerReader.ChargelessTopUp(reading: &$0) }
    }

    /// When top-up `t` was bought, as `SQLiteTransaction.topUpTime` says.
    private static let topUpTime = """
        CASE WHEN t.state = 'recorded' THEN c.created_at ELSE GREATEST(\(PostgresSchema.entryTime), c.created_at) END
        """

    func topUps(since: Timestamp) throws -> [LedgerReader.DatedTopUp] {
        try rows(
            """
            SELECT \(LedgerReader.DatedTopUp.columns), \(Self.topUpTime)
            FROM \(Self.s).topups t JOIN \(Self.s).journal j ON j.seq = t.updated_seq
              LEFT JOIN \(Self.s).charges c ON c.charge_id = t.charge_id
            WHERE t.state IN ('created', 'recorded', 'requesting', 'unknown') AND coalesce(c.status, '') <> 'expired'
              AND \(Self.topUpTime) >= $1
            ORDER BY t.id
            """, Self.binds(since.iso8601)) { try LedgerReader.DatedTopUp(reading: &$0) }
    }

    // MARK: Charges

    private static let selectCharges = "SELECT \(StoredCharge.columns) FROM \(s).charges"

    func charge(id: String) throws -> StoredCharge? {
        try rows("\(Self.selectCharges) WHERE charge_id = $1", Self.binds(id)) { try StoredCharge(reading: &$0) }.first
    }

    func charges(ids: [String]) throws -> [StoredCharge] {
        guard !ids.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(ids)
        return try rows("\(Self.selectCharges) WHERE charge_id = ANY($1)", binds) { try StoredCharge(reading: &$0) }
    }

    func charges(accounts: [String], createdAt: [String]) throws -> [StoredCharge] {
        guard !accounts.isEmpty, !createdAt.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(accounts)
        binds.append(createdAt)
        return try rows("\(Self.selectCharges) WHERE account = ANY($1) AND created_at = ANY($2)", binds) { try StoredCharge(reading: &$0) }
    }

    func unlinkedCharges(account: String?, references: [String]) throws -> [StoredCharge] {
        var binds = PostgresBindings()
        if let account { binds.append(account) } else { binds.appendNull() }
        binds.append(references)
        return try rows(
            """
            \(Self.selectCharges) WHERE ($1::text IS NULL OR account = $1) AND topup_key IS NULL AND reference = ANY($2)
              AND coalesce(status, '') <> 'void' ORDER BY seq
            """, binds
        ) { try StoredCharge(reading: &$0) }
    }

    func unlinkedCharges(wallets: [String], amounts: [Micros]) throws -> [StoredCharge] {
        var binds = PostgresBindings()
        binds.append(wallets)
        binds.append(amounts.map(\.raw))
        return try rows(
            """
            \(Self.selectCharges) WHERE topup_key IS NULL AND wallet = ANY($1) AND amount = ANY($2)
              AND coalesce(status, '') NOT IN ('expired', 'void')
            ORDER BY seq
            """, binds
        ) { try StoredCharge(reading: &$0) }
    }

    func voidedCharges() throws -> [StoredCharge] {
        try rows("\(Self.selectCharges) WHERE status = 'void' ORDER BY seq") { try StoredCharge(reading: &$0) }
    }

    func chargeCount() throws -> Int64 {
        try count("SELECT count(*) FROM \(Self.s).charges")
    }

    func hasCharges() throws -> Bool { try exists("charges") }

    /// The charges of account `$1`, oldest first (`LedgerReader.charges(account:)`): read off
    /// migration v9's index, which holds them in this order, without a sort.
    static let accountCharges = """
        SELECT charge_id, origin, topup_key, reference, wallet, chain_id, amount, created_at, expires_at,
               status, paid_at, memo, seq
        FROM \(s).charges WHERE account = $1
        ORDER BY created_at, seq
        """

    /// The account is the one asked for, not read back from every row.
    ///
    /// Each charge's plan-row batch is looked up here rather than joined in SQL: over a
    /// top-ups table with few rows or none, the planner loops over it once per charge.
    func charges(account: String) throws -> [LedgerReader.ChargeRecord] {
        // Each plan row's batch, memo (a charge without a memo of its own takes its row's) and
        // reference (`ChargeRecord.reference`).
        let known = Dictionary(
            try rows("SELECT key, batch, memo, reference FROM \(Self.s).topups WHERE account = $1", Self.binds(account)) { row in
                (try row.text(), (batch: try row.text(), memo: try row.optionalText(), reference: try row.optionalText()))
            }, uniquingKeysWith: { first, _ in first })
        var records = try rows(Self.accountCharges, Self.binds(account)) { row in
            let id = try row.text()
            let origin = try row.text()
            let topUpKey = try row.optionalText()
            let plan = topUpKey.flatMap { known[$0] }
            let reference = try row.optionalText()  // read in column order, whichever is used
            return LedgerReader.ChargeRecord(
                chargeID: id, account: account, origin: origin,
                topUpKey: topUpKey, batch: plan?.batch,
                reference: plan?.reference ?? reference, wallet: try row.optionalText(),
                chainID: try row.optionalInt64(), amount: try .stored(try row.int64(), in: "charge \(id)"),
                createdAt: try row.time(of: "charge \(id) created_at"),
                expiresAt: try row.optionalTime(of: "charge \(id) expires_at"),
                status: try row.optionalText(),
                paidAt: try row.optionalTime(of: "charge \(id) paid_at"),
                memo: try row.optionalText() ?? plan?.memo, seq: try row.int64())
        }
        // A plan row of another account (no command links one): looked up by key.
        let elsewhere = Set(records.lazy.compactMap(\.topUpKey).filter { known[$0] == nil })
        guard !elsewhere.isEmpty else { return records }
        var binds = PostgresBindings()
        binds.append(elsewhere.sorted())
        let found = Dictionary(
            try rows("SELECT key, batch, memo, reference FROM \(Self.s).topups WHERE key = ANY($1)", binds) { row in
                (try row.text(), (batch: try row.text(), memo: try row.optionalText(), reference: try row.optionalText()))
            }, uniquingKeysWith: { first, _ in first })
        for index in records.indices {
            if let key = records[index].topUpKey, let plan = found[key] {
                records[index] = records[index].carrying(batch: plan.batch, memo: plan.memo, reference: plan.reference)
            }
        }
        return records
    }
}
