#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The SQLite ledger's writer lock: an exclusive `flock` on `<ledger>.lock` (mode 0600)
/// holding the writer's pid. The kernel drops it when the process dies, so a crashed run
/// never leaves a stale lock behind; the file itself stays, harmless.
///
/// SQLite's own write lock serializes single transactions; this one keeps a whole command
/// (a fetch, a top-up, an import) to one process. It is taken before the ledger is opened,
/// so a missing ledger is created under it. A `flock` belongs to an open file description:
/// a second `open` and `flock` of the file is refused even in the same process.
final class SQLiteWriterLock: StoreWriterLock {
    /// The lock file's path.
    let path: String
    private let fd: Int32

    /// Takes the lock for the ledger file at `ledgerPath`, or throws at once:
    /// `.writerBusy` naming the pid in the file when another holds it, `.cannotCreateLock`
    /// when the file cannot be opened.
    init(ledgerPath: String) throws(LedgerError) {
        let path = Self.realPath(ledgerPath) + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw LedgerError.cannotCreateLock(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.readHolder(fd)
            close(fd)
            throw LedgerError.writerBusy(lock: path, holder: holder)
        }
        // The pid only names the holder in the next writer's message; the lock is the flock,
        // so a pid that cannot be written costs that name, not the lock.
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// `path` with symbolic links resolved (of the file, or of its folder while the file is
    /// missing), so that every name of one ledger takes one lock: through a link, a second
    /// top-up ran beside the first and took its rows in flight for an earlier run's.
    static func realPath(_ path: String) -> String {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let resolved = realpath(folder, nil) else { return path }
        defer { free(resolved) }
        let base = String(cString: resolved)
        return (base.hasSuffix("/") ? base : base + "/") + name
    }

    /// The first line of the lock file (the holder's pid), or `nil` when it is empty.
    private static func readHolder(_ fd: Int32) -> String? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: bytes[0..<count], as: UTF8.self)
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let line = text.split(separator: "\n").first,
              let start = line.firstIndex(where: { !blank($0) }),
              let end = line.lastIndex(where: { !blank($0) }) else { return nil }
        return String(line[start...end])
    }
}
