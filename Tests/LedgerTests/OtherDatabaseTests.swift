import Foundation
import Testing
@testable import Ledger

/// A `--ledger` that names another application's SQLite database (a typo, a wrong
/// variable): every command, reader or writer, refuses it and leaves it byte for byte as it
/// was — no ledger tables added, no switch to WAL.
@Suite struct OtherDatabaseTests {
    /// A rollback-journal database, as most applications keep theirs, made by `sql`, in a
    /// new folder (removed by `done`).
    private static func appDatabase(_ sql: String) throws -> (path: String, done: () -> Void) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("other-db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("app.sqlite").path
        let app = try Database(path: path, durability: .building)
        try app.execute(sql)
        app.close()
        return (path, { try? FileManager.default.removeItem(at: folder) })
    }

    @Test(arguments: [true, false])
    func aDatabaseOfOtherTablesIsRefusedAndLeftAsItWas(create: Bool) throws {
        let (path, done) = try Self.appDatabase("CREATE TABLE app_users (id INTEGER, name TEXT); INSERT INTO app_users VALUES (1, 'alice')")
        defer { done() }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        #expect {
            _ = try Ledger(path: path, create: create)
        } throws: { error in
            guard case LedgerError.otherDatabase(let location, let tables) = error else { return false }
            return location == path && tables == ["app_users"]
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let said = LedgerError.otherDatabase(location: path, tables: ["app_users"]).description
        #expect(said.contains("holds tables of something else (app_users), not a credit-recon ledger; nothing was changed in it"),
                "\(said)")
    }

    /// Rails, golang-migrate and Ecto keep a table named `schema_migrations` too; the name
    /// does not make a ledger (it used to: the file was switched to WAL, then refused with
    /// SQLite's "no such column: name", or as a ledger "written by a newer credit-recon").
    @Test(arguments: [
        "CREATE TABLE schema_migrations (version varchar PRIMARY KEY); INSERT INTO schema_migrations VALUES ('20240101'); CREATE TABLE users (id integer)",
        "CREATE TABLE schema_migrations (name text PRIMARY KEY); INSERT INTO schema_migrations VALUES ('001_create_users.sql')",
        "CREATE TABLE journal (id INTEGER PRIMARY KEY, day TEXT, note TEXT)",
    ], [true, false])
    func anotherToolsTableOfTheLedgersNameIsNotALedger(sql: String, create: Bool) throws {
        let (path, done) = try Self.appDatabase(sql)
        defer { done() }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            _ = try Ledger(path: path, create: create)
        } throws: { error in
            guard case LedgerError.otherDatabase(let location, _) = error else { return false }
            return location == path
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    /// A ledger whose journal was made again otherwise and whose record of migrations was
    /// dropped is still known by its other tables: damaged, and left as it was (it was
    /// refused as "tables of something else", listing the ledger's own).
    @Test func aLedgerWithItsJournalAndRecordChangedIsDamagedNotSomethingElse() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("other-db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("books.sqlite").path
        do {
            let db = try Database(path: path)
            try Schema.migrator.migrate(db)
            try db.execute("DROP TABLE schema_migrations; DROP TABLE journal; CREATE TABLE journal (seq INTEGER PRIMARY KEY, entry TEXT)")
            db.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            _ = try Ledger(path: path, create: true)
        } throws: { error in
            guard case LedgerError.malformedEntry(let detail) = error as? LedgerError ?? .noLedger(location: "") else { return false }
            return detail.contains("schema_migrations")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    /// A database holding no tables (a view, a user_version) is not a ledger to a reader,
    /// which leaves it as it is; a writer starts the books in it.
    @Test func aDatabaseWithoutTablesIsNoLedgerToAReaderAndANewOneToAWriter() throws {
        let (path, done) = try Self.appDatabase("PRAGMA user_version = 3; CREATE VIEW v AS SELECT 1 AS x")
        defer { done() }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            _ = try Ledger(path: path, create: false)
        } throws: { error in
            guard case LedgerError.noLedger(let location, nil) = error else { return false }
            return location == path
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))

        let ledger = try Ledger(path: path, create: true)
        #expect(try ledger.headHash() == JournalEntry.genesisHash)
        #expect(try Ledger(path: path, create: false).headHash() == JournalEntry.genesisHash)
    }
}
