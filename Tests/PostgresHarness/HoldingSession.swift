import Foundation

/// A session of its own on the tests' server that runs `sql` (a lock to take) and then
/// waits, holding what it took until `release()` ends it on the server: for a test that
/// needs a command to wait on the database, not on the clock. The session is named
/// `application_name`, so the test can see in `pg_stat_activity` when `sql` has run.
public final class HoldingSession {
    public let applicationName: String
    private let server: ThrowawayPostgres
    private let database: String
    private let process: Process
    private let idle: Bool
    /// The last statement, which psql has run once the session is idle after it.
    private let last: String
    /// psql's input, kept open while it is idle (`idleInTransaction`).
    private let input = Pipe()

    /// Starts `psql` running each statement of `statements` in turn, then `pg_sleep`, in one
    /// session (a transaction begun by a statement stays open). With `idleInTransaction`,
    /// psql reads the statements from its input and then waits for more, as a person at
    /// psql does: the session is idle in its transaction, not running a statement.
    /// `applicationName` names the session as another program would (a unique name by default).
    public init(
        _ server: ThrowawayPostgres, _ database: String, _ statements: [String], idleInTransaction: Bool = false,
        applicationName: String = "test-holder-\(UUID().uuidString.prefix(8))"
    ) throws {
        self.server = server
        self.database = database
        idle = idleInTransaction
        last = statements.last ?? ""
        self.applicationName = applicationName
        process = Process()
        process.executableURL = URL(fileURLWithPath: server.binDirectory + "/psql")
        process.arguments = ["-X", "-q", "-h", "127.0.0.1", "-p", String(server.port), "-U", "postgres", "-d", database]
            + (idle ? [] : (statements + ["SELECT pg_sleep(3600)"]).flatMap { ["-c", $0] })
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["PGPASSWORD": server.password, "PGAPPNAME": applicationName]) { $1 }
        process.standardInput = idle ? input : FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        if idle { input.fileHandleForWriting.write(Data(statements.map { $0 + ";\n" }.joined().utf8)) }
    }

    /// Whether `sql` has run: the session is in its `pg_sleep`.
    public var isHolding: Bool {
        let sleeping = try? server.psql(database, """
            SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(applicationName)'
              AND \(idle ? "state = 'idle in transaction' AND position('\(last.replacingOccurrences(of: "'", with: "''"))' IN query) > 0"
                          : "query LIKE '%pg_sleep%'")
            """)
        return sleeping?.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// Waits until `sql` has run (`isHolding`), at most 60 s (a deadline for a hung psql,
    /// not a timing); whether it has.
    public func waitUntilHolding() -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while !isHolding, ContinuousClock.now < deadline {}
        return isHolding
    }

    /// Ends the session on the server (what it held is let go: a client that goes away is
    /// not noticed during `pg_sleep`), then `psql`.
    public func release() {
        guard process.isRunning else { return }
        _ = try? server.psql(database, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(applicationName)'")
        // SIGKILL, which nothing ignores: psql kept a SIGTERM ignored when a test of the
        // signal trap, in this process, had SIGTERM ignored as psql started.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
    }

    deinit { release() }
}
