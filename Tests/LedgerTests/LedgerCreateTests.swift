import CreditTypes
import Foundation
import Testing
@testable import Ledger

@Suite("Ledger.create: a new ledger built beside its path and renamed into place")
struct LedgerCreateTests {
    /// A folder of its own, removed afterwards.
    final class Folder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-create-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }
        var ledgerPath: String { url.appendingPathComponent("ledger.sqlite").path }
        var names: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted() }
    }

    @Test func aCreatedLedgerIsFinishedDurableAndTheSameAsOneWrittenInPlace() throws {
        let folder = try Folder()
        let facts = lifecycle()
        let seq = try Ledger.create(at: folder.ledgerPath) { ledger in
            try ledger.appendAll(facts)
            return try ledger.read { try $0.head().seq }
        }
        #expect(seq == Int64(facts.count))
        // Only the finished file and the witness of its head: no staging file, rollback
        // journal or write-ahead log.
        #expect(folder.names == ["ledger.sqlite", "ledger.sqlite.head"])
        let mode = try FileManager.default.attributesOfItem(atPath: folder.ledgerPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let raw = try Database(path: folder.ledgerPath, create: false)
        #expect(try raw.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try raw.scalarInt("PRAGMA page_size") == 16384)

        let created = try Ledger(path: folder.ledgerPath, create: false)
        let report = try created.verify()
        #expect(report.isSound, "\(report.problems)")
        #expect(report.integrity == "ok")
        // Byte for byte what the same writes store in a ledger opened the usual way.
        let usual = try TemporaryLedger()
        try usual.ledger.appendAll(facts)
        #expect(try created.headHash() == usual.ledger.headHash())
        let dump = "SELECT seq, kind, entry, prev_hash, hash FROM journal ORDER BY seq"
        let row: (Statement) -> String = { "\($0.int64(0)) \($0.text(1)) \($0.text(2)) \($0.text(3)) \($0.text(4))" }
        #expect(try raw.statement(dump).rows([], row) == usual.raw().statement(dump).rows([], row))
    }

    @Test func aFailureWhileFillingLeavesNoLedger() throws {
        struct Boom: Error {}
        let folder = try Folder()
        #expect(throws: Boom.self) {
            try Ledger.create(at: folder.ledgerPath) { ledger in
                try ledger.appendAll(lifecycle())
                throw Boom()
            }
        }
        #expect(folder.names.isEmpty)
    }

    @Test func aStagingFileLeftByAKilledProcessIsReplaced() throws {
        let folder = try Folder()
        for suffix in ["", "-journal"] {
            try Data("half-made".utf8).write(to: URL(fileURLWithPath: folder.ledgerPath + ".creating" + suffix))
        }
        try Ledger.create(at: folder.ledgerPath) { try $0.appendAll(lifecycle()) }
        #expect(folder.names == ["ledger.sqlite", "ledger.sqlite.head"])
        #expect(try Ledger(path: folder.ledgerPath, create: false).verify().isSound)
    }

    @Test func theLedgerHandedToTheBodyIsClosedAfterwards() throws {
        let folder = try Folder()
        let escaped = try Ledger.create(at: folder.ledgerPath) { $0 }
        #expect(throws: LedgerError.self) { try escaped.headHash() }
        // The ledger in place is unaffected.
        #expect(try Ledger(path: folder.ledgerPath, create: false).headHash() == JournalEntry.genesisHash)
    }

    @Test(arguments: [("ledger.sqlite", "."), ("/ledger.sqlite", "/"), ("/a/b/ledger.sqlite", "/a/b"), ("a/l", "a")])
    func theDirectoryThatIsFlushedAfterTheRename(path: String, directory: String) {
        #expect(Ledger.directory(of: path) == directory)
    }
}

extension LedgerCreateTests {
    @Test func aLedgerThatAppearedMeanwhileIsNeverReplaced() throws {
        let folder = try Folder()
        #expect(throws: LedgerError.self) {
            try Ledger.create(at: folder.ledgerPath) { ledger in
                try ledger.appendAll(lifecycle())
                try Data("someone else's books".utf8).write(to: URL(fileURLWithPath: folder.ledgerPath))
            }
        }
        #expect(try String(contentsOfFile: folder.ledgerPath, encoding: .utf8) == "someone else's books")
        #expect(folder.names == ["ledger.sqlite"], "the staging file is removed")
    }

    /// A path longer than SQLite opens is said to be so, with what to do, not only "unable
    /// to open database file"; nothing is left behind.
    @Test func aPathLongerThanSQLiteOpensIsSaid() throws {
        let folder = try Folder()
        var deep = folder.url
        while deep.path.utf8.count < Self.sqliteLimit {
            deep.appendPathComponent(String(repeating: "d", count: 200))
        }
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        let path = deep.appendingPathComponent("ledger.sqlite").path
        do {
            try Ledger.create(at: path) { _ in }
            Issue.record("a ledger was made at a \(path.utf8.count)-byte path")
        } catch LedgerError.io(_, let detail) {
            #expect(detail.hasPrefix("unable to open database file: its full path is "), "\(detail)")
            #expect(detail.contains("SQLite opens paths shorter than 512 bytes; use a shorter path"), "\(detail)")
        }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: deep.path)) ?? ["?"]).isEmpty)
    }

    static let sqliteLimit = LedgerError.sqlitePathLimit
    /// A ledger file with a second name (a hard link) is refused through either name, for
    /// reading, writing and checking: SQLite keeps a write-ahead log beside each name, and
    /// two top-ups through the two names each charged every row while the ledger kept only
    /// one's charges (probe 86). With one name again, it opens.
    @Test func aLedgerWithTwoNamesIsRefusedThroughEither() throws {
        let folder = try Folder()
        let other = folder.url.appendingPathComponent("same.sqlite").path
        let head = try Ledger.create(at: folder.ledgerPath) { ledger in
            try ledger.appendAll(lifecycle())
            return try ledger.headHash()
        }
        #expect(link(folder.ledgerPath, other) == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: other))
        for path in [folder.ledgerPath, other] {
            for open in [{ try Ledger(path: path, create: true) }, { try Ledger(path: path, create: false) },
                         { try Ledger(checking: .file(path)) }] {
                #expect {
                    _ = try open()
                } throws: { error in
                    guard case LedgerError.manyNames(path, 2) = error else { return false }
                    return "\(error)".contains("one file with 2 names (hard links)") && "\(error)".hasSuffix("nothing was changed")
                }
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == before)
        #expect(folder.names == ["ledger.sqlite", "ledger.sqlite.head", "same.sqlite"])
        #expect(unlink(other) == 0)
        #expect(try Ledger(path: folder.ledgerPath, create: false).headHash() == head)
        // A second name of its write-ahead log too: a ledger's log linked beside another
        // ledger's name was folded into that file (probe 90).
        let wal = folder.url.appendingPathComponent("other.sqlite-wal").path
        #expect(FileManager.default.createFile(atPath: wal, contents: Data()))
        #expect(link(wal, folder.ledgerPath + "-wal") == 0)
        #expect {
            _ = try Ledger(path: folder.ledgerPath, create: false)
        } throws: { error in
            guard case LedgerError.manyNames(folder.ledgerPath + "-wal", 2) = error else { return false }
            return "\(error)".hasPrefix("the ledger's write-ahead log \(folder.ledgerPath)-wal is one file with 2 names")
        }
    }
}
