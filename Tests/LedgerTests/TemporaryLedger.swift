import Foundation
@testable import Ledger

/// A fresh ledger in its own temporary folder, removed when released.
final class TemporaryLedger {
    let directory: URL
    let path: String
    let ledger: Ledger

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("ledger.sqlite").path
        ledger = try Ledger(path: path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A second, raw connection: for tampering behind the ledger's back, as an attacker
    /// with the sqlite3 shell would.
    func raw() throws -> Database { try Database(path: path, create: false) }
}
