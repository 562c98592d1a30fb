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

    /// The next column of `row`, a time.
    static func time(_ row: inout PostgresSession.Row, _ what: @autoclosure () throws -> String) throws -> Timestamp {
        guard let time = try optionalTime(&row, try what()) else {
            throw LedgerError.malformedEntry("\(try what()) is an unreadable time \"NULL\"")
        }
        return time
    }

    /// The next column of `row`, a time or NULL.
    static func optionalTime(_ row: inout PostgresSession.Row, _ what: @autoclosure () throws -> String) throws -> Timestamp? {
        switch try row.time() {
        case nil: return nil
        case .time(let time): return time
        case .unreadable(let text): throw LedgerError.malformedEntry("\(try what()) is an unreadable time \"\(text)\"")
        }
    }

    func journalCount() throws -> Int64 {
        try count("SELECT count(*) FROM \(Self.s).journal")
    }

    /// Read off the journal's index of entry times (`PostgresSchema.entryTime`).
    func newestEntryTime() throws -> Timestamp? {
        try session.query("SELECT max(\(PostgresSchema.entryTime)) FROM \(Self.s).journal") { row in
            try Self.optionalTime(&row, "the newest journal time")
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

    func hasSnapshots() throws -> Bool { try exists("snapshots") }

    /// The accounts of `Schema.accountTables`, each table's found one account after another
    /// (PostgreSQL has no skip scan of its own), through an index that begins with the
    /// account where the table has one (`runs`, small, has none): a `UNION` of the tables
    /// would read and sort every row.
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
        return try rows(each.joined(separator: " UNION ") + " ORDER BY 1") { try $0.text() }
    }

    private func snapshotRows(_ sql: String, _ binds: PostgresBindings) throws -> [SnapshotRow] {
        try rows(sql, binds) { row in
            let id = try row.int64()
            return SnapshotRow(
                id: id, account: try row.text(), observedAt: try Self.time(&row, "snapshot \(id)'s time"),
                totalCredits: Micros(raw: try row.int64()), totalUsage: Micros(raw: try row.int64()),
                source: try row.text(), runID: try row.optionalInt64())
        }
    }

    // MARK: Runs

    private static let runColumns = "SELECT id, account, command, started_at, finished_at, outcome, exit_code, summary FROM \(s).runs"

    func runs(limit: Int64) throws -> [RunRow] {
        var binds = PostgresBindings()
        binds.append(limit)
        return try rows("\(Self.runColumns) ORDER BY id DESC LIMIT $1", binds, Self.run)
    }

    func failedRuns(account: String) throws -> [RunRow] {
        try rows("\(Self.runColumns) WHERE account = $1 AND outcome = 'failed' ORDER BY id", Self.binds(account), Self.run)
    }

    private static func run(_ row: inout Row) throws -> RunRow {
        RunRow(
            id: try row.int64(), account: try row.text(), command: try row.text(), startedAt: try row.text(),
            finishedAt: try row.optionalText(), outcome: try row.optionalText(), exitCode: try row.optionalInt64(),
            summary: try row.optionalText())
    }

    // MARK: Top-ups

    private static let topUpColumns = """
        SELECT key, account, batch, reference, wallet, chain_id, amount, memo, plan_file, plan_line, state, attempts,
            charge_id, http_status, error FROM \(s).topups
        """

    func topUp(key: String) throws -> StoredTopUp? {
        try rows("\(Self.topUpColumns) WHERE key = $1", Self.binds(key), Self.topUp).first
    }

    func topUp(account: String, reference: String) throws -> StoredTopUp? {
        try rows("\(Self.topUpColumns) WHERE account = $1 AND reference = $2 ORDER BY id LIMIT 1",
                 Self.binds(account, reference), Self.topUp).first
    }

    func topUps(state: String) throws -> [StoredTopUp] {
        try rows("\(Self.topUpColumns) WHERE state = $1 ORDER BY id", Self.binds(state), Self.topUp)
    }

    func allTopUps() throws -> [StoredTopUp] {
        try rows("\(Self.topUpColumns) ORDER BY id", PostgresBindings(), Self.topUp)
    }

    func hasTopUps() throws -> Bool { try exists("topups") }

    private static func topUp(_ row: inout Row) throws -> StoredTopUp {
        StoredTopUp(
            key: try row.text(), account: try row.text(), batch: try row.text(), reference: try row.optionalText(),
            wallet: try row.text(), chainID: try row.int64(), amount: Micros(raw: try row.int64()),
            memo: try row.optionalText(), planFile: try row.text(), planLine: try row.int64(), state: try row.text(),
            attempts: try row.int64(), chargeID: try row.optionalText(), httpStatus: try row.optionalInt64(),
            error: try row.optionalText())
    }

    func chargelessTopUps(account: String) throws -> [LedgerReader.ChargelessTopUp] {
        try rows(
            """
            SELECT t.key, t.account, t.batch, t.reference, t.wallet, t.chain_id, t.amount, t.memo, t.state,
                   t.http_status, t.error, j.entry::json ->> 'at'
            FROM \(Self.s).topups t JOIN \(Self.s).journal j ON j.seq = t.updated_seq
            WHERE t.account = $1 AND t.charge_id IS NULL
              AND t.state IN ('rejected', 'blocked', 'unknown', 'requesting')
            ORDER BY t.updated_seq
            """, Self.binds(account)
        ) { row in
            let key = try row.text()
            return LedgerReader.ChargelessTopUp(
                key: key, account: try row.text(), batch: try row.text(), reference: try row.optionalText(),
                wallet: try row.text(), chainID: try row.int64(), amount: Micros(raw: try row.int64()),
                memo: try row.optionalText(), state: try row.text(), httpStatus: try row.optionalInt64(),
                error: try row.optionalText(), updatedAt: try Self.time(&row, "top-up \(key) time"))
        }
    }

    // MARK: Charges

    private static let chargeColumns = """
        SELECT charge_id, account, origin, topup_key, reference, wallet, chain_id, amount, created_at, expires_at,
            status, paid_at, memo FROM \(s).charges
        """

    func charge(id: String) throws -> StoredCharge? {
        try rows("\(Self.chargeColumns) WHERE charge_id = $1", Self.binds(id), Self.storedCharge).first
    }

    func charges(ids: [String]) throws -> [StoredCharge] {
        guard !ids.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(ids)
        return try rows("\(Self.chargeColumns) WHERE charge_id = ANY($1)", binds, Self.storedCharge)
    }

    private static func storedCharge(_ row: inout Row) throws -> StoredCharge {
        StoredCharge(
            chargeID: try row.text(), account: try row.text(), origin: try row.text(), topUpKey: try row.optionalText(),
            reference: try row.optionalText(), wallet: try row.optionalText(), chainID: try row.optionalInt64(),
            amount: Micros(raw: try row.int64()), createdAt: try row.text(), expiresAt: try row.optionalText(),
            status: try row.optionalText(), paidAt: try row.optionalText(), memo: try row.optionalText())
    }

    func chargeCount() throws -> Int64 {
        try count("SELECT count(*) FROM \(Self.s).charges")
    }

    func hasCharges() throws -> Bool { try exists("charges") }

    /// The account is the one asked for, not read back from every row.
    ///
    /// Each charge's plan-row batch is looked up here rather than joined in SQL: over a
    /// top-ups table with few rows or none, the planner loops over it once per charge.
    func charges(account: String) throws -> [LedgerReader.ChargeRecord] {
        let known = Dictionary(
            try rows("SELECT key, batch FROM \(Self.s).topups WHERE account = $1", Self.binds(account)) { row in
                (try row.text(), try row.text())
            }, uniquingKeysWith: { first, _ in first })
        var records = try rows(
            """
            SELECT charge_id, origin, topup_key, reference, wallet, chain_id, amount, created_at, expires_at,
                   status, paid_at, memo, seq
            FROM \(Self.s).charges WHERE account = $1
            ORDER BY created_at, charge_id
            """, Self.binds(account)
        ) { row in
            let id = try row.text()
            let origin = try row.text()
            let topUpKey = try row.optionalText()
            return LedgerReader.ChargeRecord(
                chargeID: id, account: account, origin: origin,
                topUpKey: topUpKey, batch: topUpKey.flatMap { known[$0] },
                reference: try row.optionalText(), wallet: try row.optionalText(),
                chainID: try row.optionalInt64(), amount: Micros(raw: try row.int64()),
                createdAt: try Self.time(&row, "charge \(id) created_at"),
                expiresAt: try Self.optionalTime(&row, "charge \(id) expires_at"),
                status: try row.optionalText(),
                paidAt: try Self.optionalTime(&row, "charge \(id) paid_at"),
                memo: try row.optionalText(), seq: try row.int64())
        }
        // A plan row of another account (no command links one): looked up by key.
        let elsewhere = Set(records.lazy.compactMap(\.topUpKey).filter { known[$0] == nil })
        guard !elsewhere.isEmpty else { return records }
        var binds = PostgresBindings()
        binds.append(elsewhere.sorted())
        let found = Dictionary(
            try rows("SELECT key, batch FROM \(Self.s).topups WHERE key = ANY($1)", binds) { row in
                (try row.text(), try row.text())
            }, uniquingKeysWith: { first, _ in first })
        for index in records.indices {
            if let key = records[index].topUpKey, let batch = found[key] {
                records[index] = records[index].carrying(batch: batch)
            }
        }
        return records
    }
}
