import Foundation
import Testing
@testable import Ledger

/// `verify` writes nothing to the SQLite file it checks. An auditor's archived ledger is
/// often a pair: the file and its `-wal`, copied while a writer had them open. Opened as
/// any command opens it, closing the connection folded the log into the file and removed
/// it, so the file's checksum the auditor recorded no longer matched.
@Suite("SQLite: verify leaves the file it checks as it was")
struct CheckingWritesNothingTests {
    /// The bytes of the file at `path`, or `nil` when there is none.
    private static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// Verifies the ledger at `path` as `verify` opens it, and closes it again.
    private static func check(_ path: String) throws -> VerifyReport {
        try Ledger(checking: .file(path)).verify()
    }

    @Test func aLogCopiedWithTheLedgerIsReadAndKept() throws {
        let temp = try TemporaryLedger()
        try temp.ledger.write { try $0.append(contentsOf: StoreConformanceTests.bulk(40), runID: nil, at: t0) { $0 } }
        // Copied while the writer has the ledger open: its entries are in the log only.
        let archive = temp.directory.appendingPathComponent("archive")
        try FileManager.default.createDirectory(at: archive, withIntermediateDirectories: false)
        let copy = archive.appendingPathComponent("ledger.sqlite").path
        try FileManager.default.copyItem(atPath: temp.path, toPath: copy)
        try FileManager.default.copyItem(atPath: temp.path + "-wal", toPath: copy + "-wal")
        let (file, log) = (Self.bytes(copy), Self.bytes(copy + "-wal"))
        #expect((log?.count ?? 0) > 0, "the entries are in the log")

        let report = try Self.check(copy)
        #expect(report.isSound && report.entries == 40)
        #expect(report.log == WriteAheadLog(path: copy + "-wal", bytes: Int64(log?.count ?? 0)), "the log read is named")
        #expect(Self.bytes(copy) == file, "the file was not written")
        #expect(Self.bytes(copy + "-wal") == log, "the log is where it was, as it was")
        // Any other command may fold it in: it is the same books. A reader leaves it; a
        // writer, having read it as the ledger's own, folds it in as it closes.
        #expect(try Ledger(path: copy, create: false).headHash() == report.headHash)
        #expect(Self.bytes(copy + "-wal") == log, "a reader leaves it as it was")
        try {
            let writer = try Ledger(path: copy, create: false)
            try writer.write { try $0.append(contentsOf: StoreConformanceTests.bulk(1, from: t0.adding(seconds: 99)), runID: nil, at: t0) { $0 } }
        }()
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal"), "folded in by the writer")
        #expect(try Self.check(copy).entries == 41)
    }

    /// A reader (`status`, `report`) writes nothing, so it leaves a log it found as it found
    /// it: with a garbled header, SQLite reads it as empty, and closing the last connection
    /// deleted it with the only copy of the newest entries; one garbled in the middle had its
    /// valid start folded into the file and the rest deleted (probe 344). A writer folds in
    /// the log it reads as the ledger's own.
    @Test(arguments: [0, 9000]) func aReaderLeavesALogItFoundAsItWas(garbledAt offset: Int) throws {
        let temp = try TemporaryLedger()
        let copy = temp.directory.appendingPathComponent("copy.sqlite").path
        let facts = StoreConformanceTests.bulk(38)
        try {
            try {
                let writer = try Ledger(path: copy)
                try writer.write { try $0.append(contentsOf: Array(facts.prefix(30)), runID: nil, at: t0) { $0 } }
            }()
            let open = try Ledger(path: copy, create: false)
            try open.write { try $0.append(contentsOf: Array(facts.suffix(8)), runID: nil, at: t0) { $0 } }
            // Copied while that writer has the ledger open: its newest entries are in the log only.
            try withExtendedLifetime(open) {
                try FileManager.default.copyItem(atPath: copy, toPath: copy + ".file")
                try FileManager.default.copyItem(atPath: copy + "-wal", toPath: copy + ".log")
            }
        }()
        try FileManager.default.removeItem(atPath: copy)
        try FileManager.default.moveItem(atPath: copy + ".file", toPath: copy)
        var log = try #require(Self.bytes(copy + ".log"))
        #expect(log.count > offset + 64, "the newest entries are in the log")
        log.replaceSubrange(offset..<(offset + 32), with: Data(repeating: 0x5A, count: 32))
        try log.write(to: URL(fileURLWithPath: copy + "-wal"))
        let file = Self.bytes(copy)

        try {
            let reader = try Ledger(path: copy, create: false)
            _ = try reader.headHash()
            _ = try reader.damageSigns()
        }()
        #expect(Self.bytes(copy) == file, "the file was not written")
        #expect(Self.bytes(copy + "-wal") == log, "the log is where it was, as it was")
    }

    @Test func aLedgerClosedCleanlyIsLeftWithoutNewFiles() throws {
        let temp = try TemporaryLedger()
        let copy = temp.directory.appendingPathComponent("closed.sqlite").path
        try {
            let ledger = try Ledger(path: copy)
            try ledger.write { try $0.append(contentsOf: StoreConformanceTests.bulk(40), runID: nil, at: t0) { $0 } }
        }()
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal"), "closed: its log folded in and removed")
        let written = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        try FileManager.default.setAttributes([.modificationDate: written], ofItemAtPath: copy)
        let file = Self.bytes(copy)

        let report = try Self.check(copy)
        #expect(report.entries == 40)
        #expect(report.log == nil, "no log was read")
        #expect(Self.bytes(copy) == file)
        #expect(try FileManager.default.attributesOfItem(atPath: copy)[.modificationDate] as? Date == written)
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: copy + "-shm"))
    }

    /// A log left beside a file it does not belong to (a crashed writer's, beside a ledger
    /// restored from a backup) is read as changes to that ledger; `verify` finds them, and
    /// names the log, which is what breaks it.
    @Test func aLogFromAnotherLedgerIsNamedWithWhatItBreaks() throws {
        let temp = try TemporaryLedger()
        let restored = temp.directory.appendingPathComponent("restored.sqlite").path
        try {
            let ledger = try Ledger(path: restored)
            try ledger.write { try $0.append(contentsOf: StoreConformanceTests.bulk(40), runID: nil, at: t0) { $0 } }
        }()
        #expect(try Self.check(restored).isSound)
        // Another ledger's log: its last entries, not yet folded into its file (its writer
        // is open), the ones before them in its file. (A log holding all of another ledger's
        // pages reads as that ledger, sound: `verify --holds` tells those apart.)
        let other = temp.directory.appendingPathComponent("other.sqlite").path
        let facts = StoreConformanceTests.bulk(44, from: t0.adding(seconds: 7))
        try {
            let ledger = try Ledger(path: other)
            try ledger.write { try $0.append(contentsOf: Array(facts.prefix(40)), runID: nil, at: t0) { $0 } }
        }()
        let writer = try Ledger(path: other)
        try writer.write { try $0.append(contentsOf: Array(facts.suffix(4)), runID: nil, at: t0) { $0 } }
        try withExtendedLifetime(writer) { try FileManager.default.copyItem(atPath: other + "-wal", toPath: restored + "-wal") }

        let report = try Self.check(restored)
        #expect(!report.isSound)
        #expect(report.log?.path == restored + "-wal" && (report.log?.bytes ?? 0) > 0)

        // Any other command that fails on it leaves the log beside the file, the file as it
        // was: folded in as its connection closed, the log made the damage the file's own
        // and was gone (probe 257: `status` on a sound file beside another ledger's log).
        let (file, log) = (Self.bytes(restored), Self.bytes(restored + "-wal"))
        try {
            // As a command that writes opens it: under the writer lock.
            let lock = try Ledger.lockWriter(at: .file(restored))
            defer { withExtendedLifetime(lock) {} }
            let ledger = try Ledger(path: restored, create: false)
            #expect {
                try ledger.write { try $0.append(contentsOf: StoreConformanceTests.bulk(1, from: t0.adding(seconds: 99)), runID: nil, at: t0) { $0 } }
            } throws: { error in
                // The log is named beside the damage it may be the cause of (probe 258).
                String(describing: error).contains("it was read with the write-ahead log \(restored)-wal beside it")
            }
        }()
        #expect(Self.bytes(restored) == file, "the file is as it was")
        #expect(Self.bytes(restored + "-wal") == log, "the log is beside it, as it was")
        // Moved aside, the file alone is the sound ledger it was.
        try FileManager.default.moveItem(atPath: restored + "-wal", toPath: restored + "-wal.aside")
        try? FileManager.default.removeItem(atPath: restored + "-shm")
        #expect(try Self.check(restored).isSound)
    }

    /// A file SQLite calls malformed, read with a log beside it: the message names the log
    /// and how to tell whether it is what damages the file (it said to restore a backup of
    /// a file that was sound alone, probe 257).
    @Test func aMalformedFileReadWithALogNamesTheLog() throws {
        let temp = try TemporaryLedger()
        let path = temp.directory.appendingPathComponent("damaged.sqlite").path
        let corrupt = SQLiteError(code: 11, message: "database disk image is malformed")  // SQLITE_CORRUPT
        #expect(!String(describing: LedgerError.wrap(corrupt, path: path)).contains("write-ahead log"))
        try Data(repeating: 1, count: 64).write(to: URL(fileURLWithPath: path + "-wal"))
        // A reader, whom another process's writer may be at work beside, is told to run verify alone.
        #expect(!String(describing: LedgerError.wrap(corrupt, path: path)).contains("write-ahead log"))
        let lock = try Ledger.lockWriter(at: .file(path))
        defer { withExtendedLifetime(lock) {} }
        #expect(String(describing: LedgerError.wrap(corrupt, path: path)).contains("says \"database disk image is malformed\" "
            + "(cut short, or changed outside SQLite); it was read with the write-ahead log \(path)-wal beside it (64 bytes), "
            + "left as it is: move the log aside and verify the file alone; if it is then sound, the log (another ledger's, or "
            + "kept from an older copy of the file) is what damages it, and the file alone is the ledger"))
    }
}
