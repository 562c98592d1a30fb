import Foundation
import Testing
@testable import Ledger

/// A SQLite ledger's witness of the newest entry this host wrote (`HeadWitness`): a
/// backup put in the ledger's place, or entries cut cleanly from its end, chained as
/// soundly as before, and `topup` bought again what the missing entries had bought
/// (probe 153). Refused before a write, said by `damageSigns()`, and mended by removing
/// the witness once the missing purchases are recorded.
struct HeadWitnessTests {
    let directory: URL
    let path: String

    init() throws {
        directory = try TemporaryLedger.newDirectory("witness-tests")
        path = directory.appendingPathComponent("ledger.sqlite").path
    }

    func removeLedgerFiles() {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test func aBackupPutInTheLedgersPlaceIsRefusedBeforeAWrite() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let backup = directory.appendingPathComponent("backup.sqlite").path
        let older: (seq: Int64, hash: String)
        do {
            let ledger = try Ledger(path: path)
            try ledger.appendAll(lifecycle())
            older = try ledger.read { try $0.head() }
            try Database(path: path, create: false).execute("VACUUM INTO '\(backup)'")
        }
        let newest: (seq: Int64, hash: String)
        do {
            let ledger = try Ledger(path: path)
            try ledger.appendAll(usageFacts())
            newest = try ledger.read { try $0.head() }
        }
        let kept = try HeadWitness(ledgerPath: path).load()
        #expect(kept?.seq == newest.seq && kept?.hash == newest.hash)

        removeLedgerFiles()
        try FileManager.default.copyItem(atPath: backup, toPath: path)
        let restored = try Ledger(path: path)
        let refused = #expect(throws: LedgerError.self) { try restored.appendAll(usageFacts()) }
        guard case .entriesLost(let text)? = refused else {
            Issue.record("not a ledger that lost entries: \(String(describing: refused))")
            return
        }
        #expect(text.hasPrefix("it does not hold the newest entry this host wrote to it, entry \(newest.seq) with hash "
            + "\(newest.hash.prefix(16))… at "), "\(text)")
        #expect(text.contains("(as \(path).head says): entries were cut from its end, or an older copy of it (a backup) or "
            + "another ledger was put in its place"), "\(text)")
        #expect(text.hasSuffix("(`credit-recon verify --holds \(newest.hash)`); nothing was written"), "\(text)")
        // The charges to find are the ones after the restored ledger's own newest entry, not
        // after the witness's time, the lost entries' last (probe 161).
        let restoredAt = try #require(try restored.read { try $0.newestJournalTime() })
        #expect(text.contains("remove \(path).head, record the charges made after \(restoredAt.iso8601), its own newest entry's "
            + "time, with their plan references"), "\(text)")
        // verify says it too, where it said sound (probe 161).
        let verified = try restored.verify()
        #expect(!verified.isSound && verified.witnessedEntryMissing && verified.journalIsSound && !verified.witnessedEntryRewritten)
        #expect(verified.problems.last?.hasPrefix("it does not hold the newest entry this host wrote to it") == true)
        // And it is not copied: a copy bought its lost rows again (probe 161).
        let copy = try Ledger(path: directory.appendingPathComponent("copy.sqlite").path)
        #expect(throws: LedgerError.self) { _ = try restored.copy(into: copy) }
        #expect(try copy.read { try $0.head() }.seq == 0)
        let stillOlder = try restored.read { try $0.head() }
        #expect(stillOlder == older)
        #expect(try restored.damageSigns().contains { $0.hasPrefix("it does not hold the newest entry this host wrote to it") })

        // Put there on purpose: without the witness, the next write goes on, and keeps its own.
        try FileManager.default.removeItem(atPath: path + ".head")
        #expect(try restored.damageSigns().isEmpty)
        try restored.appendAll(usageFacts(texts: ["again"]))
        let after = try restored.read { try $0.head() }
        #expect(try HeadWitness(ledgerPath: path).load()?.seq == after.seq)
    }

    /// A journal as long as the one this host wrote, whose entry there has another hash (an
    /// entry edited and the chain's hashes computed again, or another ledger of that length
    /// put in its place) is said as written again, not as cut (probe 196).
    @Test func aJournalWrittenAgainIsSaidAsThat() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = directory.appendingPathComponent("other.sqlite").path
        do {
            try Ledger(path: path).appendAll(lifecycle())
            try Ledger(path: other).appendAll(lifecycle(), account: "other")
        }
        let written = try #require(try HeadWitness(ledgerPath: path).load())
        removeLedgerFiles()
        try FileManager.default.copyItem(atPath: other, toPath: path)
        let swapped = try Ledger(path: path)
        let otherHash = try swapped.read { try $0.head() }.hash
        let verified = try swapped.verify()
        #expect(!verified.isSound && verified.journalIsSound && verified.witnessedEntryMissing && verified.witnessedEntryRewritten)
        let said = verified.problems.last ?? ""
        // No time to record the charges after: this journal's newest is no bound on what this
        // host's lost entries bought (probe 205).
        #expect(said.contains("only if this one was put here on purpose, remove \(path).head and, before any top-up, record "
            + "with their plan references") && !said.contains("its own newest entry's time"), "\(said)")
        #expect(said.contains("(as \(path).head says): its entry \(written.seq) has hash \(otherHash.prefix(16))…: the journal was "
            + "written again from that entry or before (entries changed and the chain's hashes computed again), or another "
            + "ledger at least as long was put in its place"), "\(said)")
        #expect(!said.contains("entries were cut from its end"), "\(said)")
    }

    /// A new ledger where this host wrote one that is gone (deleted, moved, lost): a top-up
    /// into it would buy every row again. Refused until the witness is removed.
    @Test func aNewLedgerWhereAWitnessedOneWasIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try Ledger.create(at: path) { try $0.appendAll(lifecycle()) }
        #expect(try HeadWitness(ledgerPath: path).load()?.seq == Int64(lifecycle().count))
        removeLedgerFiles()
        #expect(throws: LedgerError.self) { try Ledger.create(at: path) { try $0.appendAll(lifecycle()) } }
        #expect(!FileManager.default.fileExists(atPath: path))
        // Nor an empty one, made for a top-up to write to: put in place, it was there beside
        // the top-up's refusal, "nothing was written" (probe 417).
        let empty = #expect(throws: LedgerError.self) { try Ledger.create(at: path) { _ in } }
        #expect(String(describing: empty).contains("there is no ledger at \(path), but this host wrote one there: entry "
            + "\(lifecycle().count) with hash "), "\(String(describing: empty))")
        #expect(String(describing: empty).contains("Nothing was written, and no ledger was made"))
        #expect(!FileManager.default.fileExists(atPath: path))
        // Nor is a copy of other books made there (probe 161: `ledger copy --to` it bought
        // the rows again).
        let source = try Ledger(path: directory.appendingPathComponent("other.sqlite").path)
        try source.appendAll(lifecycle(), account: "other")
        // Named by its own name, not the one it is built under (probe 310: `X.creating`).
        let refusedNew = #expect(throws: LedgerError.self) { _ = try Ledger.create(at: path) { try source.copy(into: $0) } }
        #expect(String(describing: refusedNew).contains("\(path) held a ledger this host wrote"), "\(String(describing: refusedNew))")
        #expect(!FileManager.default.fileExists(atPath: path))
        let target = try Ledger(path: path)
        let refused = #expect(throws: LedgerError.self) { _ = try source.copy(into: target) }
        #expect(String(describing: refused).contains("held a ledger this host wrote, up to entry \(lifecycle().count)"),
                "\(String(describing: refused))")
        #expect(try target.read { try $0.head() }.seq == 0)
        // A copy of the same books is (back from PostgreSQL, say; probe 162 was refused).
        let same = try Ledger(path: directory.appendingPathComponent("same.sqlite").path)
        try same.appendAll(lifecycle())
        _ = try same.copy(into: target)
        #expect(try target.read { try $0.head() }.seq == Int64(lifecycle().count))
        try target.appendAll(usageFacts())
    }

    /// A link at the ledger's usual name pointed at an older copy: the witness beside the
    /// name says it is not the ledger this host wrote there (probe 162: `topup` bought the
    /// rows again, the witness beside the copy's real file being the copy's own).
    @Test func aLinkAtTheLedgersNamePointedAtAnOlderCopyIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let backup = directory.appendingPathComponent("backup.sqlite").path
        let real = directory.appendingPathComponent("real.sqlite").path
        do {
            let ledger = try Ledger(path: real)
            try ledger.appendAll(lifecycle())
            try Database(path: real, create: false).execute("VACUUM INTO '\(backup)'")
        }
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: real)
        do { try Ledger(path: path).appendAll(usageFacts()) }
        #expect(FileManager.default.fileExists(atPath: path + ".head") && FileManager.default.fileExists(atPath: real + ".head"))
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: backup)
        let pointed = try Ledger(path: path)
        let refused = #expect(throws: LedgerError.self) { try pointed.appendAll(usageFacts(texts: ["again"])) }
        guard case .entriesLost(let text)? = refused else {
            Issue.record("not a ledger that lost entries: \(String(describing: refused))")
            return
        }
        #expect(text.contains("(as \(path).head says)"), "\(text)")
    }

    /// What the witness file says is read only as written: text it never writes, a folder or
    /// a link there stops a write (74), as one this user may not read does: read as none, a
    /// restored ledger bought its rows again, and no witness was kept since (probe 341). An
    /// empty one, which a crash may leave (it is never synced), is none. It is never followed
    /// through a link, nor replaced.
    @Test func aWitnessThatSaysNothingReadableStopsAWrite() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let witness = HeadWitness(ledgerPath: path)
        try "".write(toFile: witness.path, atomically: false, encoding: .utf8)
        #expect(try witness.load() == nil)
        func refusal() -> String {
            do { _ = try witness.load() } catch { return "\(error)" }
            return "none"
        }
        for text in ["garbage\n", "0 \(String(repeating: "a", count: 64)) t\n", "5 ABC t\n", "5 \(String(repeating: "a", count: 64))\n",
                     "7 \(String(repeating: "A", count: 64)) t\n"] {
            try text.write(toFile: witness.path, atomically: false, encoding: .utf8)
            let said = refusal()
            #expect(said.hasPrefix("cannot use the ledger \(path): its head witness \(witness.path) holds \""), "\(text): \(said)")
            #expect(said.contains("not the line `SEQ HASH TIME` credit-recon writes, so whether the ledger still holds the "
                + "newest entry this host wrote to it cannot be checked; remove it"), "\(said)")
        }
        try FileManager.default.removeItem(atPath: witness.path)
        try FileManager.default.createDirectory(atPath: witness.path, withIntermediateDirectories: false)
        #expect(refusal().contains("its head witness \(witness.path) is a folder, not the file credit-recon keeps there"))
        try FileManager.default.removeItem(atPath: witness.path)
        let elsewhere = directory.appendingPathComponent("elsewhere").path
        try "7 \(String(repeating: "b", count: 64)) t\n".write(toFile: elsewhere, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: witness.path, withDestinationPath: elsewhere)
        #expect(refusal().contains("its head witness \(witness.path) is a symbolic link, not the file credit-recon keeps there"))
        // Nor replaced: neither the link nor the file it names.
        let head = ChainHead(seq: 9, hash: String(repeating: "c", count: 64))
        witness.keep(head, at: "2026-12-05T00:00:00.000Z")
        #expect(try String(contentsOfFile: elsewhere, encoding: .utf8) == "7 \(String(repeating: "b", count: 64)) t\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: witness.path) == elsewhere)
        // Nor another file than a witness: a ledger named as one (`ledger.sqlite.head`).
        try FileManager.default.removeItem(atPath: witness.path)
        let ledger = Data(repeating: 7, count: 4096)
        try ledger.write(to: URL(fileURLWithPath: witness.path))
        witness.keep(head, at: "2026-12-05T00:00:00.000Z")
        #expect(try Data(contentsOf: URL(fileURLWithPath: witness.path)) == ledger)
        #expect(refusal().contains("holds \"\u{7}\u{7}") == false && refusal().contains("holds \"????"))
        try FileManager.default.removeItem(atPath: witness.path)
        witness.keep(head, at: "2026-12-05T00:00:00.000Z")
        #expect(try witness.load() == WitnessedHead(seq: 9, hash: head.hash, at: "2026-12-05T00:00:00.000Z", file: witness.path))
    }

    /// A witness this user may not read stops a write (74): read as none, it was replaced
    /// by the writer, and what it said was lost (probe 336). None there, or a symbolic link,
    /// is no witness.
    @Test func aWitnessThisUserMayNotReadIsAnIOProblem() {
        let refused = HeadWitness.unreadable(EACCES, path: "/books/ledger.sqlite.head")
        guard case .io(let ledger, let detail)? = refused else {
            Issue.record("not an I/O problem: \(String(describing: refused))")
            return
        }
        #expect(ledger == "/books/ledger.sqlite")
        #expect(detail == "its head witness /books/ledger.sqlite.head, which names the newest entry this host wrote to it, "
            + "cannot be read (Permission denied), so whether the ledger still holds that entry cannot be checked; let this "
            + "user read it as the ledger is read (`chmod` it as the ledger is, and, if another user owns it, `chown` it to "
            + "the ledger's owner as root), then run the command again (each write gives the witness the ledger's permissions)")
        #expect(HeadWitness.unreadable(ENOENT, path: "/books/ledger.sqlite.head") == nil)
        #expect(HeadWitness.unreadable(ELOOP, path: "/books/ledger.sqlite.head") == nil)
    }

    /// The witness is as readable as the ledger: left 0600 beside a ledger made readable to
    /// an auditor, it stopped their reports (probe 455: "give the witness to the ledger's
    /// owner", whose it was already).
    @Test func theWitnessTakesTheLedgersPermissions() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = try Ledger(path: path)
        try ledger.appendAll(lifecycle())
        func mode(_ file: String) throws -> Int { try (FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) ?? -1 }
        #expect(try mode(path + ".head") == 0o600)
        chmod(path, 0o644)
        try ledger.appendAll(usageFacts())
        #expect(try mode(path + ".head") == 0o644)
        chmod(path, 0o755)  // never more than read and write
        try ledger.appendAll([.runStarted(RunStarted(command: "again"))])
        #expect(try mode(path + ".head") == 0o644)
    }

    /// Run as root, a writer gives the witness to the ledger's owner, as the lock file: left
    /// root's, 0600, the owner's writers could not read it (probe 336).
    @Test func asRootTheWitnessGoesToTheLedgersOwner() throws {
        guard getuid() == 0 else { return }  // only root can give a file away
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = try Ledger(path: path)
        try ledger.appendAll(lifecycle())
        let nobody: uid_t = 65_534
        chown(path, nobody, gid_t(nobody))
        try ledger.appendAll(usageFacts())
        let owner = try FileManager.default.attributesOfItem(atPath: path + ".head")[.ownerAccountID] as? Int
        #expect(owner == Int(nobody))
        #expect(try HeadWitness(ledgerPath: path).load()?.seq == (try ledger.read { try $0.head() }).seq)
    }
}
