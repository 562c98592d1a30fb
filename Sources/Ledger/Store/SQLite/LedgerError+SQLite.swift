import CSQLite
import CreditTypes
import Foundation

extension LedgerError {
    /// Classifies a raw SQLite failure.
    static func wrap(_ error: any Error, path: String) -> any Error {
        guard let error = error as? SQLiteError else { return error }
        if error.isDiskFull || (error.isWriteRefused && error.systemErrno == 0 && Self.noRoomLeft(path)) {
            return LedgerError.diskFull(path: path)
        }
        if error.isBusy { return LedgerError.busy(path: path) }
        if error.code == SQLITE_NOTADB {
            // SQLite's own header, then too little or garbage: a ledger cut short or changed,
            // not a CSV named as the ledger (probe 143).
            guard Self.beginsAsSQLite(path) else {
                // Where this host wrote a ledger (its witness is there), a first page that is
                // no SQLite header is that ledger's damage, not a CSV named as it (probe 351:
                // verify said 66 and "a CSV or text file named as the ledger?").
                if let witness = HeadWitness.all(ledgerNamed: path).first(where: { (try? $0.load()) != nil }) {
                    return LedgerError.malformedEntry("its file \(path) does not begin as a SQLite database, though this host "
                        + "wrote a ledger there (\(witness.path) says which entry it holds): its first page was overwritten; "
                        + "restore it from a backup")
                }
                return LedgerError.notADatabase(location: path)
            }
            return LedgerError.malformedEntry("its file \(path) begins as a SQLite database but SQLite cannot read it "
                + "(\"\(error.message)\": cut short, or changed outside SQLite)" + logNote(path))
        }
        if error.code == SQLITE_CORRUPT {
            // The file's pages contradict each other: damage, not the path or permissions
            // the general advice sent a person to check (probe 138).
            return LedgerError.malformedEntry("its file \(path) says \"\(error.message)\" (cut short, or changed outside SQLite)"
                + logNote(path))
        }
        if error.isIO {
            // A refused write whose errno SQLite did not keep (it keeps none at COMMIT):
            // say what it most often is, so the person knows where to look.
            let detail = error.isWriteRefused
                ? "\(error.message) while writing (the disk may be full, over a quota or file-size limit, or failing)"
                : error.code == SQLITE_CANTOPEN ? cannotOpen(error, path: path) : error.message
            return LedgerError.io(path: path, detail: detail)
        }
        if error.code == SQLITE_ERROR, error.message.hasPrefix("no such table: ") {
            // Dropped behind the ledger's back (the schema names every table it reads).
            return LedgerError.malformedEntry("its table \(error.message.dropFirst("no such table: ".count)) is missing")
        }
        return LedgerError.store(error.description)
    }

    /// Whether a write to the ledger at `path` found no room, told after the fact when SQLite
    /// kept no `errno` (it keeps none at COMMIT): one of its files has reached this process's
    /// file-size limit (`ulimit -f`), or its disk has less than a page free. An import
    /// stopped at the limit was said as "disk I/O error" (probe 343).
    static func noRoomLeft(_ path: String) -> Bool {
        let slack: UInt64 = 64 * 1024  // a write of a few pages and a log frame's header
        if let limit = ProcessLimit.fileSize.current?.soft {
            for file in [path, path + "-wal", path + "-journal"] {
                var info = stat()
                if stat(file, &info) == 0, UInt64(info.st_size) + slack >= limit { return true }
            }
        }
        var disk = statvfs()
        return statvfs(Ledger.directory(of: path), &disk) == 0 && UInt64(disk.f_bavail) * UInt64(disk.f_frsize) < slack
    }

    /// The write-ahead log read with a damaged file, when one beside it holds writes and this
    /// process holds the ledger's writer lock, so that no writer of another is at work with
    /// that log: left as it is (`Database.keepLog(of:)`), it may be what damages the file,
    /// which the file alone tells (probe 257: "restore it from a backup" of a sound file beside
    /// another ledger's log). A reader is told to run `verify`, which names the log.
    static func logNote(_ path: String) -> String {
        guard SQLiteWriterLock.isHeldHere(ledgerPath: path), let log = SQLiteStore.writeAheadLog(path) else { return "" }
        return "; it was read with the write-ahead log \(log.path) beside it (\(log.bytes) bytes), left as it is: move the "
            + "log aside and verify the file alone; if it is then sound, the log (another ledger's, or kept from an older "
            + "copy of the file) is what damages it, and the file alone is the ledger"
    }

    /// SQLite's "unable to open database file", with why where it can be told: a path
    /// longer than SQLite opens, or what the system said (too many open files).
    private static func cannotOpen(_ error: SQLiteError, path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if absolute.utf8.count >= Self.sqlitePathLimit {
            return "\(error.message): its full path is \(absolute.utf8.count) bytes long, and SQLite opens paths shorter than "
                + "\(Self.sqlitePathLimit) bytes; use a shorter path (a symbolic link to its folder will do)"
        }
        // A ledger left with its write-ahead log (an archived copy) in a folder this user
        // cannot write: SQLite must make the log's index (-shm) beside it to read it.
        let folder = Ledger.directory(of: absolute)
        if access(absolute + "-wal", F_OK) == 0, access(absolute + "-shm", F_OK) != 0, access(folder, W_OK) != 0 {
            return "\(error.message): its write-ahead log \(path)-wal is beside it, and SQLite reads that only after making "
                + "\(path)-shm in the folder \(folder), which this user cannot write; copy \(path) and \(path)-wal together "
                + "to a folder you can write, and name the copy"
        }
        switch error.systemErrno {
        case 0: return error.message
        case EMFILE, ENFILE:
            var limit = rlimit()
            let most = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 ? " (this process may have \(limit.rlim_cur); `ulimit -n` raises it)" : ""
            return "\(error.message): too many files are open\(most)"
        default: return "\(error.message): \(String(cString: strerror(error.systemErrno)))"
        }
    }

    /// Whether the file at `path` begins with SQLite's header string (`SQLite format 3\0`).
    static func beginsAsSQLite(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        return head == Data("SQLite format 3\0".utf8)
    }

    /// The longest path, in bytes, that SQLite's Unix files open, less one (`MAX_PATHNAME`).
    static let sqlitePathLimit = 512
}
