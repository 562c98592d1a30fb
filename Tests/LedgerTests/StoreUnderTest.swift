import Foundation
import Testing
import PostgresHarness
@testable import Ledger

/// A store the conformance suite runs against: a fresh, empty ledger over it, and what
/// only the store's own tools can do (SQL behind the ledger's back, as an attacker with
/// the database's shell could).
protocol StoreUnderTest: AnyObject {
    /// The ledger over the store.
    var ledger: Ledger { get }
    /// Where the ledger is, as a command names it (`--ledger`): what `Ledger.lockWriter(at:)` locks.
    var location: LedgerLocation { get }
    /// How the store's writer lock names this process as its holder.
    var lockHolder: String { get }
    /// A second ledger over the same data, on its own connection (another process).
    func openAnother() throws -> Ledger
    /// Runs `sql` on the database directly, not through the ledger.
    func execute(_ sql: String) throws
    /// Drops the triggers that keep the journal and readings append-only.
    func dropAppendOnlyTriggers() throws
    /// Makes the ledger one as a build before migration v8 left it: its triggers dropped,
    /// its record deleted, and so for every later migration (`undoMigrationsAfterV8`).
    func undoMigrationV8() throws
    /// Makes the ledger one as a build after migration v8 and before the next left it:
    /// PostgreSQL's v9 index back to v1's, its record deleted; nothing in SQLite.
    func undoMigrationsAfterV8() throws
    /// Takes the writer lock as another process would (not through this process's lock),
    /// held until the returned closure is called.
    func holdWriterLockElsewhere() throws -> () -> Void
}

/// Every store the conformance suite runs against.
enum Stores {
    static let all = ["sqlite", "postgresql"]

    static func make(_ name: String) throws -> any StoreUnderTest {
        switch name {
        case "sqlite": return try SQLiteUnderTest()
        case "postgresql": return try PostgresUnderTest()
        default: fatalError("no store called \(name)")
        }
    }
}

/// A SQLite ledger in a temporary folder.
final class SQLiteUnderTest: StoreUnderTest {
    let temp: TemporaryLedger
    var ledger: Ledger { temp.ledger }
    var location: LedgerLocation { .file(temp.path) }
    var lockHolder: String { String(ProcessInfo.processInfo.processIdentifier) }

    init() throws { temp = try TemporaryLedger() }

    func openAnother() throws -> Ledger { try Ledger(path: temp.path) }

    func execute(_ sql: String) throws { try temp.raw().execute(sql) }

    func holdWriterLockElsewhere() throws -> () -> Void {
        let fd = try SQLiteWriterLockTests.flockedElsewhere(temp.path + ".lock", writing: "4242\n")
        return { SQLiteWriterLockTests.letGo(fd) }
    }

    func dropAppendOnlyTriggers() throws {
        try execute("""
            DROP TRIGGER journal_append_only_update; DROP TRIGGER journal_append_only_delete;
            DROP TRIGGER snapshots_append_only_update; DROP TRIGGER snapshots_append_only_delete;
            PRAGMA foreign_keys = OFF;
            """ + Schema.usageTableNames.map { "DROP TRIGGER \($0)_append_only_update; DROP TRIGGER \($0)_append_only_delete;" }
                .joined(separator: "\n"))
    }

    func undoMigrationV8() throws {
        try execute(Schema.keptTables.map { "DROP TRIGGER \($0)_kept_delete;" }.joined(separator: " ")
            + " DELETE FROM schema_migrations WHERE name LIKE 'v8:%';")
    }

    func undoMigrationsAfterV8() throws {}
}

/// A PostgreSQL ledger in a new database of the tests' throwaway server.
final class PostgresUnderTest: StoreUnderTest {
    let server: ThrowawayPostgres
    let database: String
    let ledger: Ledger
    let location: LedgerLocation

    var lockHolder: String { "\(ProcessInfo.processInfo.hostName) pid \(getpid()) (from 127.0.0.1)" }

    init() throws {
        server = try ThrowawayPostgres.shared()
        database = try server.newDatabase()
        location = try LedgerLocation(server.url(database))
        ledger = try Ledger(location)
    }

    func openAnother() throws -> Ledger { try Ledger(location) }

    /// Waits until the server has let the writer lock go (its session ended), with a
    /// generous deadline.
    func waitUntilWriterLockIsFree() throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var held = true
        while held, ContinuousClock.now < deadline {
            held = try server.psql(database, """
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 1 AND objsubid = 2
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """).trimmingCharacters(in: .whitespacesAndNewlines) != "0"
        }
        #expect(!held, "the writer lock is still held after 60 s")
    }

    func execute(_ sql: String) throws {
        try server.psql(database, "SET search_path = credit_recon; \(sql)")
    }

    func holdWriterLockElsewhere() throws -> () -> Void {
        guard case .postgres(let postgres) = location else { return {} }
        let session = try PostgresSession(postgres, purpose: "other program")
        try session.execute("SELECT pg_advisory_lock(\(PostgresStore.LockKey.lockClass), \(PostgresStore.LockKey.writer.rawValue))")
        return { [self] in
            _ = try? session.execute("SELECT pg_advisory_unlock_all()")
            withExtendedLifetime(session) {}
            try? waitUntilWriterLockIsFree()
        }
    }

    func dropAppendOnlyTriggers() throws {
        try execute("""
            DROP TRIGGER journal_append_only ON journal; DROP TRIGGER journal_no_truncate ON journal;
            DROP TRIGGER snapshots_append_only ON snapshots; DROP TRIGGER snapshots_no_truncate ON snapshots;
            """ + Schema.usageTableNames.map { "DROP TRIGGER \($0)_append_only ON \($0); DROP TRIGGER \($0)_no_truncate ON \($0);" }
                .joined(separator: "\n"))
    }

    func undoMigrationV8() throws {
        try undoMigrationsAfterV8()
        try execute(Schema.keptTables.map { "DROP TRIGGER \($0)_kept_delete ON \($0); DROP TRIGGER \($0)_no_truncate ON \($0);" }
            .joined(separator: " ") + " DELETE FROM schema_migrations WHERE name LIKE 'v8:%';")
    }

    func undoMigrationsAfterV8() throws {
        try execute("""
            DROP INDEX charges_by_time; CREATE INDEX charges_by_created ON charges (account, created_at, charge_id);
            DELETE FROM schema_migrations WHERE name LIKE 'v9:%';
            """)
    }
}
