/// Parses text in exactly the canonical form `JSONValue` writes: no white space,
/// integers without fraction, exponent or leading zeros, strings with only the escapes
/// the writer produces. Anything else answers `nil`, and the caller falls back to
/// Foundation's `JSONDecoder`, so every input decodes as before.
///
/// Hand-written because `verify` decodes every journal entry, and `JSONDecoder` into the
/// recursive `JSONValue` was two thirds of its time (issue "Speed", perf profile).
/// `CanonicalJSONParserTests` checks it against `JSONDecoder`.
struct CanonicalJSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The value, or `nil` when `text` is not in canonical form (or not JSON at all).
    static func parse(_ text: String) -> JSONValue? {
        var text = text
        return text.withUTF8 { buffer in
            var parser = CanonicalJSONParser(buffer)
            guard let value = parser.value(depth: 0), parser.index == buffer.count else { return nil }
            return value
        }
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func literal(_ word: StaticString) -> Bool { bytes.consume(word, at: &index) }

    private mutating func value(depth: Int) -> JSONValue? {
        guard depth < 64, let byte = peek else { return nil }
        switch byte {
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer().map(JSONValue.int)
        case UInt8(ascii: "["):
            index += 1
            var values: [JSONValue] = []
            if peek == UInt8(ascii: "]") { index += 1; return .array(values) }
            while true {
                guard let element = value(depth: depth + 1) else { return nil }
                values.append(element)
                guard let next = peek else { return nil }
                index += 1
                if next == UInt8(ascii: "]") { return .array(values) }
                guard next == UInt8(ascii: ",") else { return nil }
            }
        case UInt8(ascii: "{"):
            index += 1
            var members: [String: JSONValue] = [:]
            if peek == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                guard peek == UInt8(ascii: "\""), let key = string(), peek == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let member = value(depth: depth + 1) else { return nil }
                // A repeated key is not canonical; leave it to JSONDecoder's own rules.
                guard members.updateValue(member, forKey: key) == nil else { return nil }
                guard let next = peek else { return nil }
                index += 1
                if next == UInt8(ascii: "}") { return .object(members) }
                guard next == UInt8(ascii: ",") else { return nil }
            }
        default:
            return nil
        }
    }

    private mutating func integer() -> Int64? {
        let negative = peek == UInt8(ascii: "-")
        if negative { index += 1 }
        let start = index
        var magnitude: UInt64 = 0
        while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
            index += 1
        }
        let digits = index - start
        guard digits > 0 else { return nil }
        if bytes[start] == UInt8(ascii: "0") && (digits > 1 || negative) { return nil }  // 01, -0
        if let next = peek, next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            return nil
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    private mutating func string() -> String? {
        index += 1  // the opening quote
        let start = index
        // Fast path: no escapes at all.
        while let byte = peek, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { return nil }
            index += 1
        }
        guard let stop = peek else { return nil }
        if stop == UInt8(ascii: "\"") {
            let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
            index += 1
            return Self.string(slice)
        }
        var out = Array(bytes[start..<index])
        while let byte = peek {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return out.withUnsafeBufferPointer(Self.string)
            case UInt8(ascii: "\\"):
                guard let escaped = peek else { return nil }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(escaped)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    // Only the writer's form: \u00XX, lower-case hex, for the other
                    // control characters.
                    guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "0"), bytes[index + 1] == UInt8(ascii: "0"),
                          let high = Self.hex(bytes[index + 2]), high <= 1, let low = Self.hex(bytes[index + 3])
                    else { return nil }
                    let scalar = high << 4 | low
                    guard ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(scalar) else { return nil }
                    out.append(scalar)
                    index += 4
                default:
                    return nil
                }
            default:
                guard byte >= 0x20 else { return nil }
                out.append(byte)
            }
        }
        return nil
    }

    /// Valid UTF-8 as a `String`, else `nil`. ASCII takes the specialized decoder: the
    /// generic `String(validating:)` showed up in the profile.
    private static func string(_ slice: UnsafeBufferPointer<UInt8>) -> String? {
        for byte in slice where byte >= 0x80 { return String(validating: slice, as: UTF8.self) }
        return String(decoding: slice, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
