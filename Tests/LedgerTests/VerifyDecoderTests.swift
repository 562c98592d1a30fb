import CreditTypes
import Testing
@testable import Ledger

/// The byte-level readers `verify` and `report` use (issue "Speed") give exactly what the
/// general paths give.
@Suite("Speed: byte-level decoding and reading equal the general paths")
struct VerifyDecoderTests {
    static let texts = ["", "plain", "web flow 7", "quote \" back \\", "nl \n tab \t", "é 😀", "del \u{7F}",
                        "0x3A37DFe702393e0FA6c8Bbc2A299E490BBeD2cf3"]
    static let times: [Int64] = [0, 1, -1, 1_451_606_400_123, 253_402_300_799_999, 253_402_300_800_000,
                                 -62_167_219_200_001]

    static func entries() -> [JournalEntry] {
        var entries: [JournalEntry] = []
        for (index, text) in texts.enumerated() {
            let time = Timestamp(millisecondsSinceEpoch: times[index % times.count])
            for optional in [nil, text] {
                entries.append(JournalEntry(
                    seq: Int64(index + 1), recordedAt: time, account: text, runID: optional == nil ? nil : Int64(index),
                    fact: .snapshotTaken(SnapshotTaken(
                        observedAt: time, totalCredits: Micros(raw: Int64(index) * 1_000_001 - 3),
                        totalUsage: Micros(raw: Int64.max - Int64(index)), source: text, origin: optional,
                        rawBody: optional))))
                entries.append(JournalEntry(
                    seq: Int64.max - Int64(index), recordedAt: time, account: "default", runID: nil,
                    fact: .chargeRecorded(ChargeRecorded(
                        chargeID: text, amount: Micros(raw: Int64.min + 1 + Int64(index)), wallet: optional,
                        chainID: optional == nil ? nil : -8453, createdAt: time,
                        expiresAt: optional == nil ? nil : time, reference: optional, topUpKey: optional,
                        status: optional, paidAt: optional == nil ? nil : time, memo: optional, origin: optional))))
            }
        }
        entries.append(JournalEntry(seq: 3, recordedAt: Timestamp(millisecondsSinceEpoch: 0), account: "a", runID: 1,
                                    fact: .runStarted(RunStarted(command: "import snapshots"))))
        return entries
    }

    @Test func decodesWhatDecodeDecodes() {
        for entry in Self.entries() {
            let text = entry.canonicalText
            // Times outside years 0…9999 do not read back: then neither path may decode.
            let general = try? JournalEntry.decode(text: text, seq: entry.seq)
            // Escapes and other kinds are left to `decode` (nil); what is decoded is the same.
            if let fast = VerifyDecoder.decode(text) { #expect(fast == general, "\(text)") }
        }
        // The plain bulk rows take the fast path.
        let plain = JournalEntry(
            seq: 7, recordedAt: Timestamp(millisecondsSinceEpoch: 1_451_606_400_123), account: "default", runID: nil,
            fact: .snapshotTaken(SnapshotTaken(
                observedAt: Timestamp(millisecondsSinceEpoch: 1_451_606_400_000), totalCredits: Micros(raw: 100_000_000),
                totalUsage: Micros(raw: 326_579), source: "import", origin: "snapshots.csv:2")))
        #expect(VerifyDecoder.decode(plain.canonicalText) == plain)
    }

    @Test func leavesAnythingElseToDecode() {
        let plain = #"{"account":"default","at":"2016-01-01T00:00:00.000Z","data":{"observed_at":"2016-01-01T00:00:00.000Z","origin":null,"raw_body":null,"source":"import","total_credits_micros":1,"total_usage_micros":0},"kind":"snapshot.taken","run":null,"seq":1}"#
        #expect(VerifyDecoder.decode(plain) != nil)
        for broken in [
            plain.replacingOccurrences(of: #""total_credits_micros":1"#, with: #""total_credits_micros":01"#),
            plain.replacingOccurrences(of: #""total_credits_micros":1"#, with: #""total_credits_micros":1.0"#),
            plain.replacingOccurrences(of: #""total_credits_micros":1"#, with: #""total_credits_micros":"1""#),
            plain.replacingOccurrences(of: #""source":"import""#, with: #""source":null"#),
            plain.replacingOccurrences(of: #""origin":null,"#, with: ""),
            plain.replacingOccurrences(of: "2016-01-01T00:00:00.000Z", with: "2016-02-30T00:00:00.000Z"),
            plain.replacingOccurrences(of: #""seq":1}"#, with: #""seq":1,"x":1}"#),
            plain.replacingOccurrences(of: #""seq":1}"#, with: #""seq":-0}"#),
            plain.replacingOccurrences(of: "snapshot.taken", with: "run.started"),
            plain + " ",
        ] {
            #expect(VerifyDecoder.decode(broken) == nil, "\(broken)")
        }
    }

    @Test func readersEqualTheGeneralQueries() throws {
        let temp = try TemporaryLedger()
        let t0 = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)
        try temp.ledger.write { writer in
            // Charges sharing a creation time, recorded out of id order: ties go by id.
            for (offset, id) in ["ch-3", "ch-1", "ch-10", "ch-2", "é-1", "ch-0"].enumerated() {
                let created = t0.adding(seconds: offset < 4 ? 60 : Int64(offset) * 60)
                _ = try writer.append(.chargeRecorded(ChargeRecorded(
                    chargeID: id, amount: Micros(raw: 1_000_000 * Int64(offset + 1)), wallet: nil, chainID: 8453,
                    createdAt: created, expiresAt: created.adding(seconds: 3600), reference: nil, topUpKey: nil,
                    status: offset.isMultiple(of: 2) ? "paid" : nil, paidAt: offset.isMultiple(of: 2) ? created : nil,
                    memo: "m\(offset)", origin: "x.csv")), account: "default", runID: nil, at: t0.adding(seconds: 100 - Int64(offset)))
            }
            for step in 0..<5 {
                _ = try writer.append(.snapshotTaken(SnapshotTaken(
                    observedAt: t0.adding(seconds: Int64(step) * 300), totalCredits: Micros(raw: Int64(step) * 10),
                    totalUsage: Micros(raw: Int64(step)), source: step.isMultiple(of: 2) ? "api" : "import")),
                    account: "default", runID: nil, at: t0)
            }
        }
        let read = try temp.ledger.read { reader in
            (fastCharges: try reader.chargesForReconciliation(account: "default"),
             charges: try reader.charges(account: "default"),
             fastSnapshots: try reader.snapshotsForReconciliation(account: "default"),
             snapshots: try reader.snapshots(account: "default"),
             fastNewest: try reader.newestJournalTimeFast(), newest: try reader.newestJournalTime())
        }
        #expect(read.fastCharges == read.charges)
        #expect(read.charges.map(\.chargeID).prefix(4) == ["ch-1", "ch-10", "ch-2", "ch-3"])
        #expect(read.fastSnapshots == read.snapshots)
        #expect(read.fastNewest == read.newest)
        #expect(read.fastNewest == t0.adding(seconds: 100))
        let (first, second) = try temp.ledger.readInParallel(
            { try $0.snapshots(account: "default") }, { try $0.charges(account: "default") },
            together: { (try $0.snapshots(account: "default"), try $0.charges(account: "default")) })
        #expect(first.count == 5 && second.count == 6)
        #expect(try temp.ledger.verify().isSound)
    }
}
