import CreditTypes
import PostgresNIO

/// The readers' queries, in PostgreSQL. They return what the SQLite store's return, in
/// the same order (text compares bytes in both).
extension PostgresTransaction {
    private typealias Row = PostgresSession.Row

    private func rows<T>(
        _ sql: String, _ binds: PostgresBindings = PostgresBindings(), _ make: @escaping @Sendable (Row) throws -> T
    ) throws -> [T] {
        try session.query(sql, binds, make)
    }

    private func count(_ sql: String) throws -> Int64 {
        try session.query(sql).first?.int64(0) ?? 0
    }

    private func exists(_ table: String) throws -> Bool {
        try session.query("SELECT EXISTS (SELECT 1 FROM \(Self.s).\(table))").first?.bool(0) ?? false
    }

    static func binds(_ values: String...) -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { binds.append(value) }
        return binds
    }

    static func time(_ row: PostgresSession.Row, _ column: Int, _ what: @autoclosure () throws -> String) throws -> Timestamp {
        guard let time = row.time(column) else {
            throw LedgerError.malformedEntry("\(try what()) is an unreadable time \"\((try? row.text(column)) ?? "NULL")\"")
        }
        return time
    }

    func journalCount() throws -> Int64 {
        try count("SELECT count(*) FROM \(Self.s).journal")
    }

    /// Every entry begins `{"account":"…","at":"…"` (canonical key order; a quote inside
    /// the account is escaped, so the first `","at":"` ends it), and times are written the
    /// one way the journal writes them, so the newest sorts last as bytes. Read from there,
    /// without parsing the entries as JSON.
    func newestEntryTime() throws -> Timestamp? {
        let at = "split_part(substr(entry, position('\",\"at\":\"' IN entry) + 8, 40), '\"', 1)"
        guard let row = try session.query("SELECT max(\(at) COLLATE \"C\") FROM \(Self.s).journal").first,
              !row.isNull(0) else { return nil }
        return try Self.time(row, 0, "the newest journal time")
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

    func snapshots(account: String, at times: [Timestamp]) throws -> [SnapshotRow] {
        guard !times.isEmpty else { return [] }
        var binds = Self.binds(account)
        binds.append(times.map(\.iso8601))
        return try snapshotRows("\(Self.snapshotColumns) WHERE account = $1 AND observed_at = ANY($2) ORDER BY observed_at", binds)
    }

    func hasSnapshots() throws -> Bool { try exists("snapshots") }

    func accounts() throws -> [String] {
        try rows(Schema.accountsQuery(in: Self.s)) { try $0.text(0) }
    }

    private func snapshotRows(_ sql: String, _ binds: PostgresBindings) throws -> [SnapshotRow] {
        try rows(sql, binds) { row in
            let id = try row.int64(0)
            return SnapshotRow(
                id: id, account: try row.text(1), observedAt: try Self.time(row, 2, "snapshot \(id)'s time"),
                totalCredits: Micros(raw: try row.int64(3)), totalUsage: Micros(raw: try row.int64(4)),
                source: try row.text(5), runID: try row.optionalInt64(6))
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

    private static func run(_ row: Row) throws -> RunRow {
        RunRow(
            id: try row.int64(0), account: try row.text(1), command: try row.text(2), startedAt: try row.text(3),
            finishedAt: try row.optionalText(4), outcome: try row.optionalText(5), exitCode: try row.optionalInt64(6),
            summary: try row.optionalText(7))
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

    private static func topUp(_ row: Row) throws -> StoredTopUp {
        StoredTopUp(
            key: try row.text(0), account: try row.text(1), batch: try row.text(2), reference: try row.optionalText(3),
            wallet: try row.text(4), chainID: try row.int64(5), amount: Micros(raw: try row.int64(6)),
            memo: try row.optionalText(7), planFile: try row.text(8), planLine: try row.int64(9), state: try row.text(10),
            attempts: try row.int64(11), chargeID: try row.optionalText(12), httpStatus: try row.optionalInt64(13),
            error: try row.optionalText(14))
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
            LedgerReader.ChargelessTopUp(
                key: try row.text(0), account: try row.text(1), batch: try row.text(2), reference: try row.optionalText(3),
                wallet: try row.text(4), chainID: try row.int64(5), amount: Micros(raw: try row.int64(6)),
                memo: try row.optionalText(7), state: try row.text(8), httpStatus: try row.optionalInt64(9),
                error: try row.optionalText(10), updatedAt: try Self.time(row, 11, "top-up \(try row.text(0)) time"))
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

    private static func storedCharge(_ row: Row) throws -> StoredCharge {
        StoredCharge(
            chargeID: try row.text(0), account: try row.text(1), origin: try row.text(2), topUpKey: try row.optionalText(3),
            reference: try row.optionalText(4), wallet: try row.optionalText(5), chainID: try row.optionalInt64(6),
            amount: Micros(raw: try row.int64(7)), createdAt: try row.text(8), expiresAt: try row.optionalText(9),
            status: try row.optionalText(10), paidAt: try row.optionalText(11), memo: try row.optionalText(12))
    }

    func chargeCount() throws -> Int64 {
        try count("SELECT count(*) FROM \(Self.s).charges")
    }

    func hasCharges() throws -> Bool { try exists("charges") }

    func charges(account: String) throws -> [LedgerReader.ChargeRecord] {
        try rows(
            """
            SELECT c.charge_id, c.account, c.origin, c.topup_key, t.batch, c.reference, c.wallet, c.chain_id,
                   c.amount, c.created_at, c.expires_at, c.status, c.paid_at, c.memo, c.seq
            FROM \(Self.s).charges c LEFT JOIN \(Self.s).topups t ON t.key = c.topup_key
            WHERE c.account = $1
            ORDER BY c.created_at, c.charge_id
            """, Self.binds(account)
        ) { row in
            let id = try row.text(0)
            return LedgerReader.ChargeRecord(
                chargeID: id, account: try row.text(1), origin: try row.text(2),
                topUpKey: try row.optionalText(3), batch: try row.optionalText(4),
                reference: try row.optionalText(5), wallet: try row.optionalText(6),
                chainID: try row.optionalInt64(7), amount: Micros(raw: try row.int64(8)),
                createdAt: try Self.time(row, 9, "charge \(id) created_at"),
                expiresAt: row.isNull(10) ? nil : try Self.time(row, 10, "charge \(id) expires_at"),
                status: try row.optionalText(11),
                paidAt: row.isNull(12) ? nil : try Self.time(row, 12, "charge \(id) paid_at"),
                memo: try row.optionalText(13), seq: try row.int64(14))
        }
    }
}
