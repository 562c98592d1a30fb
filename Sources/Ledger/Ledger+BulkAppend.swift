import CSQLite
import CreditTypes

extension LedgerWriter {
    /// Appends one fact per element of `items`, in order, each recorded at `time` under
    /// `runID`.
    ///
    /// Stores exactly what calling `append(_:account:runID:at:)` once per element would
    /// store: the same entries, hashes and projection rows, in the same transaction. Only
    /// the way there differs. Snapshots and recorded charges, which imports write by the
    /// million, skip the general path's per-entry `String`s, SQL look-ups and arrays of
    /// bound values (most of a million-row import's time, issue "Speed"): each entry is
    /// written into one reused buffer, hashed there, and bound in place. Any other fact
    /// (and a charge that resolves a plan row) takes the general path.
    public mutating func append<Items: Sequence>(
        contentsOf items: Items, runID: Int64?, at time: Timestamp,
        _ fact: (Items.Element) throws -> (fact: Fact, account: String)
    ) throws {
        try append(contentsOf: items, texts: nil, runID: runID, at: time) { item in
            let (fact, account) = try fact(item)
            return (fact, account, nil)
        }
    }

    /// `append(contentsOf:runID:at:_:)` for facts whose texts (the journal's `data`, the
    /// projection's text columns) were written ahead into `texts` (see `FactTexts`): `fact`
    /// gives each element's fact with the `FactText` that `texts.append` returned for that
    /// same fact. An entry that `texts` framed and hashed ahead (`FactTexts.chain(from:)`) is
    /// taken as it is when it was framed for that very entry, after the head's very hash.
    /// Stores the same entries, hashes and rows. Afterwards a ledger still being
    /// built starts writing its pages to the disk (`Database.startWriteback`).
    public mutating func append<Items: Sequence>(
        contentsOf items: Items, texts: FactTexts?, runID: Int64?, at time: Timestamp,
        _ fact: (Items.Element) throws -> (fact: Fact, account: String, text: FactText?)
    ) throws {
        var bulk = try BulkAppender(db: db, headHash: headHash)
        defer { bulk.releaseBindings() }
        for item in items {
            let (fact, account, text) = try fact(item)
            let entry = JournalEntry(seq: headSeq + 1, recordedAt: time, account: account, runID: runID, fact: fact)
            if try bulk.append(entry, texts: texts, text: text) {
                headSeq = entry.seq
            } else {
                headHash = bulk.headHash
                try append(fact, account: account, runID: runID, at: time)
                bulk.headHash = headHash
            }
        }
        try bulk.flush()
        headHash = bulk.headHash
        entriesFramedAhead += bulk.framedAhead
        db.startWriteback()  // a new ledger's pages head for the disk while the import goes on
    }
}

/// The bulk path's statements and buffers (see `LedgerWriter.append(contentsOf:…)`).
///
/// Everything an entry needs bound (its canonical text, both hashes, the projection's
/// text columns) is packed into `texts` and bound with `SQLITE_STATIC`, so SQLite reads
/// the bytes in place instead of copying each value. Entries are written `batchRows` at
/// a time with multi-row `INSERT`s (one statement run per 64 rows instead of per row took
/// about a tenth off a million-row import, 1024 rows another 5–9 %); a kind that needs the
/// general path first writes what is
/// pending, so the order of writes is kept. The buffer is only rewritten after a batch is
/// stepped, and `releaseBindings()` clears the statements' bindings before it can go away.
struct BulkAppender {
    private enum Value {
        case integer(Int64)
        case text(offset: Int, count: Int)
        case null
    }

    /// One table's insert, for one row and for `batchRows` rows.
    private final class Insert {
        let columns: Int
        let one: Statement
        private let db: Database
        private let prefix: String
        private let row: String
        private let batchRows: Int
        /// Prepared at the first full batch (see `batchStatement()`).
        private(set) var batch: Statement?

        init(db: Database, prefix: String, row: String, columns: Int, batchRows: Int) throws {
            self.db = db
            self.columns = columns
            self.prefix = prefix
            self.row = row
            self.batchRows = batchRows
            one = try db.statement(prefix + row)
        }

        /// The multi-row statement. Preparing one of 1024 rows takes milliseconds, which a
        /// small import (fewer rows than that) never needs to spend; the connection keeps
        /// it, under a short name, for the next batch (building its text for each batch of
        /// an import, to look it up, was 1 % of the writing thread).
        func batchStatement() throws(SQLiteError) -> Statement {
            if let batch { return batch }
            let prepared = try db.statement(
                named: "bulk \(batchRows) × \(prefix)",
                sql: prefix + Array(repeating: row, count: batchRows).joined(separator: ", "))
            batch = prepared
            return prepared
        }
    }

    /// Rows per multi-row `INSERT`, at most. A million-row import ran 5–9 % faster with
    /// 1024 than with 64 (fewer statement runs and resets; issue "Speed"). Fewer when the
    /// SQLite library allows fewer bound parameters per statement (999 in old builds).
    static let maxBatchRows = 1024
    private let batchRows: Int

    private let db: Database
    private let journal: Insert
    private let snapshots: Insert
    private let charges: Insert
    /// Lower-case hex of the newest entry's hash, as UTF-8.
    private var head: [UInt8]
    /// The next entry's hash, when it was framed ahead (swapped with `head`).
    private var nextHead = [UInt8](repeating: 0, count: 64)
    /// Entries taken as framed ahead.
    private(set) var framedAhead = 0
    private var texts: [UInt8] = [0]  // never empty, so the buffer always has an address (even for "" values)
    private var journalValues: [Value] = []
    private var snapshotValues: [Value] = []
    private var chargeValues: [Value] = []
    private var pending = 0
    private var envelope = EnvelopeStart()
    private var columnStarts: [Int32] = []

    init(db: Database, headHash: String) throws {
        self.db = db
        // The widest row (a charge) binds 15 values.
        let parameters = Int(sqlite3_limit(db.handle, SQLITE_LIMIT_VARIABLE_NUMBER, -1))
        let batchRows = max(1, min(Self.maxBatchRows, parameters / 15))
        self.batchRows = batchRows
        journal = try Insert(db: db, prefix: "INSERT INTO journal (seq, kind, entry, prev_hash, hash) VALUES ",
                             row: "(?, ?, ?, ?, ?)", columns: 5, batchRows: batchRows)
        snapshots = try Insert(
            db: db,
            prefix: "INSERT INTO main.snapshots "
                + "(id, account, observed_at, total_credits, total_usage, source, origin, raw_body, run_id) VALUES ",
            row: "(?, ?, ?, ?, ?, ?, ?, ?, ?)", columns: 9, batchRows: batchRows)
        charges = try Insert(
            db: db,
            prefix: "INSERT INTO main.charges (charge_id, seq, account, origin, topup_key, reference, wallet, chain_id, "
                + "amount, created_at, expires_at, status, paid_at, memo, source, run_id) VALUES ",
            row: "(?, ?, ?, 'import', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", columns: 15, batchRows: batchRows)
        head = Array(headHash.utf8)
        texts.reserveCapacity(64 * 1024)
        journalValues.reserveCapacity(5 * batchRows)
        snapshotValues.reserveCapacity(9 * batchRows)
        chargeValues.reserveCapacity(15 * batchRows)
    }

    /// The newest entry's hash.
    var headHash: String {
        get { String(decoding: head, as: UTF8.self) }
        set { head = Array(newValue.utf8) }
    }

    /// Takes `entry` and its projection row (written by the next `flush()` at the latest)
    /// and returns `true`, or writes what is pending and returns `false` when its kind
    /// needs the general path. `factText`, from `batch`, says where its fact's texts were
    /// written ahead, and perhaps its entry framed and hashed ahead (see `FactTexts`).
    mutating func append(_ entry: JournalEntry, texts batch: FactTexts? = nil, text factText: FactText? = nil) throws -> Bool {
        switch entry.fact {
        case .snapshotTaken: break
        case .chargeRecorded(let fact) where fact.topUpKey == nil: break
        default:
            try flush()
            return false
        }
        let entryStart = texts.count
        let written = batch?.texts(of: factText)
        assert(written == nil || Self.isWritten(entry.fact, written!), "texts written ahead must be their own fact's")
        // The entry as framed and hashed ahead, when it was framed for exactly this entry
        // after exactly this head; otherwise framed and hashed here.
        let ahead = batch?.entryAhead(of: factText, for: entry, head: head)
        if let ahead, let batch {
            assert(Self.isFramed(entry, batch.framed(ahead)), "an entry framed ahead must be the one the writer would frame")
            batch.appendEntry(ahead, to: &texts, head: &nextHead)
            framedAhead += 1
        } else {
            guard entry.writeFastCanonical(into: &texts, envelope: &envelope, data: written?.data) else {
                try flush()
                return false
            }
        }
        let entryCount = texts.count - entryStart
        journalValues.append(.integer(entry.seq))
        journalValues.append(text(entry.fact.kind))
        journalValues.append(.text(offset: entryStart, count: entryCount))
        journalValues.append(.text(offset: texts.count, count: head.count))
        texts.append(contentsOf: head)
        // hash = SHA-256(prev_hash ‖ entry), as `JournalEntry.chainHash` computes it.
        if ahead != nil {
            swap(&head, &nextHead)
        } else {
            texts.withUnsafeBytes { advanceChainHash(&head, entry: UnsafeRawBufferPointer(rebasing: $0[entryStart..<(entryStart + entryCount)])) }
        }
        journalValues.append(.text(offset: texts.count, count: head.count))
        texts.append(contentsOf: head)

        // The projection row: its text columns as written ahead, or written now.
        let columnsStart = texts.count
        columnStarts.removeAll(keepingCapacity: true)
        if let written {
            texts.append(contentsOf: written.columns)
            columnStarts.append(contentsOf: written.columnStarts)
        } else {
            Self.writeProjectionTexts(of: entry.fact, into: &texts, starts: &columnStarts, dates: &envelope.dates)
        }
        // Each column's text ends with the NUL just before the next column's text (or the
        // end), so its length is known without SQLite looking for the NUL (`strlen` was 2 %
        // of the writing thread).
        let columnsCount = texts.count - columnsStart
        func column(_ index: Int) -> Value {
            let start = Int(columnStarts[index])
            guard start >= 0 else { return .null }
            var end = columnsCount
            for later in (index + 1)..<columnStarts.count where columnStarts[later] >= 0 {
                end = Int(columnStarts[later])
                break
            }
            return .text(offset: columnsStart + start, count: end - start - 1)
        }
        let run: Value = entry.runID.map(Value.integer) ?? .null
        switch entry.fact {
        case .snapshotTaken(let fact):
            snapshotValues.append(.integer(entry.seq))
            snapshotValues.append(text(entry.account))
            snapshotValues.append(column(0))  // observed_at
            snapshotValues.append(.integer(fact.totalCredits.raw))
            snapshotValues.append(.integer(fact.totalUsage.raw))
            snapshotValues.append(column(1))  // source
            snapshotValues.append(column(2))  // origin
            snapshotValues.append(column(3))  // raw_body
            snapshotValues.append(run)
        case .chargeRecorded(let fact):
            chargeValues.append(column(0))  // charge_id
            chargeValues.append(.integer(entry.seq))
            chargeValues.append(text(entry.account))
            chargeValues.append(.null)  // topup_key: charges that resolve a plan row take the general path
            chargeValues.append(column(1))  // reference
            chargeValues.append(column(2))  // wallet
            chargeValues.append(fact.chainID.map(Value.integer) ?? .null)
            chargeValues.append(.integer(fact.amount.raw))
            for index in 3...8 { chargeValues.append(column(index)) }  // created_at … origin
            chargeValues.append(run)
        default:
            break  // not reached: the kinds were checked above
        }
        pending += 1
        if pending == batchRows { try flush() }
        return true
    }

    /// Writes every pending entry and its projection row.
    mutating func flush() throws {
        guard pending > 0 else { return }
        try texts.withUnsafeBufferPointer { buffer in
            try insert(journal, journalValues, buffer)
            try insert(snapshots, snapshotValues, buffer)
            try insert(charges, chargeValues, buffer)
        }
        pending = 0
        texts.removeAll(keepingCapacity: true)
        texts.append(0)
        journalValues.removeAll(keepingCapacity: true)
        snapshotValues.removeAll(keepingCapacity: true)
        chargeValues.removeAll(keepingCapacity: true)
    }

    /// Forgets the bound pointers into `texts` (they must not outlive it).
    func releaseBindings() {
        for statement in [journal, snapshots, charges].flatMap({ [$0.one, $0.batch].compactMap { $0 } }) {
            sqlite3_reset(statement.handle)
            sqlite3_clear_bindings(statement.handle)
        }
    }

    /// Inserts the rows in `values` (`table.columns` values each): full batches with the
    /// multi-row statement, the rest one by one.
    private func insert(_ table: Insert, _ values: [Value], _ buffer: UnsafeBufferPointer<UInt8>) throws(SQLiteError) {
        let batchValues = table.columns * batchRows
        var start = 0
        while values.count - start >= batchValues {
            try execute(table.batchStatement(), values[start..<(start + batchValues)], buffer)
            start += batchValues
        }
        while start < values.count {
            try execute(table.one, values[start..<(start + table.columns)], buffer)
            start += table.columns
        }
    }

    /// A text value: its bytes up to its first NUL, if any, as the general path binds a
    /// `String` (as a C string, so the text ends at an embedded NUL there too).
    private mutating func text(_ value: String?) -> Value {
        guard let value else { return .null }
        let offset = texts.count
        return .text(offset: offset, count: Self.appendCString(value, to: &texts))
    }

    /// Appends `value`'s UTF-8 bytes up to its first NUL, and a NUL; returns how many bytes
    /// came before the NUL: what SQLite stores when `value` is bound as a C string.
    private static func appendCString(_ value: String, to out: inout [UInt8]) -> Int {
        var value = value
        return value.withUTF8 { bytes in
            let count = bytes.firstIndex(of: 0) ?? bytes.count
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<count]))
            out.append(0)
            return count
        }
    }

    /// Appends the text columns of `fact`'s projection row to `out`, each up to its first NUL
    /// and NUL-terminated (as the general path binds a `String`), and to `starts` where
    /// each begins, from the first one's first byte, or -1 for NULL. Snapshots: observed_at,
    /// source, origin, raw_body. Recorded charges: charge_id, reference, wallet, created_at,
    /// expires_at, status, paid_at, memo, origin. Times as `Timestamp.iso8601`.
    static func writeProjectionTexts(of fact: Fact, into out: inout [UInt8], starts: inout [Int32]) {
        var dates = DateCache()
        writeProjectionTexts(of: fact, into: &out, starts: &starts, dates: &dates)
    }

    /// `writeProjectionTexts(of:into:starts:)`, taking the dates of the times from `dates`.
    static func writeProjectionTexts(of fact: Fact, into out: inout [UInt8], starts: inout [Int32], dates: inout DateCache) {
        let base = out.count
        func text(_ value: String?) {
            guard let value else { return starts.append(-1) }
            starts.append(Int32(out.count - base))
            _ = appendCString(value, to: &out)
        }
        func time(_ value: Timestamp?) {
            guard let value else { return starts.append(-1) }
            // The journal's quoted form, its closing quote turned into the NUL.
            let quote = out.count
            JournalEntry.writeTimestamp(value, into: &out, dates: &dates)
            out.remove(at: quote)
            out[out.count - 1] = 0
            starts.append(Int32(quote - base))
        }
        switch fact {
        case .snapshotTaken(let fact):
            time(fact.observedAt)
            text(fact.source)
            text(fact.origin)
            text(fact.rawBody)
        case .chargeRecorded(let fact):
            text(fact.chargeID)
            text(fact.reference)
            text(fact.wallet)
            time(fact.createdAt)
            time(fact.expiresAt)
            text(fact.status)
            time(fact.paidAt)
            text(fact.memo)
            text(fact.origin)
        default:
            break
        }
    }

    /// Whether `ahead` holds exactly the text and hash this appender would write for
    /// `entry` (checked in debug builds, like `isWritten`).
    private static func isFramed(_ entry: JournalEntry, _ ahead: (text: ArraySlice<UInt8>, previous: [UInt8], hash: ArraySlice<UInt8>)) -> Bool {
        var text: [UInt8] = []
        _ = entry.writeFastCanonical(into: &text)
        var hash = ahead.previous
        text.withUnsafeBytes { advanceChainHash(&hash, entry: $0) }
        return text[...] == ahead.text && hash[...] == ahead.hash
    }

    /// Whether `written` holds exactly the texts this appender would write for `fact`
    /// (checked in debug builds: a mix-up must never reach the ledger).
    private static func isWritten(_ fact: Fact, _ written: WrittenTexts) -> Bool {
        var data: [UInt8] = [], columns: [UInt8] = [], starts: [Int32] = []
        JournalEntry.writeFastData(of: fact, into: &data)
        writeProjectionTexts(of: fact, into: &columns, starts: &starts)
        return data[...] == written.data && columns[...] == written.columns && starts[...] == written.columnStarts
    }

    private func execute(_ statement: Statement, _ values: ArraySlice<Value>, _ buffer: UnsafeBufferPointer<UInt8>)
        throws(SQLiteError)
    {
        let handle = statement.handle
        guard let base = buffer.baseAddress else { fatalError("the packed buffer is never empty") }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
            case .text(let start, let count):
                let pointer = UnsafeRawPointer(base + start).assumingMemoryBound(to: CChar.self)
                code = sqlite3_bind_text(handle, index, pointer, Int32(count), nil)  // SQLITE_STATIC: read in place
            case .null: code = sqlite3_bind_null(handle, index)
            }
            guard code == SQLITE_OK else { throw SQLiteError(connection: db.handle, code: code, sql: statement.sql) }
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            let error = SQLiteError(connection: db.handle, code: code, sql: statement.sql)
            sqlite3_reset(handle)
            throw error
        }
        sqlite3_reset(handle)
    }
}
