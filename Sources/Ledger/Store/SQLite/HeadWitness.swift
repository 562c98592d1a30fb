import CreditTypes
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The newest entry this host's writers committed to a SQLite ledger, kept beside it in
/// `<ledger>.head` as one line, `SEQ HASH TIME`: outside the database, so that a ledger
/// whose journal no longer holds it is told before a write. Entries cut cleanly from the
/// journal's end (with their rows), or an older copy of the ledger (a backup) put in its
/// place, chain as soundly as before, and `topup` bought again what the missing entries
/// had bought (probe 153); only `verify --holds` with a head kept elsewhere told.
///
/// Replaced whole after each commit (a temporary file renamed over it, neither followed
/// through a symbolic link), never synced: one lost to a crash names an older entry, which
/// the ledger still holds. One that cannot be written is left as it is: it guards, the
/// ledger is the truth. One that is there but this user may not read, that is not a file,
/// or that holds text this tool never writes stops a write (74): read as none, it was
/// replaced, or never kept again, and what it said lost (probes 336, 341). An empty one, as
/// a crash may leave, is none. Run as root, a writer gives it to the ledger's owner, as it
/// does the lock file.
struct HeadWitness: Sendable {
    /// The witness file's path.
    let path: String
    /// The ledger's path it is the witness of: its own without `.head`.
    private var ledgerPath: String { String(path.dropLast(".head".count)) }

    /// Beside the ledger's real file (links followed), as its lock file is.
    init(ledgerPath: String) { path = SQLiteWriterLock.realPath(ledgerPath) + ".head" }

    private init(path: String) { self.path = path }

    /// The witnesses of the ledger named `name`: beside its real file, and beside the name
    /// itself when that is a link. A link at the ledger's usual name pointed at an older
    /// copy left the witness beside the name unread, and `topup` bought the rows again
    /// (probe 162).
    static func all(ledgerNamed name: String) -> [HeadWitness] {
        let real = HeadWitness(ledgerPath: name)
        let named = HeadWitness(path: name + ".head")
        return SQLiteWriterLock.realPath(named.path) == real.path ? [real] : [real, named]
    }

    /// What every witness of the ledger named `name` says (`all(ledgerNamed:)`), those that
    /// say nothing left out.
    static func heads(ledgerNamed name: String) throws(LedgerError) -> [WitnessedHead] {
        var heads: [WitnessedHead] = []
        for witness in all(ledgerNamed: name) { if let head = try witness.load() { heads.append(head) } }
        return heads
    }

    /// Keeps `head` in every witness of the ledger named `name` (`all(ledgerNamed:)`), as
    /// committed now.
    static func keep(_ head: ChainHead, ledgerNamed name: String) {
        let now = Timestamp.now().iso8601
        for witness in all(ledgerNamed: name) { witness.keep(head, at: now) }
    }

    /// The most a witness file holds.
    static let largest = 256

    /// What the file says, or `nil` when there is none or it is empty; `.io` (74) when it is
    /// there but this user may not read it, it is not a file (a symbolic link, never
    /// followed; a folder) or it holds text this tool never writes.
    func load() throws(LedgerError) -> WitnessedHead? {
        // Anything but the file this tool keeps there, or text it never writes, stops a write
        // as one it may not read does: read as none, a witness garbled, or made a folder or a
        // link, let a restored ledger buy its rows again, and was never kept again (probe 341).
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let kind: String? = switch info.st_mode & S_IFMT {
        case S_IFREG: nil
        case S_IFLNK: "a symbolic link"
        case S_IFDIR: "a folder"
        default: "a device, a pipe or a socket"
        }
        if let kind { throw foreign("is \(kind), not the file credit-recon keeps there") }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0, let refusal = Self.unreadable(errno, path: path) { throw refusal }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: Self.largest)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        // Empty: a witness a crash left before its text reached the disk (it is never synced).
        guard count > 0 else { return nil }
        let words = String(decoding: bytes[..<count], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.count >= 3, let seq = Int64(words[0]), seq > 0, words[1].utf8.count == 64,
              words[1].utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else {
            // Its start, as a terminal may show it: a control or format character as `?`.
            let start = String(decoding: bytes[..<min(count, 40)], as: UTF8.self).unicodeScalars.map { scalar in
                [.control, .format].contains(scalar.properties.generalCategory) ? "?" : Character(scalar)
            }
            throw foreign("holds \"\(String(start))\"\(count > 40 ? "…" : ""), not the line `SEQ HASH TIME` credit-recon writes")
        }
        return WitnessedHead(seq: seq, hash: String(words[1]), at: String(words[2]), file: path)
    }

    /// The refusal of a witness that is not what this tool keeps (`load()`).
    private func foreign(_ what: String) -> LedgerError {
        .io(path: ledgerPath, detail: "its head witness \(path) \(what), so whether the ledger still "
            + "holds the newest entry this host wrote to it cannot be checked; remove it (`credit-recon verify --holds HASH`, "
            + "given a head hash a report or an export printed, tells whether entries were cut from the journal since), and "
            + "run the command again")
    }

    /// Why the witness at `path`, which `open` failed on with `error`, stops a write: it is
    /// there, and this user may not read it. `nil` for another error (none there).
    static func unreadable(_ error: Int32, path: String) -> LedgerError? {
        guard error == EACCES || error == EPERM else { return nil }
        return .io(path: String(path.dropLast(".head".count)), detail: "its head witness \(path), which names the newest entry "
            + "this host wrote to it, cannot be read (\(String(cString: strerror(error)))), so whether the ledger still holds "
            + "that entry cannot be checked; let this user read it as the ledger is read (`chmod` it as the ledger is, and, "
            + "if another user owns it, `chown` it to the ledger's owner as root), then run the command again (each write "
            + "gives the witness the ledger's permissions)")
    }

    /// Keeps `head`, committed at `time` (ISO 8601), as the newest entry written; an empty
    /// ledger's head is not kept (it would say nothing of the ledger that was there).
    func keep(_ head: ChainHead, at time: String) {
        guard head.seq > 0 else { return }
        // Only a witness is replaced: not a link, nor a file bigger than one (another
        // ledger named `books.sqlite.head` would be lost under the rename).
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG || info.st_size > Self.largest { return }
        // A new file of this process's, never one found there (another user's, in a folder
        // both may write, through which they would choose what the witness says).
        let temporary = path + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        // Run as root, the ledger's owner's, as the lock file is: root's own 0600 file was
        // then read as no witness by the owner's writers, and replaced (probe 336).
        SQLiteWriterLock.giveToTheLedgersOwner(fd, ledger: ledgerPath)
        // Readable by whoever may read the ledger: left 0600 beside a ledger made readable to
        // an auditor, it stopped their reports (probe 455). Never more than read and write.
        var ledger = stat()
        if stat(ledgerPath, &ledger) == 0 { fchmod(fd, ledger.st_mode & 0o666) }
        let line = Array("\(head.seq) \(head.hash) \(time)\n".utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == line.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            return
        }
    }
}
