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
