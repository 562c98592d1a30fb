/// Journal rows as stored, read in a batch for `verify`: every row's text and hashes in
/// one buffer, so a batch can be handed to another core without a `String` per row.
struct JournalRows: Sendable {
    /// One stored row: where its kind, entry text and hashes are in `bytes`.
    struct Row: Sendable {
        let seq: Int64
        let kind: Range<Int>
        let text: Range<Int>
        let prevHash: Range<Int>
        let hash: Range<Int>
    }

    private(set) var bytes: [UInt8] = []
    private(set) var rows: [Row] = []

    init(capacity: Int) { rows.reserveCapacity(capacity) }

    mutating func append(seq: Int64, kind: UnsafeBufferPointer<UInt8>, text: UnsafeBufferPointer<UInt8>,
                         prevHash: UnsafeBufferPointer<UInt8>, hash: UnsafeBufferPointer<UInt8>) {
        func put(_ part: UnsafeBufferPointer<UInt8>) -> Range<Int> {
            let start = bytes.count
            bytes.append(contentsOf: part)
            return start..<bytes.count
        }
        rows.append(Row(seq: seq, kind: put(kind), text: put(text), prevHash: put(prevHash), hash: put(hash)))
    }

    var isEmpty: Bool { rows.isEmpty }
}
