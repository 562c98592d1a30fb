import Foundation

/// A JSON value with no floating point: the journal's entries are made of these.
///
/// Its serialization is canonical (RFC 8785 for this subset): object keys sorted by
/// their UTF-16 code units, no insignificant white space, integers in plain decimal,
/// strings escaped minimally. The same fact always serializes to the same bytes.
/// Serialization is hand-written because it runs once per journal entry on the bulk
/// import path; decoding takes `CanonicalJSONParser` for canonical text and Foundation's
/// `JSONDecoder` for anything else.
public enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Int64.self) { self = .int(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([JSONValue].self) { self = .array(value); return }
        if let value = try? container.decode([String: JSONValue].self) { self = .object(value); return }
        throw DecodingError.dataCorruptedError(
            in: container, debugDescription: "not a canonical journal value (no fractions allowed)")
    }

    /// The canonical text.
    public var canonicalText: String {
        String(decoding: canonicalBytes, as: UTF8.self)
    }

    /// The canonical text as UTF-8 bytes (what the journal hashes).
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out)
        return out
    }

    /// Parses canonical (or any integer-only) JSON text.
    public static func parse(_ text: String) throws -> JSONValue {
        // The journal's own (canonical) text takes the fast parser; anything else goes
        // through JSONDecoder as always.
        if let value = CanonicalJSONParser.parse(text) { return value }
        return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    // Written straight into UTF-8 bytes: the journal serializes one entry per imported
    // row, and appending to a `String` scalar by scalar was half of a bulk import's time
    // (issue "Speed", profiled with perf). The bytes are the same as before: only `"`,
    // `\` and control characters are escaped, everything else is copied as UTF-8.
    func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): Self.writeInt(value, into: &out)
        case .string(let value): Self.writeString(value, into: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let sorted = members.sorted { Self.precedes($0.key, $1.key) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// RFC 8785 orders keys by UTF-16 code units. For ASCII keys (all of the journal's)
    /// that is byte order, compared without walking UTF-16 views.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs, rhs = rhs
        let fast: Bool? = lhs.withUTF8 { l in
            rhs.withUTF8 { r -> Bool? in
                var index = 0
                let count = min(l.count, r.count)
                while index < count {
                    let a = l[index], b = r[index]
                    if a >= 0x80 || b >= 0x80 { return nil }
                    if a != b { return a < b }
                    index += 1
                }
                if l.count == r.count { return false }
                // The shorter one precedes, unless the longer continues with non-ASCII
                // (still fine: a prefix always precedes in both orders).
                return l.count < r.count
            }
        }
        if let fast { return fast }
        return lhs.utf16.lexicographicallyPrecedes(rhs.utf16)
    }

    static func writeInt(_ value: Int64, into out: inout [UInt8]) {
        // The digits are written backwards on the stack and appended in one copy.
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in  // a sign and 19 digits
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                start -= 1
                digits[start] = UInt8(ascii: "-")
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var plainStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<index]))
                plainStart = index + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                default:
                    out.append(contentsOf: "u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Reads typed fields out of a journal entry's object, naming what is wrong.
struct FieldReader {
    let fields: [String: JSONValue]
    let context: String

    init(_ value: JSONValue, context: String) throws {
        guard case .object(let fields) = value else {
            throw LedgerError.malformedEntry("\(context): not an object")
        }
        self.fields = fields
        self.context = context
    }

    func string(_ key: String) throws -> String {
        guard case .string(let value)? = fields[key] else { throw missing(key) }
        return value
    }

    func optionalString(_ key: String) throws -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw missing(key)
        }
    }

    func int(_ key: String) throws -> Int64 {
        guard case .int(let value)? = fields[key] else { throw missing(key) }
        return value
    }

    func optionalInt(_ key: String) throws -> Int64? {
        switch fields[key] {
        case nil, .null?: return nil
        case .int(let value)?: return value
        default: throw missing(key)
        }
    }

    func micros(_ key: String) throws -> Micros { Micros(raw: try int(key)) }

    func optionalMicros(_ key: String) throws -> Micros? { try optionalInt(key).map(Micros.init(raw:)) }

    func timestamp(_ key: String) throws -> Timestamp {
        let text = try string(key)
        do { return try Timestamp(iso8601: text) } catch { throw missing(key) }
    }

    func optionalTimestamp(_ key: String) throws -> Timestamp? {
        guard let text = try optionalString(key) else { return nil }
        do { return try Timestamp(iso8601: text) } catch { throw missing(key) }
    }

    func value(_ key: String) -> JSONValue { fields[key] ?? .null }

    private func missing(_ key: String) -> LedgerError {
        .malformedEntry("\(context): field \"\(key)\" is missing or has the wrong type")
    }
}

import CreditTypes

extension Optional where Wrapped == String {
    var json: JSONValue { map(JSONValue.string) ?? .null }
}

extension Optional where Wrapped == Int64 {
    var json: JSONValue { map(JSONValue.int) ?? .null }
}

extension Optional where Wrapped == Micros {
    var json: JSONValue { map { .int($0.raw) } ?? .null }
}

extension Optional where Wrapped == Timestamp {
    var json: JSONValue { map { .string($0.iso8601) } ?? .null }
}
