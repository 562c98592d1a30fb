/// A row type the readers' queries make from its columns, the same way in every store:
/// a store names `columns` in its `SELECT` and hands each result row to `init(reading:)`.
///
/// The readings and charges that `report` reads by the million are made by each store's
/// own faster path instead (`snapshotRows`, `charges(account:)`).
protocol ColumnReadable {
    /// The `SELECT` list (the columns of one table), in the order `init(reading:)` reads it.
    static var columns: String { get }

    init(reading row: inout some ColumnCursor) throws
}
