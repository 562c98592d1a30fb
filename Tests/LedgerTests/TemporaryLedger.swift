import Foundation
@testable import Ledger

/// A fresh ledger in its own temporary folder, removed when released.
final class TemporaryLedger {
    let directory: URL
    let path: String
    let ledger: Ledger

    init() throws {
        directory = try Self.newDirectory("ledger-tests")
        path = directory.appendingPathComponent("ledger.sqlite").path
        ledger = try Ledger(path: path)
    }

    /// A new folder of its own in the temporary folder, named `prefix-UUID`.
    static func newDirectory(_ prefix: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A second, raw connection: for tampering behind the ledger's back, as an attacker
    /// with the sqlite3 shell would.
    func raw() throws -> Database { try Database(path: path, create: false) }
}
