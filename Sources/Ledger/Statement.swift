import CSQLite

/// A value bound to a statement parameter.
public enum SQLValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
    case null
}

/// A prepared statement. It finalizes itself when released.
///
/// See https://www.sqlite.org/c3ref/stmt.html.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    private let connection: OpaquePointer
    /// The bound texts (see `bind(_:)`).
    private var texts = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 1)

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
        texts.deallocate()
    }

    /// Clears earlier bindings and binds `values` to `?1…?n`.
    ///
    /// Texts are copied, each NUL-terminated, into `texts`, which the statement owns, and
    /// bound from there as C strings without SQLite copying them again (`SQLITE_STATIC`).
    /// A copy made by SQLite for every bound text, and a heap copy of every short Swift
    /// string on its way to C, were a good part of `verify`'s replay (issue "Speed").
    /// `texts` is only rewritten here, after the old bindings are cleared, and is freed
    /// after the handle is finalized.
    func bind(_ values: [SQLValue]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        var needed = 0
        for case .text(let text) in values { needed += text.utf8.count + 1 }
        if needed > texts.count {
            texts.deallocate()
            texts = .allocate(byteCount: max(needed, 2 * texts.count), alignment: 1)
        }
        var next = 0  // where the next text goes in `texts`
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
            case .text(let text):
                let start = texts.baseAddress! + next
                UnsafeMutableRawBufferPointer(rebasing: texts[next...]).copyBytes(from: text.utf8)
                next += text.utf8.count
                texts[next] = 0
                next += 1
                // -1: up to the NUL, so a text ends at an embedded NUL as a C string does.
                code = sqlite3_bind_text(handle, index, start.assumingMemoryBound(to: CChar.self), -1, nil)
            case .null: code = sqlite3_bind_null(handle, index)
            }
            guard code == SQLITE_OK else { throw SQLiteError(connection: connection, code: code, sql: sql) }
        }
    }

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

    /// Runs to completion with `values` bound, then resets.
    func run(_ values: [SQLValue] = []) throws(SQLiteError) {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Every row, each read by `row`.
    func rows<T>(_ values: [SQLValue] = [], _ row: (Statement) throws -> T) throws -> [T] {
        try bind(values)
        defer { sqlite3_reset(handle) }
        var result: [T] = []
        while try step() { result.append(try row(self)) }
        return result
    }

    /// The first row, read by `row`, or `nil`.
    func first<T>(_ values: [SQLValue] = [], _ row: (Statement) throws -> T) throws -> T? {
        try bind(values)
        defer { sqlite3_reset(handle) }
        return try step() ? try row(self) : nil
    }

    var columnCount: Int32 { sqlite3_column_count(handle) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    /// A column as a bound value (for comparing rows generically).
    func value(_ column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(int64(column))
        default: return .text(text(column))
        }
    }
}
