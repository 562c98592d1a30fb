import Foundation
import Testing
@testable import Ledger

/// The fast parser must accept only canonical text, and decode it exactly as
/// `JSONDecoder` does; everything else must be left to `JSONDecoder` (`nil`).
@Suite("Journal: the canonical JSON parser agrees with JSONDecoder")
struct CanonicalJSONParserTests {
    static func decoder(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test(arguments: [
        #"null"#, #"true"#, #"false"#, #"0"#, #"-1"#, #"9223372036854775807"#, #"-9223372036854775808"#,
        #""""#, #""plain""#, #""quote \" back \\ nl \n cr \r tab \t bs \b ff \f bell \u0007 us \u001f é 😀""#,
        #"[]"#, #"{}"#, #"[null,true,{"a":[1,-2,{}]}]"#,
        #"{"account":"a","at":"2026-01-01T00:00:00.000Z","data":{"x":null},"kind":"run.started","run":null,"seq":1}"#,
    ])
    func canonicalTextDecodesLikeJSONDecoder(text: String) throws {
        let fast = CanonicalJSONParser.parse(text)
        #expect(fast != nil)
        #expect(fast == Self.decoder(text))
        if let fast { #expect(fast.canonicalText == text) }
    }

    @Test(arguments: [
        " null", "null ", "[1, 2]", "{\"a\": 1}", "1.0", "1e3", "01", "-0", "+1", "9223372036854775808",
        "-9223372036854775809", #""\/""#, #""\u00e9""#, #""\u000a""#, #""\u001F""#, #""\x""#, "\"unterminated",
        "\"raw\u{01}control\"", #"{"a":1,"a":2}"#, "[1,]", "{\"a\":1,}", "tru", "nul", "", "[", "{\"a\"}", "[1]]",
        #"{"a":1}{"b":2}"#,
    ])
    func otherTextIsLeftToJSONDecoder(text: String) {
        #expect(CanonicalJSONParser.parse(text) == nil)
    }

    @Test func everyLifecycleEntryRoundTripsThroughTheFastParser() throws {
        for (offset, fact) in lifecycle().enumerated() {
            let entry = JournalEntry(seq: Int64(offset + 1), recordedAt: t0, account: "acct \"1\"\n", runID: 7, fact: fact)
            let text = entry.canonicalText
            let fast = CanonicalJSONParser.parse(text)
            #expect(fast != nil, "\(fact.kind)")
            #expect(fast == Self.decoder(text), "\(fact.kind)")
        }
    }
}
