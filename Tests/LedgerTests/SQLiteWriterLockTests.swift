import AsyncWait
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
        #expect(try String(contentsOfFile: lockPath, encoding: .utf8)
            == "\(ProcessInfo.processInfo.processIdentifier)\nledger \(SQLiteWriterLock.realPath(folder.ledgerPath))\n")
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
        defer { Self.letGo(other) }
        #expect {
            _ = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        } throws: { error in
            guard case .writerBusy(_, "4242", false, _)? = error as? LedgerError else { return false }
            return String(describing: error) == "the ledger is being written by credit-recon process 4242 "
                + "(lock \(folder.ledgerPath).lock): a command writing it, or a `ledger copy` from it or into it, which holds the "
                + "writer lock of both ledgers; try again when it has finished"
        }
    }

    /// The runs a holder announced in its lock file are named, and `status`, which says what
    /// each is (probe 328: a `run` was said to be a writer or a `ledger copy`).
    @Test func aRefusalNamesTheRunsTheHolderAnnounced() throws {
        let folder = try Folder()
        let other = try Self.flockedElsewhere(folder.ledgerPath + ".lock", writing: "4242\nruns 123 124\nledger \(folder.ledgerPath)\n")
        defer { Self.letGo(other) }
        #expect {
            _ = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        } throws: { error in
            guard case .writerBusy(_, "4242", false, [123, 124])? = error as? LedgerError else { return false }
            return String(describing: error) == "the ledger is being written by credit-recon process 4242, at its runs 123 and 124 "
                + "(lock \(folder.ledgerPath).lock); `credit-recon status` says what it is doing; try again when it has finished"
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
            guard case .writerBusy(_, let holder, true, _)? = error as? LedgerError else { return false }
            return holder == "\(pid)" && String(describing: error) == "the ledger is being written by this very "
                + "credit-recon process (lock \(folder.ledgerPath).lock): two of the ledgers it was given are "
                + "one ledger under two names; name two different ledgers"
        }
    }

    /// A writer of a new SQLite ledger holding its lock, with the first two facts written,
    /// `meanwhile` run, then its lock file removed by hand: the store, the lock file's path
    /// and the lock (keep it alive).
    static func writerWithItsLockFileRemoved(
        meanwhile: (SQLiteUnderTest) throws -> Void = { _ in }
    ) throws -> (store: SQLiteUnderTest, lockPath: String, lock: LedgerWriterLock) {
        let store = try SQLiteUnderTest()
        let lock = try Ledger.lockWriter(at: store.location)
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        try meanwhile(store)
        try FileManager.default.removeItem(atPath: store.temp.path + ".lock")
        return (store, store.temp.path + ".lock", lock)
    }

    /// A lock file removed by hand while its writer runs (taken for a stale pid file) is
    /// made again by the writer's next write, before it commits, and locked: a second
    /// writer started after the removal would otherwise have found no lock and run beside
    /// this one (probe 69: it took this one's charges in flight for a dead run's).
    @Test func aLockFileRemovedWhileItsWriterRunsIsMadeAgainByItsNextWrite() throws {
        let (store, lockPath, lock) = try Self.writerWithItsLockFileRemoved()
        defer { withExtendedLifetime(lock) {} }
        try store.ledger.appendAll(Array(lifecycle().dropFirst(2)))
        let text = try String(contentsOfFile: lockPath, encoding: .utf8)
        #expect(text.hasPrefix("\(ProcessInfo.processInfo.processIdentifier)\nruns "), "its pid and its runs: \(text)")
        let other = open(lockPath, O_RDWR)
        defer { Self.letGo(other) }
        #expect(flock(other, LOCK_EX | LOCK_NB) != 0, "the file made again is locked")
        #expect(try store.ledger.verify().isSound)
    }

    /// A lock file removed by hand while its writer runs, and another writer that has taken
    /// the new one: the first writer's next write is rolled back and names the other, and
    /// so is every write after it, even once the other has finished (what the first knew
    /// of the ledger may be stale by then). A new command takes the lock as usual.
    @Test func aWriterWhoseLockFileAnotherWriterTookWritesNothingMore() throws {
        let store: SQLiteUnderTest
        do {  // the first writer's lock is let go at its end
            let (writer, lockPath, lock) = try Self.writerWithItsLockFileRemoved()
            store = writer
            defer { withExtendedLifetime(lock) {} }
            let head = try store.ledger.headHash()
            let other = try Self.flockedElsewhere(lockPath, writing: "4242\n")
            for holding in [true, false] {
                if !holding { Self.letGo(other) }
                #expect {
                    try store.ledger.appendAll(Array(lifecycle().dropFirst(2)))
                } throws: { error in
                    guard case .writerLockLost(_, "4242")? = error as? LedgerError else { return false }
                    return String(describing: error) == Self.lost(lockPath, "credit-recon process 4242 holds the one there now")
                }
                #expect(try store.ledger.headHash() == head)
                #expect(try store.ledger.read { try $0.journalCount() } == 2)
            }
        }
        let again = try Ledger.lockWriter(at: store.location)
        try store.ledger.appendAll(Array(lifecycle().dropFirst(2)))
        #expect(try store.ledger.verify().isSound)
        withExtendedLifetime(again) {}
    }

    /// A lock taken again by the same process while the one it lost is still alive (a
    /// second command of one process) is its own: letting the lost one go later neither lets
    /// the new one go nor forgets it, so the new one still keeps other writers out and its
    /// writes are still confirmed.
    @Test func aLockTakenAgainOutlivesTheLostOneBeforeIt() throws {
        var (store, lockPath, lost): (SQLiteUnderTest, String, LedgerWriterLock?) = try Self.writerWithItsLockFileRemoved()
        let other = try Self.flockedElsewhere(lockPath, writing: "4242\n")
        #expect(throws: LedgerError.self) { try store.ledger.appendAll(Array(lifecycle().dropFirst(2))) }
        Self.letGo(other)
        let again = try Ledger.lockWriter(at: store.location)
        lost = nil
        withExtendedLifetime(lost) {}
        let fd = open(lockPath, O_RDONLY)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) != 0, "the lock taken again is still held")
        try FileManager.default.removeItem(atPath: lockPath)
        try store.ledger.appendAll(Array(lifecycle().dropFirst(2)))
        #expect(FileManager.default.fileExists(atPath: lockPath), "the write confirmed the lock and made its file again")
        withExtendedLifetime(again) {}
    }

    /// A write whose lock was lost says so even when the other writer changed what it
    /// expects to find: the lock is confirmed before anything is applied (probe 70: a top-up
    /// whose row in flight the other had marked unknown stopped with "the ledger is damaged",
    /// exit 74, and advice to restore a backup, of a sound ledger).
    @Test func aLostLockIsSaidBeforeWhatTheOtherWriterChanged() throws {
        // What the first meant to write next is in the ledger already, as another writer's.
        let (store, lockPath, lock) = try Self.writerWithItsLockFileRemoved {
            try $0.openAnother().appendAll(Array(lifecycle().dropFirst(2)))
        }
        defer { withExtendedLifetime(lock) {} }
        let other = try Self.flockedElsewhere(lockPath, writing: "4242\n")
        defer { Self.letGo(other) }
        #expect {
            try store.ledger.appendAll(Array(lifecycle().dropFirst(2)))
        } throws: { error in
            guard case .writerLockLost(_, "4242")? = error as? LedgerError else { return false }
            return true
        }
    }

    /// A lock file made again by another writer that has finished (no one holds it): that
    /// writer may have written, so this one's writes stop as well.
    @Test func aLockFileMadeAgainByAWriterThatHasFinishedStopsTheFirst() throws {
        let (store, lockPath, lock) = try Self.writerWithItsLockFileRemoved()
        defer { withExtendedLifetime(lock) {} }
        _ = FileManager.default.createFile(atPath: lockPath, contents: Data("4343\n".utf8))
        #expect {
            try store.ledger.appendAll(Array(lifecycle().dropFirst(2)))
        } throws: { error in
            guard case .writerLockLost(_, nil)? = error as? LedgerError else { return false }
            return String(describing: error) == Self.lost(lockPath, "something made it again, another writer perhaps, which may have written since")
        }
        #expect(try store.ledger.read { try $0.journalCount() } == 2)
    }

    /// What a writer whose lock was lost says, `who` being who made the lock file again.
    static func lost(_ lockPath: String, _ who: String) -> String {
        "this command's writer lock was lost: its lock file \(lockPath) was removed or replaced while the command ran, "
            + "and \(who); nothing more was written. Run the command again when that writer has finished: it goes on "
            + "from what was stored. Never remove a lock file by hand: its lock falls by itself when its writer ends"
    }

    /// A lock file removed by hand while its writer (another process) runs: the lock is
    /// still that writer's, on the removed file, and the next writer is refused, naming it,
    /// instead of running beside it (probe 70: a second top-up sent a row the first had in
    /// flight again, and a `ledger copy` missed what was written meanwhile). The file the
    /// refused writer made is removed again, so the first makes its own anew; once it ends,
    /// writers take the lock as usual.
    @Test(.threadOfItsOwn) func aWriterWhoseLockFileWasRemovedStillKeepsOthersOut() async throws {
        let folder = try Folder()
        let lockPath = folder.ledgerPath + ".lock"
        let child = try await Self.childHoldingTheLock(lockPath, writing: "4242\nruns 7 8\n")
        defer {
            kill(child, SIGKILL)
            Self.reap(child)
        }
        try FileManager.default.removeItem(atPath: lockPath)
        // `status` sees it too, with the runs the removed file names.
        let seen = RunningWriter(holder: "process \(child) (its lock file was removed while it ran)", runs: [7, 8])
        #expect(try Ledger.runningWriter(at: .file(folder.ledgerPath)) == seen)
        #expect {
            _ = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        } throws: { error in
            guard case .writerOnRemovedLock(_, "\(child)", nil)? = error as? LedgerError else { return false }
            return String(describing: error) == "the ledger is being written by credit-recon process \(child), whose lock "
                + "file \(lockPath) was removed while it ran (the lock is still its own, on the removed file); try again "
                + "when it has finished. Never remove a lock file by hand: its lock falls by itself when its writer ends"
        }
        #expect(folder.names.isEmpty, "the refused writer's lock file is gone again: \(folder.names)")
        kill(child, SIGKILL)
        Self.reap(child)
        let lock = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        withExtendedLifetime(lock) {}
    }

    /// A lock file moved away by hand (`mv`) while its writer runs: the lock is still that
    /// writer's, on the moved file, which names the ledger inside, so the next writer is
    /// refused, naming it and where the file went. A moved lock file of another ledger, or
    /// one that names none, is another lock, and keeps nobody out.
    @Test(.threadOfItsOwn) func aWriterWhoseLockFileWasMovedStillKeepsOthersOut() async throws {
        let folder = try Folder()
        let lockPath = folder.ledgerPath + ".lock", moved = folder.url.appendingPathComponent("old.lock").path
        let ledger = SQLiteWriterLock.realPath(folder.ledgerPath)
        // The last: what a ledger whose path holds "\nledger <this one>" writes (probe 74).
        for (text, refused) in [("4242\nledger \(ledger).other\n", false), ("4242\n", false),
                                ("4242\nruns 7 8\nledger \(ledger)\n", true), ("4242\nledger /x\nledger \(ledger)\n", false)] {
            let child = try await Self.childHoldingTheLock(lockPath, writing: text)
            defer {
                kill(child, SIGKILL)
                Self.reap(child)
            }
            try FileManager.default.moveItem(atPath: lockPath, toPath: moved)
            defer { try? FileManager.default.removeItem(atPath: moved) }
            guard refused else {
                #expect(try Ledger.runningWriter(at: .file(folder.ledgerPath)) == nil, "\(text)")
                let lock = try Ledger.lockWriter(at: .file(folder.ledgerPath))
                withExtendedLifetime(lock) {}
                try FileManager.default.removeItem(atPath: lockPath)
                continue
            }
            let seen = RunningWriter(holder: "process \(child) (its lock file was moved to \(moved) while it ran)", runs: [7, 8])
            #expect(try Ledger.runningWriter(at: .file(folder.ledgerPath)) == seen)
            #expect {
                _ = try Ledger.lockWriter(at: .file(folder.ledgerPath))
            } throws: { error in
                guard case .writerOnRemovedLock(_, "\(child)", moved)? = error as? LedgerError else { return false }
                return String(describing: error) == "the ledger is being written by credit-recon process \(child), whose "
                    + "lock file \(lockPath) was moved to \(moved) while it ran (the lock is still its own, on that file); "
                    + "try again when it has finished. Never move or remove a lock file by hand: its lock falls by itself "
                    + "when its writer ends"
            }
            #expect(folder.names == ["old.lock"], "the refused writer's lock file is gone again: \(folder.names)")
        }
    }

    /// A file of other data where the lock file goes (a ledger named `ledger.sqlite.lock`)
    /// is refused and left as it is: the writer wrote its pid over that ledger's first bytes
    /// (probe 74). A lock file of an earlier version (the pid alone) is still one.
    @Test func aLedgerNamedAsAnothersLockFileIsNotWrittenOver() throws {
        let folder = try Folder()
        let lockPath = folder.ledgerPath + ".lock"
        let other = Data("SQLite format 3\u{0}".utf8) + Data(repeating: 7, count: 4080)
        _ = FileManager.default.createFile(atPath: lockPath, contents: other)
        #expect {
            _ = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        } throws: { error in
            guard case .lockNotOurs(lockPath, "a SQLite database (a ledger named after this one's lock file, perhaps)")? =
                error as? LedgerError else { return false }
            return String(describing: error).hasSuffix("Move \(lockPath) aside (look at what it holds before you remove it) "
                + "and run the command again")
        }
        #expect(FileManager.default.contents(atPath: lockPath) == other)
        // Nor a note that begins with a digit (probe 75).
        let note = Data("2026 budget notes: do not lose\n".utf8)
        try note.write(to: URL(fileURLWithPath: lockPath))
        #expect {
            _ = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        } throws: { error in
            guard case .lockNotOurs(lockPath, "a file of other data than a lock file's (31 bytes)")? = error as? LedgerError
            else { return false }
            return true
        }
        #expect(FileManager.default.contents(atPath: lockPath) == note)
        try Data("4242\n".utf8).write(to: URL(fileURLWithPath: lockPath))
        let lock = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        withExtendedLifetime(lock) {}
    }

    /// A child process holding an exclusive `flock` of the lock file at `lockPath`, made
    /// with `text` in it, as another writer does; once it holds it. Kill and reap it.
    static func childHoldingTheLock(_ lockPath: String, writing text: String) async throws -> pid_t {
        _ = FileManager.default.createFile(atPath: lockPath, contents: Data(text.utf8))
        let child = forkPausing(milliseconds: 600_000, sharedLockOn: lockPath, exclusive: true)
        try #require(child > 0)
        let holding = await waitUntil {
            let fd = open(lockPath, O_RDONLY)
            defer { close(fd) }
            if flock(fd, LOCK_SH | LOCK_NB) == 0 { flock(fd, LOCK_UN); return false }
            return true
        }
        if !holding {
            kill(child, SIGKILL)
            reap(child)
        }
        try #require(holding)
        return child
    }

    /// An open file of `path` holding an exclusive `flock`, with `text` written in it: what
    /// another process holding the lock looks like to this one. `letGo(_:)` lets go.
    static func flockedElsewhere(_ path: String, writing text: String) throws -> Int32 {
        // Closed on exec: a program another test starts meanwhile must not keep the lock.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try #require(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        return fd
    }

    /// Lets go of `flockedElsewhere`'s lock, as a writer does: unlocked, then closed. Closed
    /// alone, the lock stayed with a child another test's thread had just forked, which
    /// shares the open file until it executes its program (ci181: the migration's writer
    /// refused as busy by "process 4242" after it had let go).
    static func letGo(_ fd: Int32) {
        _ = flock(fd, LOCK_UN)
        close(fd)
    }

    /// A child process another thread starts shares this process's open files until it
    /// executes its program, the lock file's among them. A writer that lets go is let go of
    /// all the same: the next writer takes the lock at once, and a glance sees no writer at
    /// work. Closing the file alone left the lock to the child: a test of `FetchStageTests`
    /// was refused as busy by a "process" of its own pid, and `status`'s test saw a writer
    /// after it ended, under the parallel test runner, whose other tests start `hledger`,
    /// `bean-check` and the simulator. The child here keeps the file for a minute (killed at
    /// the end), where the writer before would have been refused.
    @Test(.threadOfItsOwn) func aLockLetGoIsFreeThoughAChildSharesItsFile() throws {
        let folder = try Folder()
        _ = FileManager.default.createFile(atPath: folder.ledgerPath, contents: Data())  // the lock file stays
        var child: pid_t = 0
        do {
            let lock = try Ledger.lockWriter(at: .file(folder.ledgerPath))
            child = Self.forkPausing(milliseconds: 60_000)
            withExtendedLifetime(lock) {}
        }
        defer {
            kill(child, SIGKILL)
            Self.reap(child)
        }
        try #require(child > 0)
        #expect(try Ledger.runningWriter(at: .file(folder.ledgerPath)) == nil)
        let again = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        withExtendedLifetime(again) {}
    }

    /// `status` glances at the lock with a shared `flock`, which a writer's exclusive one
    /// meets if it starts in that instant: the writer waits for the glance to end instead of
    /// being refused. A writer's exclusive lock is still refused at once.
    @Test(.threadOfItsOwn) func aWriterWaitsForAGlanceAtTheLockButNotForAnotherWriter() async throws {
        let folder = try Folder()
        let lockPath = folder.ledgerPath + ".lock"
        _ = FileManager.default.createFile(atPath: lockPath, contents: Data("4242\n".utf8))
        let child = Self.forkPausing(milliseconds: 300, sharedLockOn: lockPath)
        defer { Self.reap(child) }
        try #require(child > 0)
        // The condition itself: the child holds its shared lock, so an exclusive one is refused.
        try #require(await waitUntil {
            let fd = open(lockPath, O_RDONLY)
            defer { close(fd) }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { flock(fd, LOCK_UN); return false }
            return true
        })
        #expect(try Ledger.runningWriter(at: .file(folder.ledgerPath)) == nil, "a glance is not a writer")
        do {
            let lock = try Ledger.lockWriter(at: .file(folder.ledgerPath))
            withExtendedLifetime(lock) {}
        }

        let other = try Self.flockedElsewhere(folder.ledgerPath + ".lock", writing: "4242\n")
        defer { Self.letGo(other) }
        let started = ContinuousClock.now
        #expect(throws: LedgerError.self) { _ = try Ledger.lockWriter(at: .file(folder.ledgerPath)) }
        #expect(ContinuousClock.now - started < .milliseconds(SQLiteWriterLock.momentMilliseconds / 2),
                "another writer's lock is refused without waiting out the moment")
    }

    /// A lock file that cannot be read is said, not taken for "no writer": a running top-up
    /// would then be called crashed (probe 69: another user's lock file, mode 0600). As root
    /// every file can be read, so a folder stands in for it here.
    @Test func aLockFileThatCannotBeReadIsNoAnswer() throws {
        let folder = try Folder()
        #expect(try Ledger.runningWriter(at: .file(folder.ledgerPath)) == nil, "no lock file: no writer has run")
        try FileManager.default.createDirectory(atPath: folder.ledgerPath + ".lock", withIntermediateDirectories: false)
        #expect(throws: WriterUnseen(reason: "cannot read the lock file \(folder.ledgerPath).lock: it is not a regular file")) {
            _ = try Ledger.runningWriter(at: .file(folder.ledgerPath))
        }
    }

    /// A shared lock held past the moment a glance takes is another program's, not a
    /// writer's: said so (75), not named by the pid a past writer left in the file (probe 68).
    @Test(.threadOfItsOwn) func aSharedLockHeldPastAGlanceIsNamedAsNoWriters() throws {
        let folder = try Folder()
        let lockPath = folder.ledgerPath + ".lock"
        _ = FileManager.default.createFile(atPath: lockPath, contents: Data("4242\n".utf8))
        let reader = open(lockPath, O_RDONLY)
        defer { close(reader) }
        try #require(flock(reader, LOCK_SH | LOCK_NB) == 0)
        #expect {
            _ = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        } throws: { error in
            guard case .lockHeldShared(lockPath, 5)? = error as? LedgerError else { return false }
            return String(describing: error).hasPrefix("the lock file \(lockPath) has been held shared for more than 5 s, "
                + "by a program that is not a credit-recon writer") && !String(describing: error).contains("4242")
        }
    }

    /// Forks a child that keeps what this process has open (its lock files' open file
    /// descriptions among them) for `milliseconds`, then exits, as a child another thread
    /// starts does until it executes its program; with `sharedLockOn`, it first takes a
    /// shared `flock` of that file, as `status` does. Only async-signal-safe calls in the child.
    static func forkPausing(milliseconds: Int, sharedLockOn path: String? = nil, exclusive: Bool = false) -> pid_t {
        let name = path.map { strdup($0) } ?? nil
        defer { free(name) }
        var pause = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var left = timespec()
        let child = fork()
        if child == 0 {
            if let name {
                let fd = open(name, O_RDONLY)
                if fd < 0 || flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 { _exit(1) }
            }
            while nanosleep(&pause, &left) != 0 { pause = left }
            _exit(0)
        }
        return child
    }

    /// Waits for the child `pid` to end.
    static func reap(_ pid: pid_t) {
        guard pid > 0 else { return }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
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

    /// A holder that wrote no pid (one that has just taken the lock of a new lock file, as
    /// the first of two top-ups started together; another tool's `flock`) is still
    /// refused, and named as the system's table of locks names it (probe 313: "another
    /// credit-recon process").
    @Test(.threadOfItsOwn) func aHolderWithoutAPidIsNamedByTheTableOfLocks() async throws {
        let folder = try Folder()
        let lockPath = folder.ledgerPath + ".lock"
        let child = try await Self.childHoldingTheLock(lockPath, writing: "")
        defer {
            kill(child, SIGKILL)
            Self.reap(child)
        }
        #expect {
            _ = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        } throws: { error in
            guard case .writerBusy(let path, let holder, false, _)? = error as? LedgerError else { return false }
            return path == lockPath && holder == "\(child)"
                && String(describing: error).hasPrefix("the ledger is being written by credit-recon process \(child) (lock ")
        }
    }

    @Test func aLockFileThatCannotBeCreatedIsAnIOProblem() throws {
        let folder = try Folder()
        let ledgerPath = folder.url.appendingPathComponent("missing/ledger.sqlite").path
        #expect {
            _ = try Ledger.lockWriter(at: .file(ledgerPath))
        } throws: { error in
            guard case .cannotCreateLock(let path, let reason, _, false)? = error as? LedgerError else { return false }
            return path == ledgerPath + ".lock" && String(describing: error)
                == "cannot create the lock file \(ledgerPath).lock: \(reason); the folder \(folder.url.path)/missing does not "
                    + "exist: make it (mkdir -p), or correct the ledger's path"
        }
    }

    /// A name too long once `.lock` is added, and a path through a file, are not matters of
    /// rights, and are not said as one (probe 232).
    @Test func aLockFileOfABadPathSaysWhatIsWrongWithThePath() throws {
        let folder = try Folder()
        let file = folder.url.appendingPathComponent("books.sqlite").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        let cases = [
            (file + "/ledger.sqlite", "a part of the ledger's path is a file, not a folder"),
            // A folder that is there but takes no new file: said to be missing (probe 248).
            ("/proc/ledger.sqlite", "the folder /proc is there, but its filesystem lets no file be made in it"),
            (folder.url.appendingPathComponent(String(repeating: "c", count: 252)).path, "name it at most 246 bytes long"),
            // The whole path past the system's limit, or a folder's name past a name's, is no
            // matter of the ledger's name, which the advice shortened (probe 455).
            (folder.url.path + String(repeating: "/" + String(repeating: "d", count: 200), count: 21) + "/l.sqlite",
             "more than the 4096 the system takes in one path: give a shorter one"),
            (folder.url.appendingPathComponent(String(repeating: "e", count: 300) + "/l.sqlite").path,
             "a folder's name in the ledger's path is longer than the 255 bytes a name may be"),
        ] + (geteuid() == 0 ? [
            // Refused to root by the filesystem, not by rights: "run the command as its owner" (probe 252).
            ("/sys/ledger.sqlite", "root may not make a file in /sys: its filesystem refuses it"),
        ] : [])
        for (ledgerPath, advice) in cases {
            #expect {
                _ = try Ledger.lockWriter(at: .file(ledgerPath))
            } throws: { error in
                guard case .cannotCreateLock(_, _, let given?, false)? = error as? LedgerError else { return false }
                return given.contains(advice) && !String(describing: error).contains("run the command as its owner")
            }
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
                && String(describing: error).hasSuffix("Move \(lockPath) aside (look at what it holds before you remove it) "
                    + "and run the command again")
        }
        #expect(try String(contentsOfFile: precious, encoding: .utf8) == "precious data\n")
        #expect(folder.names == ["ledger.sqlite.lock", "precious.txt"])
    }

    /// A folder where the lock file goes is something else's, not a matter of this user's
    /// rights: refused as such, and left with what it holds (probe 75 said "check that this
    /// user may write the ledger's folder").
    @Test func aFolderWhereTheLockFileGoesIsRefusedAsNotOurs() throws {
        let folder = try Folder()
        let lockPath = folder.ledgerPath + ".lock"
        try FileManager.default.createDirectory(atPath: lockPath, withIntermediateDirectories: false)
        try "kept\n".write(toFile: lockPath + "/inside.txt", atomically: false, encoding: .utf8)
        #expect {
            _ = try Ledger.lockWriter(at: .file(folder.ledgerPath))
        } throws: { error in
            guard case .lockNotOurs(lockPath, "a folder")? = error as? LedgerError else { return false }
            return String(describing: error).hasPrefix("the lock file \(lockPath) is a folder, not a file credit-recon made")
        }
        #expect(try String(contentsOfFile: lockPath + "/inside.txt", encoding: .utf8) == "kept\n")
        #expect(folder.names == ["ledger.sqlite.lock"])
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
