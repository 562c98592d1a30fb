import CreditTypes
import Testing
@testable import Ledger

/// The direct writer for bulk-imported kinds must give exactly the bytes of the generic
/// `JSONValue` path: the journal's text and hashes may never depend on which one ran.
@Suite("Journal: the fast canonical writer equals the generic one")
struct JournalFastCanonicalTests {
    static let awkward = ["", "plain", "quote \" back \\ nl \n cr \r tab \t bell \u{07} nul \u{00} del \u{7F}",
                          "é 😀 \u{2028} \u{FFFF}", "=SUM(A1)", "a,b;\"c\"", "0x3A37DFe702393e0FA6c8Bbc2A299E490BBeD2cf3"]
    static let times: [Int64] = [0, 1, -1, 86_399_999, 951_782_400_000, 1_767_225_599_999, 253_402_300_799_999,
                                 253_402_300_800_000, -62_167_219_200_000, -62_167_219_200_001, 1_451_606_400_123]

    @Test func timestampsMatchIso8601() {
        var generator = SystemRandomNumberGenerator()
        var samples = Self.times
        for _ in 0..<20_000 { samples.append(Int64.random(in: -70_000_000_000_000...300_000_000_000_000, using: &generator)) }
        for millis in samples {
            let time = Timestamp(millisecondsSinceEpoch: millis)
            var out: [UInt8] = []
            JournalEntry.writeTimestamp(time, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == "\"\(time.iso8601)\"", "\(millis)")
        }
    }

    /// With one `DateCache` across calls (as an import keeps), in time order and jumping
    /// about, so the cached day is both reused and replaced.
    @Test func timestampsWithASharedDateCacheMatchIso8601() {
        var generator = SystemRandomNumberGenerator()
        var dates = DateCache()
        var millis: Int64 = 1_451_606_400_000
        var samples = Self.times + Self.times.reversed()
        for step in 0..<30_000 {
            millis += Int64.random(in: 0...3_600_000, using: &generator)  // mostly the same day as the one before
            samples.append(step.isMultiple(of: 1000) ? -millis : millis)
        }
        for millis in samples {
            let time = Timestamp(millisecondsSinceEpoch: millis)
            var out: [UInt8] = []
            JournalEntry.writeTimestamp(time, into: &out, dates: &dates)
            #expect(String(decoding: out, as: UTF8.self) == "\"\(time.iso8601)\"", "\(millis)")
        }
    }

    @Test func integersMatchTheirDescription() {
        var generator = SystemRandomNumberGenerator()
        var samples: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1]
        for digits in 1...18 {
            let power = (0..<digits).reduce(Int64(1)) { product, _ in product * 10 }
            samples += [power, power - 1, -power, 1 - power]
        }
        for _ in 0..<20_000 { samples.append(Int64.random(in: Int64.min...Int64.max, using: &generator)) }
        for value in samples {
            var out: [UInt8] = [0x7B]  // appended to what is there
            JSONValue.writeInt(value, into: &out)
            #expect(out == [0x7B] + Array(String(value).utf8), "\(value)")
        }
    }

    @Test func snapshotEntriesMatch() {
        for (index, text) in Self.awkward.enumerated() {
            for optional in [nil, text] {
                let fact = Fact.snapshotTaken(SnapshotTaken(
                    observedAt: Timestamp(millisecondsSinceEpoch: Self.times[index % Self.times.count]),
                    totalCredits: Micros(raw: Int64(index) * 1_234_567 - 5), totalUsage: Micros(raw: Int64.max - Int64(index)),
                    source: text, origin: optional, rawBody: optional.map { "{\"body\":\($0.count)}" }))
                expectSame(fact, account: text, runID: index.isMultiple(of: 2) ? nil : Int64(index))
            }
        }
    }

    @Test func chargeRecordedEntriesMatch() {
        for (index, text) in Self.awkward.enumerated() {
            for optional in [nil, text] {
                let time = Timestamp(millisecondsSinceEpoch: Self.times[(index + 3) % Self.times.count])
                let fact = Fact.chargeRecorded(ChargeRecorded(
                    chargeID: text, amount: Micros(raw: Int64.min + Int64(index)), wallet: optional,
                    chainID: optional == nil ? nil : 8453, createdAt: time, expiresAt: optional == nil ? nil : time,
                    reference: optional, topUpKey: optional, status: optional, paidAt: optional == nil ? nil : time,
                    memo: optional, origin: optional))
                expectSame(fact, account: "acct|\(text)", runID: Int64(index) - 3)
            }
        }
    }

    @Test func otherKindsUseTheGenericPath() {
        let entry = JournalEntry(seq: 1, recordedAt: Timestamp(millisecondsSinceEpoch: 0), account: "a", runID: nil,
                                 fact: .runStarted(RunStarted(command: "import snapshots")))
        #expect(entry.fastCanonicalBytes == nil)
        #expect(entry.canonicalBytes == entry.genericCanonicalBytes)
    }

    /// The bulk writer keeps the envelope's opening between entries: it must be rewritten
    /// whenever the account or the time changes, and only reused when neither does.
    @Test func sharedEnvelopeFollowsAccountAndTime() {
        var envelope = EnvelopeStart()
        var out: [UInt8] = []
        let accounts = ["default", "default", "other", "default", "", ""]
        let times: [Int64] = [1_767_225_599_999, 1_767_225_599_999, 1_767_225_599_999, 0, 0, 1]
        for (index, (account, millis)) in zip(accounts, times).enumerated() {
            let fact = Fact.snapshotTaken(SnapshotTaken(
                observedAt: Timestamp(millisecondsSinceEpoch: Int64(index) * 300_000), totalCredits: Micros(raw: 1),
                totalUsage: Micros(raw: Int64(index)), source: "import", origin: "f.csv:\(index + 2)", rawBody: nil))
            let entry = JournalEntry(seq: Int64(index + 1), recordedAt: Timestamp(millisecondsSinceEpoch: millis),
                                     account: account, runID: 1, fact: fact)
            out.removeAll()
            #expect(entry.writeFastCanonical(into: &out, envelope: &envelope))
            #expect(out == entry.genericCanonicalBytes, "entry \(index): \(String(decoding: out, as: UTF8.self))")
        }
    }

    /// The envelope's closing is kept between entries too: it must be rewritten whenever
    /// the kind or the run changes (including to and from no run).
    @Test func sharedEnvelopeFollowsKindAndRun() {
        var envelope = EnvelopeStart()
        var out: [UInt8] = []
        let runs: [Int64?] = [1, 1, 2, nil, nil, 1, 1, nil, 0, 0]
        for (index, runID) in runs.enumerated() {
            let time = Timestamp(millisecondsSinceEpoch: Int64(index) * 300_000)
            let fact: Fact = index % 3 == 1
                ? .snapshotTaken(SnapshotTaken(observedAt: time, totalCredits: Micros(raw: 1), totalUsage: Micros(raw: Int64(index)),
                                               source: "import", origin: "f.csv:\(index + 2)", rawBody: nil))
                : .chargeRecorded(ChargeRecorded(chargeID: "ch-\(index)", amount: Micros(raw: 5), wallet: nil, chainID: nil,
                                                 createdAt: time, expiresAt: nil, reference: nil, topUpKey: nil, status: nil,
                                                 paidAt: nil, memo: nil, origin: nil))
            let entry = JournalEntry(seq: Int64(index + 1), recordedAt: Timestamp(millisecondsSinceEpoch: 0),
                                     account: "default", runID: runID, fact: fact)
            out.removeAll()
            #expect(entry.writeFastCanonical(into: &out, envelope: &envelope))
            #expect(out == entry.genericCanonicalBytes, "entry \(index): \(String(decoding: out, as: UTF8.self))")
        }
    }

    private func expectSame(_ fact: Fact, account: String, runID: Int64?) {
        for seq: Int64 in [1, 42, Int64.max] {
            let entry = JournalEntry(seq: seq, recordedAt: Timestamp(millisecondsSinceEpoch: 1_767_225_599_999),
                                     account: account, runID: runID, fact: fact)
            let fast = entry.fastCanonicalBytes
            #expect(fast != nil)
            #expect(fast == entry.genericCanonicalBytes,
                    "\(String(decoding: fast ?? [], as: UTF8.self)) vs \(String(decoding: entry.genericCanonicalBytes, as: UTF8.self))")
        }
    }
}
