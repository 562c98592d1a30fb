import CSQLite
import CreditTypes

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A prepared statement. It finalizes itself when released.
///
/// Texts are bound from memory the statement owns (`TextArena`), as C strings, so SQLite
/// reads them in place without copying each one (`SQLITE_STATIC`); a byte range the caller
/// keeps alive until the statement is stepped can be bound in place too. Every return
/// code is checked and thrown as an `SQLiteError` naming the SQL, never the values.
///
/// See https://www.sqlite.org/c3ref/stmt.html.
final class Statement {
    let sql: String
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    private let arena = TextArena()
    // Used by one thread at a time (see `TextArena`).
    @exclusivity(unchecked) private var scratch: [UInt8] = []
    @exclusivity(unchecked) private var times = TimestampText()

    init(connection: OpaquePointer, sql: String) throws(SQLiteError) {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw SQLiteError(connection: connection, code: code, sql: sql)
        }
        self.handle = handle
        self.sql = sql
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    // MARK: Binding

    /// Ends any run in progress and forgets every binding, so the next ones start afresh;
    /// a caller about to bind every parameter again may keep them (`clearingBindings: false`).
    func reset(clearingBindings: Bool = true) {
        sqlite3_reset(handle)
        if clearingBindings { sqlite3_clear_bindings(handle) }
        arena.reset()
    }

    func bind(_ value: Int64, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ value: Int64?, at index: Int32) throws(SQLiteError) {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    func bindNull(at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Binds `text`'s bytes up to its first NUL, if any, as binding a C string stores it.
    func bind(_ text: String, at index: Int32) throws(SQLiteError) {
        var text = text
        let (start, count) = text.withUTF8 { bytes in
            let count = bytes.firstIndex(of: 0) ?? bytes.count
            let start = arena.allocate(count)
            if count > 0, let base = bytes.baseAddress { start.copyMemory(from: base, byteCount: count) }
            return (start, count)
        }
        try check(sqlite3_bind_text(handle, index, start.assumingMemoryBound(to: CChar.self), Int32(count), nil))
    }

    func bind(_ text: String?, at index: Int32) throws(SQLiteError) {
        if let text { try bind(text, at: index) } else { try bindNull(at: index) }
    }

    /// Binds a time as the ledger stores it: `Timestamp.iso8601`.
    func bind(_ time: Timestamp, at index: Int32) throws(SQLiteError) {
        scratch.removeAll(keepingCapacity: true)
        times.append(time, to: &scratch)
        let start = arena.allocate(scratch.count)
        scratch.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        try check(sqlite3_bind_text(handle, index, start.assumingMemoryBound(to: CChar.self), Int32(scratch.count), nil))
    }

    func bind(_ time: Timestamp?, at index: Int32) throws(SQLiteError) {
        if let time { try bind(time, at: index) } else { try bindNull(at: index) }
    }

    /// Binds `bytes` as text in place: they must stay where they are until the statement
    /// has been stepped and reset.
    func bind(inPlace bytes: UnsafeBufferPointer<UInt8>, at index: Int32) throws(SQLiteError) {
        guard let base = bytes.baseAddress else { return try bind("", at: index) }
        try check(sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                                    Int32(bytes.count), nil))
    }

    /// Resets, then binds `values` to `?1…?n`.
    func bind(_ values: [SQLValue]) throws(SQLiteError) {
        reset()
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .integer(let number): try bind(number, at: index)
            case .text(let text): try bind(text, at: index)
            case .null: try bindNull(at: index)
            }
        }
    }

    private func check(_ code: Int32) throws(SQLiteError) {
        guard code == SQLITE_OK else { throw SQLiteError(connection: connection, code: code, sql: sql) }
    }

    // MARK: Running

    /// Advances; `true` while a row is available.
    @discardableResult
    func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError(connection: connection, code: code, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs the bound statement to completion, then resets it.
    func execute() throws(SQLiteError) {
        defer { reset() }
        while try step() {}
    }

    /// Runs to completion with `values` bound, then resets.
    func run(_ values: [SQLValue] = []) throws(SQLiteError) {
        try bind(values)
        try execute()
    }

    /// Every row, each read by `row`.
    func rows<T>(_ values: [SQLValue] = [], _ row: (Statement) throws -> T) throws -> [T] {
        try bind(values)
        defer { reset() }
        var result: [T] = []
        while try step() { result.append(try row(self)) }
        return result
    }

    /// The first row, read by `row`, or `nil`.
    func first<T>(_ values: [SQLValue] = [], _ row: (Statement) throws -> T) throws -> T? {
        try bind(values)
        defer { reset() }
        return try step() ? try row(self) : nil
    }

    // MARK: Columns

    var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The name the `SELECT` list gives `column`.
    func columnName(_ column: Int32) -> String {
        sqlite3_column_name(handle, column).map { String(cString: $0) } ?? "\(column + 1)"
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    /// The column's text as bytes, valid until the statement moves on.
    func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        let count = Int(sqlite3_column_bytes(handle, column))
        return UnsafeBufferPointer(start: sqlite3_column_text(handle, column), count: count)
    }

    func text(_ column: Int32) -> String { String(decoding: bytes(column), as: UTF8.self) }

    /// A BLOB column's bytes, valid until the next step or reset.
    private func blob(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        let start = sqlite3_column_blob(handle, column)?.assumingMemoryBound(to: UInt8.self)  // before its length, as SQLite asks
        return UnsafeBufferPointer(start: start, count: Int(sqlite3_column_bytes(handle, column)))
    }

    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    /// A text column parsed as a time in place; `nil` when it is not one (or NULL).
    func time(_ column: Int32) -> Timestamp? {
        isNull(column) ? nil : Timestamp.parse(iso8601: bytes(column))
    }

    /// A column as a bound value.
    func value(_ column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(int64(column))
        default: return .text(text(column))
        }
    }

    /// Orders this row's `column` against `other`'s as `ORDER BY` does (integers by value,
    /// texts by bytes); `nil` when the two are not both integers or both texts.
    func order(_ column: Int32, against other: Statement) -> Int? {
        switch (sqlite3_column_type(handle, column), sqlite3_column_type(other.handle, column)) {
        case (SQLITE_INTEGER, SQLITE_INTEGER):
            let (a, b) = (int64(column), other.int64(column))
            return a < b ? -1 : (a > b ? 1 : 0)
        case (SQLITE_TEXT, SQLITE_TEXT):
            return Self.compare(bytes(column), other.bytes(column))
        default:
            return nil
        }
    }

    /// Whether every column of this row from `first` on holds the same type and value as
    /// `other`'s (NULL equal to NULL, as `EXCEPT` compares).
    func sameRow(as other: Statement, from first: Int32) -> Bool {
        let count = columnCount
        guard count == other.columnCount else { return false }
        for column in first..<count {
            let type = sqlite3_column_type(handle, column)
            guard type == sqlite3_column_type(other.handle, column) else { return false }
            switch type {
            case SQLITE_NULL: continue
            case SQLITE_INTEGER: if int64(column) != other.int64(column) { return false }
            case SQLITE_FLOAT:
                if sqlite3_column_double(handle, column) != sqlite3_column_double(other.handle, column) { return false }
            case SQLITE_TEXT: if !bytes(column).hasSameBytes(as: other.bytes(column)) { return false }
            default: if !blob(column).hasSameBytes(as: other.blob(column)) { return false }
            }
        }
        return true
    }

    /// BINARY collation: bytes compared, the shorter first on a common prefix.
    private static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        if let baseA = a.baseAddress, let baseB = b.baseAddress {
            let common = memcmp(baseA, baseB, min(a.count, b.count))
            if common != 0 { return common < 0 ? -1 : 1 }
        }
        return a.count < b.count ? -1 : (a.count > b.count ? 1 : 0)
    }
}

/// Memory for a statement's bound texts: blocks that never move while bindings point into
/// them, reused from one run to the next.
///
/// Its fields are used by one thread at a time (the statement's), so their exclusivity is
/// not checked at run time: it was checked on every bound value.
private final class TextArena {
    @exclusivity(unchecked) private var blocks: [UnsafeMutableRawBufferPointer] = []
    @exclusivity(unchecked) private var current = 0
    @exclusivity(unchecked) private var used = 0

    deinit { for block in blocks { block.deallocate() } }

    /// `count` bytes (at least one) that stay put until `reset()`.
    func allocate(_ count: Int) -> UnsafeMutableRawPointer {
        let needed = max(count, 1)
        while current < blocks.count, blocks[current].count - used < needed {
            current += 1
            used = 0
        }
        if current == blocks.count {
            blocks.append(.allocate(byteCount: max(needed, 2 * (blocks.last?.count ?? 2048)), alignment: 1))
            used = 0
        }
        let start = blocks[current].baseAddress! + used
        used += needed
        return start
    }

    /// Every block free again.
    func reset() {
        current = 0
        used = 0
    }
}
