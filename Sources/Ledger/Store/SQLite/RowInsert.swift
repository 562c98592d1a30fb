/// One table's `INSERT`, for one row and for `batchRows` rows at once: a large import runs
/// one statement per thousand rows instead of one per row.
final class RowInsert {
    private let db: Database
    private let name: String
    private let prefix: String
    private let row: String
    private let columns: Int
    private let batchRows: Int
    private let one: Statement

    init(db: Database, name: String, prefix: String, row: String, columns: Int, batchRows: Int) throws {
        self.db = db
        self.name = name
        self.prefix = prefix
        self.row = row
        self.columns = columns
        self.batchRows = batchRows
        one = try db.statement(prefix + row)
    }

    /// Inserts `count` rows, `bind` binding row `index`'s values from parameter `base` on:
    /// full batches with the multi-row statement, the rest one by one.
    func insert(count: Int, _ bind: (Statement, Int, Int32) throws -> Void) throws {
        var next = 0
        if count - next >= batchRows {
            // Prepared at the first full batch: a small write never pays for it.
            let batch = try db.statement(
                named: "\(batchRows) × \(name)",
                sql: prefix + Array(repeating: row, count: batchRows).joined(separator: ", "))
            while count - next >= batchRows {
                batch.reset(clearingBindings: false)  // `bind` binds every parameter of every row
                for offset in 0..<batchRows { try bind(batch, next + offset, Int32(offset * columns + 1)) }
                try batch.execute()
                next += batchRows
            }
        }
        while next < count {
            one.reset()
            try bind(one, next, 1)
            try one.execute()
            next += 1
        }
    }
}
