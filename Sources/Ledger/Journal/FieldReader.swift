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
        guard case .string(let value)? = members.value(key) else { throw missing(key) }
        return value
    }

    func optionalString(_ key: StaticString) throws(LedgerError) -> String? {
        switch members.value(key) {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw missing(key)
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

    func micros(_ key: StaticString) throws(LedgerError) -> Micros { Micros(raw: try int(key)) }

    func optionalMicros(_ key: StaticString) throws(LedgerError) -> Micros? { try optionalInt(key).map(Micros.init(raw:)) }

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
            guard case .string(let text) = element else { throw missing(key) }
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
        let text = try string(key)
        do { return try Timestamp(iso8601: text) } catch { throw missing(key) }
    }

    func optionalTimestamp(_ key: StaticString) throws(LedgerError) -> Timestamp? {
        guard let text = try optionalString(key) else { return nil }
        do { return try Timestamp(iso8601: text) } catch { throw missing(key) }
    }

    private func missing(_ key: StaticString) -> LedgerError {
        .malformedEntry("\(context): field \"\(key)\" is missing or has the wrong type")
    }
}

extension FieldReader {
    func unknownKind(_ kind: String) -> LedgerError { .malformedEntry("\(context): unknown kind \"\(kind)\"") }
}
