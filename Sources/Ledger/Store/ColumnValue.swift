import CreditTypes

/// A value written to a projection column, typed even when it is NULL: PostgreSQL must
/// know a parameter's type where the statement does not say it (`INSERT … SELECT ?, …`,
/// an array of a column's values), and SQLite binds it as it comes.
enum ColumnValue {
    case integer(Int64?)
    case text(String?)

    /// A time, as the ledger stores times: `Timestamp.iso8601`.
    static func time(_ time: Timestamp?) -> ColumnValue { .text(time?.iso8601) }
}
