import CreditTypes

/// One result row, read column after column in the order of the statement's `SELECT`
/// list: a store's row (`StatementCursor` in SQLite, `PostgresSession.Row`) behind the
/// row types' one way of being made from their columns (`ColumnReadable`).
///
/// A column that is NULL where a value is read, or of another type, is an error naming
/// the column, never a default value.
protocol ColumnCursor {
    mutating func int64() throws -> Int64
    mutating func optionalInt64() throws -> Int64?
    mutating func text() throws -> String
    mutating func optionalText() throws -> String?
    /// A time column as the ledger stores it (`Timestamp.iso8601`): `nil` when NULL.
    mutating func time() throws -> StoredTime?
}

extension ColumnCursor {
    mutating func micros() throws -> Micros { try Micros.stored(try int64(), in: "a row") }

    mutating func optionalMicros() throws -> Micros? {
        guard let raw = try optionalInt64() else { return nil }
        return try Micros.stored(raw, in: "a row")
    }

    /// The next column, a time; `what` names the row in the error when it is not one.
    mutating func time(of what: @autoclosure () -> String) throws -> Timestamp {
        guard let time = try optionalTime(of: what()) else {
            throw LedgerError.malformedEntry("\(what()) has an unreadable time \"NULL\"")
        }
        return time
    }

    /// The next column, a time or NULL; `what` names the row in the error when it is
    /// neither.
    mutating func optionalTime(of what: @autoclosure () -> String) throws -> Timestamp? {
        switch try time() {
        case nil: return nil
        case .time(let time): return time
        case .unreadable(let text): throw LedgerError.malformedEntry("\(what()) has an unreadable time \"\(text)\"")
        }
    }

    /// The next column, a date (`YYYY-MM-DD`); `what` names the row in the error when it
    /// is not one.
    mutating func date(of what: @autoclosure () -> String) throws -> CivilDate {
        let text = try text()
        guard let date = CivilDate(isoText: text) else {
            throw LedgerError.malformedEntry("\(what()) has an unreadable date \"\(text)\"")
        }
        return date
    }
}
