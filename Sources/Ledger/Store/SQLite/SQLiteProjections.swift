/// The projection tables of one schema (`main`, or `verify`'s `replay`), as
/// `ProjectionStatements` writes them.
struct SQLiteProjections: ProjectionTables {
    let transaction: SQLiteTransaction
    let target: ProjectionTarget

    var schema: String { SQLiteTransaction.schema(target) }
    var journal: String { "\(SQLiteTransaction.schema(.live)).journal" }

    func change(_ sql: String, _ values: [ColumnValue]) throws -> Int {
        try transaction.flush(target)
        let db = transaction.db
        try db.run(sql, values.map(SQLValue.init))
        return db.changes
    }

    /// One row at a time, through one prepared statement: a listing's keys or a day's
    /// lines are a few hundred rows at most.
    func insert(into table: String, columns: [String], rows: [[ColumnValue]]) throws {
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let sql = "INSERT INTO \(schema).\(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))"
        for row in rows { _ = try change(sql, row) }
    }

    func hold(snapshot id: Int64, account: String, _ fact: SnapshotTaken, runID: Int64?) throws {
        try transaction.hold(snapshot: id, account: account, fact, runID: runID, for: target)
    }

    func hold(charge seq: Int64, account: String, _ fact: ChargeRecorded, runID: Int64?) throws {
        try transaction.hold(charge: seq, account: account, fact, runID: runID, for: target)
    }
}

extension SQLValue {
    init(_ value: ColumnValue) {
        switch value {
        case .integer(let number): self = number.map(SQLValue.integer) ?? .null
        case .text(let text): self = text.map(SQLValue.text) ?? .null
        }
    }
}
