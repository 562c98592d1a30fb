import CSQLite
import CreditTypes

// `report` reads every reading and every charge of an account: a million rows each in the
// issue "Speed" bench. Reading them through `String`s (a heap string per 24-byte time, an
// array per time parsed, a string per repeated label) was a third of the report's time
// after the rendering was fixed. These read the same columns as bytes: times are parsed
// in place, and columns that repeat row after row (account, origin, status, source,
// batch) reuse the previous row's `String` when the bytes are the same.
extension LedgerReader {
    /// `snapshots(account:)`, read without a `String` per time.
    public func snapshotsForReconciliation(account: String) throws -> [SnapshotRow] {
        let statement = try db.statement("\(SnapshotRow.select) WHERE account = ? ORDER BY observed_at, id")
        try statement.bind([.text(account)])
        defer { sqlite3_reset(statement.handle) }
        var rows: [SnapshotRow] = []
        var accounts = RepeatedText()
        var sources = RepeatedText()
        while try statement.step() {
            let id = statement.int64(0)
            guard let observedAt = statement.time(2) else {
                throw LedgerError.malformedEntry("snapshot \(id) has an unreadable time \"\(statement.text(2))\"")
            }
            rows.append(SnapshotRow(
                id: id, account: accounts.text(statement, 1), observedAt: observedAt,
                totalCredits: Micros(raw: statement.int64(3)), totalUsage: Micros(raw: statement.int64(4)),
                source: sources.text(statement, 5), runID: statement.optionalInt64(6)))
        }
        return rows
    }

    /// `charges(account:)`, read without a `String` per time or per repeated label.
    ///
    /// SQLite walks `charges_by_created` in `created_at` order, but ordering ties by
    /// `charge_id` took a sorter over every row. Here the rows come in `created_at` order
    /// and only each run of equal `created_at` text is sorted by `charge_id` bytes (BINARY,
    /// as SQL compares them); `charge_id` is unique, so the order is the same.
    public func chargesForReconciliation(account: String) throws -> [ChargeRecord] {
        let statement = try db.statement(Self.chargesByCreatedSQL)
        try statement.bind([.text(account)])
        defer { sqlite3_reset(statement.handle) }
        var rows: [ChargeRecord] = []
        var accounts = RepeatedText()
        var origins = RepeatedText()
        var batches = RepeatedText()
        var statuses = RepeatedText()
        func time(_ column: Int32, _ what: String) throws -> Timestamp {
            guard let value = statement.time(column) else {
                let text = statement.text(column)
                throw LedgerError.malformedEntry("charge \(statement.text(0)) \(what) is an unreadable time \"\(text)\"")
            }
            return value
        }
        var runStart = 0  // first row of the run sharing the current `created_at` text
        var runCreated: [UInt8] = []
        runCreated.reserveCapacity(32)
        func closeRun() {
            guard rows.count - runStart > 1 else { return }
            rows[runStart...].sort { $0.chargeID.utf8.lexicographicallyPrecedes($1.chargeID.utf8) }
        }
        while try statement.step() {
            let created = UnsafeBufferPointer(
                start: sqlite3_column_text(statement.handle, 9), count: Int(sqlite3_column_bytes(statement.handle, 9)))
            if rows.isEmpty || !created.elementsEqual(runCreated) {
                closeRun()
                runStart = rows.count
                runCreated.removeAll(keepingCapacity: true)
                runCreated.append(contentsOf: created)
            }
            rows.append(ChargeRecord(
                chargeID: statement.text(0), account: accounts.text(statement, 1), origin: origins.text(statement, 2),
                topUpKey: statement.optionalText(3), batch: batches.optionalText(statement, 4),
                reference: statement.optionalText(5), wallet: statement.optionalText(6),
                chainID: statement.optionalInt64(7), amount: Micros(raw: statement.int64(8)),
                createdAt: try time(9, "created_at"),
                expiresAt: statement.isNull(10) ? nil : try time(10, "expires_at"),
                status: statuses.optionalText(statement, 11),
                paidAt: statement.isNull(12) ? nil : try time(12, "paid_at"),
                memo: statement.optionalText(13), seq: statement.int64(14)))
        }
        closeRun()
        return rows
    }
}

extension Statement {
    /// A text column parsed as a time in place; `nil` when it is not one (or NULL).
    func time(_ column: Int32) -> Timestamp? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Timestamp.parse(iso8601: UnsafeBufferPointer(start: bytes, count: count))
    }
}

/// The previous row's value of one text column, reused while the bytes repeat.
private struct RepeatedText {
    private var last: String?
    private var lastBytes: [UInt8] = []

    mutating func text(_ statement: Statement, _ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement.handle, column) else { return "" }
        let buffer = UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement.handle, column)))
        if let last, buffer.elementsEqual(lastBytes) { return last }
        let text = String(decoding: buffer, as: UTF8.self)
        last = text
        lastBytes = Array(buffer)
        return text
    }

    mutating func optionalText(_ statement: Statement, _ column: Int32) -> String? {
        statement.isNull(column) ? nil : text(statement, column)
    }
}

extension SnapshotRow {
    /// A row from its parts (for the byte-level reader above).
    init(
        id: Int64, account: String, observedAt: Timestamp, totalCredits: Micros, totalUsage: Micros, source: String,
        runID: Int64?
    ) {
        self.id = id
        self.account = account
        self.observedAt = observedAt
        self.totalCredits = totalCredits
        self.totalUsage = totalUsage
        self.source = source
        self.runID = runID
    }
}

extension LedgerReader {
    /// `newestJournalTime()`, read from the entries' bytes: `json_extract` parsed every
    /// entry in full, a second of a million-charge report (issue "Speed").
    ///
    /// Every entry written by the ledger begins `{"account":"…","at":"…"` (canonical key
    /// order), so the time is read from there. If any entry does not begin that way, the
    /// answer comes from `json_extract` as before.
    public func newestJournalTimeFast() throws -> Timestamp? {
        let statement = try db.statement("SELECT entry FROM journal")
        try statement.bind([])
        defer { sqlite3_reset(statement.handle) }
        var newest: [UInt8] = []
        var any = false
        while try statement.step() {
            guard let bytes = sqlite3_column_text(statement.handle, 0) else { return try newestJournalTime() }
            let entry = UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement.handle, 0)))
            guard let at = Self.envelopeTime(entry) else { return try newestJournalTime() }
            // max() over text compares bytes (BINARY), shorter first on a common prefix.
            if !any || newest.lexicographicallyPrecedes(at) {
                newest = Array(at)
                any = true
            }
        }
        guard any else { return nil }
        let text = String(decoding: newest, as: UTF8.self)
        guard let time = newest.withUnsafeBufferPointer({ Timestamp.parse(iso8601: $0) }) else { throw LedgerError.malformedEntry("journal time is an unreadable time \"\(text)\"") }
        return time
    }

    /// The `at` string of an entry beginning `{"account":"<string>","at":"<plain text>"`.
    private static func envelopeTime(_ entry: UnsafeBufferPointer<UInt8>) -> Slice<UnsafeBufferPointer<UInt8>>? {
        let opening = #"{"account":""#.utf8
        guard entry.count > opening.count, entry.starts(with: opening) else { return nil }
        var index = opening.count
        // The account string: up to the first quote not escaped.
        while index < entry.count {
            let byte = entry[index]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") { index += 2 } else { index += 1 }
        }
        let key = #"","at":""#.utf8
        guard index < entry.count, entry[index...].starts(with: key) else { return nil }
        let start = index + key.count
        var end = start
        while end < entry.count {
            let byte = entry[end]
            if byte == UInt8(ascii: "\"") { return entry[start..<end] }
            // An escape or a control character: not the plain text a time is; ask SQLite.
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            end += 1
        }
        return nil
    }
}
