/// The ledger's tables as SQLite keeps them: each table's columns, and its definition (its
/// `CREATE TABLE` text and its indexes', as `sqlite_master` holds them, white space
/// collapsed). `expected` is what this build's migrations make; a file whose tables differ
/// from it was changed outside credit-recon (a table made again without its keys or
/// `STRICT`, a column added or dropped, an index of the migrations' dropped or changed, one
/// added that can refuse a row). An index of one's own that refuses no row changes nothing
/// (probe 364: it was damage, and the rows of its table went uncompared).
struct SchemaShape: Sendable, Equatable {
    /// Each ledger table's columns, in order.
    var columns: [String: [String]] = [:]
    /// Each ledger table's definition; a table the file lacks has none.
    var definitions: [String: [String]] = [:]
    /// The indexes (their definitions) that can refuse no row: not unique, not partial, on
    /// columns alone (an expression can fail on a row, and so refuse it: probe 366).
    var plainIndexes: Set<String> = []

    /// The shape of a new ledger, made by the migrations in memory.
    static let expected: SchemaShape = {
        do {
            let db = try Database(path: ":memory:")
            try Schema.migrator.migrate(db)
            return try read(db)
        } catch {
            fatalError("the ledger's migrations fail on an empty database in memory: \(error)")
        }
    }()

    /// The shape of a ledger that applied every migration but `unapplied` (the newest): an
    /// earlier build's, read as it is (`MigrationRecord.readableWithout`).
    static func expected(without unapplied: [String]) -> SchemaShape {
        guard !unapplied.isEmpty else { return expected }
        do {
            let db = try Database(path: ":memory:")
            try Schema.migrator.apply(Schema.migrator.migrations.filter { !unapplied.contains($0.name) }, to: db)
            return try read(db)
        } catch {
            fatalError("the ledger's migrations fail on an empty database in memory: \(error)")
        }
    }

    /// The shape of the ledger's tables in `db`.
    static func read(_ db: Database) throws -> SchemaShape {
        var shape = SchemaShape()
        let objects = try db.statement(
            "SELECT type, tbl_name, sql, name FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL"
        ).rows { (type: $0.text(0), table: $0.text(1), sql: $0.text(2), name: $0.text(3)) }
        for table in Schema.ledgerTables {
            let own = objects.filter { $0.table == table }
            guard let created = own.first(where: { $0.type == "table" }) else { continue }
            let indexes = own.filter { $0.type == "index" }
            shape.definitions[table] = [collapsed(created.sql)] + indexes.map { collapsed($0.sql) }.sorted()
            shape.columns[table] = try db.statement("SELECT name FROM pragma_table_info(?) ORDER BY cid").rows([.text(table)]) { $0.text(0) }
            let plain = Set(try db.statement(
                """
                SELECT name FROM pragma_index_list(?) AS i WHERE NOT i."unique" AND NOT i.partial
                    AND NOT EXISTS (SELECT 1 FROM pragma_index_xinfo(i.name) WHERE key AND cid = -2)
                """).rows([.text(table)]) { $0.text(0) })
            shape.plainIndexes.formUnion(indexes.filter { plain.contains($0.name) }.map { collapsed($0.sql) })
        }
        return shape
    }

    /// The tables the file holds whose definition is not the migrations', in the order of
    /// `Schema.ledgerTables`: their `CREATE TABLE` differs, an index of the migrations' is
    /// missing (by its text, without its name), or one was added that can refuse a row.
    func reshaped(from expected: SchemaShape = .expected) -> [ReshapedTable] {
        Schema.ledgerTables.compactMap { table in
            guard let held = definitions[table] else { return nil }
            var differences: [String] = []
            let made = expected.definitions[table] ?? []
            if held.first != made.first {
                let have = columns[table] ?? [], want = expected.columns[table] ?? []
                differences += want.filter { !have.contains($0) }.map { "lacks column \($0)" }
                    + have.filter { !want.contains($0) }.map { "has column \($0)" }
                differences.append("its CREATE TABLE is not the migrations' (its columns, keys or checks)")
            }
            let madeIndexes = made.dropFirst().map(Self.unnamed), heldIndexes = held.dropFirst().map(Self.unnamed)
            differences += madeIndexes.filter { !heldIndexes.contains($0) }.map { "lacks \($0)" }
            differences += held.dropFirst().filter { !madeIndexes.contains(Self.unnamed($0)) && !plainIndexes.contains($0) }
                .map { "has \(Self.unnamed($0)), which can refuse a row" }
            return differences.isEmpty ? nil : ReshapedTable(table: table, differences: differences)
        }
    }

    /// An index's `CREATE INDEX` text without its name, in words (`index ON charges
    /// (account, created_at)`, `unique index ON …`).
    private static func unnamed(_ index: String) -> String {
        guard let named = index.firstRange(of: "INDEX "), let on = index[named.upperBound...].firstRange(of: " ON ") else { return index }
        return (index[..<named.lowerBound].contains("UNIQUE") ? "unique index ON " : "index ON ") + index[on.upperBound...]
    }

    /// The first table the file holds that lacks a column of the migrations', and that column.
    func lackingColumn(from expected: SchemaShape = .expected) -> (table: String, column: String)? {
        for table in Schema.ledgerTables {
            guard let have = columns[table], let want = expected.columns[table] else { continue }
            if let column = want.first(where: { !have.contains($0) }) { return (table, column) }
        }
        return nil
    }

    /// Whether the table `table`, made by `definition`, is one only a credit-recon ledger
    /// holds: the migrations' record or one of the ledger's tables, word for word as the
    /// migrations make it (so a ledger whose journal and record were both changed is still
    /// known by its other tables, and said to be damaged rather than something else).
    static func isOwn(table: String, definition: String?) -> Bool {
        guard let definition else { return false }
        if table == "schema_migrations" { return collapsed(definition) == Migrator.recordTable }
        return expected.definitions[table]?.first == collapsed(definition)
    }

    /// `sql` with every run of white space one space: `sqlite_master` keeps a statement as
    /// it was given, and a build that indented a migration otherwise made the same table.
    private static func collapsed(_ sql: String) -> String {
        sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
    }
}
