import CreditTypes
import Foundation
import Ledger
import Testing
@testable import CreditRecon

@Suite("import snapshots")
struct SnapshotImportTests {
    let now = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    @Test func importsOnceAndReimportingChangesNothing() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("s.csv", """
            observed_at,total_credits,total_usage,account
            2026-10-01T00:00:00Z,500,12.345678,
            2026-10-01T06:00:00Z,500,15.2,
            2026-10-01T06:00:00Z,500,15.2,
            2026-10-01T06:00:00Z,80,1,team-b
            """)
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        let first = try SnapshotImport(path: file, defaultAccount: "default").run(ledger: ledger, now: now)
        #expect(first.inserted == 3)
        #expect(first.rows == 3)
        let second = try SnapshotImport(path: file, defaultAccount: "default").run(ledger: ledger, now: now)
        #expect(second.inserted == 0 && second.skipped == 3)
        #expect(second.headHash == first.headHash)
        let stored = try ledger.read { try $0.snapshots(account: "default") }
        #expect(stored.map(\.totalUsage) == [Micros(raw: 12_345_678), Micros(raw: 15_200_000)])
        #expect(try ledger.read { try $0.snapshots(account: "team-b") }.count == 1)
        #expect(try ledger.verify().isSound)
    }

    /// A reading stated in another currency than USD is refused (probe 448: ignored, EUR
    /// was kept as USD), and nothing is written.
    @Test func aReadingInAnotherCurrencyIsRefused() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("s.csv", """
            observed_at,total_credits,total_usage,amount_currency
            2026-10-01T00:00:00Z,500,12,USD
            2026-10-01T06:00:00Z,500,15,EUR
            """)
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        #expect {
            _ = try SnapshotImport(path: file, displayName: "s.csv", defaultAccount: "default").run(ledger: ledger, now: now)
        } throws: { error in
            String(describing: error).contains("s.csv:3: currency: \"EUR\" is not USD")
        }
        #expect(try ledger.read { try $0.snapshots(account: "default") }.isEmpty)
    }

    /// Running totals going down are found as the rows stream by, per account, in any
    /// order, and said by the import (they were kept without a word, the report the first
    /// to tell); an all-zero reading after non-zero ones (a key without management rights)
    /// is passed over, as the report passes over it. The readings are all kept.
    @Test func runningTotalsGoingDownAreSaidAndKept() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("s.csv", """
            observed_at,total_credits,total_usage,account
            2026-10-01T00:00:00Z,100,1,a
            2026-10-02T00:00:00Z,100,2,a
            2026-10-02T12:00:00Z,90,0,b
            2026-10-03T00:00:00Z,100,1.5,a
            2026-10-04T00:00:00Z,0,0,a
            2026-10-05T00:00:00Z,100,3,a
            2026-10-01T12:00:00Z,100,3.5,a
            2026-10-03T12:00:00Z,80,1,b
            """)
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        let summary = try SnapshotImport(path: file, displayName: "s.csv", defaultAccount: "a").run(ledger: ledger, now: now)
        #expect(summary.inserted == 8)
        let found = summary.decreases.map { "\($0.line) \($0.account) \($0.column) \($0.earlierLine) \($0.from) \($0.to)" }
        #expect(found == [
            "5 a total_usage 3 2 1.5",  // in time order: 2 then 1.5 a day later
            "7 a total_usage 8 3.5 3",  // out of order: the row of 10-01 (line 8) is above the one of 10-05
            "9 b total_credits 4 90 80",  // b's rows between a's
        ])
        #expect(summary.decreaseCount == 3)
        #expect(try ledger.read { try $0.snapshots(account: "a") }.count == 6)
    }

    /// A file that only rises says nothing; a long list of decreases is cut, and counted.
    @Test func aRisingFileHasNoDecreasesAndALongListIsCut() throws {
        let temp = try TemporaryDirectory()
        let rising = try temp.write("up.csv", "observed_at,total_credits,total_usage\n"
            + (1...50).map { "2026-10-01T00:\(String(format: "%02d", $0)):00Z,100,\($0)" }.joined(separator: "\n"))
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        let up = try SnapshotImport(path: rising, defaultAccount: "default").run(ledger: ledger, now: now)
        #expect(up.inserted == 50 && up.decreaseCount == 0 && up.decreases.isEmpty)
        let falling = try temp.write("down.csv", "observed_at,total_credits,total_usage\n"
            + (1...50).map { "2026-10-02T00:\(String(format: "%02d", $0)):00Z,100,\(100 - $0)" }.joined(separator: "\n"))
        let down = try SnapshotImport(path: falling, defaultAccount: "default").run(ledger: ledger, now: now)
        #expect(down.decreaseCount == 49)
        #expect(down.decreases.count == SnapshotImport.decreasesListed)
        #expect(down.decreases.first?.line == 3 && down.decreases.first?.earlierLine == 2)
    }

    /// A file's reading whose running total goes down against the ledger's readings next
    /// to it is kept and said (probe 260: a reading typed 200 among fetched ones of 100,
    /// said nowhere, was a 100 USD purchase in one day's books and its reversal the next).
    @Test func runningTotalsGoingDownAgainstTheLedgersAreSaid() throws {
        let temp = try TemporaryDirectory()
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        let header = "observed_at,total_credits,total_usage\n"
        let fetched = try temp.write("fetched.csv", header + "2026-11-01T00:00:00Z,100,10\n2026-11-02T00:00:00Z,100,15\n"
            + "2026-11-03T00:00:00Z,100,20\n")
        _ = try SnapshotImport(path: fetched, defaultAccount: "default").run(ledger: ledger, now: now)
        // Between the first two: above the later one; after the last: below it; an all-zero
        // reading passed over; one that rises between them says nothing.
        let file = try temp.write("old.csv", header + "2026-11-01T12:00:00Z,200,50\n2026-11-04T00:00:00Z,100,18\n"
            + "2026-11-02T12:00:00Z,0,0\n2026-11-02T18:00:00Z,100,17\n")
        let summary = try SnapshotImport(path: file, displayName: "old.csv", defaultAccount: "default").run(ledger: ledger, now: now)
        #expect(summary.inserted == 4 && summary.ledgerDecreaseCount == 3, "\(summary.ledgerDecreases)")
        #expect(summary.ledgerDecreases.map(\.text) == [
            "line 2 (default at 2026-11-01T12:00:00.000Z): total_credits 200, above 100 at the ledger's later reading of "
                + "2026-11-02T00:00:00.000Z",
            "line 2 (default at 2026-11-01T12:00:00.000Z): total_usage 50, above 15 at the ledger's later reading of "
                + "2026-11-02T00:00:00.000Z",
            "line 3 (default at 2026-11-04T00:00:00.000Z): total_usage 18, below 20 at the ledger's earlier reading of "
                + "2026-11-03T00:00:00.000Z",
        ])
        // Several accounts in one batch: said in the file's order, whichever account is taken first.
        let accounts = ["b", "a", "c", "d"]
        let held = try temp.write("held.csv", "observed_at,total_credits,total_usage,account\n"
            + accounts.map { "2026-11-01T00:00:00Z,100,10,\($0)" }.joined(separator: "\n") + "\n")
        _ = try SnapshotImport(path: held, defaultAccount: "default").run(ledger: ledger, now: now)
        let lower = try temp.write("lower.csv", "observed_at,total_credits,total_usage,account\n"
            + accounts.map { "2026-11-02T00:00:00Z,100,5,\($0)" }.joined(separator: "\n") + "\n")
        let mixed = try SnapshotImport(path: lower, defaultAccount: "default").run(ledger: ledger, now: now)
        #expect(mixed.ledgerDecreases.map(\.line) == [2, 3, 4, 5] && mixed.ledgerDecreases.map(\.account) == accounts)
        // Into an empty ledger, nothing to compare with.
        let empty = try Ledger(path: temp.path("empty.sqlite"))
        #expect(try SnapshotImport(path: file, defaultAccount: "default").run(ledger: empty, now: now).ledgerDecreaseCount == 0)
    }

    /// The readings an import wrote in its earlier batches are the file's, not the ledger's:
    /// a decrease across a batch's edge is the file's own, said once.
    @Test func anImportsOwnEarlierBatchesAreNotTheLedgers() throws {
        let rows = Self.minutes(from: 1_600_000_000_000, count: 5000, credits: "100000") { $0 == 4097 ? 1 : $0 }
        let summary = try importOver(held: "2020-01-01T00:00:00Z,100000,0", rows)
        #expect(summary.inserted == 5000 && summary.decreaseCount == 1 && summary.ledgerDecreaseCount == 0,
                "\(summary.decreases) \(summary.ledgerDecreases)")
    }

    /// Imports `rows` (`observed_at,total_credits,total_usage`) into a new ledger holding the
    /// one reading `held`; the import's summary.
    private func importOver(held: String, _ rows: [String]) throws -> SnapshotImport.Summary {
        let temp = try TemporaryDirectory()
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        let header = "observed_at,total_credits,total_usage\n"
        _ = try SnapshotImport(path: try temp.write("held.csv", header + held + "\n"), defaultAccount: "default")
            .run(ledger: ledger, now: now)
        let file = try temp.write("file.csv", header + rows.joined(separator: "\n") + "\n")
        return try SnapshotImport(path: file, defaultAccount: "default").run(ledger: ledger, now: now)
    }

    /// `count` readings a minute apart after `start` (milliseconds since 1970), the n-th
    /// (from 1) of `credits` and a usage of `usage(n)`.
    private static func minutes(from start: Int64, count: Int, credits: String, usage: (Int) -> Int = { $0 }) -> [String] {
        (1...count).map { "\(Timestamp(millisecondsSinceEpoch: start + Int64($0) * 60_000).iso8601),\(credits),\(usage($0))" }
    }

    /// A file rising all the way, before a ledger's reading it is above, goes down against
    /// the ledger once: after the file's last reading. The last reading of every batch was
    /// said against the ledger's reading too, the next batch's readings coming between
    /// (probe 302: "going down 148 times" for a 300,000-row file, 2 in the report).
    @Test func onlyTheFilesLastReadingIsNextToTheLedgersLaterOne() throws {
        let summary = try importOver(held: "2026-11-01T00:00:00Z,100,10", Self.minutes(from: 1_600_000_000_000, count: 10_000, credits: "100000"))
        #expect(summary.inserted == 10_000 && summary.decreaseCount == 0)
        #expect(summary.ledgerDecreaseCount == 2 && summary.ledgerDecreases.map(\.line) == [10_001, 10_001], "\(summary.ledgerDecreases)")
    }

    /// A reading of an earlier batch stands between a later batch's reading and the
    /// ledger's: the two are not next to each other, and nothing is said of them.
    @Test func aReadingOfAnEarlierBatchPartsALaterOneFromTheLedgers() throws {
        // Line 2 (05:00, usage 5) is in the first batch; line 4099 (03:00, usage 12), in the
        // second with one after the ledger's reading, is before it, not next to the ledger's
        // 06:00 reading (usage 10).
        let rows = ["2026-11-01T05:00:00Z,100,5"] + Self.minutes(from: 1_700_000_000_000, count: 4096, credits: "100")
            + ["2026-11-01T03:00:00Z,100,12", "2026-11-01T07:00:00Z,100,20"]
        let summary = try importOver(held: "2026-11-01T06:00:00Z,100,10", rows)
        #expect(summary.inserted == 4099)
        #expect(summary.ledgerDecreaseCount == 0, "\(summary.ledgerDecreases)")
    }

    /// Readings dated after now (a day is allowed) are kept and said, the latest named:
    /// they were said nowhere until `status` (probe 260), most often local times read as UTC.
    @Test func readingsAfterNowAreSaid() throws {
        let temp = try TemporaryDirectory()
        // now is 2026-11-18T11:06:40Z.
        let file = try temp.write("ahead.csv", "observed_at,total_credits,total_usage\n2026-11-18T10:00:00Z,100,1\n"
            + "2026-11-18T23:30:00Z,100,3\n2026-11-18T12:00:00Z,100,2\n")
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        let summary = try SnapshotImport(path: file, displayName: "ahead.csv", defaultAccount: "default").run(ledger: ledger, now: now)
        #expect(summary.inserted == 3 && summary.afterNowCount == 2 && summary.latestAfterNowLine == 3)
        #expect(summary.afterNowNote == "note: 2 readings are dated after now (2026-11-18T11:06:40.000Z), the latest at "
            + "line 3, 2026-11-18T23:30:00.000Z, 12.4 hours ahead: kept, as another machine's clock may be ahead; if the "
            + "file's times are local ones, each needs its offset (+02:00), a time without one being read as UTC. Readings "
            + "fetched before then are dated before them")
        let before = try temp.write("before.csv", "observed_at,total_credits,total_usage\n2026-11-18T11:06:40Z,100,0.5\n")
        let none = try SnapshotImport(path: before, defaultAccount: "default").run(ledger: ledger, now: now)
        #expect(none.afterNowCount == 0 && none.afterNowNote == nil)
    }

    @Test func everyBadRowIsListedAndNothingIsWritten() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("bad.csv", """
            observed_at,total_credits,total_usage
            2026-10-01T00:00:00Z,500,1
            2026-10-02,1.2.3,1
            yesterday,-5,1e3
            2026-10-03T00:00:00Z,,0.0000001
            2026-10-01T00:00:00Z,501,1
            """)
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        let head = try ledger.headHash()
        #expect {
            _ = try SnapshotImport(path: file, displayName: "bad.csv", defaultAccount: "default").run(ledger: ledger, now: now)
        } throws: { error in
            guard let errors = error as? InputErrors else { return false }
            let lines = errors.errors.map(\.description)
            return errors.exitStatus == .dataError
                && lines.contains { $0.hasPrefix("bad.csv:3: total_credits:") }
                && lines.contains { $0.hasPrefix("bad.csv:4: observed_at:") }
                && lines.contains { $0.hasPrefix("bad.csv:4: total_credits: \"-5\" has a minus sign") }
                && lines.contains { $0.hasPrefix("bad.csv:4: total_usage:") }
                && lines.contains { $0.hasPrefix("bad.csv:5: total_credits: is empty") }
                && lines.contains { $0.hasPrefix("bad.csv:5: total_usage:") && $0.contains("more than 6 decimals") }
                && lines.contains { $0.hasPrefix("bad.csv:6: observed_at: line 2 has another reading") }
        }
        #expect(try ledger.headHash() == head)
    }

    /// A charges file given to `import snapshots`, or a snapshots file to `import charges`,
    /// is told which command takes it, after its missing columns (probe 140).
    @Test func aFileOfAnotherKindNamesTheCommandThatTakesIt() throws {
        let temp = try TemporaryDirectory()
        let charges = try temp.write("charges.csv", "charge_id,amount,wallet,chain_id,created_at,status,paid_at\n")
        let snapshots = try temp.write("snapshots.csv", "observed_at,total_credits,total_usage\n")
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        func last(_ body: () throws -> Void) -> String? {
            do { try body() } catch let errors as InputErrors { return errors.errors.last?.description } catch { return "\(error)" }
            return nil
        }
        #expect(last { _ = try SnapshotImport(path: charges, displayName: "charges.csv", defaultAccount: "default").run(ledger: ledger, now: now) }
            == "charges.csv:1: the header is a charges file's (charges already made): `credit-recon import charges FILE` takes it")
        #expect(last { _ = try ChargeImport(path: snapshots, displayName: "snapshots.csv", defaultAccount: "default").run(ledger: ledger, now: now) }
            == "snapshots.csv:1: the header is a snapshots file's: `credit-recon import snapshots FILE` takes it")
    }

    /// A cell quoted with a line break in it is quoted on the problem's one line (its
    /// break shown as `?`): each problem is a line `FILE:LINE: column: …`, which a script
    /// counts and a person reads, not two.
    @Test func aProblemQuotingACellWithALineBreakIsOneLine() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("bad.csv", "observed_at,total_credits,total_usage\n\"2026-10-01\nT00:00:00Z\",1,0\n2026-10-02,\"1\r\n2\",0\n")
        do {
            _ = try SnapshotImport(path: file, displayName: "bad.csv", defaultAccount: "default")
                .run(ledger: Ledger(path: temp.path("l.sqlite")), now: now)
            Issue.record("the file was imported")
        } catch let errors as InputErrors {
            // And what each ? stands for, named after it (probe 255: a byte-order mark shown as ? alone).
            #expect(errors.errors.map(\.description) == [
                "bad.csv:2: observed_at: \"2026-10-01?T00:00:00Z\" is not a time: use ISO 8601 such as 2026-01-31T23:59:59Z or 2026-01-31"
                    + " (each ? above stands for a character that shows nothing: U+000A LINE FEED)",
                "bad.csv:4: total_credits: \"1??2\" is not a decimal number; write a plain decimal number of USD such as 1234.567891"
                    + " (each ? above stands for a character that shows nothing: U+000D CARRIAGE RETURN, U+000A LINE FEED)",
            ])
        }
    }

    /// A snapshots file's `account` is checked as `--account` is: one line, NFC, no
    /// invisible character at its ends.
    @Test func anAccountLabelThatCannotBeKeptIsRefused() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("accounts.csv", "observed_at,total_credits,total_usage,account\n"
            + "2026-10-01T00:00:00Z,500,1,\"ops\u{1b}[31m\"\n2026-10-02T00:00:00Z,500,2,cafe\u{301}\n"
            + "2026-10-03T00:00:00Z,500,3,Team\u{2028}B\n2026-10-04T00:00:00Z,500,4,Team\u{2029}C\n"
            + "2026-10-05T00:00:00Z,500,5,a\u{202E}b\n2026-10-06T00:00:00Z,500,6,ab\u{200F}c\n"
            // A reading of the default account at the time of a refused label's: no clash said.
            + "2026-10-02T00:00:00Z,400,2,\n")
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        #expect {
            _ = try SnapshotImport(path: file, displayName: "accounts.csv", defaultAccount: "default").run(ledger: ledger, now: now)
        } throws: { error in
            let lines = (error as? InputErrors)?.errors.map(\.description) ?? []
            return lines.contains { $0.hasPrefix("accounts.csv:2: account: holds a control character") }
                && lines.contains { $0.hasPrefix("accounts.csv:3: account: \"cafe\u{301}\" is written with decomposed accents") }
                // A line break of another script's (probe 261: kept, `Team B` in an export's heading).
                && lines.contains { $0.hasPrefix("accounts.csv:4: account: holds a control character") }
                && lines.contains { $0.hasPrefix("accounts.csv:5: account: holds a control character") }
                // A direction override or a mark inside a label, not only at its ends (probe 335).
                && lines.contains { $0.hasPrefix("accounts.csv:6: account: holds a format character (U+202E") }
                && lines.contains { $0.hasPrefix("accounts.csv:7: account: holds a format character (U+200F") }
                // Line 8, default's, clashes with no refused label's reading (probe 335).
                && lines.count == 6
        }
        #expect(try ledger.read { try $0.hasSnapshots() } == false)
    }

    /// A file of many bad rows keeps the first `InputErrors.keptLimit` problems and counts
    /// the rest, and says that nothing was written, as a plan or a charges file does: every
    /// problem was kept (a million bad rows, a million messages in memory), and the closing
    /// line was missing.
    @Test func manyBadRowsKeepABoundedListAndSayNothingWasWritten() throws {
        let temp = try TemporaryDirectory()
        // "-0" counts as bad as "-1": it was stored as 0 (probe 88).
        let rows = (1...(InputErrors.keptLimit + 500)).map { "2026-10-01T00:\($0 / 50 + 10):\($0 % 50 + 10)Z,\($0 % 2 == 0 ? "-0" : "-1"),1\n" }.joined()
        let file = try temp.write("bad.csv", "observed_at,total_credits,total_usage\n" + rows)
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        #expect {
            _ = try SnapshotImport(path: file, displayName: "bad.csv", defaultAccount: "default").run(ledger: ledger, now: now)
        } throws: { error in
            guard let errors = error as? InputErrors else { return false }
            return errors.total == InputErrors.keptLimit + 500 && errors.errors.count == InputErrors.keptLimit
                && errors.errors.first?.description == "bad.csv:2: total_credits: \"-1\" has a minus sign; running totals are never below 0"
                && errors.description.hasSuffix("\n\(InputErrors.keptLimit + 500) problems found; nothing was written")
        }
        #expect(try ledger.read { try $0.hasSnapshots() } == false)
        // A plus sign too, as a plan's and a charge's amounts refuse it: "+1300" was stored (probe 189).
        let plus = try temp.write("plus.csv", "observed_at,total_credits,total_usage\n2026-10-01T00:00:00Z,+1300,+360\n")
        let refused = #expect(throws: InputErrors.self) {
            _ = try SnapshotImport(path: plus, displayName: "plus.csv", defaultAccount: "default").run(ledger: ledger, now: now)
        }
        #expect(refused?.errors.map(\.description) == [
            "plus.csv:2: total_credits: \"+1300\" has a sign; write the running total without +, e.g. 1234.56",
            "plus.csv:2: total_usage: \"+360\" has a sign; write the running total without +, e.g. 1234.56",
        ], "\(String(describing: refused))")
        #expect(try ledger.read { try $0.hasSnapshots() } == false)
    }

    @Test func aReadingThatContradictsTheLedgerIsRefused() throws {
        let temp = try TemporaryDirectory()
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        let first = try temp.write("a.csv", "observed_at,total_credits,total_usage\n2026-10-01T00:00:00Z,500,1\n")
        _ = try SnapshotImport(path: first, defaultAccount: "default").run(ledger: ledger, now: now)
        let head = try ledger.headHash()
        let second = try temp.write("b.csv", "observed_at,total_credits,total_usage\n2026-10-02T00:00:00Z,600,2\n2026-10-01T00:00:00.000Z,500,1.5\n")
        #expect {
            _ = try SnapshotImport(path: second, displayName: "b.csv", defaultAccount: "default").run(ledger: ledger, now: now)
        } throws: { error in
            (error as? InputErrors)?.errors.map(\.line) == [3]
        }
        #expect(try ledger.headHash() == head)
    }

    /// A reading from before 2000 or from the future (past a day's grace for another
    /// machine's clock) is refused, naming the line: stored, one from year 1 made every
    /// later report span two thousand years.
    @Test func aReadingOutsideBelievableTimesIsRefused() throws {
        let temp = try TemporaryDirectory()
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        let head = try ledger.headHash()
        let file = try temp.write("t.csv", """
            observed_at,total_credits,total_usage
            0001-01-01T00:00:00Z,1,0
            2026-11-19T11:06:40Z,2,0
            2026-11-19T11:06:40.001Z,3,0
            2099-01-01T00:00:00Z,4,0
            """)
        #expect {
            _ = try SnapshotImport(path: file, displayName: "t.csv", defaultAccount: "default").run(ledger: ledger, now: now)
        } throws: { error in
            let lines = (error as? InputErrors)?.errors.map(\.description) ?? []
            return lines == [
                "t.csv:2: observed_at: 0001-01-01T00:00:00.000Z is before 2000-01-01; check the year",
                "t.csv:4: observed_at: 2026-11-19T11:06:40.001Z is more than a day after now (2026-11-18T11:06:40.000Z), more than another machine\'s clock "
                    + "can be ahead; check the year and the UTC offset",
                "t.csv:5: observed_at: 2099-01-01T00:00:00.000Z is more than a day after now (2026-11-18T11:06:40.000Z), more than another machine\'s clock "
                    + "can be ahead; check the year and the UTC offset",
            ]
        }
        #expect(try ledger.headHash() == head)
    }

    @Test func missingColumnsAndEmptyFilesAreBadData() throws {
        let temp = try TemporaryDirectory()
        let ledger = try Ledger(path: temp.path("l.sqlite"))
        for (name, text) in [("empty.csv", ""), ("cols.csv", "observed_at,credits\n2026-10-01,1\n")] {
            let file = try temp.write(name, text)
            #expect {
                _ = try SnapshotImport(path: file, defaultAccount: "default").run(ledger: ledger, now: now)
            } throws: { ($0 as? InputErrors)?.exitStatus == .dataError }
        }
    }
}
