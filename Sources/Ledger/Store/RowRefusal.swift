/// An error of a store that can tell whether a constraint refused a row (a key twice, a
/// value out of range): the data's fault, not the database's. `verify` makes only such
/// refusals of its replay into findings; any other failure (a full disk, a lost
/// connection) ends it with the error.
protocol RowRefusal: Error {
    /// A constraint refused the row.
    var isRefusal: Bool { get }
    /// The refusal in the database's words, without the statement.
    var refusalText: String { get }
}
