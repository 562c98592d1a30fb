import CreditTypes

/// Entries framed and hashed, ready for a store: each entry's canonical text, the hash it
/// follows and its own hash, in one buffer (a thousand entries, one allocation).
struct AppendBatch: Sendable {
    /// One framed entry and where its bytes are in `bytes`.
    struct Entry: Sendable {
        let entry: JournalEntry
        let text: Range<Int>
        let prevHash: Range<Int>
        let hash: Range<Int>
    }

    private var writer = CanonicalWriter(capacity: 64 * 1024)
    private(set) var entries: [Entry] = []

    /// Every entry's text and hashes.
    var bytes: [UInt8] { writer.bytes }

    var count: Int { entries.count }

    /// Frames `entry` after the entry whose hash is `head` (64 hex digits), and moves
    /// `head` to the new entry's hash.
    mutating func append(_ entry: JournalEntry, head: inout [UInt8]) {
        let start = writer.bytes.count
        entry.write(into: &writer)
        let end = writer.bytes.count
        writer.append(raw: head)
        writer.bytes.withUnsafeBytes { ChainHash.advance(&head, entry: UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
        writer.append(raw: head)
        entries.append(Entry(entry: entry, text: start..<end, prevHash: end..<(end + 64), hash: (end + 64)..<(end + 128)))
    }

    /// Forgets the entries, keeping the buffers.
    mutating func removeAll() {
        writer.removeAll()
        entries.removeAll(keepingCapacity: true)
    }
}
