import Foundation

/// A JSON value with no floating point: the journal's entries are made of these.
///
/// Its serialization is canonical (RFC 8785 for this subset): object keys sorted by
/// their UTF-16 code units, no insignificant white space, integers in plain decimal,
/// strings escaped minimally. The same fact always serializes to the same bytes.
/// Serialization is hand-written because it runs once per journal entry on the bulk
/// import path; decoding goes through Foundation's `JSONDecoder`.
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
        var out = ""
        write(into: &out)
        return out
    }

    /// Parses canonical (or any integer-only) JSON text.
    public static func parse(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .string(let value): Self.writeString(value, into: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out += "," }
                Self.writeString(key, into: &out)
                out += ":"
                members[key]!.write(into: &out)  // key comes from the dictionary itself
            }
            out += "}"
        }
    }

    static func writeString(_ value: String, into out: inout String) {
        out += "\""
        var plainStart = value.unicodeScalars.startIndex
        var index = plainStart
        let scalars = value.unicodeScalars
        while index != scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\u{08}": escape = "\\b"
            case "\u{0C}": escape = "\\f"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escape = nil
                }
            }
            if let escape {
                out.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
                out += escape
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
        out += "\""
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
