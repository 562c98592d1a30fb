#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The SQLite ledger's writer lock: an exclusive `flock` on `<ledger>.lock` (mode 0600)
/// holding the writer's pid, the runs it announced and the ledger it locks. The kernel
/// drops it when the process dies, so a crashed run never leaves a stale lock behind; the
/// file itself stays, harmless, unless the command
/// failed before the ledger was made (a plan that cannot be read): then the lock file goes
/// too, so a failed first command leaves nothing. A writer that locked a lock file removed
/// meanwhile takes the lock again on the file now there, and every write confirms, before
/// it writes and again before it commits, that the lock is still the file's
/// (`confirm(ledgerPath:)`). A lock file removed or moved while its writer runs still keeps
/// the next writer out (`holderOfARemovedLock`).
///
/// SQLite's own write lock serializes single transactions; this one keeps a whole command
/// (a fetch, a top-up, an import) to one process. It is taken before the ledger is opened,
/// so a missing ledger is created under it. A `flock` belongs to an open file description:
/// a second `open` and `flock` of the file is refused even in the same process.
final class SQLiteWriterLock: StoreWriterLock {
    /// The lock file's path.
    let path: String
    /// The ledger file's path.
    private let ledger: String

    /// A file, by device and inode.
    private struct FileIdentity: Hashable {
        var device: UInt64, inode: UInt64
        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
        /// The device as the system's table of locks writes it: major and minor, in hex of
        /// at least two digits (`fe:00`).
        var lockTableDevice: String {
            let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff)
            let minor = (device & 0xff) | ((device >> 12) & ~0xff)
            func hex(_ value: UInt64) -> String {
                let digits = String(value, radix: 16)
                return digits.count < 2 ? "0" + digits : digits
            }
            return hex(major) + ":" + hex(minor)
        }
        init?(_ fd: Int32) {
            var info = stat()
            guard fstat(fd, &info) == 0 else { return nil }
            self.init(info)
        }
        /// The file at `path`, not following a link; `nil` when there is none.
        init?(path: String) {
            var info = stat()
            guard lstat(path, &info) == 0 else { return nil }
            self.init(info)
        }
    }

    /// A lock this process holds.
    private struct Held {
        /// The lock object that took it.
        var owner: ObjectIdentifier
        /// The lock file (a lock refused on it is held here, under another name of the same
        /// ledger, not by another writer).
        var file: FileIdentity
        /// Its descriptor, closed when the lock is released.
        var fd: Int32
        /// The runs announced in it (`announce(runs:ledgerPath:)`).
        var runs: [Int64] = []
        /// Why the lock was lost to another writer, once it was (`confirm(ledgerPath:)`): every
        /// later write of the command is refused so, even after that writer has finished.
        var lost: LedgerError?
    }

    /// The locks this process holds, by lock file path.
    private static let live = Mutex<[String: Held]>([:])

    /// Whether this process holds the writer lock of the ledger at `ledgerPath`.
    static func isHeldHere(ledgerPath: String) -> Bool {
        let path = realPath(ledgerPath) + ".lock"
        return live.withLock { $0[path] != nil }
    }

    /// How many of its latest runs a lock file names: a `run` job's and its stages'.
    static let announcedRuns = 8

    /// Takes the lock for the ledger file at `ledgerPath`, or throws at once:
    /// `.writerBusy` naming the pid in the file when another holds it (this process, under
    /// another name of the ledger, is told apart), `.cannotCreateLock` when the file cannot
    /// be opened.
    init(ledgerPath: String) throws(LedgerError) {
        let ledger = Self.realPath(ledgerPath)
        let path = ledger + ".lock"
        // A ledger file this process may read but not write (another user's, in a folder it
        // may write): a lock file of this user's beside it would keep the ledger's own
        // writers out once this command ended. None is made: a writer is refused, and
        // `ledger copy` copies such a source without one.
        if access(ledger, F_OK) == 0, access(ledger, W_OK) != 0 {
            let error = errno
            // Rights are not why on a read-only filesystem (probe 252: "run the command as its owner").
            throw LedgerError.cannotCreateLock(path: path, reason: "this process may not write the ledger \(ledger) "
                + "(\(String(cString: strerror(error)))), and a lock file of its own there would keep the ledger's own "
                + "writers out", advice: Self.advice(error, path))
        }
        let (fd, file) = try Self.take(path)
        Self.giveToTheLedgersOwner(fd, ledger: ledger)
        Self.stamp(fd, runs: [], ledger: ledger)
        self.path = path
        self.ledger = ledger
        // Taken again by this process, the lock before it was lost (`confirm`): its file is
        // let go now, and its object, let go later, leaves this one's entry alone.
        let owner = ObjectIdentifier(self)
        Self.live.withLock { table in
            if let before = table.updateValue(Held(owner: owner, file: file, fd: fd), forKey: path) { Self.letGo(before.fd) }
        }
    }

    /// What to do when the lock file at `path` cannot be made for `error`, when rights
    /// are not the cause (probe 232: "run the command as its owner" of a folder that did
    /// not exist); `nil` when they may be.
    private static func advice(_ error: Int32, _ path: String) -> String? {
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        switch error {
        case ENOENT:
            // The folder the command runs in, deleted while a shell stood in it: `.` is there
            // to stat, yet nothing can be made in it (probe 278: blamed on its filesystem).
            var cwd = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            if !path.hasPrefix("/"), getcwd(&cwd, cwd.count) == nil {
                return "the folder this command runs in is gone (deleted while the shell stood in it): cd to a folder "
                    + "that is there, or give the ledger's absolute path"
            }
            // A folder that is there, where no file may be made (/proc, /sys): said as it is (probe 248).
            var status = stat()
            if stat(folder, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
                return "the folder \(folder) is there, but its filesystem lets no file be made in it (a system folder "
                    + "such as /proc): put the ledger in a folder of your own"
            }
            return "the folder \(folder) does not exist: make it (mkdir -p), or correct the ledger's path"
        case ENOTDIR:
            return "a part of the ledger's path is a file, not a folder: correct the path (a ledger's path names a file, "
                + "with no slash after it)"
        case ENAMETOOLONG where path.utf8.count >= Int(PATH_MAX):
            // The whole path, not the name: the name's limit was the advice (probe 455: 6,031 bytes).
            return "the ledger's path is \(path.utf8.count) bytes long, more than the \(PATH_MAX) the system takes in one "
                + "path: give a shorter one (cd into its folder, and name the ledger from there)"
        case ENAMETOOLONG where path.split(separator: "/").dropLast().contains(where: { $0.utf8.count > Int(NAME_MAX) }):
            return "a folder's name in the ledger's path is longer than the \(NAME_MAX) bytes a name may be: correct the path"
        case ENAMETOOLONG:
            return "the ledger's name is too long for this filesystem once the names kept beside it are added (.lock, "
                + ".head, .creating, and SQLite's -wal, -shm and -journal): name it at most \(LedgerLocation.longestName) bytes long"
        case EROFS:
            return "the filesystem is mounted read-only: work on a copy of the ledger on a writable one"
        case EACCES where geteuid() == 0:
            // Root is refused by the filesystem itself, not by rights (probe 252: /sys).
            return "root may not make a file in \(folder): its filesystem refuses it (a system folder such as /sys): put the "
                + "ledger in a folder of your own"
        default:
            return nil
        }
    }

    /// What to do of a lock file that is there and cannot be opened: whose it is and its mode,
    /// against this process's user.
    private static func ownerAdvice(_ path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        func user(_ uid: uid_t) -> String {
            guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
            return "uid \(uid) (\(String(cString: name)))"
        }
        let octal = String(info.st_mode & 0o7777, radix: 8)
        let mode = String(repeating: "0", count: max(0, 3 - octal.count)) + octal
        // This user's own file, its rights taken away: running as another user is no answer (probe 388).
        guard info.st_uid != geteuid() else {
            return "it is this user's own (\(user(info.st_uid))), mode \(mode), which lets it neither read nor write it: "
                + "give it back its rights (chmod 600 '\(path)') and run the command again"
        }
        return "it belongs to \(user(info.st_uid)), mode \(mode), and this command runs as "
            + "\(user(geteuid())): run the command as the user who writes this ledger, or work on a copy"
    }

    /// Opens the lock file at `path` (made if missing) and locks it, waiting for a lock held
    /// shared for a moment (`isHeldShared`) up to `momentMilliseconds`; throws `.writerBusy`
    /// when another writer holds it, and `.writerOnRemovedLock` when another process still
    /// holds the lock on a lock file removed by hand (`holderOfARemovedLock`): the file this
    /// made is removed again, so that writer, at its next write, makes its own anew.
    private static func take(_ path: String) throws(LedgerError) -> (fd: Int32, file: FileIdentity) {
        // Before a file is made: made, even for an instant, it read to that writer's next
        // write as its lock file made again by another writer, and stopped it (probe 72).
        if let holder = holderOfARemovedLock(path, besides: FileIdentity(path: path)?.inode) {
            throw LedgerError.writerOnRemovedLock(lock: path, holder: holder.pid, movedTo: holder.movedTo)
        }
        let deadline = monotonicMilliseconds() + momentMilliseconds
        while true {
            // Never through a link: the pid written below would overwrite whatever it leads to.
            var created = true
            var fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if fd < 0 && errno == EEXIST {
                created = false
                fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
                if fd < 0 && errno == ENOENT { continue }  // removed as this opened it: make it
            }
            guard fd >= 0 else {
                if errno == ELOOP { throw LedgerError.lockNotOurs(path: path, what: "a symbolic link") }
                // Not a matter of rights, as the advice of `cannotCreateLock` has it (probe 75).
                if errno == EISDIR { throw LedgerError.lockNotOurs(path: path, what: "a folder") }
                let error = errno
                if !created, error == EACCES || error == EPERM {
                    throw LedgerError.cannotCreateLock(
                        path: path, reason: String(cString: strerror(error)), advice: ownerAdvice(path), exists: true)
                }
                throw LedgerError.cannotCreateLock(path: path, reason: String(cString: strerror(error)), advice: advice(error, path))
            }
            if let what = notOurs(fd) {
                close(fd)
                throw LedgerError.lockNotOurs(path: path, what: what)
            }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                // A file that names no holder is named by the system's table of locks: the pid
                // is written just after the lock is taken, so a new lock file's holder is not in
                // it yet (probe 313: of two top-ups started together on a new ledger, the second
                // named "another credit-recon process").
                let identity = FileIdentity(fd)
                let holder = readHolder(fd) ?? identity.flatMap { identity in
                    lockWriters().first { $0.inode == identity.inode && $0.device == identity.lockTableDevice }.map { String($0.pid) }
                }
                let here = identity.map { identity in live.withLock { $0.values.contains { $0.file == identity } } } ?? false
                let glanced = !here && isHeldShared(fd)
                let runs = holder == nil ? [] : readRuns(fd)
                close(fd)
                if glanced, monotonicMilliseconds() < deadline {
                    var pause = timespec(tv_sec: 0, tv_nsec: 2_000_000)
                    _ = nanosleep(&pause, nil)
                    continue
                }
                // Held shared all along: no writer's (its pid in the file is a past writer's).
                if glanced { throw LedgerError.lockHeldShared(path: path, seconds: momentMilliseconds / 1000) }
                throw LedgerError.writerBusy(lock: path, holder: holder, heldHere: here, runs: runs)
            }
            // Locked the file at `path`, not one its last holder removed as this opened it.
            guard let file = FileIdentity(fd), file == FileIdentity(path: path) else {
                letGo(fd)
                continue
            }
            if let what = otherData(fd) {
                close(fd)
                throw LedgerError.lockNotOurs(path: path, what: what)
            }
            // Again once locked: the lock file may have been removed since the look above.
            if let holder = holderOfARemovedLock(path, besides: file.inode) {
                if created { unlink(path) }
                letGo(fd)
                throw LedgerError.writerOnRemovedLock(lock: path, holder: holder.pid, movedTo: holder.movedTo)
            }
            return (fd, file)
        }
    }

    /// Another process that holds the lock of this ledger still, on a lock file removed by
    /// hand (taken for a stale pid file) or moved away: that does not take the lock away, it
    /// only hides it from the next writer, which then ran beside the first and took its
    /// requests in flight for a crashed run's (probe 70: a row charged twice). Its pid, found
    /// in the system's table of locks (`/proc/locks`: an exclusive `flock` on another file)
    /// and its open files (`/proc/PID/fd`: that file, named `<path> (deleted)`, or naming
    /// this ledger inside, wherever it is now); `nil` when there is none, or it cannot be
    /// told (no `/proc`, another user's process).
    private static func holderOfARemovedLock(
        _ path: String, besides inode: UInt64?
    ) -> (pid: String, file: String, movedTo: String?)? {
        let me = getpid()
        for (pid, _, locked) in lockWriters() where pid != me && locked != inode {
            guard let file = removedFile(path, heldBy: pid, inode: locked) else { continue }
            return (String(pid), file.link, file.movedTo)
        }
        return nil
    }

    /// The exclusive `flock`s the system's table of locks (`/proc/locks`) lists, each the
    /// process that took it and its file's device (`maj:min`, as `lockTableDevice`) and
    /// inode; none when it cannot be read.
    private static func lockWriters() -> [(pid: Int32, device: Substring, inode: UInt64)] {
        #if os(Linux)
        guard let table = readAll("/proc/locks") else { return [] }
        return table.split(separator: "\n").compactMap { line in
            // `1: FLOCK  ADVISORY  WRITE 4242 fe:00:16220284 0 EOF`; a waiter's line has `->`.
            let fields = line.split(separator: " ")
            guard fields.count >= 6, fields[1] == "FLOCK", fields[3] == "WRITE", let pid = Int32(fields[4]),
                  let split = fields[5].lastIndex(of: ":"), let inode = UInt64(fields[5][split...].dropFirst()) else { return nil }
            return (pid, fields[5][..<split], inode)
        }
        #else
        return []
        #endif
    }

    /// Where process `pid` has open the file of inode `inode` that was the lock file at
    /// `path` and was removed (`/proc/PID/fd/N`, which opens it still), or moved (to
    /// `movedTo`): named `<path> (deleted)`, or naming the ledger inside (`stamp`).
    private static func removedFile(_ path: String, heldBy pid: Int32, inode: UInt64) -> (link: String, movedTo: String?)? {
        let folder = "/proc/\(pid)/fd"
        guard let listing = opendir(folder) else { return nil }
        defer { closedir(listing) }
        let removed = path + " (deleted)", deleted = " (deleted)"
        var target = [UInt8](repeating: 0, count: Int(PATH_MAX) + 16)
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let link = folder + "/" + name
            var info = stat()
            guard stat(link, &info) == 0, UInt64(info.st_ino) == inode, info.st_mode & S_IFMT == S_IFREG else { continue }
            // Its name now; none when the system cannot say it (a path longer than a page).
            let count = target.withUnsafeMutableBytes { readlink(link, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
            let now = count > 0 && count < target.count ? String(decoding: target[0..<count], as: UTF8.self) : nil
            guard now != path else { continue }  // the file at `path`: its lock is a writer's own
            if now == removed { return (link, nil) }
            let fd = open(link, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            guard names(fd, ledger: String(path.dropLast(".lock".count))) else { continue }
            guard let now else { return (link, "a folder whose path is too long to show") }
            return (link, now.hasSuffix(deleted) ? nil : now)
        }
        return nil
    }

    /// The whole of a small file the system makes up as it is read (`/proc/locks`, whose
    /// size reads 0); `nil` when it cannot be read.
    private static func readAll(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count >= 0 else { return nil }
            if count == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes += chunk[0..<count]
        }
    }

    /// Writes this process's pid into the lock file at `fd`, then the runs it announced and
    /// the ledger it locks (`<pid>\nruns 12 13\nledger /books/ledger.sqlite\n`), over what was
    /// there, the pid line kept in place for a writer reading it meanwhile. The pid names the
    /// holder in the next writer's message, and the ledger tells that writer whose lock a file
    /// moved away is (`removedFile`); the lock is the flock, so text that cannot be written
    /// costs those, not the lock.
    private static func stamp(_ fd: Int32, runs: [Int64], ledger: String) {
        let text = "\(getpid())\n" + (runs.isEmpty ? "" : "runs " + runs.map(String.init).joined(separator: " ") + "\n")
            + "ledger \(ledger)\n"
        let written = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        if written > 0 { _ = ftruncate(fd, off_t(written)) }
    }

    /// Confirms, inside a write transaction of the ledger at `ledgerPath`, that the lock this
    /// process holds of it is still the lock file's at its path. A lock file removed by hand
    /// (taken for a stale pid file) let a second writer in beside this one, which took this
    /// one's charges in flight for a dead run's. A lock file removed, that nobody made again,
    /// is made and taken anew: no other writer can have written meanwhile (one would have
    /// made it). One made again by another writer stops the write (`.writerLockLost`, naming
    /// it when it still holds it), so the transaction is rolled back, and every later write
    /// of this process's lock: what it knew of the ledger may be stale. Nothing when this
    /// process holds no lock of the ledger.
    static func confirm(ledgerPath: String) throws(LedgerError) {
        let ledger = realPath(ledgerPath), path = ledger + ".lock"
        guard let held = live.withLock({ $0[path] }) else { return }
        if let lost = held.lost { throw lost }
        let there = FileIdentity(path: path)
        guard there != held.file else { return }
        func lost(_ holder: String?) -> LedgerError {
            let lost = LedgerError.writerLockLost(lock: path, holder: holder)
            live.withLock { $0[path]?.lost = lost }
            return lost
        }
        guard there == nil else {
            let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
            defer { if fd >= 0 { close(fd) } }
            let holding = fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK
            throw lost(holding ? readHolder(fd) : nil)
        }
        let taken: (fd: Int32, file: FileIdentity)
        do {
            taken = try take(path)
        } catch {
            switch error {
            case .writerBusy(_, let holder, _, _): throw lost(holder)
            case .writerOnRemovedLock(_, let holder, _): throw lost(holder)
            default: throw error
            }
        }
        giveToTheLedgersOwner(taken.fd, ledger: ledger)
        stamp(taken.fd, runs: held.runs, ledger: ledger)
        letGo(held.fd)
        // Only what changed: the runs may have been announced meanwhile.
        live.withLock {
            $0[path]?.file = taken.file
            $0[path]?.fd = taken.fd
        }
    }

    deinit {
        // Nothing when this process took the lock again since it was lost: that is another's.
        let owner = ObjectIdentifier(self)
        guard let held = Self.live.withLock({ [path] table in table[path]?.owner == owner ? table.removeValue(forKey: path) : nil })
        else { return }
        tidyBeforeDying()
        Self.letGo(held.fd)
    }

    /// Writes the runs this process's lock of the ledger at `ledgerPath` started into its
    /// lock file, after the pid: `<pid>\nruns 12 13\n` (the latest `announcedRuns`), over
    /// what was there, the pid line kept in place for a writer reading it meanwhile. Nothing
    /// when this process holds no lock of that ledger.
    static func announce(runs: [Int64], ledgerPath: String) {
        let ledger = realPath(ledgerPath), path = ledger + ".lock"
        live.withLock { table in
            guard var entry = table[path] else { return }
            entry.runs = Array((entry.runs + runs).suffix(announcedRuns))
            table[path] = entry
            stamp(entry.fd, runs: entry.runs, ledger: ledger)
        }
    }

    /// Removes the lock file when no ledger was made beside it. Still holding the lock:
    /// no other writer can be making the ledger now.
    func tidyBeforeDying() {
        if access(ledger, F_OK) != 0 && errno == ENOENT { unlink(path) }
    }

    /// `path` with symbolic links resolved (of the file, or of its folder while the file is
    /// missing), so that every name of one ledger takes one lock: through a link, a second
    /// top-up ran beside the first and took its rows in flight for an earlier run's.
    static func realPath(_ given: String) -> String {
        if let resolved = realpath(given, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        // A link to a ledger not made yet names the file `Ledger.create` makes.
        let path = Ledger.followingLinks(given)
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let resolved = realpath(folder, nil) else { return path }
        defer { free(resolved) }
        let base = String(cString: resolved)
        return (base.hasSuffix("/") ? base : base + "/") + name
    }

    /// Run as root (a one-off by hand, beside the owner's cron job), gives the lock file to
    /// the owner of the ledger (or of its folder, before the ledger is made), as SQLite does
    /// its `-wal` and `-shm` files: a lock file left owned by root refused the owner's every
    /// later run (74, "Permission denied"), with a message that blamed the folder.
    static func giveToTheLedgersOwner(_ fd: Int32, ledger: String) {
        guard geteuid() == 0 else { return }
        var owner = stat(), held = stat()
        guard stat(ledger, &owner) == 0 || stat(Ledger.directory(of: ledger), &owner) == 0, fstat(fd, &held) == 0,
              owner.st_uid != held.st_uid || owner.st_gid != held.st_gid else { return }
        _ = fchown(fd, owner.st_uid, owner.st_gid)
    }

    /// What the open file at `fd` is when it cannot be a lock file this tool made: not a
    /// regular file, or one with other names (a hard link to another file, which writing the
    /// pid would overwrite).
    private static func notOurs(_ fd: Int32) -> String? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        if info.st_mode & S_IFMT != S_IFREG { return "not a regular file" }
        if info.st_nlink > 1 { return "a file with \(info.st_nlink) names (hard links)" }
        return nil
    }

    /// What the file at `fd`, locked by this writer, holds when it is not a lock file's text
    /// (`lockText`; empty too, as a writer just starting leaves it), which writing the pid
    /// would overwrite: a ledger named `books.sqlite.lock` was overwritten so by the pid of
    /// `books.sqlite`'s writer, and a note that began with a digit (probes 74 and 75). Read
    /// under the lock, when no writer is writing it.
    private static func otherData(_ fd: Int32) -> String? {
        let text = readLockFile(fd)
        guard !text.isEmpty, lockText(text) == nil else { return nil }
        return text.starts(with: "SQLite format 3".utf8)
            ? "a SQLite database (a ledger named after this one's lock file, perhaps)"
            : "a file of other data than a lock file's (\(text.count > maxLockFileBytes ? "more than \(maxLockFileBytes)" : "\(text.count)") bytes)"
    }

    /// Up to `maxLockFileBytes` + 1 bytes from the start of the file at `fd` (more than a
    /// lock file can hold says it is none).
    private static func readLockFile(_ fd: Int32) -> ArraySlice<UInt8> {
        var bytes = [UInt8](repeating: 0, count: maxLockFileBytes + 1)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        return bytes[0..<max(count, 0)]
    }

    /// A lock file's text as `stamp` writes it: a pid line, a line of runs or none, then
    /// `ledger /books/ledger.sqlite`, whose path runs to the text's last newline (a newline
    /// in it too); earlier versions wrote no ledger line. `nil` when `text` is not one; else
    /// the ledger's path, `nil` when it names none.
    private static func lockText(_ text: ArraySlice<UInt8>) -> LockText? {
        guard text.count <= maxLockFileBytes, text.last == UInt8(ascii: "\n") else { return nil }
        let digits: (ArraySlice<UInt8>) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        var lines = text.dropLast().split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false)
        guard let pid = lines.first, digits(pid) else { return nil }
        guard lines.count == 2 else { return LockText(ledger: nil) }
        var rest = lines[1]
        if rest.starts(with: "runs ".utf8) {
            lines = rest.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false)
            guard lines[0].dropFirst(5).split(separator: 0x20).allSatisfy(digits) else { return nil }
            guard lines.count == 2 else { return LockText(ledger: nil) }
            rest = lines[1]
        }
        guard rest.starts(with: "ledger /".utf8) else { return nil }
        return LockText(ledger: rest.dropFirst("ledger ".count))
    }

    /// What `lockText` read: the ledger the lock file names, if any.
    private struct LockText {
        var ledger: ArraySlice<UInt8>?
    }

    /// The most a lock file this tool wrote can hold (`stamp`): a pid, the runs, the path.
    private static let maxLockFileBytes = Int(PATH_MAX) + 512

    /// How long a writer waits for a lock held shared for a moment (`isHeldShared`) before
    /// it is refused; a lock another writer holds refuses it at once.
    static let momentMilliseconds: Int64 = 5_000

    /// Whether the lock on `fd`'s file, refused just now, is held shared, not by a writer:
    /// by `status` glancing at it (`runningWriter(ledgerPath:)`) for a moment.
    private static func isHeldShared(_ fd: Int32) -> Bool {
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return false }
        _ = flock(fd, LOCK_UN)
        return true
    }

    /// Lets go of the lock held on `fd`, then closes it. Closing alone does not: a child
    /// process another thread is starting shares this process's open files until it
    /// executes its program, and the lock with them, so the next writer was refused by a
    /// lock of "process <this pid>", and `status` saw a writer at work after it ended.
    private static func letGo(_ fd: Int32) {
        _ = flock(fd, LOCK_UN)
        close(fd)
    }

    /// Whether a writer holds the lock of the ledger file at `ledgerPath`, and who, without
    /// taking it: a shared lock, which only an exclusive one refuses, taken and let go at
    /// once (a writer meeting it waits for it, `isHeldShared`). `nil` when no writer holds
    /// it, or there is no lock file (no writer has run yet); `WriterUnseen` when the file
    /// cannot be read (another user's, mode 0600) or is not one a writer could hold.
    static func runningWriter(ledgerPath: String) throws(WriterUnseen) -> RunningWriter? {
        let path = realPath(ledgerPath) + ".lock"
        func unseen(_ why: String) -> WriterUnseen { WriterUnseen(reason: "cannot read the lock file \(path): \(why)") }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENOENT { return writerOnARemovedLock(path, besides: nil) }
            throw unseen(String(cString: strerror(errno)))
        }
        defer { close(fd) }
        if let what = notOurs(fd) { throw unseen("it is \(what)") }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            _ = flock(fd, LOCK_UN)
            return writerOnARemovedLock(path, besides: FileIdentity(fd)?.inode)
        }
        guard errno == EWOULDBLOCK else { throw unseen(String(cString: strerror(errno))) }
        return RunningWriter(holder: readHolder(fd).map { "process \($0)" }, runs: readRuns(fd))
    }

    /// A writer whose lock file was removed or moved by hand while it ran
    /// (`holderOfARemovedLock`), with the runs it announced in that file; `nil` when there is
    /// none.
    private static func writerOnARemovedLock(_ path: String, besides inode: UInt64?) -> RunningWriter? {
        guard let holder = holderOfARemovedLock(path, besides: inode) else { return nil }
        let fd = open(holder.file, O_RDONLY | O_CLOEXEC)
        defer { if fd >= 0 { close(fd) } }
        let what = holder.movedTo.map { "moved to \($0)" } ?? "removed"
        return RunningWriter(holder: "process \(holder.pid) (its lock file was \(what) while it ran)",
                             runs: fd >= 0 ? readRuns(fd) : [])
    }

    /// Whether the lock file at `fd` is one a writer of `ledger` wrote (`lockText`). Its
    /// path is read to the text's end: a ledger path holding `\nledger /other` wrote a lock
    /// file that ends as the other ledger's would (probe 74).
    private static func names(_ fd: Int32, ledger: String) -> Bool {
        lockText(readLockFile(fd))?.ledger?.elementsEqual(ledger.utf8) == true
    }

    /// The runs the lock file's second line names (`runs 12 13`), or none.
    private static func readRuns(_ fd: Int32) -> [Int64] {
        var bytes = [UInt8](repeating: 0, count: 256)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return [] }
        let lines = String(decoding: bytes[0..<count], as: UTF8.self).split(separator: "\n")
        guard lines.count > 1, lines[1].hasPrefix("runs ") else { return [] }
        return lines[1].dropFirst("runs ".count).split(separator: " ").compactMap { Int64($0) }
    }

    private static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
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
