/// A value bound to a statement parameter.
enum SQLValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
    case null
}
