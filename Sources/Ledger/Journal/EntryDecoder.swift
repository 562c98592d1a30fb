import CreditTypes

/// Reads a stored journal entry back into a `JournalEntry`: the one decoder for every
/// kind, used by `verify`'s replay and by anything that reads entries.
///
/// It parses JSON (RFC 8259: white space, every escape, members in any order) but only the
/// values an entry holds: integers, strings, `null`, booleans, and objects and arrays of
/// them. A fraction or exponent is refused, since the journal never stores one. Parsing is
/// done over the entry's bytes with no dictionary per object: the members of an object are
/// kept as a short list and looked up by their key's bytes, and a string written without
/// escapes stays where it is in the text until a reader asks for it (a time is read from
/// those bytes without becoming a `String`). Every string is checked as it is parsed, read
/// or not.
struct EntryDecoder {
    /// A parsed value.
    enum Value {
        case null
        case bool(Bool)
        case int(Int64)
        /// A string written without escapes: where its bytes (valid UTF-8) are in the text.
        case plainString(Range<Int>)
        /// A string written with escapes, decoded.
        case string(String)
        case array([Value])
        case object(Members)
    }

    /// One member of an object: where its key's bytes are in the text, and its value.
    struct Member {
        let key: Range<Int>
        let value: Value
    }

    /// An object's members.
    struct Members {
        let bytes: UnsafeBufferPointer<UInt8>
        var list: [Member] = []

        /// The member named `name`, if present.
        func value(_ name: StaticString) -> Value? {
            let count = name.utf8CodeUnitCount
            let start = name.utf8Start
            // Through the buffer, so that looking at a key does not copy (retain) its value.
            return list.withUnsafeBufferPointer { members in
                search: for index in members.indices where members[index].key.count == count {
                    let key = bytes.baseAddress! + members[index].key.lowerBound
                    for offset in 0..<count where key[offset] != start[offset] { continue search }
                    return members[index].value
                }
                return nil
            }
        }

        /// The text of a string value, or `nil` when `value` is not a string.
        func text(_ value: Value) -> String? {
            switch value {
            case .plainString(let range): String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            case .string(let text): text
            default: nil
            }
        }

        /// Whether no key is repeated: at once when the keys are in ascending byte order
        /// (as the canonical text writes them), else by comparing every pair.
        fileprivate var keysAreDistinct: Bool {
            var ascending = true
            for index in list.indices.dropFirst()
            where !bytes[list[index - 1].key].lexicographicallyPrecedes(bytes[list[index].key]) {
                ascending = false
                break
            }
            if ascending { return true }
            func key(_ member: Member) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[member.key]) }
            for (offset, member) in list.enumerated() {
                for other in list[(offset + 1)...] where key(other).hasSameBytes(as: key(member)) { return false }
            }
            return true
        }
    }

    /// Decodes the entry stored as `seq` from its text.
    static func decode(_ text: UnsafeBufferPointer<UInt8>, seq: Int64) throws(LedgerError) -> JournalEntry {
        let context = "journal entry \(seq)"
        var parser = EntryDecoder(bytes: text)
        parser.skipWhiteSpace()
        guard let value = parser.value(depth: 0) else { throw .malformedEntry("\(context): not valid JSON") }
        parser.skipWhiteSpace()
        guard parser.index == text.count else { throw .malformedEntry("\(context): not valid JSON") }
        let fields = try FieldReader(value, context: context)
        let kind = try fields.string("kind")
        return JournalEntry(
            seq: try fields.int("seq"),
            recordedAt: try fields.timestamp("at"),
            account: try fields.string("account"),
            runID: try fields.optionalInt("run"),
            fact: try Fact(kind: kind, data: FieldReader(fields.value("data") ?? .null, context: context)))
    }

    /// `decode(_:seq:)` of a `String`.
    static func decode(_ text: String, seq: Int64) throws(LedgerError) -> JournalEntry {
        var text = text
        let decoded = text.withUTF8 { bytes in Result { () throws(LedgerError) in try decode(bytes, seq: seq) } }
        return try decoded.get()
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhiteSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    private mutating func value(depth: Int) -> Value? {
        guard depth < 32, let byte = peek else { return nil }
        switch byte {
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer().map(Value.int)
        case UInt8(ascii: "["):
            index += 1
            var values: [Value] = []
            skipWhiteSpace()
            if peek == UInt8(ascii: "]") {
                index += 1
                return .array(values)
            }
            while true {
                skipWhiteSpace()
                guard let element = value(depth: depth + 1) else { return nil }
                values.append(element)
                skipWhiteSpace()
                guard let next = peek else { return nil }
                index += 1
                if next == UInt8(ascii: "]") { return .array(values) }
                guard next == UInt8(ascii: ",") else { return nil }
            }
        case UInt8(ascii: "{"):
            index += 1
            var members = Members(bytes: bytes)
            members.list.reserveCapacity(12)
            skipWhiteSpace()
            if peek == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhiteSpace()
                guard let key = keyRange() else { return nil }
                skipWhiteSpace()
                guard peek == UInt8(ascii: ":") else { return nil }
                index += 1
                skipWhiteSpace()
                guard let member = value(depth: depth + 1) else { return nil }
                members.list.append(Member(key: key, value: member))
                skipWhiteSpace()
                guard let next = peek else { return nil }
                index += 1
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { return nil }
            }
            // A repeated key has no one meaning: refuse it.
            return members.keysAreDistinct ? .object(members) : nil
        default:
            return nil
        }
    }

    /// An integer within `Int64`; a fraction, an exponent or a leading zero is refused.
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
        guard digits > 0, bytes[start] != UInt8(ascii: "0") || digits == 1 else { return nil }
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

    /// A key: where its bytes are, when it has no escapes (the journal's keys never do).
    private mutating func keyRange() -> Range<Int>? {
        guard peek == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        while let byte = peek {
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<(index - 1)
            }
            guard byte >= 0x20, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    /// A string: its place in the text when it has no escapes (its bytes checked to be
    /// UTF-8), else its decoded text.
    private mutating func string() -> Value? {
        index += 1  // the opening quote
        let start = index
        var ascii = true
        while let byte = peek, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { return nil }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        guard let stop = peek else { return nil }
        if stop == UInt8(ascii: "\"") {
            let range = start..<index
            index += 1
            guard ascii || String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) != nil else {
                return nil
            }
            return .plainString(range)
        }
        var out = Array(bytes[start..<index])
        while let byte = peek {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return out.withUnsafeBufferPointer(Self.text).map(Value.string)
            case UInt8(ascii: "\\"):
                guard let escaped = peek else { return nil }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard literal("\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: String(Character(unicode)).utf8)
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

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Valid UTF-8 as a `String`, else `nil`.
    private static func text(_ slice: UnsafeBufferPointer<UInt8>) -> String? {
        for byte in slice where byte >= 0x80 { return String(validating: slice, as: UTF8.self) }
        return String(decoding: slice, as: UTF8.self)
    }
}
