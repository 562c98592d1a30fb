import Foundation
import Synchronization

/// A real PostgreSQL server for the tests, started by the tests themselves: once per test
/// process, by `scripts/throwaway-postgres.sh` (a new cluster in a temporary folder, on a
/// free port of 127.0.0.1, as the unprivileged user `postgres` when the tests run as root).
/// It is stopped and its folder removed as this process exits (`--stop`, from an `atexit`
/// handler), so `make test` returns with nothing left behind; the script's watchdog does the
/// same after a crash. Each test takes a database of its own (`newDatabase()`).
///
/// When the server cannot be started (no PostgreSQL binaries: `make deps` installs them),
/// every test that needs it fails with the script's message; none is skipped.
public final class ThrowawayPostgres: Sendable {
    public let port: Int
    /// The superuser `postgres`'s password (logins over TCP need it).
    public let password: String
    /// The folder holding `psql`, `createdb` and the server's programs.
    public let binDirectory: String
    /// The cluster's folder (`data/` and `server.log` inside).
    public let folder: String
    private let databases = Mutex(0)

    private static let started = Result { try ThrowawayPostgres() }

    /// The server of this test process, started at the first call.
    public static func shared() throws -> ThrowawayPostgres { try started.get() }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private init() throws {
        let result = try Self.run("/bin/bash", [Self.script, String(getpid())])
        let fields = result.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
        guard result.status == 0, fields.count == 4, let port = Int(fields[0]) else {
            throw Failure(description: "cannot start a PostgreSQL server for the tests (exit \(result.status)): \(result.stderr)")
        }
        self.port = port
        password = fields[1]
        folder = fields[2]
        binDirectory = fields[3]
        atexit { ThrowawayPostgres.stopAtExit() }
    }

    /// `scripts/throwaway-postgres.sh`.
    public static var script: String {
        repositoryRoot.appendingPathComponent("scripts/throwaway-postgres.sh").path
    }

    /// Stops the server and removes its folder, waiting until both are done. Registered
    /// only once the server has started, so `started` holds it.
    private static func stopAtExit() {
        guard let server = try? started.get() else { return }
        _ = try? run("/bin/bash", [script, "--stop", server.folder])
    }

    /// A new, empty database; returns its name.
    public func newDatabase() throws -> String {
        let number = databases.withLock { count in
            count += 1
            return count
        }
        let name = "test_\(getpid())_\(number)"
        // The server aborts one of two statements that deadlock, which made nothing: tried
        // again, as a deadlock's victim is meant to be (CI 178: CREATE DATABASE beside the
        // other suites' role and database changes on the shared server).
        for attempt in 1... {
            do {
                _ = try psql("postgres", "CREATE DATABASE \(name)")
                return name
            } catch let failure as Failure where attempt < 5 && failure.description.contains("deadlock detected") {
                continue
            }
        }
        return name
    }

    /// The URL of `database`, with the password in it or without.
    public func url(_ database: String, password withPassword: Bool = true) -> String {
        let user = withPassword ? "postgres:\(password)" : "postgres"
        return "postgresql://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Runs `sql` with `psql` on `database` (stopping at the first error) and returns its
    /// output, unaligned, one row per line; throws with `psql`'s message when it fails.
    @discardableResult
    public func psql(_ database: String, _ sql: String) throws -> String {
        let result = try Self.run(
            binDirectory + "/psql",
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres",
             "-d", database, "-c", sql],
            environment: ["PGPASSWORD": password])
        guard result.status == 0 else { throw Failure(description: "psql: \(result.stderr)") }
        return result.stdout
    }

    /// The repository's root folder.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `path` with `arguments` and waits for it. Spawned and reaped directly (not with
    /// Foundation's `Process`, whose wait can miss the exit of a child that leaves
    /// daemons behind, as the server's script does); its output goes through files.
    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("throwaway-postgres-\(UUID().uuidString)")
        let out = outputs.path + ".out", err = outputs.path + ".err"
        defer {
            unlink(out)
            unlink(err)
        }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { strdup("\($0)=\($1)") } + [nil]
        defer {
            argv.forEach { free($0) }
            env.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, env)
        guard spawned == 0 else { throw Failure(description: "cannot run \(path): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        func text(_ file: String) -> String { (try? String(contentsOfFile: file, encoding: .utf8)) ?? "" }
        return (exit, text(out), text(err))
    }
}
