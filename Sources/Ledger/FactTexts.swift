/// The canonical `data` texts of a batch of facts, written ahead of the journal entries
/// that will hold them: an import writes them on the thread that validates the file, so
/// the thread that writes the ledger only frames, hashes and stores each entry (issue
/// "Speed": the texts were a seventh of the writing thread's time, which bounds an
/// import). One buffer per batch, so handing a batch over costs no allocation per fact.
///
/// A text is exactly what the writing thread would write itself (`JournalEntry`'s fast
/// canonical writer writes both), and `LedgerWriter.append(contentsOf:texts:…)` uses a
/// `FactText` only with the `FactTexts` it came from; with any other it writes the text
/// again, so a mix-up can cost time but never change an entry.
public struct FactTexts: Sendable {
    /// Tells this batch's texts from another's.
    let batch = UInt64.random(in: 0...UInt64.max)
    private(set) var bytes: [UInt8] = []

    public init() {}

    /// Writes `fact`'s `data` text and returns where it is; `nil` for kinds an import
    /// does not write in bulk.
    public mutating func append(_ fact: Fact) -> FactText? {
        let start = bytes.count
        guard JournalEntry.writeFastData(of: fact, into: &bytes) else { return nil }
        return FactText(batch: batch, start: start, end: bytes.count)
    }

    /// The bytes of `text`, when it was written into this batch.
    func bytes(of text: FactText?) -> ArraySlice<UInt8>? {
        guard let text, text.batch == batch, text.end <= bytes.count else { return nil }
        return bytes[text.start..<text.end]
    }
}

/// Where one fact's text is in its `FactTexts`.
public struct FactText: Sendable {
    let batch: UInt64
    let start: Int
    let end: Int
}
