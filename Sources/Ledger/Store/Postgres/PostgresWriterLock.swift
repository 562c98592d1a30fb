import PostgresNIO
import Synchronization

/// The PostgreSQL ledger's writer lock: a session advisory lock, taken with
/// `pg_try_advisory_lock` on a connection of its own and held while the connection lives.
/// The server drops it when the connection ends, so a writer killed on any host never
/// leaves a stale lock. A second writer, from any host, is refused at once and told who
/// holds it: the holder's `application_name` (host and pid) and address. This very process,
/// holding it under another spelling of the database's URL, is told so.
final class PostgresWriterLock: StoreWriterLock {
    private let session: PostgresSession
    private let location: PostgresLocation
    private let key: String
    private let database: String
    /// The server process that holds the lock.
    private let pid: Int64

    /// Each lock this process holds, by database: the server process holding it
    /// (`heldBy(_:)`: a write under the lock checks that the lock is still held there), and
    /// its session (`announce`).
    private static let holders = Mutex<[String: (pid: Int64, session: PostgresSession)]>([:])

    init(_ location: PostgresLocation) throws(LedgerError) {
        let session = try PostgresSession(location, purpose: "writer")
        let key = "\(PostgresStore.LockKey.lockClass), \(PostgresStore.LockKey.writer.rawValue)"
        let locked = try session.query("SELECT pg_try_advisory_lock(\(key)), pg_backend_pid()::bigint") {
            (try $0.bool(), try $0.int64())
        }.first
        guard let locked, locked.0 else {
            let holder = Self.holder(session)
            // This process's own lock, taken under another spelling of the URL: the holding
            // session has this process's name, and is one this process holds a lock on.
            let here = holder.map { holder in
                holder.application == PostgresSession.applicationName("writer")
                    && Self.holders.withLock { $0.values.contains { $0.pid == holder.pid } }
            } ?? false
            throw LedgerError.writerBusy(lock: "advisory \(key) on \(location)", holder: holder?.description, heldHere: here)
        }
        self.session = session
        self.location = location
        self.key = key
        database = Self.identity(location)
        pid = locked.1
        Self.holders.withLock { [database, pid] in $0[database] = (pid, session) }
    }

    /// Released here, before the session closes: the server ends a closed session's locks
    /// only when its backend has noticed, and the next writer must not be refused meanwhile.
    /// Not asked of a server this process judged silent: closing is all that is left.
    deinit {
        Self.holders.withLock { [database, pid] in if $0[database]?.pid == pid { $0[database] = nil } }
        guard !PostgresSession.isJudgedSilent(location) else { return }
        _ = try? session.execute("SELECT pg_advisory_unlock(\(key))")
    }

    /// The server process (`pg_backend_pid`) that holds this process's writer lock on the
    /// database of `location`; `nil` when this process holds none there.
    static func heldBy(_ location: PostgresLocation) -> Int64? {
        holders.withLock { $0[identity(location)]?.pid }
    }

    /// Whether the server process `pid` holds the writer lock: asked inside a write
    /// transaction, so a lock lost since it was taken (its session ended by the server, an
    /// administrator or the network) stops the write before anything is written.
    static func isHeld(by pid: Int64, on session: PostgresSession) throws(LedgerError) -> Bool {
        try session.query(
            """
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = \(pid)
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid = \(UInt32(bitPattern: PostgresStore.LockKey.lockClass)) AND objid = \(PostgresStore.LockKey.writer.rawValue)
              AND objsubid = 2
            """
        ) { try $0.int64() }.first == 1
    }

    /// The writer holding the lock of the database at `location`, asked on a session of its
    /// own, with the runs it announced; `nil` when none holds it; `WriterUnseen` when the
    /// server cannot be asked.
    static func runningWriter(_ location: PostgresLocation) throws(WriterUnseen) -> RunningWriter? {
        do {
            return try runningWriter(on: try PostgresSession(location, purpose: "status"))
        } catch {
            throw WriterUnseen(reason: "cannot ask \(location) for its writer lock: \(error)")
        }
    }

    /// `runningWriter(_:)`, asked on `session`.
    static func runningWriter(on session: PostgresSession) throws(LedgerError) -> RunningWriter? {
        guard let holder = try heldLock(session) else { return nil }
        let runs = (try? session.query(
            """
            SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = \(holder.pid)
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid = \(UInt32(bitPattern: PostgresStore.LockKey.runClass)) AND objsubid = 2
            """
        ) { try $0.int64() }) ?? []
        return RunningWriter(holder: holder.application == nil ? nil : holder.description, runs: runs.sorted())
    }

    /// Takes, on the session of this process's writer lock of the database at `location`, a
    /// lock keyed by each of `runs`, which `runningWriter` reads in `pg_locks` as the
    /// writer's own runs. Tried, never waited for (another application's lock of the same
    /// keys is left to it); nothing when this process holds no writer lock there.
    static func announce(runs: [Int64], _ location: PostgresLocation) {
        guard let session = holders.withLock({ $0[identity(location)]?.session }), !PostgresSession.isJudgedSilent(location) else { return }
        for run in runs {
            _ = try? session.execute(
                "SELECT pg_try_advisory_lock(\(PostgresStore.LockKey.runClass), \(Int32(truncatingIfNeeded: run)))")
        }
    }

    private static func identity(_ location: PostgresLocation) -> String {
        "\(location.host):\(location.port)/\(location.database)"
    }

    /// Who holds the writer lock, as the server knows it.
    struct Holder: CustomStringConvertible {
        /// The holding session's server process.
        var pid: Int64
        /// Its `application_name`: `credit-recon writer <host> pid <pid>` from this tool;
        /// `nil` when the session has none (or the server shows it to superusers only).
        var application: String?
        var address: String?

        /// `<host> pid <pid> (from <address>)`.
        var description: String {
            let prefix = "credit-recon writer "
            let application = application ?? "server process \(pid)"
            let name = application.hasPrefix(prefix) ? String(application.dropFirst(prefix.count)) : application
            guard let address else { return name }
            return "\(name) (from \(address))"
        }
    }

    /// The writer of another process holding the lock of the database at `location`, asked on
    /// `session` (of that database), described as a refused writer is told it; `nil` when
    /// none does or it cannot be asked.
    static func otherWriter(on session: PostgresSession, _ location: PostgresLocation) -> String? {
        guard let holder = try? otherProcessesHolder(on: session, location) else { return nil }
        return holder.application == nil ? "another credit-recon process" : "credit-recon process \(holder.description)"
    }

    /// The session holding the writer lock of the database at `location`, asked on
    /// `session`, when it is not this process's own; `nil` when none holds it or this
    /// process does.
    static func otherProcessesHolder(on session: PostgresSession, _ location: PostgresLocation) throws(LedgerError) -> Holder? {
        guard let holder = try heldLock(session), holder.pid != heldBy(location) else { return nil }
        return holder
    }

    /// Who holds the writer lock, when the server says and names it.
    private static func holder(_ session: PostgresSession) -> Holder? {
        guard let holder = try? heldLock(session), holder.application != nil else { return nil }
        return holder
    }

    /// The session holding the writer lock, or `nil` when none does.
    private static func heldLock(_ session: PostgresSession) throws(LedgerError) -> Holder? {
        let row = try session.query(
            """
            SELECT l.pid::bigint, a.application_name, host(a.client_addr) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid = \(UInt32(bitPattern: PostgresStore.LockKey.lockClass)) AND l.objid = \(PostgresStore.LockKey.writer.rawValue)
              AND l.objsubid = 2
            LIMIT 1
            """
        ) { row in (try row.int64(), try row.optionalText(), try row.optionalText()) }.first
        guard let (pid, application, address) = row else { return nil }
        return Holder(pid: pid, application: application?.isEmpty == false ? application : nil, address: address)
    }
}
