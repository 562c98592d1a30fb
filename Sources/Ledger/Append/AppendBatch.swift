import CreditTypes

/// Entries framed for a store: their canonical texts in one buffer, and once hashed onto
/// the chain (`chain(after:)`), each entry's `prev_hash` and hash in another. Framing and
/// hashing can run on different cores.
struct AppendBatch: Sendable {
    /// One framed entry: where its text is in `text`, and its hashes in `hashes`.
    struct Entry: Sendable {
        let entry: JournalEntry
        let text: Range<Int>
        /// `prev_hash`, then the entry's own hash, 64 hex digits each.
        var prevHash: Range<Int> { (index * 128)..<(index * 128 + 64) }
        var hash: Range<Int> { (index * 128 + 64)..<(index * 128 + 128) }
        let index: Int
    }

    private var writer = CanonicalWriter(capacity: 512 * 1024)
    private(set) var entries: [Entry] = []
    /// Every entry's `prev_hash` and hash, in entry order (empty until `chain(after:)`).
    private(set) var hashes: [UInt8] = []

    /// Every entry's text.
    var text: [UInt8] { writer.bytes }

    var count: Int { entries.count }

    /// Frames `entry`; its hashes are worked out by `chain(after:)`.
    mutating func append(_ entry: consuming JournalEntry) {
        let start = writer.bytes.count
        entry.write(into: &writer)
        let end = writer.bytes.count
        entries.append(Entry(entry: entry, text: start..<end, index: entries.count))
    }

    /// Hashes every entry onto the chain after the entry whose hash is `head` (64 hex
    /// digits), keeping each entry's `prev_hash` and hash, and moves `head` to the last.
    mutating func chain(after head: inout [UInt8]) {
        hashes.removeAll(keepingCapacity: true)
        hashes.reserveCapacity(entries.count * 128)
        writer.bytes.withUnsafeBytes { text in
            for entry in entries {
                hashes.append(contentsOf: head)
                ChainHash.advance(&head, entry: UnsafeRawBufferPointer(rebasing: text[entry.text]))
                hashes.append(contentsOf: head)
            }
        }
    }

    /// Forgets the entries, keeping the buffers.
    mutating func removeAll() {
        writer.removeAll()
        entries.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
    }
}
