import CreditTypes

/// The readers' queries. Rows that `report` reads by the million (readings, charges) are
/// read as bytes: times parsed in place, and texts that repeat row after row (account,
/// origin, status, source, batch) shared with the previous row instead of made anew.
extension SQLiteTransaction {
    func journalCount() throws -> Int64 {
        try db.scalarInt("SELECT count(*) FROM journal") ?? 0
    }

    func entryHash(seq: Int64) throws -> String? {
        try db.statement("SELECT hash FROM journal WHERE seq = ?").first([.integer(seq)]) { $0.text(0) }
    }

    func tablesWithRows() throws -> [String] {
        try Schema.ledgerTables.filter { try db.scalarInt("SELECT EXISTS (SELECT 1 FROM \($0))") == 1 }
    }

    /// Every entry begins `{"account":"…","at":"…"` (canonical key order), so the time is
    /// read from there, without decoding the entry. Read once per head: the journal is
    /// append-only and its head hash chains every entry, so at the same head it is the same
    /// journal, and `report --all-accounts` reads it once, not once per account.
    func newestEntryTime() throws -> Timestamp? {
        let head = try head()
        if let newestRead, newestRead.head == head { return newestRead.time }
        let time = try scanNewestEntryTime()
        newestRead = (head, time)
        return time
    }

    private func scanNewestEntryTime() throws -> Timestamp? {
        let statement = try db.statement("SELECT seq, entry FROM journal")
        statement.reset()
        defer { statement.reset() }
        var newest: [UInt8] = []
        while try statement.step() {
            guard let at = Self.envelopeTime(statement.bytes(1)) else {
                // Said as what it is: its text was rewritten (spacing, key order), which is what
                // keeps it from beginning as credit-recon writes it (probe 257).
                throw LedgerError.malformedEntry("journal entry \(statement.int64(0)) is not written as credit-recon writes "
                    + "entries (it must begin {\"account\":…,\"at\":…}, with no space): its text was changed, its spacing or "
                    + "key order among what may be")
            }
            // Times as the journal writes them sort as bytes.
            if newest.isEmpty || newest.lexicographicallyPrecedes(at) { newest = Array(at) }
        }
        guard !newest.isEmpty else { return nil }
        guard let time = newest.withUnsafeBufferPointer({ Timestamp.parse(iso8601: $0) }) else {
            throw LedgerError.malformedEntry("the newest journal entry has an unreadable time \"\(String(decoding: newest, as: UTF8.self))\"")
        }
        return time
    }

    /// The `at` string of an entry beginning `{"account":"<string>","at":"<plain text>"`.
    private static func envelopeTime(_ entry: UnsafeBufferPointer<UInt8>) -> Slice<UnsafeBufferPointer<UInt8>>? {
        let opening = #"{"account":""#.utf8
        guard entry.count > opening.count, entry.starts(with: opening) else { return nil }
        var index = opening.count
        while index < entry.count {  // the account: up to the first quote not escaped
            let byte = entry[index]
            if byte == UInt8(ascii: "\"") { break }
            index += byte == UInt8(ascii: "\\") ? 2 : 1
        }
        let key = #"","at":""#.utf8
        guard index < entry.count, entry[index...].starts(with: key) else { return nil }
        let start = index + key.count
        var end = start
        while end < entry.count {
            let byte = entry[end]
            if byte == UInt8(ascii: "\"") { return entry[start..<end] }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            end += 1
        }
        return nil
    }

    // MARK: Readings

    private static let snapshotColumns = "SELECT id, account, observed_at, total_credits, total_usage, source, run_id FROM snapshots"

    func snapshot(account: String, observedAt: Timestamp) throws -> SnapshotRow? {
        try snapshotRows("\(Self.snapshotColumns) WHERE account = ? AND observed_at = ?", [.text(account), .text(observedAt.iso8601)]).first
    }

    func snapshots(account: String?) throws -> [SnapshotRow] {
        if let account {
            return try snapshotRows("\(Self.snapshotColumns) WHERE account = ? ORDER BY observed_at, id", [.text(account)])
        }
        return try snapshotRows("\(Self.snapshotColumns) ORDER BY account, observed_at, id", [])
    }

    func snapshots(account: String, at times: [Timestamp]) throws -> [SnapshotRow] {
        guard !times.isEmpty else { return [] }
        return try snapshotRows(
            "\(Self.snapshotColumns) WHERE account = ? AND observed_at IN (SELECT value FROM json_each(?)) ORDER BY observed_at",
            [.text(account), .text(Self.jsonArray(times.map(\.iso8601)))])
    }

    func snapshots(account: String, around from: Timestamp, _ to: Timestamp) throws -> [SnapshotRow] {
        try snapshotRows(
            """
            \(Self.snapshotColumns) WHERE account = ?1
                AND observed_at >= coalesce((SELECT max(observed_at) FROM snapshots WHERE account = ?1 AND observed_at < ?2), ?2)
                AND observed_at <= coalesce((SELECT min(observed_at) FROM snapshots WHERE account = ?1 AND observed_at > ?3), ?3)
            ORDER BY observed_at
            """, [.text(account), .text(from.iso8601), .text(to.iso8601)])
    }

    func hasSnapshots() throws -> Bool {
        try db.scalarInt("SELECT EXISTS (SELECT 1 FROM snapshots)") == 1
    }

    /// The accounts of `Schema.accountTables`, each table's found one account after another
    /// through an index that begins with the account, as `min(account)` past the last one
    /// (as the PostgreSQL store does): a `UNION` of the tables would read every row's.
    /// `runs`, small, is read whole.
    func accounts() throws -> [String] {
        let each = Schema.accountTables.map { table in
            """
            SELECT account FROM (WITH RECURSIVE a (account) AS (
                SELECT (SELECT min(account) FROM \(table))
                UNION ALL
                SELECT (SELECT min(account) FROM \(table) WHERE account > a.account) FROM a WHERE a.account IS NOT NULL)
            SELECT account FROM a WHERE account IS NOT NULL)
            """
        }
        let runs = "SELECT account FROM runs WHERE \(Schema.accountRuns)"
        return try db.statement((each + [runs]).joined(separator: " UNION ") + " ORDER BY 1").rows([]) { $0.text(0) }
    }

    private func snapshotRows(_ sql: String, _ values: [SQLValue]) throws -> [SnapshotRow] {
        var accounts = RepeatedText()
        var sources = RepeatedText()
        return try db.statement(sql).rows(values) { row in
            let id = row.int64(0)
            guard let observedAt = row.time(2) else {
                throw LedgerError.malformedEntry("snapshot \(id) has an unreadable time \"\(row.text(2))\"")
            }
            return SnapshotRow(
                id: id, account: accounts.text(row, 1), observedAt: observedAt,
                totalCredits: try .stored(row.int64(3), in: "snapshot \(id)"),
                totalUsage: try .stored(row.int64(4), in: "snapshot \(id)"),
                source: sources.text(row, 5), runID: row.optionalInt64(6))
        }
    }

    // MARK: Runs

    func runs(limit: Int64) throws -> [RunRow] {
        try db.statement("SELECT \(RunRow.columns) FROM runs ORDER BY id DESC LIMIT ?").rows([.integer(limit)], as: RunRow.self)
    }

    func failedRuns(account: String) throws -> [RunRow] {
        try db.statement(
            """
            SELECT \(RunRow.columns) FROM runs WHERE account = ?
              AND (outcome = 'failed' OR (outcome IS NULL AND (
                (command <> 'run' AND id < (SELECT max(id) FROM runs WHERE outcome IS NOT NULL))
                OR (command = 'run' AND id < (SELECT max(id) FROM runs WHERE command = 'run')))))
            ORDER BY id
            """
        ).rows([.text(account)], as: RunRow.self)
    }

    // MARK: Top-ups

    private static let selectTopUps = "SELECT \(StoredTopUp.columns) FROM topups"

    func topUp(key: String) throws -> StoredTopUp? {
        try db.statement("\(Self.selectTopUps) WHERE key = ?").first([.text(key)], as: StoredTopUp.self)
    }

    func topUp(account: String, reference: String) throws -> StoredTopUp? {
        try db.statement("\(Self.selectTopUps) WHERE account = ? AND reference = ? ORDER BY id LIMIT 1")
            .first([.text(account), .text(reference)], as: StoredTopUp.self)
    }

    func references(account: String) throws -> [String] {
        try db.statement("""
            SELECT reference FROM topups WHERE account = ?1 AND reference IS NOT NULL
            UNION SELECT reference FROM charges WHERE account = ?1 AND reference IS NOT NULL AND coalesce(status, '') <> 'void'
            ORDER BY 1
            """).rows([.text(account)]) { $0.text(0) }
    }

    func topUps(state: String) throws -> [StoredTopUp] {
        try db.statement("\(Self.selectTopUps) WHERE state = ? ORDER BY id").rows([.text(state)], as: StoredTopUp.self)
    }

    func allTopUps() throws -> [StoredTopUp] {
        try db.statement("\(Self.selectTopUps) ORDER BY id").rows(as: StoredTopUp.self)
    }

    func topUpBatches(runs: [Int64]) throws -> [LedgerReader.RunBatch] {
        guard !runs.isEmpty else { return [] }
        return try db.statement(
            "SELECT DISTINCT account, batch, plan_file, run_id FROM topups WHERE run_id IN (\(runs.map(String.init).joined(separator: ", ")))"
        ).rows([]) { LedgerReader.RunBatch(account: $0.text(0), batch: $0.text(1), planFile: $0.text(2), runID: $0.int64(3)) }
    }

    func hasTopUps() throws -> Bool {
        try db.scalarInt("SELECT EXISTS (SELECT 1 FROM topups)") == 1
    }

    func chargelessTopUps(account: String) throws -> [LedgerReader.ChargelessTopUp] {
        try db.statement(
            """
            SELECT \(LedgerReader.ChargelessTopUp.columns), json_extract(j.entry, '$.at')
            FROM topups t JOIN journal j ON j.seq = t.updated_seq
            WHERE t.account = ? AND t.charge_id IS NULL
              AND t.state IN ('planned', 'rejected', 'blocked', 'unknown', 'requesting')
            ORDER BY t.updated_seq
            """
        ).rows([.text(account)], as: LedgerReader.ChargelessTopUp.self)
    }

    /// When top-up `t` was bought (`LedgerReader.topUps(since:)`): a recorded one (bought
    /// through the web flow) at its charge's `created_at`, whenever it was recorded; another
    /// at its latest entry, or its charge's `created_at` when later.
    private static let topUpTime = """
        CASE WHEN t.state = 'recorded' THEN c.created_at
             ELSE max(json_extract(j.entry, '$.at'), coalesce(c.created_at, '')) END
        """

    func topUps(since: Timestamp) throws -> [LedgerReader.DatedTopUp] {
        try db.statement(
            """
            SELECT \(LedgerReader.DatedTopUp.columns), \(Self.topUpTime)
            FROM topups t JOIN journal j ON j.seq = t.updated_seq LEFT JOIN charges c ON c.charge_id = t.charge_id
            WHERE t.state IN ('created', 'recorded', 'requesting', 'unknown') AND coalesce(c.status, '') <> 'expired'
              AND \(Self.topUpTime) >= ?
            ORDER BY t.id
            """
        ).rows([.text(since.iso8601)], as: LedgerReader.DatedTopUp.self)
    }

    // MARK: Charges

    private static let selectCharges = "SELECT \(StoredCharge.columns) FROM charges"

    func charge(id: String) throws -> StoredCharge? {
        try db.statement("\(Self.selectCharges) WHERE charge_id = ?").first([.text(id)], as: StoredCharge.self)
    }

    func charges(ids: [String]) throws -> [StoredCharge] {
        guard !ids.isEmpty else { return [] }
        return try db.statement("\(Self.selectCharges) WHERE charge_id IN (SELECT value FROM json_each(?))")
            .rows([.text(Self.jsonArray(ids))], as: StoredCharge.self)
    }

    func charges(accounts: [String], createdAt: [String]) throws -> [StoredCharge] {
        guard !accounts.isEmpty, !createdAt.isEmpty else { return [] }
        return try db.statement(
            "\(Self.selectCharges) WHERE account IN (SELECT value FROM json_each(?)) AND created_at IN (SELECT value FROM json_each(?))"
        ).rows([.text(Self.jsonArray(accounts)), .text(Self.jsonArray(createdAt))], as: StoredCharge.self)
    }

    func unlinkedCharges(account: String?, references: [String]) throws -> [StoredCharge] {
        try db.statement(
            """
            \(Self.selectCharges) WHERE (?1 IS NULL OR account = ?1) AND topup_key IS NULL
              AND reference IN (SELECT value FROM json_each(?2)) AND coalesce(status, '') <> 'void' ORDER BY seq
            """
        ).rows([account.map { .text($0) } ?? .null, .text(Self.jsonArray(references))], as: StoredCharge.self)
    }

    func unlinkedCharges(wallets: [String], amounts: [Micros]) throws -> [StoredCharge] {
        // Two lists, each an IN SQLite looks up in a temporary index (a row-value IN of pairs
        // is a list it walks for each row); the caller pairs them.
        try db.statement(
            """
            \(Self.selectCharges) WHERE topup_key IS NULL AND amount IN (SELECT CAST(value AS INTEGER) FROM json_each(?))
              AND wallet IN (SELECT value FROM json_each(?)) AND coalesce(status, '') NOT IN ('expired', 'void')
            ORDER BY seq
            """
        ).rows([.text(Self.jsonArray(amounts.map { String($0.raw) })), .text(Self.jsonArray(wallets))], as: StoredCharge.self)
    }

    func voidedCharges() throws -> [StoredCharge] {
        try db.statement("\(Self.selectCharges) WHERE status = 'void' ORDER BY seq").rows(as: StoredCharge.self)
    }

    func chargeCount() throws -> Int64 {
        try db.scalarInt("SELECT count(*) FROM charges") ?? 0
    }

    func hasCharges() throws -> Bool {
        try db.scalarInt("SELECT EXISTS (SELECT 1 FROM charges)") == 1
    }

    /// In `created_at` order, charges created at the same moment in the order the ledger
    /// recorded them (`seq`): the oldest first, as the matcher takes them (by `charge_id`,
    /// a random id, the second charge of a plan took the first's payment, probe 129). SQLite
    /// walks `charges_by_created`, whose equal keys are in rowid (`seq`) order: no sort.
    func charges(account: String) throws -> [LedgerReader.ChargeRecord] {
        let statement = try db.statement(
            """
            SELECT c.charge_id, c.account, c.origin, c.topup_key, t.batch, coalesce(t.reference, c.reference), c.wallet, c.chain_id,
                   c.amount, c.created_at, c.expires_at, c.status, c.paid_at, coalesce(c.memo, t.memo), c.seq
            FROM charges c LEFT JOIN topups t ON t.key = c.topup_key
            WHERE c.account = ?
            ORDER BY c.created_at, c.seq
            """)
        try statement.bind([.text(account)])
        defer { statement.reset() }
        var rows: [LedgerReader.ChargeRecord] = []
        var accounts = RepeatedText(), origins = RepeatedText(), batches = RepeatedText(), statuses = RepeatedText()
        func time(_ column: Int32, _ what: String) throws -> Timestamp {
            guard let value = statement.time(column) else {
                throw LedgerError.malformedEntry(
                    "charge \(statement.text(0)) \(what) has an unreadable time \"\(statement.text(column))\"")
            }
            return value
        }
        while try statement.step() {
            let chargeID = statement.text(0)
            rows.append(LedgerReader.ChargeRecord(
                chargeID: chargeID, account: accounts.text(statement, 1), origin: origins.text(statement, 2),
                topUpKey: statement.optionalText(3), batch: batches.optionalText(statement, 4),
                reference: statement.optionalText(5), wallet: statement.optionalText(6),
                chainID: statement.optionalInt64(7), amount: try .stored(statement.int64(8), in: "charge \(chargeID)"),
                createdAt: try time(9, "created_at"),
                expiresAt: statement.isNull(10) ? nil : try time(10, "expires_at"),
                status: statuses.optionalText(statement, 11),
                paidAt: statement.isNull(12) ? nil : try time(12, "paid_at"),
                memo: statement.optionalText(13), seq: statement.int64(14)))
        }
        return rows
    }

    /// `texts` as a JSON array of strings, for `json_each`.
    private static func jsonArray(_ texts: [String]) -> String {
        var out = CanonicalWriter(capacity: texts.count * 32)
        out.array(texts) { $0.string($1) }
        return String(decoding: out.bytes, as: UTF8.self)
    }
}

/// The previous row's value of one text column, reused while the bytes repeat.
private struct RepeatedText {
    private var last: String?
    private var lastBytes: [UInt8] = []

    mutating func text(_ statement: Statement, _ column: Int32) -> String {
        let bytes = statement.bytes(column)
        if let last, lastBytes.withUnsafeBufferPointer(bytes.hasSameBytes) { return last }
        let text = String(decoding: bytes, as: UTF8.self)
        last = text
        lastBytes = Array(bytes)
        return text
    }

    mutating func optionalText(_ statement: Statement, _ column: Int32) -> String? {
        statement.isNull(column) ? nil : text(statement, column)
    }
}
