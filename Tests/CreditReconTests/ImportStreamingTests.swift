import CreditTypes
import Foundation
import Ledger
import Logging
import Testing
@testable import CreditRecon

/// The importers write each batch of rows as soon as it is validated. Whatever is found late
/// in a long file must still leave the ledger as it was.
@Suite("import: validation and writing overlap, all-or-nothing")
struct ImportStreamingTests {
    /// More rows than two batches, so problems can come after rows were written.
    static let rows = 2 * SnapshotImport.batchRows + 123
    static let now = Timestamp(millisecondsSinceEpoch: 1_790_000_000_000)
    static let start = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)

    /// `rows` readings five minutes apart; `replace` swaps in other lines by row number (1-based).
    static func snapshots(replace: [Int: String] = [:]) -> String {
        var text = "observed_at,total_credits,total_usage\n"
        for row in 1...rows {
            let line = replace[row] ?? "\(start.adding(seconds: Int64(row) * 300).iso8601),100.000000,\(row / 1000).\(row % 1000)"
            text += line + "\n"
        }
        return text
    }

    /// `rows` charges with ascending ids; `replace` as above.
    static func charges(replace: [Int: String] = [:]) -> String {
        var text = "charge_id,amount,created_at,status\n"
        for row in 1...rows {
            text += (replace[row] ?? "ch-\(String(repeating: "0", count: 7 - String(row).count))\(row),\(row % 500 + 1).25,"
                + "\(start.adding(seconds: Int64(row) * 60).iso8601),paid") + "\n"
        }
        return text
    }

    struct Books: Equatable {
        let head: String
        let entries: Int64
    }

    static func books(_ ledger: Ledger) throws -> Books {
        try Books(head: ledger.headHash(), entries: ledger.read { try $0.journalCount() })
    }

    /// A ledger that already holds a few readings and charges.
    static func seededLedger(_ temp: TemporaryDirectory) throws -> Ledger {
        let ledger = try Ledger(path: temp.path("ledger.sqlite"))
        let seedSnapshots = try temp.write("seed-s.csv", "observed_at,total_credits,total_usage\n2020-01-01T00:00:00Z,1,0\n")
        _ = try SnapshotImport(path: seedSnapshots, defaultAccount: "default").run(ledger: ledger, now: now)
        let seedCharges = try temp.write("seed-c.csv", "charge_id,amount,created_at\nch-0000100,9.99,2020-01-01\n")
        _ = try ChargeImport(path: seedCharges, defaultAccount: "default").run(ledger: ledger, now: now)
        return ledger
    }

    @Test func aLongFileIsStoredWholeAndASecondImportChangesNothing() throws {
        let temp = try TemporaryDirectory()
        let snapshotFile = try temp.write("s.csv", Self.snapshots())
        let chargeFile = try temp.write("c.csv", Self.charges())
        let ledger = try Ledger(path: temp.path("ledger.sqlite"))
        let snapshots = SnapshotImport(path: snapshotFile, displayName: "s.csv", defaultAccount: "default")
        let charges = ChargeImport(path: chargeFile, displayName: "c.csv", defaultAccount: "default")

        var heard: [Int] = []
        let s1 = try snapshots.run(ledger: ledger, now: Self.now) { heard.append($0) }
        #expect(s1.inserted == Self.rows && s1.rows == Self.rows && s1.skipped == 0)
        #expect(heard == [SnapshotImport.batchRows, 2 * SnapshotImport.batchRows, Self.rows])
        let c1 = try charges.run(ledger: ledger, now: Self.now)
        #expect(c1.inserted == Self.rows)
        #expect(c1.total == (1...Self.rows).reduce(Micros.zero) { $0 + Micros(raw: Int64($1 % 500 + 1) * 1_000_000 + 250_000) })
        // Two runs, each a start, its rows and an end.
        #expect(try Self.books(ledger).entries == Int64(2 * Self.rows + 4))
        let stored = try ledger.read { try $0.snapshots(account: "default") }
        #expect(stored.count == Self.rows)
        #expect(stored.last?.totalUsage == (try Micros(parsing: "\(Self.rows / 1000).\(Self.rows % 1000)")))
        #expect(try ledger.verify().isSound)

        // Again: everything is already there, nothing is written, not even a run.
        let before = try Self.books(ledger)
        let again = try snapshots.run(ledger: ledger, now: Self.now)
        #expect(again.inserted == 0 && again.skipped == Self.rows && again.runID == nil)
        #expect(try charges.run(ledger: ledger, now: Self.now).skipped == Self.rows)
        #expect(try Self.books(ledger) == before)
    }

    @Test func aBadReadingAfterSeveralBatchesLeavesTheLedgerAsItWas() throws {
        let temp = try TemporaryDirectory()
        let ledger = try Self.seededLedger(temp)
        let before = try Self.books(ledger)
        let late = Self.rows - 7
        let file = try temp.write("s.csv", Self.snapshots(replace: [late: "2026-13-01T00:00:00Z,1,0"]))
        do {
            _ = try SnapshotImport(path: file, displayName: "s.csv", defaultAccount: "default").run(ledger: ledger, now: Self.now)
            Issue.record("expected the file to be refused")
        } catch let error as InputErrors {
            #expect(error.errors.count == 1)
            #expect(error.errors.first?.description.hasPrefix("s.csv:\(late + 1): observed_at:") == true, "\(error)")
        }
        #expect(try Self.books(ledger) == before)
        #expect(try ledger.verify().isSound)
    }

    @Test func aReadingThatContradictsTheLedgerLateInTheFileLeavesItAsItWas() throws {
        let temp = try TemporaryDirectory()
        let ledger = try Self.seededLedger(temp)
        let before = try Self.books(ledger)
        // The seed holds 2020-01-01 with total_credits 1; the last row says 2.
        let file = try temp.write("s.csv", Self.snapshots(replace: [Self.rows: "2020-01-01T00:00:00Z,2,0"]))
        #expect {
            _ = try SnapshotImport(path: file, displayName: "s.csv", defaultAccount: "default").run(ledger: ledger, now: Self.now)
        } throws: { error in
            let text = (error as? InputErrors)?.errors.first?.description ?? ""
            // The file may be right and the ledger's row changed behind its back (probe 136):
            // the message says how to tell.
            return text.contains("the ledger already has a snapshot")
                && text.hasSuffix("(if the row is right, the ledger's was changed behind its back: `credit-recon verify` says)")
        }
        #expect(try Self.books(ledger) == before)
    }

    @Test func aRepeatManyBatchesLaterNamesTheFirstLine() throws {
        let temp = try TemporaryDirectory()
        let first = "\(Self.start.adding(seconds: 300).iso8601),100.000000,0.1"
        let snapshotFile = try temp.write("s.csv", Self.snapshots(replace: [Self.rows: first.replacingOccurrences(of: ",0.1", with: ",0.2")]))
        #expect {
            _ = try SnapshotImport(path: snapshotFile, displayName: "s.csv", defaultAccount: "d").run(ledger: Ledger(path: temp.path("a.sqlite")), now: Self.now)
        } throws: { error in
            (error as? InputErrors)?.errors.map(\.description)
                == ["s.csv:\(Self.rows + 1): observed_at: line 2 has another reading for d at the same time; keep one"]
        }
        let chargeFile = try temp.write("c.csv", Self.charges(replace: [Self.rows: "ch-0000003,1,2026-01-01,paid"]))
        #expect {
            _ = try ChargeImport(path: chargeFile, displayName: "c.csv", defaultAccount: "d").run(ledger: Ledger(path: temp.path("b.sqlite")), now: Self.now)
        } throws: { error in
            (error as? InputErrors)?.errors.map(\.description).first?.hasPrefix(
                "c.csv:\(Self.rows + 1): charge_id: \"ch-0000003\" is already on line 4") == true
        }
        for name in ["a.sqlite", "b.sqlite"] {
            #expect(try Ledger(path: temp.path(name)).read { try $0.journalCount() } == 0)
        }
    }

    @Test func chargesRefusedLateInTheFileLeaveTheLedgerAsItWas() throws {
        let temp = try TemporaryDirectory()
        let ledger = try Self.seededLedger(temp)
        let before = try Self.books(ledger)
        // Row 100 is ch-0000100, already recorded with 9.99.
        let conflicting = try temp.write("c1.csv", Self.charges())
        #expect {
            _ = try ChargeImport(path: conflicting, displayName: "c1.csv", defaultAccount: "default").run(ledger: ledger, now: Self.now)
        } throws: { error in
            (error as? InputErrors)?.errors.map(\.description).first?.contains("\"ch-0000100\" is already in the ledger") == true
        }
        let late = Self.rows - 1
        let invalid = try temp.write("c2.csv", Self.charges(replace: [100: "ch-0000100,9.99,2020-01-01,", late: "ch-9,-1,2026-01-01,paid"]))
        #expect {
            _ = try ChargeImport(path: invalid, displayName: "c2.csv", defaultAccount: "default").run(ledger: ledger, now: Self.now)
        } throws: { error in
            (error as? InputErrors)?.errors.map(\.description).first?.hasPrefix("c2.csv:\(late + 1): amount:") == true
        }
        #expect(try Self.books(ledger) == before)
        #expect(try ledger.verify().isSound)
    }

    @Test func aFileRefusedLateLeavesNoNewLedger() throws {
        let temp = try TemporaryDirectory()
        let context = CommandContext(
            ledgerPath: temp.path("new.sqlite"), baseURL: "http://127.0.0.1:9", account: "default",
            timeout: .seconds(1), maxRetryTime: .seconds(1), json: false, logger: Logger(label: "test"),
            clock: CommandClock(), environment: [:])
        let file = try temp.write("s.csv", Self.snapshots(replace: [Self.rows: "later,1,0"]))
        #expect(throws: InputErrors.self) {
            try context.withLedgerForImport { try SnapshotImport(path: file, defaultAccount: "default").run(ledger: $0, now: Self.now) }
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: temp.url.path)
        #expect(names == ["s.csv"], "no ledger, no staging file: \(names)")
        // The same file fixed: the ledger appears, finished and sound.
        try temp.write("s.csv", Self.snapshots())
        let summary = try context.withLedgerForImport { try SnapshotImport(path: file, defaultAccount: "default").run(ledger: $0, now: Self.now) }
        #expect(summary.inserted == Self.rows)
        // With the witness of its head (`HeadWitness`).
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.url.path).sorted() == ["new.sqlite", "new.sqlite.head", "s.csv"])
        #expect(try Ledger(path: temp.path("new.sqlite"), create: false).verify().isSound)
    }
}

@Suite("What import and ledger copy tell their progress line")
struct ImportProgressTests {
    /// Every batch's count, then once that the last batch was handed over (before the
    /// commit, which a signal no longer stops: it said "nothing of it is written" of an
    /// import committed, probe 172).
    @Test func progressCountsEveryRowInOrder() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("s.csv", ImportStreamingTests.snapshots())
        var heard: [Int] = []
        let summary = try SnapshotImport(path: file, defaultAccount: "default")
            .run(ledger: Ledger(path: temp.path("l.sqlite")), now: ImportStreamingTests.now,
                 progress: { heard.append($0) }, finishing: { heard.append(-1) })
        let batch = SnapshotImport.batchRows
        #expect(heard == [batch, 2 * batch, ImportStreamingTests.rows, -1])
        #expect(summary.inserted == ImportStreamingTests.rows)
    }

    /// `ledger copy` tells the entries copied, then how far the copy's verification has
    /// got: every entry, then the comparison, last.
    @Test func aCopyTellsHowFarItsVerificationHasGot() throws {
        let temp = try TemporaryDirectory()
        let context = try Self.books(in: temp)
        var copied: [Int64] = []
        var verifying: [VerifyProgress] = []
        let outcome = try LedgerCopy(context: context, to: temp.path("copy.sqlite"))
            .run(progress: { copied.append($0) }, verifying: { verifying.append($0) })
        let entries = outcome.copied.entries
        #expect(outcome.verification.isSound && entries > Int64(ImportStreamingTests.rows))
        #expect(copied.last == entries)
        #expect(verifying.suffix(2) == [.checked(entries: entries), .comparing])
    }

    /// An entry appended to the source while it is copied, under the copy's lock (one the
    /// copy lost: a PostgreSQL session the server ended, a lock file removed by hand), is
    /// said: the copy is committed but lacks it (exit 1). It said "the same chain" and
    /// exited 0 (probe 70).
    @Test func aSourceWrittenDuringTheCopyIsSaidEvenUnderItsLock() throws {
        let temp = try TemporaryDirectory()
        let context = try Self.books(in: temp)
        var appended = false
        #expect {
            _ = try LedgerCopy(context: context, to: temp.path("copy.sqlite")).run(progress: { _ in
                guard !appended else { return }
                appended = true
                let more = "account,observed_at,total_credits,total_usage\nother,2026-09-20T12:34:56Z,1,0\n"
                #expect(throws: Never.self) {
                    _ = try SnapshotImport(path: try temp.write("more.csv", more), defaultAccount: "default")
                        .run(ledger: Ledger(path: temp.path("l.sqlite")), now: ImportStreamingTests.now)
                }
            })
        } throws: { error in
            guard let outdated = error as? CopyOutdated else { return false }
            return outdated.sourceEntries > outdated.copied.entries
        }
        #expect(appended)
    }

    /// A copy whose lock of the target is lost while it copies (its lock file removed by
    /// hand, another writer's made there) is rolled back, and says when a copy run again
    /// goes in: "run the command again", as other commands say, led to 64, the target
    /// holding the other writer's entries by then (probe 72).
    @Test func aCopyThatLosesItsTargetsLockSaysWhereToCopyAgain() throws {
        let temp = try TemporaryDirectory()
        let context = try Self.books(in: temp)
        let target = temp.path("copy.sqlite"), lockPath = target + ".lock"
        var other: Int32 = -1
        defer { if other >= 0 { close(other) } }
        let error = #expect(throws: CopyTargetLockLost.self) {
            _ = try LedgerCopy(context: context, to: target).run(progress: { _ in
                guard other < 0 else { return }
                unlink(lockPath)
                other = open(lockPath, O_RDWR | O_CREAT, 0o600)
                _ = flock(other, LOCK_EX | LOCK_NB)
                _ = "4242\n".withCString { write(other, $0, strlen($0)) }
            })
        }
        #expect(error?.exitStatus == .tempFail)
        let said: String = "this command's writer lock was lost: its lock file \(lockPath) was removed or replaced while "
            + "the command ran, and credit-recon process 4242 holds the one there now; nothing more was written: the copy "
            + "was rolled back, nothing of it is in \(target). Another writer may have written \(target) since, and a copy "
            + "goes only into an empty ledger: once that writer has finished, run the copy again if \(target) is still "
            + "empty, or copy into a new path or an empty database. Never remove a lock file by hand: its lock falls by "
            + "itself when its writer ends"
        #expect(error.map { String(describing: $0) } == said)
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    /// A ledger of more entries than two of the copy's batches, and a context reading it.
    static func books(in temp: TemporaryDirectory) throws -> CommandContext {
        let file = try temp.write("s.csv", ImportStreamingTests.snapshots())
        _ = try SnapshotImport(path: file, defaultAccount: "default")
            .run(ledger: Ledger(path: temp.path("l.sqlite")), now: ImportStreamingTests.now)
        return CommandContext(
            ledgerPath: temp.path("l.sqlite"), baseURL: "http://127.0.0.1:9", account: "default",
            timeout: .seconds(1), maxRetryTime: .seconds(1), json: false, logger: Logger(label: "test"),
            clock: CommandClock(), environment: [:])
    }

    /// What progress throws (a signal's stop, between two batches) stops an import into a
    /// new ledger: no ledger is put in place, and its `.creating` file is gone.
    @Test func anImportStoppedBetweenBatchesLeavesNoLedger() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("s.csv", ImportStreamingTests.snapshots())
        let path = temp.path("new.sqlite")
        let interruption = Interruption()
        #expect(throws: StoppedBySignal.self) {
            try Ledger.create(at: path) { ledger in
                try SnapshotImport(path: file, defaultAccount: "default").run(ledger: ledger, now: ImportStreamingTests.now) { _ in
                    try interruption.stopIfSignalled("nothing was written")
                    interruption.raise("SIGINT")  // heard after the first batch: the second stops
                }
            }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + ".creating"))
    }

    /// A signal during the copy stops it at the next batch: exit 75, no file made.
    @Test func aCopyStoppedBetweenBatchesMakesNoFile() throws {
        let temp = try TemporaryDirectory()
        let interruption = Interruption()
        var batches = 0
        do {
            _ = try LedgerCopy(context: Self.books(in: temp), to: temp.path("copy.sqlite")).run(stoppedBy: interruption, progress: { _ in
                batches += 1
                interruption.raise("SIGTERM")
            })
            Issue.record("the copy was not stopped")
        } catch let stopped as StoppedBySignal {
            #expect(batches == 1)
            #expect(stopped.exitStatus == .tempFail)
            #expect(stopped.description == "stopped by SIGTERM: the copy wrote nothing, and no ledger was made at "
                + "\(temp.path("copy.sqlite")); run it again to copy the ledger")
        }
        #expect(!FileManager.default.fileExists(atPath: temp.path("copy.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: temp.path("copy.sqlite.creating")))

        // Into an empty file made for it (mktemp): its tables are made before the copy, and
        // the words say so (it said the file "is as it was").
        let made = temp.path("made.sqlite")
        #expect(FileManager.default.createFile(atPath: made, contents: Data()))
        do {
            _ = try LedgerCopy(context: Self.books(in: temp), to: made).run(stoppedBy: interruption, progress: { _ in })
            Issue.record("the copy was not stopped")
        } catch let stopped as StoppedBySignal {
            #expect(stopped.description.hasSuffix("the copy wrote nothing, and \(made) holds an empty ledger (the tables, no "
                + "entry), which a copy run again fills; run it again to copy the ledger"), "\(stopped)")
        }
        #expect(try Ledger(path: made).read { try $0.head().seq } == 0)
    }

    /// A signal once the copy is committed stops its check: the words say the copy is
    /// there and how to check it, with 1 (75 said "try again", and the copy run again was
    /// refused, probe 130); the copy is whole.
    @Test func aSignalDuringTheCopysCheckSaysTheCopyIsCommitted() throws {
        let temp = try TemporaryDirectory()
        let interruption = Interruption()
        var events: [VerifyProgress] = []
        do {
            _ = try LedgerCopy(context: Self.books(in: temp), to: temp.path("copy.sqlite")).run(
                stoppedBy: interruption, progress: { _ in },
                verifying: { event in
                    events.append(event)
                    interruption.raise("SIGINT")
                })
            Issue.record("the check was not stopped")
        } catch let failure as CopyCheckFailed {
            #expect(events.count == 1)
            #expect(failure.exitStatus == .attention)
            #expect(failure.description.contains("its check could not finish: stopped by SIGINT: nothing more was checked. Check the copy"),
                    "\(failure)")
        }
        #expect(try Ledger(path: temp.path("copy.sqlite")).verify().isSound)
    }
}
