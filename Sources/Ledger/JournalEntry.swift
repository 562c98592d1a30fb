import Crypto
import CreditTypes

/// One journal entry: a fact, when and for which account it was recorded, and its place
/// in the hash chain.
public struct JournalEntry: Sendable, Equatable {
    /// Position in the journal, from 1, without gaps.
    public let seq: Int64
    /// When the fact was recorded (the `--now` clock).
    public let recordedAt: Timestamp
    /// The account label.
    public let account: String
    /// The run that recorded it, if any.
    public let runID: Int64?
    /// The fact itself.
    public let fact: Fact

    /// The hash that precedes the first entry.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The canonical JSON text that is stored and hashed.
    public var canonicalText: String {
        String(decoding: canonicalBytes, as: UTF8.self)
    }

    /// The canonical JSON text as UTF-8 bytes.
    public var canonicalBytes: [UInt8] {
        fastCanonicalBytes ?? genericCanonicalBytes
    }

    /// The canonical text through `JSONValue`, for every kind (the reference for
    /// `fastCanonicalBytes`).
    var genericCanonicalBytes: [UInt8] {
        JSONValue.object([
            "seq": .int(seq), "at": .string(recordedAt.iso8601), "account": .string(account),
            "run": runID.json, "kind": .string(fact.kind), "data": fact.data,
        ]).canonicalBytes
    }

    /// `SHA-256(prev_hash ‖ entry)` in lower-case hex, where `prev_hash` is the previous
    /// entry's hex hash and `entry` the canonical JSON text, both as UTF-8.
    public static func chainHash(previous: String, entryText: String) -> String {
        var entryText = entryText
        return entryText.withUTF8 { chainHash(previous: previous, entry: UnsafeRawBufferPointer($0)) }
    }

    /// `chainHash(previous:entryText:)` over the entry's UTF-8 bytes.
    public static func chainHash(previous: String, entryBytes: [UInt8]) -> String {
        entryBytes.withUnsafeBytes { chainHash(previous: previous, entry: $0) }
    }

    // Hashes the strings' own storage: copying them into arrays first cost an allocation
    // and a copy per entry on the bulk import and verify paths (issue "Speed").
    private static func chainHash(previous: String, entry: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        var previous = previous
        previous.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        hasher.update(bufferPointer: entry)
        return hexString(hasher.finalize())
    }

    /// Decodes stored entry text.
    static func decode(text: String, seq: Int64) throws -> JournalEntry {
        let context = "journal entry \(seq)"
        let value: JSONValue
        do { value = try JSONValue.parse(text) } catch {
            throw LedgerError.malformedEntry("\(context): not valid JSON")
        }
        let fields = try FieldReader(value, context: context)
        let kind = try fields.string("kind")
        return JournalEntry(
            seq: try fields.int("seq"),
            recordedAt: try fields.timestamp("at"),
            account: try fields.string("account"),
            runID: try fields.optionalInt("run"),
            fact: try Fact(kind: kind, data: fields.value("data"), context: context))
    }
}

/// Lower-case hex of `digest`, as the journal stores hashes.
func hexString<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    let bytes = Array(digest)
    return String(unsafeUninitializedCapacity: 2 * bytes.count) { text in
        writeHex(bytes, into: text)
        return 2 * bytes.count
    }
}

/// Turns `head`, the 64 lower-case hex digits of an entry's hash, into those of the next
/// entry's hash, `SHA-256(head ‖ entry)` (as `JournalEntry.chainHash` computes it), in place:
/// the bulk paths chain a million entries without a `String` each.
func advanceChainHash(_ head: inout [UInt8], entry: UnsafeRawBufferPointer) {
    var hasher = SHA256()
    head.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    hasher.update(bufferPointer: entry)
    let digest = hasher.finalize()
    if head.count != 64 { head = Array(repeating: 0, count: 64) }
    head.withUnsafeMutableBufferPointer { hex in digest.withUnsafeBytes { writeHex($0, into: hex) } }
}

/// Writes the lower-case hex of `bytes` into the first `2 * bytes.count` places of `text`
/// (the bulk writer writes each hash in place this way; appending it byte by byte cost
/// more than the hashing's tail, issue "Speed").
func writeHex<D: Sequence>(_ bytes: D, into text: UnsafeMutableBufferPointer<UInt8>) where D.Element == UInt8 {
    func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ (nibble &- 10)
    }
    for (index, byte) in bytes.enumerated() {
        text[2 * index] = digit(byte >> 4)
        text[2 * index + 1] = digit(byte & 0x0F)
    }
}
