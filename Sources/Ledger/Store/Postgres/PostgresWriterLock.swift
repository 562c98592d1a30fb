import PostgresNIO

/// The PostgreSQL ledger's writer lock: a session advisory lock, taken with
/// `pg_try_advisory_lock` on a connection of its own and held while the connection lives.
/// The server drops it when the connection ends, so a writer killed on any host never
/// leaves a stale lock. A second writer, from any host, is refused at once and told who
/// holds it: the holder's `application_name` (host and pid) and address.
final class PostgresWriterLock: StoreWriterLock {
    private let session: PostgresSession
    private let key: String

    init(_ location: PostgresLocation) throws(LedgerError) {
        let session = try PostgresSession(location, purpose: "writer")
        let key = "\(PostgresStore.LockKey.lockClass), \(PostgresStore.LockKey.writer.rawValue)"
        let locked = try session.query("SELECT pg_try_advisory_lock(\(key))") { try $0.bool() }.first
        guard locked == true else {
            throw LedgerError.writerBusy(lock: "advisory lock \(key) on \(location)", holder: Self.holder(session))
        }
        self.session = session
        self.key = key
    }

    /// Released here, before the session closes: the server ends a closed session's locks
    /// only when its backend has noticed, and the next writer must not be refused meanwhile.
    deinit {
        _ = try? session.execute("SELECT pg_advisory_unlock(\(key))")
    }

    /// Who holds the writer lock: `credit-recon writer <host> pid <pid>` (from <address>).
    private static func holder(_ session: PostgresSession) -> String? {
        let row = try? session.query(
            """
            SELECT a.application_name, host(a.client_addr) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid = \(UInt32(bitPattern: PostgresStore.LockKey.lockClass)) AND l.objid = \(PostgresStore.LockKey.writer.rawValue)
              AND l.objsubid = 2
            LIMIT 1
            """
        ) { row in (try row.optionalText(), try row.optionalText()) }.first
        guard let (application, address) = row, let application, !application.isEmpty else { return nil }
        let prefix = "credit-recon writer "
        let name = application.hasPrefix(prefix) ? String(application.dropFirst(prefix.count)) : application
        guard let address else { return name }
        return "\(name) (from \(address))"
    }
}
