import Foundation
import Testing
@testable import Ledger

/// A `--ledger` that names another application's SQLite database (a typo, a wrong
/// variable): every command, reader or writer, refuses it and leaves it byte for byte as it
/// was — no ledger tables added, no switch to WAL.
@Suite struct OtherDatabaseTests {
    @Test(arguments: [true, false])
    func aDatabaseOfOtherTablesIsRefusedAndLeftAsItWas(create: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("other-db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("app.sqlite").path
        do {
            // A rollback-journal database, as most applications keep theirs.
            let app = try Database(path: path, durability: .building)
            try app.execute("CREATE TABLE app_users (id INTEGER, name TEXT)")
            try app.execute("INSERT INTO app_users VALUES (1, 'alice')")
            app.close()
        }
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
}
