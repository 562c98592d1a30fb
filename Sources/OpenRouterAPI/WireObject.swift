import CreditTypes

/// One JSON object of an answer, read field by field with the rules of `WireFormat`: a
/// required field that is missing or `null`, and any field of the wrong type, is a
/// `.malformedResponse` that names the field (`data[3].usage`); an optional field that is
/// missing or `null` is `nil`; fields nobody asks for are ignored.
struct WireObject {
    /// The object's members.
    let members: [String: ExactJSON]
    /// Where the object is in the answer, for messages: `data`, `data[3]`.
    let path: String
    /// The whole answer, for the error.
    let raw: String

    /// `value` as an object; anything else is malformed.
    init(_ value: ExactJSON, path: String, raw: String) throws(APIError) {
        guard case .object(let members) = value else {
            throw .malformedResponse(reason: "\(path) is not an object", rawBody: raw)
        }
        self.members = members
        self.path = path
        self.raw = raw
    }

    /// The object as compact JSON with sorted keys; numbers keep the text the API sent.
    var text: String { ExactJSON.object(members).text }

    private func field(_ name: String) -> String { "\(path).\(name)" }

    /// The member, or `nil` when it is missing or `null`.
    private func present(_ name: String) -> ExactJSON? {
        guard let value = members[name], value != .null else { return nil }
        return value
    }

    private func malformed(_ name: String, _ what: String) -> APIError {
        .malformedResponse(reason: "\(field(name)) \(what)", rawBody: raw)
    }

    /// An amount in USD, not negative (see `WireFormat.amount`).
    func amount(_ name: String) throws(APIError) -> Micros {
        try WireFormat.amount(present(name), field: field(name), raw: raw)
    }

    /// An amount in USD, or `nil`; negative only when `signed` (what is left under a
    /// key's limit once it has spent past it).
    func optionalAmount(_ name: String, signed: Bool = false) throws(APIError) -> Micros? {
        guard let value = present(name) else { return nil }
        return try WireFormat.amount(value, field: field(name), raw: raw, signed: signed)
    }

    /// A key's limit (or what is left under it), or `nil`: as `optionalAmount`, but one
    /// beyond range says what to do about it, since a person set it (`advice`, made only then).
    func optionalLimit(_ name: String, signed: Bool = false, advice: @autoclosure () -> String) throws(APIError) -> Micros? {
        do {
            return try optionalAmount(name, signed: signed)
        } catch .beyondRange(let reason, let rawBody) {
            throw .beyondRange(reason: "\(reason); \(advice())", rawBody: rawBody)
        }
    }

    /// A non-empty string.
    func string(_ name: String) throws(APIError) -> String {
        guard let text = try optionalString(name) else { throw malformed(name, "is missing") }
        guard !text.isEmpty else { throw malformed(name, "is empty") }
        return text
    }

    /// A string, or `nil`. A NUL character is no text the API sends: SQLite would end the
    /// text there, and two keys or models differing after it would be stored as one.
    func optionalString(_ name: String) throws(APIError) -> String? {
        guard let value = present(name) else { return nil }
        guard let text = value.stringValue else { throw malformed(name, "is not a string") }
        guard !text.unicodeScalars.contains("\u{0}") else { throw malformed(name, "holds a NUL character") }
        return text
    }

    /// `true` or `false`, or `nil`.
    func optionalBool(_ name: String) throws(APIError) -> Bool? {
        guard let value = present(name) else { return nil }
        guard case .bool(let flag) = value else { throw malformed(name, "is not true or false") }
        return flag
    }

    /// A count (requests, tokens): a whole number, not negative, or `nil`.
    func optionalCount(_ name: String) throws(APIError) -> Int64? {
        guard let value = present(name) else { return nil }
        guard let count = WireFormat.integer(value), count >= 0 else {
            throw malformed(name, WireFormat.isTooLargeANumber(value)
                ? "is too large (a count may be at most \(WireFormat.largestCount))" : "is not a whole number of at least 0")
        }
        return count
    }

    /// A time (see `WireFormat.timestamp`), or `nil`.
    func optionalTimestamp(_ name: String) throws(APIError) -> Timestamp? {
        guard let value = present(name) else { return nil }
        return try WireFormat.timestamp(value, field: field(name), raw: raw)
    }

    /// A UTC day: `2026-01-31`, or a time at 00:00 UTC of that day.
    func date(_ name: String) throws(APIError) -> CivilDate {
        let text = try string(name)
        guard let time = try? Timestamp(iso8601: text), time.millisecondsSinceEpoch % 86_400_000 == 0 else {
            throw malformed(name, "\"\(text)\" is not a date (YYYY-MM-DD)")
        }
        return time.utcDate
    }
}
