#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Ledger {
    /// Creates a new ledger at `path` (nothing may be there), runs `body` on it, and puts
    /// it in place only when `body` succeeds; when anything throws, no ledger is left.
    ///
    /// The ledger is built at `path.creating` and renamed into place finished: WAL,
    /// `synchronous=FULL`, flushed to the disk, closed. A process killed on the way leaves
    /// at most a stray `.creating` file (removed by the next creation), never a half-made
    /// ledger. While `body` runs, that file has its rollback journal in memory and is not
    /// fsynced, so each page is written once (a new ledger filled by a large import writes
    /// half the bytes it would through the write-ahead log). That is safe only because no
    /// other process opens the file before the rename and a failure throws it away; so
    /// `body` must not send anything out (a top-up's intent must be on the disk before its
    /// request): top-ups create the ledger with an empty `body` and write to it afterwards.
    ///
    /// A `path` that is a symbolic link to a file not made yet makes the file the link names
    /// (it failed, saying a file had appeared: the link itself is a name the hard link refuses).
    public static func create<T>(at given: String, _ body: (Ledger) throws -> T) throws -> T {
        let path = followingLinks(given)
        let staging = path + ".creating"
        removeFiles(staging)
        do {
            let result: T
            let head: ChainHead
            do {
                let store = try SQLiteStore(path: staging, create: true, durability: .building, name: path)
                result = try body(Ledger(path: staging, store: store))
                head = try store.read { try $0.head() }
                try refuseWithoutWitnessed(store, head: head, at: given)
                try store.withConnection { try $0.db.finishBuilding() }
            }
            guard access(staging + "-wal", F_OK) != 0 else {
                throw LedgerError.io(path: path, detail: "SQLite left \(staging)-wal behind when closing the new ledger")
            }
            try publish(staging, at: path)
            // The rename itself is on the disk once the directory is.
            do { try Database.flushToDisk(directory(of: path)) } catch { throw LedgerError.wrap(error, path: path) }
            HeadWitness.keep(head, ledgerNamed: given)
            return result
        } catch {
            removeFiles(staging)
            throw error
        }
    }
    /// Throws when this host wrote a ledger at `given` whose newest entry (its witness,
    /// `HeadWitness`) the new ledger, of head `head`, does not hold: the ledger was deleted
    /// or moved, and a new one there would buy again what it had bought. Its first write
    /// refuses the same; a ledger made empty for a top-up to write to was put in place
    /// first, and the top-up's refusal said "nothing was written" beside it (probe 417).
    private static func refuseWithoutWitnessed(_ store: SQLiteStore, head: ChainHead, at given: String) throws {
        // The witnesses of the name given too: through a link, its own (probe 418).
        let witnesses = try HeadWitness.heads(ledgerNamed: given)
        guard let problem = try store.read({ try AppendSession.witnessProblem(witnesses, in: $0) }) else { return }
        if head.seq == 0, let gone = try goneLedger(at: given) { throw gone }
        throw LedgerError.entriesLost(problem + "; nothing was written")
    }

    /// Why no ledger may be made at `given`, where there is none: this host wrote one there
    /// (its witnesses say which entry), deleted or moved since, and a new one could buy again
    /// what it had bought; `nil` when no witness says so. Asked by a writer before it makes a
    /// ledger, and by `Ledger.create` of an empty one.
    public static func goneLedger(at given: String) throws(LedgerError) -> LedgerError? {
        let witnessed = try HeadWitness.heads(ledgerNamed: given).filter { $0.seq > 0 }
        guard let newest = witnessed.max(by: { $0.seq < $1.seq }) else { return nil }
        let files = witnessed.map(\.file).joined(separator: " and ")
        return .entriesLost("there is no ledger at \(given), but this host wrote one there: entry \(newest.seq) "
            + "with hash \(newest.hash.prefix(16))… at \(newest.at) (as \(files) say\(witnessed.count == 1 ? "s" : "")). It was "
            + "deleted or moved, and a new one there could buy again what it had bought: put it back (or restore it from a "
            + "backup); only if it was removed on purpose, remove \(files) too. Nothing was written, and no ledger was made")
    }

    /// Gives the finished file at `staging` the name `path`, never replacing a file already
    /// there (books that appeared meanwhile are kept, and this creation fails): a hard link,
    /// which refuses an existing name, then the staging name removed (a kill between the
    /// two leaves `.creating` as a second name of the ledger, which the next creation, or a
    /// person, removes; nothing opens it). Where hard links are not supported, a rename
    /// after checking that nothing is at `path`.
    private static func publish(_ staging: String, at path: String) throws {
        if link(staging, path) == 0 {
            unlink(staging)
            return
        }
        let error = errno
        if error == EEXIST {
            throw LedgerError.io(path: path, detail: "a file appeared there while a new ledger was being created; it was left as it is")
        }
        guard error == EPERM || error == ENOTSUP || error == EXDEV, access(path, F_OK) != 0, rename(staging, path) == 0 else {
            throw LedgerError.io(path: path, detail: "cannot put \(staging) in place: \(String(cString: strerror(errno)))")
        }
    }

    private static func removeFiles(_ staging: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(staging + suffix) }
    }

    /// `path` with the symbolic links at its end followed, to the name of a file that may
    /// not exist yet (`realpath` needs the file); `path` itself when it is not a link.
    public static func followingLinks(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {  // SQLite's and the kernel's own bound on a chain of links
            var info = stat()
            guard lstat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return current }
            var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = buffer.withUnsafeMutableBufferPointer { bytes in
                bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { readlink(current, $0, bytes.count - 1) }
            }
            guard count > 0 else { return current }
            let target = String(decoding: buffer[0..<count], as: UTF8.self)
            current = target.hasPrefix("/") ? target : directory(of: current) + "/" + target
        }
        return current
    }

    /// The directory holding `path` ("." for a bare file name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
