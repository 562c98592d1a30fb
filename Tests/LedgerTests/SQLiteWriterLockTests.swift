import Foundation
import Testing
@testable import Ledger

/// What the SQLite store's writer lock is on the disk: `<ledger>.lock` beside the ledger,
/// mode 0600, the holder's pid inside (CONTRACT.md § Commands).
@Suite("SQLite writer lock: a flock on <ledger>.lock holding the writer's pid")
struct SQLiteWriterLockTests {
    /// A folder of its own, removed afterwards.
    final class Folder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-lock-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }
        var ledgerPath: String { url.appendingPathComponent("ledger.sqlite").path }
        var names: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted() }
    }

    /// A missing ledger is created under the lock, so the lock comes first and creates
    /// nothing but its own file.
    @Test func theLockFileIsBesideTheLedgerPrivateAndNamesThePid() throws {
        let folder = try Folder()
        let lock = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        defer { withExtendedLifetime(lock) {} }
        let lockPath = folder.ledgerPath + ".lock"
        #expect(folder.names == ["ledger.sqlite.lock"])
        let mode = try FileManager.default.attributesOfItem(atPath: lockPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try String(contentsOfFile: lockPath, encoding: .utf8) == "\(ProcessInfo.processInfo.processIdentifier)\n")
    }

    /// A writer that ends before the ledger was made (a plan it could not read) removes
    /// its lock file, so a failed first command leaves nothing; once the ledger exists the
    /// lock file stays. A lock file removed while another writer had opened it is not
    /// locked twice: that writer takes the lock on the file now there.
    @Test func aWriterThatMadeNoLedgerLeavesNoLockFile() throws {
        let folder = try Folder()
        do {
            let lock = try Ledger.lockWriter(at: .file(folder.ledgerPath))
            withExtendedLifetime(lock) {}
        }
        #expect(folder.names.isEmpty)
        _ = FileManager.default.createFile(atPath: folder.ledgerPath, contents: Data())
        do {
            let lock = try Ledger.lockWriter(at: .file(folder.ledgerPath))
            withExtendedLifetime(lock) {}
        }
        #expect(folder.names == ["ledger.sqlite", "ledger.sqlite.lock"])
    }

    /// A lock held by another open file (as another process's `flock` is) is refused,
    /// naming the lock file and the pid written in it.
    @Test func aRefusalNamesTheLockFileAndThePid() throws {
        let folder = try Folder()
        let other = try Self.flockedElsewhere(folder.ledgerPath + ".lock", writing: "4242\n")
        defer { close(other) }
        #expect {
            _ = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        } throws: { error in
            guard case .writerBusy(_, "4242", false)? = error as? LedgerError else { return false }
            return String(describing: error) == "the ledger is being written by credit-recon process 4242 "
                + "(lock \(folder.ledgerPath).lock); try again when it has finished"
        }
    }

    /// A second lock of a ledger whose lock this very process holds (`ledger copy --to`
    /// naming its source under another name) is told apart from another writer's: waiting
    /// for it would never help.
    @Test func aLockThisProcessHoldsIsToldApart() throws {
        let folder = try Folder()
        let lock = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        defer { withExtendedLifetime(lock) {} }
        let pid = ProcessInfo.processInfo.processIdentifier
        #expect {
            _ = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        } throws: { error in
            guard case .writerBusy(_, let holder, true)? = error as? LedgerError else { return false }
            return holder == "\(pid)" && String(describing: error) == "the ledger is being written by this very "
                + "credit-recon process (lock \(folder.ledgerPath).lock): two of the ledgers it was given are "
                + "one ledger under two names; name two different ledgers"
        }
    }

    /// An open file of `path` holding an exclusive `flock`, with `text` written in it: what
    /// another process holding the lock looks like to this one. Close it to let go.
    static func flockedElsewhere(_ path: String, writing text: String) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT, 0o600)
        try #require(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        return fd
    }

    /// Every name of one ledger takes the one lock: a symbolic link to the file, or to its
    /// folder while the file is still missing (two top-ups ran at once through a link, and
    /// the second re-sent the first's rows in flight).
    @Test func aLedgerNamedThroughASymbolicLinkTakesTheSameLock() throws {
        let folder = try Folder()
        let links = try Folder()
        let linkedFolder = links.url.appendingPathComponent("books").path
        try FileManager.default.createSymbolicLink(atPath: linkedFolder, withDestinationPath: folder.url.path)
        let viaFolder = linkedFolder + "/ledger.sqlite"
        do {
            let lock = try Ledger.lockWriter(at: .file(viaFolder))
            defer { withExtendedLifetime(lock) {} }
            #expect { _ = try Ledger.lockWriter(at: .file(folder.ledgerPath)) } throws: { "\($0)".contains("being written") }
            #expect(folder.names == ["ledger.sqlite.lock"])
        }

        _ = FileManager.default.createFile(atPath: folder.ledgerPath, contents: Data())
        let viaFile = links.url.appendingPathComponent("link.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: viaFile, withDestinationPath: folder.ledgerPath)
        let again = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        defer { withExtendedLifetime(again) {} }
        #expect {
            _ = try Ledger.lockWriter(at: .file(viaFile))
        } throws: { "\($0)".contains("(lock \(folder.ledgerPath).lock)") }
    }

    /// A holder that wrote no pid (another tool's `flock`, or one that failed to write it)
    /// is still refused, and named as another process.
    @Test func aHolderWithoutAPidIsAnotherProcess() throws {
        let folder = try Folder()
        let other = try Self.flockedElsewhere(folder.ledgerPath + ".lock", writing: "")
        defer { close(other) }
        #expect {
            _ = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        } throws: { error in
            guard case .writerBusy(let path, nil, false)? = error as? LedgerError else { return false }
            return path == folder.ledgerPath + ".lock"
                && String(describing: error).hasPrefix("the ledger is being written by another credit-recon process (lock ")
        }
    }

    @Test func aLockFileThatCannotBeCreatedIsAnIOProblem() throws {
        let folder = try Folder()
        let ledgerPath = folder.url.appendingPathComponent("missing/ledger.sqlite").path
        #expect {
            _ = try Ledger.lockWriter(at: .file(ledgerPath))
        } throws: { error in
            guard case .cannotCreateLock(let path, let reason)? = error as? LedgerError else { return false }
            return path == ledgerPath + ".lock" && String(describing: error)
                == "cannot create the lock file \(ledgerPath).lock: \(reason); check that this user may write the ledger's folder "
                    + "and the ledger (run the command as its owner), or work on a copy"
        }
    }

    /// The pid is written into the lock file: a link at its path (symbolic or hard), made
    /// by mistake or by someone else, would have that file overwritten. It is refused, and
    /// the file it leads to is left as it was.
    @Test(arguments: [true, false])
    func aLinkWhereTheLockFileGoesIsRefusedAndTheFileItLeadsToKept(symbolic: Bool) throws {
        let folder = try Folder()
        let precious = folder.url.appendingPathComponent("precious.txt").path
        try "precious data\n".write(toFile: precious, atomically: false, encoding: .utf8)
        let lockPath = folder.ledgerPath + ".lock"
        if symbolic {
            try FileManager.default.createSymbolicLink(atPath: lockPath, withDestinationPath: precious)
        } else {
            try FileManager.default.linkItem(atPath: precious, toPath: lockPath)
        }
        #expect {
            _ = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        } throws: { error in
            guard case .lockNotOurs(let path, let what)? = error as? LedgerError else { return false }
            return path == lockPath && what == (symbolic ? "a symbolic link" : "a file with 2 names (hard links)")
                && String(describing: error).hasSuffix("Remove \(lockPath) and run the command again")
        }
        #expect(try String(contentsOfFile: precious, encoding: .utf8) == "precious data\n")
        #expect(folder.names == ["ledger.sqlite.lock", "precious.txt"])
    }

    /// Run as root beside the owner's jobs, the lock file goes to the ledger's owner (to its
    /// folder's before the ledger exists), as SQLite's own files beside it do: left owned by
    /// root, it refused every later run of the owner's cron job (74).
    @Test func asRootTheLockFileGoesToTheLedgersOwner() throws {
        guard getuid() == 0 else { return }  // only root can give a file away
        let folder = try Folder()
        let nobody: uid_t = 65_534
        chown(folder.url.path, nobody, gid_t(nobody))
        do {
            let lock = try Ledger.lockWriter(at: .file(folder.ledgerPath))
            let owner = try FileManager.default.attributesOfItem(atPath: folder.ledgerPath + ".lock")[.ownerAccountID] as? Int
            #expect(owner == Int(nobody), "before the ledger: the folder's owner")
            withExtendedLifetime(lock) {}
        }
        _ = FileManager.default.createFile(atPath: folder.ledgerPath, contents: nil)
        chown(folder.ledgerPath, nobody + 1, gid_t(nobody))
        let lock = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        defer { withExtendedLifetime(lock) {} }
        let owner = try FileManager.default.attributesOfItem(atPath: folder.ledgerPath + ".lock")[.ownerAccountID] as? Int
        #expect(owner == Int(nobody) + 1, "the ledger's owner")
    }
}
