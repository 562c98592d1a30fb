import CSQLite
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One SQLite connection, configured for a ledger that must not lose a committed fact:
/// WAL, `synchronous=FULL`, `foreign_keys=ON`, a busy timeout, file mode 0600.
///
/// Not thread-safe; `Ledger` serializes access. See https://www.sqlite.org/c3ref/sqlite3.html.
final class Database {
    /// How a writable connection keeps what it writes.
    enum Durability {
        /// The ledger's own settings: WAL and `synchronous=FULL`.
        case durable
        /// A new file no other process opens, discarded unless it is finished: the rollback
        /// journal kept in memory and no fsync, so every page reaches the disk once, until
        /// `finishBuilding()` puts the durable settings in place (see `Ledger.create`).
        case building
    }

    let handle: OpaquePointer
    let path: String
    let durability: Durability
    /// Opened read-only by its URI (`readOnlyStorage`, or `checking` beside a `-wal` file;
    /// see `init`): its file names are URIs, and what it attaches inherits its read-only
    /// flag unless the URI says `mode=rwc`.
    let readOnlyByURI: Bool
    /// Whether a `-wal` log holding writes was beside the file when this connection opened it.
    let logAtOpen: Bool
    private var cache: [String: Statement] = [:]
    private var isClosed = false
    /// The building file, opened once by `startWriteback()`.
    private var writebackDescriptor: Int32 = -1

    /// Opens (creating when `create` is set) the database at `path`.
    ///
    /// A writable connection's first write sets the journal mode; `admit`, given the
    /// connection, runs before it and may refuse the file by throwing (after reading its
    /// tables), so that a file refused is left exactly as it was.
    ///
    /// `readOnlyStorage`: the file sits where this process cannot write (a read-only mount
    /// or folder, an archived copy): opened read-only, and, when no `-wal` file is beside it
    /// (no writer has it open, and none can start where the folder is read-only), as
    /// immutable, since SQLite cannot otherwise read a WAL ledger without making its `-shm`
    /// file there.
    ///
    /// `checking`: opened by `verify`, which writes nothing to the file it checks. No pragma
    /// that could write is run, and when a `-wal` file is beside it (a writer's, running or
    /// stopped before its checkpoint, or copied with the ledger) the file is opened read-only
    /// by the URI's `mode=ro`, so that closing does not fold the log into the file and remove
    /// it. Without one, the connection is a writable one: closing it removes the empty `-wal`
    /// and `-shm` files that opening made, which a read-only one would leave behind.
    init(
        path: String, create: Bool = true, readOnly: Bool = false, readOnlyStorage: Bool = false, checking: Bool = false,
        durability: Durability = .durable, busyTimeoutMilliseconds: Int32 = 5000, admit: (Database) throws -> Void = { _ in }
    ) throws {
        // Looked for only where it decides how the file is opened.
        let hasLog = (readOnlyStorage || checking) && access(path + "-wal", F_OK) == 0
        let readOnlyByURI = readOnlyStorage || (checking && hasLog)
        let readOnly = readOnly || readOnlyByURI
        if create && !readOnly && path != ":memory:" {
            // Create the file ourselves so it is 0600 from its first byte; SQLite gives
            // the -wal and -shm files the same mode. Only a file that is not there yet
            // (O_EXCL): closing a descriptor of a file drops every POSIX lock this process
            // holds on it, SQLite's included, so opening and closing an existing ledger
            // beside a connection to it let another process's reader take itself for the
            // last one, fold the -wal file in and delete it under our writer.
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 {
                closeDescriptor(fd)
            } else if errno != EEXIST {
                let reason = String(cString: strerror(errno))
                throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot create \(path): \(reason)")
            }
        }
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        var name = path
        if readOnlyByURI {
            // Read-only by the URI's `mode=ro`, not the flags: a database attached later may
            // ask for no more than the flags allow, and `verify`'s scratch copy is made and
            // written (`mode=rwc`). The URI's mode keeps the ledger itself from both.
            flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI
            name = Self.uri(path) + (hasLog || !readOnlyStorage ? "?mode=ro" : "?mode=ro&immutable=1")
        }
        var connection: OpaquePointer?
        let code = sqlite3_open_v2(name, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let error = SQLiteError(connection: connection, code: code)
            sqlite3_close_v2(connection)
            throw error
        }
        self.handle = connection
        self.path = path
        self.durability = durability
        self.readOnlyByURI = readOnlyByURI
        logAtOpen = path != ":memory:" && SQLiteStore.writeAheadLog(path) != nil
        // A connection that changes nothing leaves a log it found as it found it (`close()`
        // lets one that wrote fold it in): folded in by the last connection to close, a log
        // garbled or cut short lost the entries only it held, its valid start merged into
        // the file and the rest deleted, by `status` saying the ledger was damaged (probe
        // 344). Set before the first statement is prepared, which a change would expire.
        if logAtOpen { _ = credit_recon_keep_log_on_close(connection, 1) }
        sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(connection, 1)
        do {
            try admit(self)
            if !readOnly && !checking && path != ":memory:" {
                // Only takes effect on a new, empty file (before the first write, so before
                // WAL mode is set). 16 KB pages: a ledger is written in long appends and read
                // in long scans; fewer, larger pages mean fewer WAL frames, system calls and
                // checkpoint copies.
                try execute("PRAGMA page_size=16384")
                try execute(durability == .durable ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode=MEMORY")
            }
            try execute(durability == .durable || readOnly ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF")
            try execute("PRAGMA foreign_keys=ON")
            // A bulk import is one transaction over a million rows and two indexes; with
            // SQLite's default 2 MB page cache it spills and re-reads index pages all the
            // time. The cache grows only as pages are used.
            try execute("PRAGMA cache_size=-65536")
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// `path` as a `file:` URI: every byte but unreserved characters and `/` percent-encoded.
    /// An absolute path gets an empty authority (`file:///…`), or one starting `//` would be
    /// read as a host's name.
    private static func uri(_ path: String) -> String {
        var text = path.hasPrefix("/") ? "file://" : "file:"
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                text.unicodeScalars.append("%")
                text.unicodeScalars.append(hex[Int(byte >> 4)])
                text.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return text
    }

    /// Finalizes every statement and closes the connection; later calls fail with
    /// `SQLITE_MISUSE`. Closing the last connection to a WAL file checkpoints it and
    /// removes the `-wal` file, unless the log was there when this connection opened the
    /// file and the connection changed no row, or the log is kept (`keepLog(of:)`).
    func close() {
        guard !isClosed else { return }
        isClosed = true
        cache.removeAll()
        // Changing the setting expires the prepared statements (SQLite), so it changes only
        // here, at the end, and only when it must.
        let kept = Self.logsKept.withLock { $0.contains(path) }
        if kept && !logAtOpen {
            _ = credit_recon_keep_log_on_close(handle, 1)
        } else if !kept && logAtOpen && sqlite3_total_changes64(handle) > 0 {
            _ = credit_recon_keep_log_on_close(handle, 0)
        }
        sqlite3_close_v2(handle)
        if writebackDescriptor >= 0 { closeDescriptor(writebackDescriptor) }
    }

    /// The files whose `-wal` log no connection of this process folds into the file when it
    /// closes (`keepLog(of:)`).
    private static let logsKept = Mutex<Set<String>>([])

    /// Keeps the log beside `path` as it is when this process's connections to it close:
    /// for a command that failed on a ledger read with a log that was there before it (a
    /// crashed writer's, or another ledger's left beside it). Folded in by the last one to
    /// close, a log that was what damaged the ledger made the damage permanent, the file's
    /// own sound pages gone with the log that showed why (probe 257: `status`). The next
    /// writer folds in a log that is the ledger's own.
    static func keepLog(of path: String) {
        _ = logsKept.withLock { $0.insert(path) }
    }

    /// For a building database: asks the kernel to start writing the pages SQLite has
    /// handed it so far to the disk, without waiting for them, so that the writing overlaps
    /// the rest of the import instead of all of it waiting for `finishBuilding()`'s fsync.
    /// Durability is unchanged: nothing counts as written until that fsync. Linux only
    /// (`sync_file_range`); elsewhere, and for durable databases, it does nothing.
    func startWriteback() {
        #if os(Linux)
        guard durability == .building, !isClosed, let syncFileRange = Self.syncFileRange else { return }
        if writebackDescriptor < 0 { writebackDescriptor = open(path, O_RDONLY | O_CLOEXEC) }
        guard writebackDescriptor >= 0 else { return }
        _ = syncFileRange(writebackDescriptor, 0, 0, 2)  // SYNC_FILE_RANGE_WRITE: start, do not wait
        #endif
    }

    #if os(Linux)
    /// glibc's `sync_file_range`, which Swift's Glibc module does not declare (it needs
    /// `_GNU_SOURCE`): looked up once.
    private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        dlsym(nil, "sync_file_range").map { unsafeBitCast($0, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self) }
    }()
    #endif

    /// Gives a building database the ledger's durable settings, closes it and flushes the
    /// file to the disk. Call it after the last write; see `Durability.building`.
    func finishBuilding() throws {
        // The pragma answers with the mode in force; it does not fail when it cannot switch.
        let mode = try statement("PRAGMA journal_mode=WAL").first([]) { $0.optionalText(0) } ?? nil
        guard mode == "wal" else {
            throw SQLiteError(code: SQLITE_ERROR, message: "could not put the new ledger \(path) in WAL mode (it stayed \(mode ?? "unknown"))")
        }
        try execute("PRAGMA synchronous=FULL")
        close()
        try Self.flushToDisk(path)
    }

    /// `fsync` of the file (or directory) at `path`.
    static func flushToDisk(_ path: String) throws(SQLiteError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0, fsync(fd) == 0 else {
            let error = errno
            if fd >= 0 { closeDescriptor(fd) }
            throw SQLiteError(
                code: SQLITE_IOERR, extendedCode: SQLITE_IOERR | (4 << 8),  // SQLITE_IOERR_FSYNC
                message: "cannot flush \(path) to the disk: \(String(cString: strerror(error)))", systemErrno: error)
        }
        closeDescriptor(fd)
    }

    /// Runs one or more statements that take no parameters.
    func execute(_ sql: String) throws(SQLiteError) {
        guard !isClosed else { throw SQLiteError(code: SQLITE_MISUSE, message: "the ledger \(path) is closed") }
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw SQLiteError(connection: handle, code: code, sql: sql) }
    }

    /// A prepared statement for `sql`, reused across calls.
    func statement(_ sql: String) throws(SQLiteError) -> Statement {
        try statement(named: sql, sql: sql)
    }

    /// The prepared statement cached under `name`, prepared from `sql()` the first time:
    /// for statements so long (a multi-row `INSERT` of a thousand rows) that building their
    /// text to look them up would cost more than running them.
    func statement(named name: String, sql: @autoclosure () -> String) throws(SQLiteError) -> Statement {
        guard !isClosed else { throw SQLiteError(code: SQLITE_MISUSE, message: "the ledger \(path) is closed") }
        if let cached = cache[name] { return cached }
        let statement = try Statement(connection: handle, sql: sql())
        cache[name] = statement
        return statement
    }

    /// Runs `sql` with `values` bound.
    func run(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) {
        try statement(sql).run(values)
    }

    /// The first column of the first row as an integer, or `nil`.
    func scalarInt(_ sql: String, _ values: [SQLValue] = []) throws -> Int64? {
        try statement(sql).first(values) { $0.optionalInt64(0) } ?? nil
    }

    /// The first column of the first row as text, or `nil`.
    func scalarText(_ sql: String, _ values: [SQLValue] = []) throws -> String? {
        try statement(sql).first(values) { $0.optionalText(0) } ?? nil
    }

    /// Rows changed by the last statement.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// The most parameters one statement may have (999 in old builds of the library).
    var parameterLimit: Int { Int(sqlite3_limit(handle, SQLITE_LIMIT_VARIABLE_NUMBER, -1)) }

    /// Runs `body` in a write transaction begun with `BEGIN IMMEDIATE`, so the write lock
    /// is taken up front; commits on return, rolls back and rethrows on error.
    ///
    /// See https://www.sqlite.org/lang_transaction.html.
    func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try checkStillInPlace()
            try execute("COMMIT")
            return result
        } catch {
            // A failed COMMIT or an error inside `body`: undo everything. ROLLBACK can
            // itself fail when SQLite already rolled back (e.g. after SQLITE_FULL).
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Refuses to commit into a file that no longer has the name it was opened by: removed
    /// (`rm`) or replaced (a restore copied over it) while the command ran. The write would
    /// land in a file no later command opens; a top-up reported its charges created, and
    /// the next run sent the same rows again. See `SQLITE_FCNTL_HAS_MOVED`.
    private func checkStillInPlace() throws {
        var moved: Int32 = 0
        guard sqlite3_file_control(handle, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK, moved != 0 else { return }
        throw LedgerError.io(
            path: path, detail: "the file was removed or replaced while this command ran, so this write was not kept")
    }

    /// Runs `body` in a read transaction so every query sees one consistent state.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN DEFERRED")
        defer { try? execute("COMMIT") }
        return try body()
    }
}

/// `close(2)`, out of reach of `Database.close()`.
private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
