/// The canonical `data` texts of a batch of facts, and the text columns of their
/// projection rows, written ahead of the journal entries that will hold them: an import
/// writes them on the thread that validates the file, so the thread that writes the ledger
/// only frames, hashes and stores each entry (issue "Speed": the texts were a fifth of the
/// writing thread's time, which bounds an import). One buffer per batch, so handing a
/// batch over costs no allocation per fact.
///
/// A text is exactly what the writing thread would write itself (the same functions write
/// both). `LedgerWriter.append(contentsOf:texts:…)` must get each `FactText` with the fact
/// it was written for (debug builds check every one); it uses a `FactText` only with the
/// `FactTexts` it came from, and with any other writes the texts again, so a batch mix-up
/// costs time but never changes an entry.
public struct FactTexts: Sendable {
    /// Tells this batch's texts from another's.
    let batch = UInt64.random(in: 0...UInt64.max)
    private(set) var bytes: [UInt8] = []
    /// Where each fact's projection text columns start, from its columns' first byte
    /// (`BulkAppender.writeProjectionTexts`).
    private(set) var columnStarts: [Int32] = []
    /// The dates of the facts' times, kept from one fact to the next.
    private var dates = DateCache()

    public init() {}

    /// Writes `fact`'s `data` text and its projection row's text columns, and returns
    /// where they are; `nil` for kinds an import does not write in bulk.
    public mutating func append(_ fact: Fact) -> FactText? {
        let start = bytes.count
        let firstColumn = columnStarts.count
        guard JournalEntry.writeFastData(of: fact, into: &bytes, dates: &dates) else { return nil }
        let dataEnd = bytes.count
        BulkAppender.writeProjectionTexts(of: fact, into: &bytes, starts: &columnStarts, dates: &dates)
        return FactText(batch: batch, start: start, dataEnd: dataEnd, end: bytes.count,
                        firstColumn: firstColumn, columnEnd: columnStarts.count)
    }

    /// The texts of `text`, when it was written into this batch.
    func texts(of text: FactText?) -> WrittenTexts? {
        guard let text, text.batch == batch, text.end <= bytes.count, text.columnEnd <= columnStarts.count else { return nil }
        return WrittenTexts(data: bytes[text.start..<text.dataEnd], columns: bytes[text.dataEnd..<text.end],
                            columnStarts: columnStarts[text.firstColumn..<text.columnEnd])
    }
}

/// Where one fact's texts are in its `FactTexts`.
public struct FactText: Sendable {
    let batch: UInt64
    let start: Int
    let dataEnd: Int
    let end: Int
    let firstColumn: Int
    let columnEnd: Int
}

/// One fact's texts, written ahead: its `data` text, and its projection's text columns as
/// `BulkAppender.writeProjectionTexts` writes them.
struct WrittenTexts {
    let data: ArraySlice<UInt8>
    let columns: ArraySlice<UInt8>
    let columnStarts: ArraySlice<Int32>
}
