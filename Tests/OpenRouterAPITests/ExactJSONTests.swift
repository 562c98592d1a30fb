import CreditTypes
import Testing

/// The number-keeping JSON reader both the client and the simulator rely on.
@Suite struct ExactJSONTests {
    @Test func keepsNumberText() throws {
        let json = try ExactJSON(parsing: #" {"a": 1234.567891, "b": -0.5e-3, "c": [1, 2.50, true, null], "d": "x\"\u00e9\ud83d\ude00"} "#)
        #expect(json["a"] == .number("1234.567891"))
        #expect(json["b"] == .number("-0.5e-3"))
        #expect(json["c"] == .array([.number("1"), .number("2.50"), .bool(true), .null]))
        #expect(json["d"] == .string("x\"é😀"))
    }

    @Test(arguments: ["", "{", "[1,]", "01", "1.", ".5", "+1", #"{"a" 1}"#, #""\x""#, "nul", "{} {}", #""\ud83d""#])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: ExactJSONError.self) { try ExactJSON(parsing: text) }
    }

    @Test func writesSortedCompactText() {
        let value = ExactJSON.object(["b": .number(Micros(raw: 1_500_000)), "a": .string("q\"\n\u{1}"), "c": .array([.null])])
        #expect(value.text == #"{"a":"q\"\n\u0001","b":1.5,"c":[null]}"#)
        #expect((try? ExactJSON(parsing: value.text)) == value)
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: ExactJSONError.self) { try ExactJSON(parsing: text) }
    }
}
