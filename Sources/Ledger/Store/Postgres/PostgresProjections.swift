import PostgresNIO

/// The projection tables of one schema (`credit_recon`, or `verify`'s `pg_temp`), as
/// `ProjectionStatements` writes them.
struct PostgresProjections: ProjectionTables {
    let transaction: PostgresTransaction
    let target: ProjectionTarget

    var schema: String { PostgresTransaction.schema(target) }
    /// The journal's kinds in the collation the schema gives them, whatever a column changed
    /// behind the ledger's back says: compared with a top-up's state in another collation,
    /// `verify` failed (70, "could not determine which collation to use", probe 176).
    var journal: String { "(SELECT seq, kind COLLATE \"C\" AS kind FROM \(PostgresTransaction.schema(.live)).journal) AS journal" }

    func change(_ sql: String, _ values: [ColumnValue]) throws -> Int {
        try transaction.flush(target)
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .integer(let number): binds.append(number)
            case .text(let text): binds.append(text?.upToNUL)
            }
        }
        return try transaction.replaying(target) { try transaction.session.execute(Self.numbered(sql), binds) }
    }

    /// In one statement, one array per column: a listing's keys or a day's lines cost one
    /// round trip, not one per row.
    func insert(into table: String, columns: [String], rows: [[ColumnValue]]) throws {
        try transaction.flush(target)
        let integers = rows[0].map { if case .integer = $0 { true } else { false } }
        var arrays = integers.map { $0 ? ArrayColumn.integers(count: rows.count) : .texts() }
        for row in rows {
            for (index, value) in row.enumerated() {
                switch value {
                case .integer(let number): arrays[index].append(number)
                case .text(let text): arrays[index].append(text)
                }
            }
        }
        var binds = PostgresBindings(capacity: arrays.count)
        for array in arrays { binds.append(array) }
        let parameters = integers.indices.map { "$\($0 + 1)::\(integers[$0] ? "bigint" : "text")[]" }
        _ = try transaction.replaying(target) {
            try transaction.session.execute(
                "INSERT INTO \(schema).\(table) (\(columns.joined(separator: ", "))) "
                    + "SELECT * FROM unnest(\(parameters.joined(separator: ", ")))", binds)
        }
    }

    func hold(snapshot id: Int64, account: String, _ fact: SnapshotTaken, runID: Int64?) throws {
        try transaction.hold(snapshot: id, account: account, fact, runID: runID, for: target)
    }

    func hold(charge seq: Int64, account: String, _ fact: ChargeRecorded, runID: Int64?) throws {
        try transaction.hold(charge: seq, account: account, fact, runID: runID, for: target)
    }

    /// `sql` with its `?` placeholders numbered `$1`, `$2`, … as PostgreSQL writes them.
    /// The statements hold no `?` of their own (no literal, no name has one).
    static func numbered(_ sql: String) -> String {
        let parts = sql.split(separator: "?", omittingEmptySubsequences: false)
        return parts.dropFirst().enumerated().reduce(String(parts[0])) { $0 + "$\($1.offset + 1)" + $1.element }
    }
}
