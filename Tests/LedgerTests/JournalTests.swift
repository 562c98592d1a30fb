import CreditTypes
import Foundation
import Testing
@testable import Ledger

@Suite("Journal: canonical text, hash chain, decoding")
struct JournalTests {
    @Test func chainHashIsSHA256OfPreviousHashThenEntry() {
        // printf '%s' "$(printf '0%.0s' {1..64}){\"a\":1}" | sha256sum
        #expect(JournalEntry.chainHash(previous: JournalEntry.genesisHash, entryText: #"{"a":1}"#)
            == "fc6cee09194dd2578bd7664604fcb72a539066fd34544cea0009c43eb6cdc289")
    }

    @Test func canonicalTextEscapesMinimally() throws {
        var out = CanonicalWriter()
        out.beginObject()
        out.key("a"); out.string("quote \" back \\ nl \n tab \t bell \u{07} é 😀 \u{2028}")
        out.key("b"); out.int(-12)
        out.key("c"); out.int(Int64.min)
        out.key("d"); out.null()
        out.key("e"); out.time(Timestamp(millisecondsSinceEpoch: 1))
        out.endObject()
        #expect(String(decoding: out.bytes, as: UTF8.self)
            == #"{"a":"quote \" back \\ nl \n tab \t bell \u0007 é 😀 \#u{2028}","b":-12,"c":-9223372036854775808,"d":null,"e":"1970-01-01T00:00:00.001Z"}"#)
    }

    /// The decoder reads any JSON of an entry's shape, not only the canonical text.
    @Test func theDecoderReadsJSONNotJustTheCanonicalText() throws {
        let entry = JournalEntry(seq: 3, recordedAt: t0, account: "a\"b", runID: nil,
                                 fact: .runStarted(RunStarted(command: "x\u{1}é😀")))
        let loose = #" { "seq" : 3 , "kind":"run.started", "run":null, "data":{"command":"x\u0001\u00e9\ud83d\ude00"},"#
            + #" "at":"2026-09-21T14:13:20.000\u005A", "account":"a\"b" } "#
        #expect(try JournalEntry.decode(text: loose, seq: 3) == entry)
        #expect(try JournalEntry.decode(text: entry.canonicalText, seq: 3) == entry)
    }

    @Test(arguments: [
        (#"{"seq":1"#, "not valid JSON"),
        (#"{"seq":1.5,"kind":"run.started"}"#, "not valid JSON"),
        (#"{"seq":01,"kind":"run.started"}"#, "not valid JSON"),
        (#"{"seq":1,"seq":2}"#, "not valid JSON"),
        (#"{"seq":1,"kind":"run.started","seq":2}"#, "not valid JSON"),
        (#"{"a":1,"b":2,"a":3}"#, "not valid JSON"),
        (#"{"account":"a","at":"2026-01-01T00:00:00Z","data":{"command":"x","note":"\q"},"kind":"run.started","run":null,"seq":1}"#,
         "not valid JSON"),
        (#"[1]"#, "not an object"),
        (#"{"kind":"run.started","seq":"1"}"#, #"field "seq" holds a value of the wrong type or form"#),
        (#"{"account":"a","at":"2026-01-01T00:00:00Z","data":{},"kind":"coffee","run":null,"seq":1}"#, #"unknown kind "coffee""#),
        (#"{"account":"a","at":"2026-01-01T00:00:00Z","data":{"command":7},"kind":"run.started","run":null,"seq":1}"#,
         #"field "command" holds a value of the wrong type or form"#),
        (#"{"account":"a","at":"2026-01-01T00:00:00Z","data":{},"kind":"run.started","run":null,"seq":1}"#,
         #"field "command" is missing"#),
        (#"{"account":"a","at":"yesterday","data":{},"kind":"run.started","run":null,"seq":1}"#,
         #"field "at" holds a value of the wrong type or form"#),
    ])
    func theDecoderNamesWhatIsWrong(text: String, expected: String) {
        #expect {
            _ = try JournalEntry.decode(text: text, seq: 1)
        } throws: { error in
            String(describing: error).contains("journal entry 1: \(expected)") || String(describing: error).contains(expected)
        }
    }

    /// Every string is checked as it is parsed, whether or not a reader asks for it.
    @Test(arguments: ["account", "note"])
    func theDecoderRefusesTextThatIsNotUTF8(in member: String) {
        let text = #"{"account":"a","at":"2026-01-01T00:00:00Z","data":{"command":"x","note":"y"},"kind":"run.started","run":null,"seq":1}"#
        var bytes = Array(text.utf8)
        let value = bytes.firstRange(of: Array("\"\(member)\":\"".utf8))!.upperBound
        bytes.insert(contentsOf: [0xC3, 0x28], at: value)  // a lead byte followed by no continuation
        #expect {
            _ = try bytes.withUnsafeBufferPointer { bytes throws(LedgerError) in try EntryDecoder.decode(bytes, seq: 1) }
        } throws: { error in
            String(describing: error).contains("journal entry 1: not valid JSON")
        }
        bytes.replaceSubrange(value..<(value + 2), with: Array("é".utf8))
        #expect(throws: Never.self) {
            _ = try bytes.withUnsafeBufferPointer { bytes throws(LedgerError) in try EntryDecoder.decode(bytes, seq: 1) }
        }
    }

    @Test func everyFactSurvivesTheRoundTrip() throws {
        for (offset, fact) in (lifecycle() + usageFacts(texts: StoredFormatTests.awkward)).enumerated() {
            let entry = JournalEntry(seq: Int64(offset + 1), recordedAt: t0, account: "acct|1", runID: 7, fact: fact)
            let decoded = try JournalEntry.decode(text: entry.canonicalText, seq: entry.seq)
            #expect(decoded == entry, "\(fact.kind)")
        }
    }

    /// A `charge.voided` entry: its canonical text, read back as written; a reason that is
    /// not text is refused.
    @Test func aVoidedChargeHasItsCanonicalText() throws {
        let entry = JournalEntry(seq: 9, recordedAt: t0, account: "a", runID: 8, fact: .chargeVoided(ChargeVoided(
            chargeID: "web-B", reason: "recorded 5000 for 50: \"cents\", not USD")))
        #expect(entry.canonicalText == #"{"account":"a","at":"2026-09-21T14:13:20.000Z","data":{"charge_id":"web-B","#
            + #""reason":"recorded 5000 for 50: \"cents\", not USD"},"kind":"charge.voided","run":8,"seq":9}"#)
        #expect(try JournalEntry.decode(text: entry.canonicalText, seq: 9) == entry)
        #expect(throws: LedgerError.self) {
            _ = try JournalEntry.decode(text: entry.canonicalText.replacingOccurrences(of: #""reason":"recorded"#, with: #""reason":7,"x":"recorded"#), seq: 9)
        }
    }

    @Test func keyListingsAndActivityDaysHaveTheirCanonicalText() {
        let entry = JournalEntry(seq: 1, recordedAt: t0, account: "a", runID: nil, fact: usageFacts()[2])
        #expect(entry.canonicalText == #"{"account":"a","at":"2026-09-21T14:13:20.000Z","data":{"api_key_hash":null,"#
            + #""date":"2026-09-20","observed_at":"2026-09-21T14:13:20.000Z","raw_body":"{\"data\":[…]}","rows":[{"#
            + #""byok_usage_micros":0,"cached_tokens":9223372036854775807,"completion_tokens":250,"endpoint_id":"ep-0","#
            + #""model":"openai/plain","model_permaslug":"openai/plain-2025","prompt_tokens":1000,"provider":"plain","#
            + #""reasoning_tokens":0,"requests":12,"usage_micros":250000}]},"kind":"activity.day","run":null,"seq":1}"#)
        let keys = JournalEntry(seq: 2, recordedAt: t0, account: "a", runID: 1, fact: .keysRead(KeysRead(
            observedAt: t0, keys: [KeyReading(hash: "h", name: nil, label: nil, disabled: false, usage: usd("0.5"),
                                              byokUsage: nil, limit: nil, limitRemaining: nil, limitReset: nil, createdAt: nil)],
            rawBodies: ["{}", "[]"])))
        #expect(keys.canonicalText == #"{"account":"a","at":"2026-09-21T14:13:20.000Z","data":{"keys":[{"#
            + #""byok_usage_micros":null,"created_at":null,"disabled":false,"hash":"h","label":null,"limit_micros":null,"#
            + #""limit_remaining_micros":null,"limit_reset":null,"name":null,"usage_micros":500000}],"#
            + #""observed_at":"2026-09-21T14:13:20.000Z","raw_bodies":["{}","[]"]},"kind":"keys.read","run":1,"seq":2}"#)
    }

    @Test(arguments: [
        (#"{"observed_at":"2026-01-01T00:00:00Z","keys":[7],"raw_bodies":[]}"#, "keys.read", "keys[0]: not an object"),
        (#"{"observed_at":"2026-01-01T00:00:00Z","keys":[],"raw_bodies":[1]}"#, "keys.read", #"field "raw_bodies""#),
        (#"{"observed_at":"2026-01-01T00:00:00Z","keys":[{"hash":"h","usage_micros":1,"disabled":"no"}],"raw_bodies":[]}"#,
         "keys.read", #"keys[0]: field "disabled""#),
        (#"{"date":"2026-02-30","observed_at":"2026-01-01T00:00:00Z","raw_body":"","rows":[]}"#, "activity.day", #"field "date""#),
        (#"{"date":"2026-01-01","observed_at":"2026-01-01T00:00:00Z","raw_body":"","rows":{}}"#, "activity.day", #"field "rows""#),
        (#"{"date":"2026-01-01","observed_at":"2026-01-01T00:00:00Z","raw_body":"","rows":[{"model":"m"}]}"#,
         "activity.day", #"rows[0]: field "usage_micros""#),
    ])
    func theDecoderNamesWhatIsWrongInsideUsageFacts(data: String, kind: String, expected: String) {
        let text = #"{"account":"a","at":"2026-01-01T00:00:00Z","data":"# + data + #","kind":""# + kind + #"","run":null,"seq":1}"#
        #expect {
            _ = try JournalEntry.decode(text: text, seq: 1)
        } throws: { error in
            String(describing: error).contains(expected)
        }
    }
}
