import CreditTypes

/// Reads typed fields out of a decoded entry's object, naming what is wrong.
struct FieldReader {
    private let members: EntryDecoder.Members
    private let context: String

    init(_ value: EntryDecoder.Value, context: String) throws(LedgerError) {
        guard case .object(let members) = value else { throw .malformedEntry("\(context): not an object") }
        self.members = members
        self.context = context
    }

    func value(_ key: StaticString) -> EntryDecoder.Value? { members.value(key) }

    func string(_ key: StaticString) throws(LedgerError) -> String {
        guard let value = members.value(key), let text = members.text(value) else { throw missing(key) }
        return text
    }

    func optionalString(_ key: StaticString) throws(LedgerError) -> String? {
        switch members.value(key) {
        case nil, .null?: return nil
        case let value?:
            guard let text = members.text(value) else { throw missing(key) }
            return text
        }
    }

    func int(_ key: StaticString) throws(LedgerError) -> Int64 {
        guard case .int(let value)? = members.value(key) else { throw missing(key) }
        return value
    }

    func optionalInt(_ key: StaticString) throws(LedgerError) -> Int64? {
        switch members.value(key) {
        case nil, .null?: return nil
        case .int(let value)?: return value
        default: throw missing(key)
        }
    }

    func micros(_ key: StaticString) throws(LedgerError) -> Micros { try .stored(try int(key), in: "an entry's \(key)") }

    func optionalMicros(_ key: StaticString) throws(LedgerError) -> Micros? {
        guard let raw = try optionalInt(key) else { return nil }
        return try .stored(raw, in: "an entry's \(key)")
    }

    func optionalBool(_ key: StaticString) throws(LedgerError) -> Bool? {
        switch members.value(key) {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        default: throw missing(key)
        }
    }

    /// A UTC day written `YYYY-MM-DD`.
    func date(_ key: StaticString) throws(LedgerError) -> CivilDate {
        guard let date = CivilDate(isoText: try string(key)) else { throw missing(key) }
        return date
    }

    /// An array of strings.
    func strings(_ key: StaticString) throws(LedgerError) -> [String] {
        try array(key).map { (element) throws(LedgerError) in
            guard let text = members.text(element) else { throw missing(key) }
            return text
        }
    }

    /// An array of objects, each read by its own reader.
    func objects(_ key: StaticString) throws(LedgerError) -> [FieldReader] {
        try array(key).enumerated().map { (index, element) throws(LedgerError) in
            try FieldReader(element, context: "\(context), \(key)[\(index)]")
        }
    }

    private func array(_ key: StaticString) throws(LedgerError) -> [EntryDecoder.Value] {
        guard case .array(let elements)? = members.value(key) else { throw missing(key) }
        return elements
    }

    func timestamp(_ key: StaticString) throws(LedgerError) -> Timestamp {
        guard let value = members.value(key), let time = time(value) else { throw missing(key) }
        return time
    }

    func optionalTimestamp(_ key: StaticString) throws(LedgerError) -> Timestamp? {
        switch members.value(key) {
        case nil, .null?: return nil
        case let value?:
            guard let time = time(value) else { throw missing(key) }
            return time
        }
    }

    /// A string value read as an ISO 8601 time, from the text's own bytes when it has no escapes.
    private func time(_ value: EntryDecoder.Value) -> Timestamp? {
        switch value {
        case .plainString(let range): Timestamp.parse(iso8601: UnsafeBufferPointer(rebasing: members.bytes[range]))
        case .string(let text): try? Timestamp(iso8601: text)
        default: nil
        }
    }

    /// A field that is not there, or whose value is not what the field holds: said apart,
    /// since "missing" sent an auditor looking for a field that was there with a bad time
    /// in it (probe 138).
    private func missing(_ key: StaticString) -> LedgerError {
        .malformedEntry("\(context): field \"\(key)\" " + (members.value(key) == nil
            ? "is missing" : "holds a value of the wrong type or form"))
    }
}

extension FieldReader {
    func unknownKind(_ kind: String) -> LedgerError { .malformedEntry("\(context): unknown kind \"\(kind)\"") }
}
