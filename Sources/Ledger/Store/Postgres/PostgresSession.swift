import CreditTypes
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// One connection to the PostgreSQL server holding a ledger, used synchronously: each
/// call waits for the server's answer on the calling thread while postgres-nio works on its
/// event loop. With `Row`, the only place that talks to postgres-nio, and where its errors
/// become `LedgerError`s.
final class PostgresSession: @unchecked Sendable {
    let location: PostgresLocation
    private let connection: PostgresConnection
    /// The server process serving the session (`pg_backend_pid()`), set once logged in.
    private var backendPID = ""
    /// The waits `answer(_:)` has under way, which the connection's closing fails (one
    /// watch of the close per session, not one per statement, each kept until the close).
    private let waits = Waits()
    /// Asks the statements waiting for another session's lock to give up (a signal).
    private let stop: LockWaitStop

    private final class Waits: Sendable {
        private struct State {
            var closed = false
            var next = 0
            var failing: [Int: @Sendable (any Error) -> Void] = [:]
        }
        private let state = Mutex(State())

        /// Keeps `fail` until `remove`; `nil` (and `fail` unkept) once the connection closed.
        func add(_ fail: @escaping @Sendable (any Error) -> Void) -> Int? {
            state.withLock { state in
                guard !state.closed else { return nil }
                state.next += 1
                state.failing[state.next] = fail
                return state.next
            }
        }

        func remove(_ wait: Int) { _ = state.withLock { $0.failing.removeValue(forKey: wait) } }

        /// Fails every wait kept, and every later `add`.
        func close(with error: any Error) {
            let failing = state.withLock { state in
                state.closed = true
                defer { state.failing = [:] }
                return Array(state.failing.values)
            }
            for fail in failing { fail(error) }
        }
    }

    /// postgres-nio logs to a logger that drops everything: its records could carry
    /// statements' values, and the tool's own log lines say what matters.
    private static let logger = Logger(label: "credit-recon.ledger.postgres") { _ in SwiftLogNoOpLogHandler() }
    private static let nextID = Mutex(0)

    /// Connects and logs in, within the location's connect timeout. `purpose` goes into
    /// the session's `application_name` beside the host and pid, which is how another
    /// writer's refusal names this process. `stop` is how its statements are asked to give
    /// up waiting for other sessions' locks (`answer(_:)`).
    init(_ location: PostgresLocation, purpose: String, stop: LockWaitStop = LockWaitStop()) throws(LedgerError) {
        self.location = location
        self.stop = stop
        do {
            connection = try Self.connect(location, purpose: purpose)
        } catch {
            throw LedgerError.postgresLogin(error, at: location)
        }
        let waits = waits
        connection.closeFuture.whenComplete { _ in waits.close(with: ConnectionClosed()) }
        // Sessions sit idle on purpose: the writer lock's for a whole command, the store's
        // through a fetch's API calls. A server's idle_session_timeout (PostgreSQL 14 on)
        // would end them, and with the lock's session the lock, unseen by this writer.
        // (Before 14 there is no such setting; and no pg_settings scan, which a small
        // work_mem spills to a temporary file.) So do transactions, idle while this side
        // works: a reader's snapshot while it adds up the rows read, a write between the
        // batches of an import; idle_in_transaction_session_timeout ended `status` on a
        // ledger of 400,000 entries at 2 s.
        //
        // The server's encoding is asked in the same round trip. The ledger's texts are
        // UTF-8; a database in another (LATIN1, SQL_ASCII) took this client's bytes as its
        // own characters, so psql and every other client read garbled memos and the
        // README's chain check in psql found broken links, while this tool read them back
        // sound.
        //
        // A session whose client is gone (killed, or a wait given up in `answer(_:)`) is ended
        // by the server within a second from PostgreSQL 14 on (client_connection_check_interval),
        // not when its statement finishes: one left waiting for a lock kept its own locks, and
        // the next writer waited behind it for ever (probe 75).
        let answer = try query("SELECT set_config('idle_in_transaction_session_timeout', '0', false), "
            + "CASE WHEN current_setting('idle_session_timeout', true) IS NOT NULL "
            + "THEN set_config('idle_session_timeout', '0', false) END, "
            + "CASE WHEN current_setting('client_connection_check_interval', true) IS NOT NULL "
            + "THEN set_config('client_connection_check_interval', '1000', false) END, "
            + "pg_backend_pid()::text, current_setting('server_encoding')") { row in
            _ = try row.optionalText()
            _ = try row.optionalText()
            _ = try row.optionalText()
            return (try row.text(), try row.text())
        }.first
        backendPID = answer?.0 ?? ""
        let encoding = answer?.1
        guard let encoding, encoding == "UTF8" else {
            throw LedgerError.badLocation(
                "the database \(location.database) on \(location.host):\(location.port) stores text as \(encoding ?? "an unknown encoding"), "
                    + "not UTF8, and the ledger's texts are UTF-8: other clients (psql, an auditor's queries) would read "
                    + "them garbled. Keep the ledger in a UTF8 database (createdb -E UTF8 -T template0 NAME), and copy "
                    + "books there with credit-recon ledger copy --to URL")
        }
    }

    /// A logged-in connection, or postgres-nio's error, or `LedgerError.server` when the
    /// server does not finish the login within the connect timeout.
    private static func connect(
        _ location: PostgresLocation, purpose: String, statementTimeout: TimeAmount? = nil
    ) throws -> PostgresConnection {
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user,
            password: location.password?.reveal(), database: location.database,
            tls: try Self.tls(location))
        let timeout = TimeAmount.nanoseconds(Int64(location.connectTimeout.components.seconds) * 1_000_000_000
            + location.connectTimeout.components.attoseconds / 1_000_000_000)
        configuration.options.connectTimeout = timeout
        // The ledger's own names are all qualified (credit_recon.…, pg_temp.…); the system's
        // catalog and functions (pg_trigger, pg_locks, pg_try_advisory_lock) come from
        // pg_catalog alone. A search_path the database or the role sets (a database's owner
        // may) could otherwise put a view or function ahead of them that hides a dropped
        // guard from `verify` or lets a second writer past the lock. Given at login, it
        // overrides those settings.
        configuration.options.additionalStartupParameters = [
            ("application_name", Self.applicationName(purpose)), ("search_path", "pg_catalog, pg_temp"),
        ] + (statementTimeout.map { [("statement_timeout", "\($0.nanoseconds / 1_000_000)")] } ?? [])
        let id = Self.nextID.withLock { value in
            value += 1
            return value
        }
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let connected = eventLoop.makePromise(of: PostgresConnection.self)
        let connecting = PostgresConnection.connect(on: eventLoop, configuration: configuration, id: id, logger: Self.logger)
        connecting.cascade(to: connected)
        // Set on the event loop, where the deadline runs too: a login that finished just
        // before the deadline fired is kept, not closed under its caller.
        let loggedIn = LoggedIn()
        connecting.whenSuccess { _ in loggedIn.value.store(true, ordering: .relaxed) }
        // This one bounds a server that accepts the connection and then never answers the
        // login, as postgres-nio's own connect timeout does too, from about the same instant:
        // whichever fires first, the words are the same (`loginTimedOut`).
        let deadline = eventLoop.scheduleTask(in: timeout) {
            guard !loggedIn.value.load(ordering: .relaxed) else { return }
            connected.fail(LedgerError.loginTimedOut(location))
            // A login that finishes after all is closed, and kept until it is (postgres-nio
            // requires a connection to be closed before it goes).
            connecting.whenSuccess { late in late.close().whenComplete { _ in withExtendedLifetime(late) {} } }
        }
        defer { deadline.cancel() }
        return try connected.futureResult.wait()
    }

    private final class LoggedIn: Sendable {
        let value = Atomic(false)
    }

    /// Whether the server at `location` still answers a login within the connect timeout:
    /// any answer counts, a refusal too (too many connections, say), since only a server
    /// that is up can give one. `nil` when it does; otherwise why not.
    ///
    /// Once logged in, whether the session served by process `waiter` waits for a lock that
    /// it is to give up: with `idleFor`, one held by sessions of another program (not
    /// credit-recon's, which go on working between their statements) idle in their
    /// transactions for that long or more (a psql left at `BEGIN; LOCK TABLE …` held a
    /// `status` for ever); without (the command was asked to stop, `LockWaitStop`), any.
    /// Another user's sessions are seen only by a role that may read their activity
    /// (`pg_read_all_stats`): an idle one it cannot see is waited for.
    ///
    /// With `idleFor` and `writing` (this process holds the ledger's writer lock), sessions
    /// of credit-recon count too when they hold the append lock, in any state, or are idle
    /// in their transactions that long, unless the wait is for a table's exclusive lock (a
    /// migration's, which a reader's snapshot holds up while it adds up what it read): every
    /// credit-recon write runs under its command's writer lock, so one that holds an append
    /// or a row while this process holds that lock was left by a command that lost it: gone
    /// without its session noticing, or its server process frozen, idle or in a statement
    /// (the next writer waited behind it for ever, probes 123 and 124). The server is asked
    /// to end each (`pg_terminate_backend`), once, said in a warning, and the wait goes on:
    /// the lock is let go as the session ends. One still there at the next check cannot end
    /// (a frozen process ends only once it runs again), and is told to `giveUp` as the
    /// others are (`LockHolders.LeftBehind.stillThere`); at once, one the server would not
    /// end for this user (another user's, `.mayNotEnd`). `ended` keeps, by process, those
    /// asked and whether the server took the request.
    ///
    /// When it does, `giveUp` is told who holds the lock (pids, and each described, and
    /// whether all are credit-recon's left behind) and fails the wait, unless its answer
    /// came first (`false`). Only then is the waiting
    /// session ended on the server, its transaction with it (no COMMIT was sent: the client
    /// waited for this statement): a client that goes away is not noticed by a session
    /// waiting for a lock (before PostgreSQL 14's client_connection_check_interval), which
    /// kept its own locks, and the next writer waited behind it for ever (probe 75).
    ///
    /// Before that, whether the server reads what `waiter` was sent: its session idle (in its
    /// transaction or not) for `quietFor` and more while a statement sent to it waits for its
    /// answer never received that statement. Its process froze while the server logs in
    /// others, or the connection to it broke without closing: the command waited for ever
    /// (probe 122: an import, its session's process stopped, ran for nine minutes). The
    /// session is ended on the server, to roll its transaction back once it runs again.
    private static func silence(
        at location: PostgresLocation, for waiter: String, quietFor: TimeAmount, idleFor: TimeAmount?,
        writing: Bool, ended: borrowing Mutex<[String: Bool]>, giveUp: (LockHolders) -> Bool
    ) -> Silence? {
        let probe: PostgresConnection
        do {
            probe = try connect(location, purpose: "probe", statementTimeout: .seconds(max(1, location.connectTimeout.components.seconds)))
        } catch let error as PSQLError where error.code == .server {
            return nil
        } catch {
            let mapped = LedgerError.postgresLogin(error, at: location)
            guard case .server(_, let detail) = mapped else { return .noLogin(String(describing: mapped)) }
            return .noLogin(String(detail.prefix { $0 != ";" }))  // what happened, without the advice
        }
        defer {
            try? probe.close().wait()
            withExtendedLifetime(probe) {}
        }
        /// Asks the server to end the session of process `pid`; whether it took the request
        /// (an error: this user may not end it).
        @discardableResult func terminate(_ pid: String) -> Bool {
            var binds = PostgresBindings()
            binds.append(pid)
            return (try? probe.query(PostgresQuery(unsafeSQL: "SELECT pg_terminate_backend($1::int)", binds: binds), logger: logger)
                .wait()) != nil
        }
        var own = PostgresBindings()
        own.append(waiter)
        own.append(Double(quietFor.nanoseconds) / 1e9)
        let idle = """
            SELECT floor(extract(epoch FROM now() - state_change))::bigint FROM pg_stat_activity
            WHERE pid = $1::int AND state LIKE 'idle%' AND state_change <= now() - make_interval(secs => $2)
            """
        if let rows = try? probe.query(PostgresQuery(unsafeSQL: idle, binds: own), logger: logger).wait(),
           let seconds = rows.rows.first.flatMap({ try? $0.decode(Int64.self) }) {
            terminate(waiter)
            return .notReading(idleSeconds: seconds)
        }
        var binds = PostgresBindings()
        binds.append(waiter)
        binds.append(idleFor.map { Double($0.nanoseconds) / 1e9 })
        binds.append(writing)
        // A row whenever the statement waits for a lock that may be given up, the holder
        // described as far as this role may see it (or gone by the time it is looked for),
        // its process, and whether it is a session of credit-recon's left behind.
        let sql = """
            SELECT DISTINCT ON (1) COALESCE(b.pid::text || ' (' || COALESCE(NULLIF(b.application_name, ''), 'no application name')
                || ', user ' || COALESCE(b.usename::text, 'unknown') || ', ' || CASE
                    WHEN b.state = 'active' THEN 'running a statement'
                    WHEN b.state LIKE 'idle in transaction%' THEN 'idle in its transaction'
                    ELSE COALESCE(b.state, 'in a state this user may not see') END
                || COALESCE(' for ' || floor(extract(epoch FROM now() - b.state_change))::bigint || ' s', '') || ')',
                blocking.pid::text || ' (a session this user may not see)', 'another session'),
                blocking.pid::text, left_behind.found
            FROM pg_stat_activity w LEFT JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocking(pid) ON true
            LEFT JOIN pg_stat_activity b ON b.pid = blocking.pid
            CROSS JOIN LATERAL (SELECT COALESCE($3::bool AND b.application_name LIKE 'credit-recon %' AND (
                EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = b.pid AND l.granted AND l.locktype = 'advisory'
                    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    AND l.classid = \(UInt32(bitPattern: PostgresStore.LockKey.lockClass))
                    AND l.objid = \(PostgresStore.LockKey.append.rawValue) AND l.objsubid = 2)
                OR (b.state LIKE 'idle in transaction%' AND b.state_change <= now() - make_interval(secs => $2)
                    AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = w.pid AND NOT l.granted
                        AND l.mode = 'AccessExclusiveLock'))), false) AS found) left_behind
            WHERE w.pid = $1::int AND w.wait_event_type = 'Lock'
              AND ($2::float8 IS NULL OR left_behind.found OR (b.state LIKE 'idle in transaction%'
                AND b.application_name NOT LIKE 'credit-recon %' AND b.state_change <= now() - make_interval(secs => $2)))
            ORDER BY 1
            """
        guard let rows = try? probe.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).wait() else { return nil }
        let blockers = rows.rows.compactMap { try? $0.decode((String, String?, Bool).self) }
        guard !blockers.isEmpty else { return nil }
        var refused = false
        if idleFor != nil {
            var asked = false
            for (described, pid, leftBehind) in blockers where leftBehind {
                guard let pid, ended.withLock({ $0[pid] == nil }) else {
                    refused = refused || ended.withLock { $0[pid ?? ""] == false }
                    continue
                }
                // `false` from the server (a session gone meanwhile) is taken too.
                let taken = terminate(pid)
                ended.withLock { $0[pid] = taken }
                refused = refused || !taken
                asked = asked || taken
                LedgerLog.warning(
                    "\(taken ? "asked the server to end" : "could not end") session \(described) on \(location): it holds what "
                        + "this writer waits for, left by a credit-recon command that no longer holds the writer lock (it is gone, "
                        + "or its server process froze); "
                        + (taken ? "it ends, its transaction rolled back, as soon as its process runs (a frozen one once it runs again)"
                            : "this user may not end another user's session"))
            }
            if asked, !refused, blockers.allSatisfy(\.2) { return nil }
        }
        guard giveUp(LockHolders(
            pids: blockers.compactMap(\.1), described: blockers.map(\.0),
            leftBehind: blockers.allSatisfy(\.2) ? (refused ? .mayNotEnd : .stillThere) : nil))
        else { return nil }
        terminate(waiter)
        return nil
    }

    /// The sessions holding a lock that a statement waits for (`silence`).
    private struct LockHolders {
        /// Their server processes, as far as they are seen.
        var pids: [String]
        /// Each described: process, application, user, state and for how long.
        var described: [String]
        /// Set when all are credit-recon's, left by commands that lost the writer lock:
        /// why they are still there.
        var leftBehind: LeftBehind?

        enum LeftBehind {
            /// Asked to end a check ago, and not ended: frozen.
            case stillThere
            /// This user may not end one of them (another user's).
            case mayNotEnd
        }
    }

    /// What the check beside an unanswered statement found wrong (`silence`).
    private enum Silence {
        /// No new connection could log in either (what happened): the server is gone.
        case noLogin(String)
        /// The server logs in, but the waiting session has been idle this long: the
        /// statement never reached it.
        case notReading(idleSeconds: Int64)
    }

    deinit { try? connection.close().wait() }

    /// `credit-recon <purpose> <host> pid <pid>`, within PostgreSQL's 63 bytes.
    static func applicationName(_ purpose: String) -> String {
        let host = ProcessInfo.processInfo.hostName
        let text = "credit-recon \(purpose) \(host) pid \(getpid())"
        guard text.utf8.count > 63 else { return text }
        return "credit-recon \(purpose) pid \(getpid()) " + String(host.prefix(20))
    }

    private static func tls(_ location: PostgresLocation) throws(LedgerError) -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch location.sslMode {
        case .disable: return .disable
        case .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let file = location.sslRootCertificate { configuration.trustRoots = .file(file) }
        do {
            let context = try NIOSSLContext(configuration: configuration)
            return location.sslMode == .prefer ? .prefer(context) : .require(context)
        } catch {
            if let file = location.sslRootCertificate {
                throw LedgerError.badLocation("cannot set up TLS for the ledger: sslrootcert=\(file) holds no "
                    + "certificate the TLS library can load; it must be the PEM file of the certificate authority "
                    + "that signed the server's certificate")
            }
            throw LedgerError.badLocation("cannot set up TLS for the ledger (sslmode=\(location.sslMode.rawValue)): \(error)")
        }
    }

    /// Statements sent and not yet answered, oldest first (`send(_:_:)`).
    private var unanswered: [EventLoopFuture<PostgresQueryResult>] = []
    /// Statements `send(_:_:)` leaves unanswered, at most.
    static let unansweredLimit = 2

    /// Sends a statement whose answer only matters if it is a failure, and returns
    /// without waiting for it, so the caller makes its next batch while the server writes
    /// this one. The connection runs statements in the order they were sent. Every other
    /// statement first waits for these (`settle()`); the first failure surfaces there, or
    /// here when `unansweredLimit` of them are already waiting.
    func send(_ sql: String, _ binds: PostgresBindings) throws(LedgerError) {
        if unanswered.count >= Self.unansweredLimit { try settleOldest() }
        unanswered.append(connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: Self.logger))
    }

    /// Waits for every statement sent and not yet answered, and rethrows the first failure.
    /// After one fails, the transaction is aborted and the ones after it fail for that
    /// reason only, so they are waited for and forgotten (`forgetUnanswered()`).
    func settle() throws(LedgerError) {
        while !unanswered.isEmpty { try settleOldest() }
    }

    private func settleOldest() throws(LedgerError) {
        let oldest = unanswered.removeFirst()
        do {
            _ = try answer(oldest)
        } catch {
            forgetUnanswered()
            throw LedgerError.postgres(error, at: location)
        }
    }

    /// Waits for the statements sent and not yet answered, whatever their answers: the
    /// transaction is being rolled back.
    func forgetUnanswered() {
        for statement in unanswered { _ = try? answer(statement) }
        unanswered.removeAll()
    }

    /// Runs one statement and returns what `make` makes of each row, made as the rows
    /// arrive (on the connection's thread, while this one waits), so a million rows are
    /// never held as the wire gave them.
    func query<T>(
        _ sql: String, _ binds: PostgresBindings = PostgresBindings(), _ make: @escaping @Sendable (inout Row) throws -> T
    ) throws(LedgerError) -> [T] {
        try settle()
        let made = Made<T>()
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        do {
            _ = try answer(connection.query(query, logger: Self.logger) { row in
                var row = Row(row)
                made.items.append(try make(&row))
            })
        } catch {
            throw LedgerError.postgres(error, at: location)
        }
        return made.items
    }

    /// What a query's rows were made into. Filled on the connection's event loop, one row
    /// after another, and read once the query is answered.
    private final class Made<T>: @unchecked Sendable {
        var items: [T] = []
    }

    /// Runs one statement; the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws(LedgerError) -> Int {
        try result(sql, binds).metadata.rows ?? 0
    }

    /// Commits the transaction, once the statements sent before it are answered (a failure
    /// there means the COMMIT never went out). A connection that ends after it went out
    /// leaves the outcome unknown: the server may have committed.
    func commit() throws(LedgerError) {
        try settle()
        do {
            _ = try answer(connection.query(PostgresQuery(unsafeSQL: "COMMIT"), logger: Self.logger))
        } catch {
            guard Self.endedConnection(error) else { throw LedgerError.postgres(error, at: location) }
            throw LedgerError.server(
                location: location.description,
                detail: "the connection to the server was lost as it committed, so whether the write was "
                    + "committed is not known: run `credit-recon --ledger '\(location)' verify` once the server "
                    + "answers; running the command again is safe, as what was stored is found and not written twice "
                    + "(a `ledger copy` run again says whether the copy is there)")
        }
    }

    /// Whether `error` says the connection ended under a statement.
    private static func endedConnection(_ error: any Error) -> Bool {
        if error is ConnectionClosed { return true }
        guard let error = error as? PSQLError else { return false }
        return sessionEnded(error.code, sqlState: error.serverInfo?[.sqlState])
    }

    /// Whether a failure of `code` (and the server's `sqlState`) ended the session: the
    /// connection closed, or the server's FATAL ending it, which it may send after the COMMIT
    /// it answers was made (`pg_terminate_backend` during a COMMIT was said to be rolled back,
    /// probe 397).
    static func sessionEnded(_ code: PSQLError.Code, sqlState: String?) -> Bool {
        if code == .server { return LedgerError.sessionEndedStates.contains(sqlState ?? "") }
        return [.serverClosedConnection, .uncleanShutdown, .clientClosedConnection].contains(code)
    }

    /// Runs statements one after the other.
    func execute(_ statements: [String]) throws(LedgerError) {
        for statement in statements { try execute(statement) }
    }

    private func result(_ sql: String, _ binds: PostgresBindings) throws(LedgerError) -> PostgresQueryResult {
        try settle()
        do {
            return try answer(connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: Self.logger))
        } catch {
            throw LedgerError.postgres(error, at: location)
        }
    }

    /// Waits for `future`, or for the connection to close: a statement sent on a session
    /// the server has just ended (`pg_terminate_backend`) may otherwise never be answered.
    ///
    /// Nor is one sent to a server that stopped (a host gone from the network, a frozen
    /// process): nothing closes the connection then. A statement can rightly take minutes
    /// (a replay's comparison, a wait for a lock), so silence alone proves nothing; instead,
    /// every `--timeout` while it is unanswered, a second connection tries to log in. When
    /// the server does not answer that within `--timeout` either, it is taken as gone: the
    /// wait fails and the connection is closed, so nothing more waits on it. The same when
    /// the statement waits for a lock held by another program's session idle in its
    /// transaction, which nothing on this side can end, or for any lock once the command is
    /// asked to stop (`stop`): then at once (a moment after a statement sent later), and
    /// again every `--timeout` (`silence`).
    private func answer<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        let answered = future.eventLoop.makePromise(of: T.self)
        future.cascade(to: answered)
        let location = location, waiter = backendPID, stop = stop
        let connection = connection
        guard let wait = waits.add({ answered.fail($0) }) else { throw ConnectionClosed() }
        defer { waits.remove(wait) }
        let interval = TimeAmount.seconds(max(1, location.connectTimeout.components.seconds))
        /// Fails the wait with `error`; whether that was its end (its answer did not come first).
        @Sendable func giveUp(_ error: LedgerError) -> Bool {
            let mine = WaitGivenUp(error: error)
            answered.fail(mine)
            do {
                _ = try answered.futureResult.wait()
                return false
            } catch let ended as WaitGivenUp {
                return ended.token === mine.token
            } catch {
                return false
            }
        }
        // One probe at a time; one asked for meanwhile (a stop) runs after it.
        let probing = Mutex((running: false, again: false))
        // The sessions left behind by other commands that a probe asked to end (`silence`),
        // each with whether the server took the request.
        let ended = Mutex([String: Bool]())
        @Sendable func probe() {
            let starts = probing.withLock { state in
                if state.running { state.again = true }
                defer { state.running = true }
                return !state.running
            }
            guard starts else { return }
            _ = BackgroundWork {
                repeat {
                    let stopping = stop.reason
                    let silent = Self.silence(
                        at: location, for: waiter, quietFor: interval, idleFor: stopping == nil ? interval : nil,
                        writing: PostgresWriterLock.heldBy(location) != nil, ended: ended
                    ) { holders in
                        let pids = holders.pids, sessions = holders.described, one = sessions.count == 1
                        if let stopping {
                            return giveUp(.lockWaitGivenUp(location: location.description, because: stopping, holders: sessions))
                        }
                        if let left = holders.leftBehind {
                            let why = switch left {
                            case .stillThere:
                                "asked to end (pg_terminate_backend) a --timeout ago, \(one ? "it has" : "they have") not: a "
                                    + "server process that froze (stopped, or stuck on its disk) ends once it runs again, or when "
                                    + "the server restarts"
                            case .mayNotEnd:
                                "which this user may not end (pg_terminate_backend refused: another user's session); a "
                                    + "superuser may, with SELECT pg_terminate_backend(\(one ? pids.first ?? "PID" : "PID"))"
                            }
                            return giveUp(.serverBusy(
                                location: location.description,
                                detail: "a statement waited for a lock held by session\(one ? "" : "s") "
                                    + "\(sessions.joined(separator: ", ")), left by a credit-recon command that no longer "
                                    + "holds the writer lock (it is gone, or its server process froze), \(why). Then run the "
                                    + "command again; nothing of this command's transaction was committed"))
                        }
                        return giveUp(.serverBusy(
                            location: location.description,
                            detail: "a statement waited for a lock held by another program's session\(one ? "" : "s") "
                                + "\(sessions.joined(separator: ", ")), which may never let it go; finish "
                                + "\(one ? "that transaction" : "their transactions") (COMMIT or ROLLBACK where "
                                + "\(one ? "it was" : "they were") begun, or SELECT pg_terminate_backend(\(one ? pids[0] : "PID"))), "
                                + "then run the command again; nothing of this command's transaction was committed"))
                    }
                    switch silent {
                    case .noLogin(let why):
                        Self.silentServers.withLock { _ = $0.insert(location.description) }
                        _ = giveUp(.server(
                            location: location.description,
                            detail: "the server stopped answering: a statement had no answer, and a new connection could not "
                                + "log in within \(location.connectTimeout) (--timeout) either (\(why)); "
                                + "a write under way, if any, was not committed, unless the server was committing it as it "
                                + "stopped: run verify once it answers again"))
                    case .notReading(let seconds):
                        _ = giveUp(.server(
                            location: location.description,
                            detail: "the server stopped reading this command's statements: its session (process \(waiter)) "
                                + "has been idle for \(seconds) s while a statement sent to it had no answer for more than "
                                + "\(location.connectTimeout) (--timeout): that server process froze, or the connection to "
                                + "it broke without closing. The server was asked to end it, which rolls its transaction back "
                                + "(a frozen process ends once it runs again, or when the server restarts), so nothing of this "
                                + "command's transaction is committed; run the command again"))
                    case nil:
                        break
                    }
                } while probing.withLock { state in
                    defer { state = (running: state.again, again: false) }
                    return state.again
                }
            }
        }
        let watch = future.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in probe() }
        let told = stop.tell { probe() }
        // Asked to stop before this statement: is it waiting for a lock, a moment after it went out?
        let soon = told == nil ? future.eventLoop.scheduleTask(in: .milliseconds(100)) { probe() } : nil
        // Closed only when the wait was given up (not when the answer came first), so that
        // nothing more waits on it.
        answered.futureResult.whenFailure { error in
            if error is WaitGivenUp { let _: EventLoopFuture<Void> = connection.close() }
        }
        defer {
            watch.cancel()
            soon?.cancel()
            stop.forget(told)
        }
        do {
            return try answered.futureResult.wait()
        } catch let givenUp as WaitGivenUp {
            throw givenUp.error
        }
    }

    /// Why a wait ended: the connection closed under it (`LedgerError.postgres` says it
    /// as the lost connection).
    struct ConnectionClosed: Error {}

    /// The servers (by URL without password) that this process judged silent: nothing more
    /// is asked of them on the way out (a writer lock's unlock waited another `--timeout`
    /// or two on a frozen server).
    private static let silentServers = Mutex<Set<String>>([])

    /// Whether this process judged the server at `location` silent (see `answer(_:)`).
    static func isJudgedSilent(_ location: PostgresLocation) -> Bool {
        silentServers.withLock { $0.contains(location.description) }
    }

    /// Why a wait was given up: the server stopped answering, or the statement waits for a
    /// lock that may never be let go (see `answer(_:)`).
    private struct WaitGivenUp: Error {
        let error: LedgerError
        /// Tells this wait's end from another's.
        let token = Token()
        final class Token: Sendable {}
    }

    /// One row of a result, read column after column, in the order of the statement's
    /// `SELECT` list: each column is read once, straight from the bytes postgres-nio
    /// received, in the binary format it asks for (text as UTF-8, `BIGINT` as 8 bytes
    /// big-endian, `BOOLEAN` as 1 byte).
    struct Row: ColumnCursor {
        private var cells: PostgresRow.Iterator

        init(_ row: PostgresRow) { cells = row.makeIterator() }

        private mutating func next() throws(LedgerError) -> PostgresCell {
            guard let cell = cells.next() else { throw LedgerError.store("a PostgreSQL row has fewer columns than read") }
            return cell
        }

        mutating func text() throws(LedgerError) -> String {
            let cell = try next()
            guard let text = try Self.text(cell) else { throw Self.refused(cell, "text") }
            return text
        }

        mutating func optionalText() throws(LedgerError) -> String? {
            try Self.text(try next())
        }

        private static func text(_ cell: PostgresCell) throws(LedgerError) -> String? {
            guard let bytes = cell.bytes else { return nil }
            guard cell.dataType == .text || cell.dataType == .varchar || cell.dataType == .name else {
                throw refused(cell, "text")
            }
            return String(buffer: bytes)
        }

        mutating func int64() throws(LedgerError) -> Int64 {
            let cell = try next()
            guard let number = try Self.int64(cell) else { throw Self.refused(cell, "an integer") }
            return number
        }

        mutating func optionalInt64() throws(LedgerError) -> Int64? {
            try Self.int64(try next())
        }

        private static func int64(_ cell: PostgresCell) throws(LedgerError) -> Int64? {
            guard let bytes = cell.bytes else { return nil }
            guard cell.dataType == .int8, cell.format == .binary, bytes.readableBytes == 8,
                  let number = bytes.getInteger(at: bytes.readerIndex, as: Int64.self) else {
                throw refused(cell, "an integer")
            }
            return number
        }

        mutating func bool() throws(LedgerError) -> Bool {
            let cell = try next()
            guard let bytes = cell.bytes, cell.dataType == .bool, cell.format == .binary, bytes.readableBytes == 1,
                  let byte = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) else {
                throw Self.refused(cell, "a boolean")
            }
            return byte != 0
        }

        /// A `BIGINT` column as its number, any other as its text (rows whose columns'
        /// types are known only at run time).
        mutating func integerOrText() throws(LedgerError) -> Either {
            let cell = try next()
            if cell.dataType == .int8, let number = try Self.int64(cell) { return .integer(number) }
            guard let bytes = cell.bytes else { throw Self.refused(cell, "an integer or text") }
            return .text(String(buffer: bytes))
        }

        enum Either { case integer(Int64), text(String) }

        /// A time column as the ledger stores it (`Timestamp.iso8601`): `nil` when NULL,
        /// `.unreadable` with its text when it cannot be read as one.
        mutating func time() throws(LedgerError) -> StoredTime? {
            let cell = try next()
            guard let bytes = cell.bytes else { return nil }
            if let time = bytes.withUnsafeReadableBytes({ Timestamp.parse(iso8601: $0.bindMemory(to: UInt8.self)) }) {
                return .time(time)
            }
            return .unreadable(String(buffer: bytes))
        }

        /// The column's bytes as received (none for NULL).
        mutating func bytes() throws(LedgerError) -> ByteBuffer {
            try next().bytes ?? ByteBuffer()
        }

        private static func refused(_ cell: PostgresCell, _ wanted: String) -> LedgerError {
            LedgerError.store("column \(cell.columnName) cannot be read as \(wanted) (it is \(cell.bytes == nil ? "NULL" : "\(cell.dataType)"))")
        }
    }
}
