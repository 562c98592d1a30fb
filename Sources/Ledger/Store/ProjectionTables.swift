import CreditTypes

/// What a store does for `ProjectionStatements`, which writes one target's projection
/// tables (the live ones, or `verify`'s replay) in SQL that both stores run: a change,
/// the rows of a listing or a day, and the rows of the insert-only tables an import
/// writes by the million, which the store holds back and writes in batches its own way.
///
/// Every call writes the rows held back first, so every change lands in order.
protocol ProjectionTables {
    /// The schema of the target's tables, as SQL names it.
    var schema: String { get }

    /// The journal, as SQL names it (whatever the target: the replay's entries are the
    /// journal's).
    var journal: String { get }

    /// Runs one `INSERT` or `UPDATE`, with `?` for each of `values` in order; answers how
    /// many rows it changed.
    func change(_ sql: String, _ values: [ColumnValue]) throws -> Int

    /// Inserts `rows` into `table` of the target's schema: each row a value per column of
    /// `columns`, of the same type in every row. `rows` is not empty.
    func insert(into table: String, columns: [String], rows: [[ColumnValue]]) throws

    /// Holds a reading back for the next batch of `snapshots` rows.
    func hold(snapshot id: Int64, account: String, _ fact: SnapshotTaken, runID: Int64?) throws

    /// Holds a recorded charge back for the next batch of `charges` rows.
    func hold(charge seq: Int64, account: String, _ fact: ChargeRecorded, runID: Int64?) throws
}
