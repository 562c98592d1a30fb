import CreditTypes

/// Writes the journal's canonical JSON (RFC 8785 for the journal's values: integers, text
/// and null) straight into UTF-8 bytes: object keys in the order of their UTF-16 code
/// units, no white space, integers in plain decimal, strings with only `"`, `\` and the
/// control characters escaped. The same fact always gives the same bytes, which the hash
/// chain depends on.
///
/// Callers write each object's keys in canonical order themselves (`Fact+Canonical.swift`);
/// debug builds check the order. Hand-written rather than through `JSONEncoder`, which
/// neither sorts keys by UTF-16 code units nor escapes as RFC 8785 asks, and because it
/// runs once per journal entry, a million times in a large import.
struct CanonicalWriter {
    /// The text written so far.
    private(set) var bytes: [UInt8] = []
    private var times = TimestampText()
    #if DEBUG
    /// The last key written in each open object, innermost last.
    private var lastKeys: [[UInt8]?] = []
    #endif

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    /// Forgets the text, keeping the buffer.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        #if DEBUG
        lastKeys.removeAll()
        #endif
    }

    /// Opens an object; `key` writes its members, `endObject()` closes it.
    mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        #if DEBUG
        lastKeys.append(nil)
        #endif
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        #if DEBUG
        lastKeys.removeLast()
        #endif
    }

    /// Writes `"name":` (after a comma unless it is the object's first member). Keys are
    /// ASCII, so their byte order is their UTF-16 order.
    mutating func key(_ name: StaticString) {
        #if DEBUG
        let keyBytes = name.withUTF8Buffer { Array($0) }
        precondition(keyBytes.allSatisfy { $0 < 0x80 }, "journal keys are ASCII")
        if let previous = lastKeys[lastKeys.count - 1] {
            precondition(previous.lexicographicallyPrecedes(keyBytes), "journal keys must be written in canonical order")
        }
        lastKeys[lastKeys.count - 1] = keyBytes
        #endif
        // `,"name":` (no comma after the object's `{`), written on the stack and appended once.
        let comma = bytes.last != UInt8(ascii: "{")
        name.withUTF8Buffer { key in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: key.count + 4) { text in
                var index = 0
                if comma {
                    text[0] = UInt8(ascii: ",")
                    index = 1
                }
                text[index] = UInt8(ascii: "\"")
                for byte in key {
                    index += 1
                    text[index] = byte
                }
                text[index + 1] = UInt8(ascii: "\"")
                text[index + 2] = UInt8(ascii: ":")
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[0..<(index + 3)]))
            }
        }
    }

    mutating func null() { append("null") }

    mutating func bool(_ value: Bool) { value ? append("true") : append("false") }

    /// An array of `items`, each written by `element`.
    mutating func array<Items: Sequence>(_ items: Items, _ element: (inout CanonicalWriter, Items.Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for item in items {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            element(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An integer in plain decimal.
    mutating func int(_ value: Int64) {
        // Digits written backwards on the stack and appended in one copy.
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
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    /// A string, escaped minimally: `"`, `\` and control characters; everything else is
    /// copied as UTF-8.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { text in
            var plainStart = 0
            for index in 0..<text.count {
                let byte = text[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[plainStart..<index]))
                plainStart = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    append("u00")
                    bytes.append(Self.hexDigit(byte >> 4))
                    bytes.append(Self.hexDigit(byte & 0x0F))
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[plainStart..<text.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A time as the journal keeps it: the string `Timestamp.iso8601`.
    mutating func time(_ value: Timestamp) {
        bytes.append(UInt8(ascii: "\""))
        times.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    mutating func int(_ value: Int64?) {
        if let value { int(value) } else { null() }
    }

    mutating func time(_ value: Timestamp?) {
        if let value { time(value) } else { null() }
    }

    mutating func bool(_ value: Bool?) {
        if let value { bool(value) } else { null() }
    }

    private mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ (nibble &- 10)
    }
}
