import CreditTypes

/// The current row of a statement, read column after column (`ColumnCursor`).
struct StatementCursor: ColumnCursor {
    private let statement: Statement
    private let count: Int32
    private var column: Int32 = 0

    init(_ statement: Statement) {
        self.statement = statement
        count = statement.columnCount
    }

    /// The next column's index.
    private mutating func next() throws -> Int32 {
        guard column < count else { throw LedgerError.store("an SQLite row has fewer columns than read") }
        defer { column += 1 }
        return column
    }

    /// The next column's index; an error when it is NULL.
    private mutating func nextValue(_ wanted: String) throws -> Int32 {
        let column = try next()
        guard !statement.isNull(column) else {
            throw LedgerError.store("column \(statement.columnName(column)) cannot be read as \(wanted) (it is NULL)")
        }
        return column
    }

    mutating func int64() throws -> Int64 { statement.int64(try nextValue("an integer")) }

    mutating func optionalInt64() throws -> Int64? { statement.optionalInt64(try next()) }

    mutating func text() throws -> String { statement.text(try nextValue("text")) }

    mutating func optionalText() throws -> String? { statement.optionalText(try next()) }

    mutating func time() throws -> StoredTime? {
        let column = try next()
        guard !statement.isNull(column) else { return nil }
        if let time = statement.time(column) { return .time(time) }
        return .unreadable(statement.text(column))
    }
}

extension Statement {
    /// Every row, each made by `T(reading:)`.
    func rows<T: ColumnReadable>(_ values: [SQLValue] = [], as type: T.Type) throws -> [T] {
        try rows(values) { statement in
            var cursor = StatementCursor(statement)
            return try T(reading: &cursor)
        }
    }

    /// The first row, made by `T(reading:)`; `nil` when there is none.
    func first<T: ColumnReadable>(_ values: [SQLValue] = [], as type: T.Type) throws -> T? {
        try first(values) { statement in
            var cursor = StatementCursor(statement)
            return try T(reading: &cursor)
        }
    }
}
