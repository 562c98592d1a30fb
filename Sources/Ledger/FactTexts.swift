import CreditTypes

/// The canonical `data` texts of a batch of facts, and the text columns of their
/// projection rows, written ahead of the journal entries that will hold them: an import
/// writes them on the thread that validates the file, so the thread that writes the ledger
/// only frames, hashes and stores each entry (issue "Speed": the texts were a fifth of the
/// writing thread's time, which bounds an import). One buffer per batch, so handing a
/// batch over costs no allocation per fact.
///
/// When the writer has said where the chain will stand (`ChainAnchor`), `chain(from:)`
/// also frames and hashes the entries ahead: the hashing was a tenth of the writing
/// thread's time, and the validating one had time to spare.
///
/// A text is exactly what the writing thread would write itself (the same functions write
/// both). `LedgerWriter.append(contentsOf:texts:…)` must get each `FactText` with the fact
/// it was written for (debug builds check every one); it uses a `FactText` only with the
/// `FactTexts` it came from, and with any other writes the texts again, so a batch mix-up
/// costs time but never changes an entry. A framed entry is only used for the entry it was
/// framed for: the same sequence number, run, time, account and kind, following the very
/// hash the ledger's head has; any other entry is framed and hashed by the writer.
public struct FactTexts: Sendable {
    /// Tells this batch's texts from another's.
    let batch = UInt64.random(in: 0...UInt64.max)
    private(set) var bytes: [UInt8] = []
    /// Where each fact's projection text columns start, from its columns' first byte
    /// (`BulkAppender.writeProjectionTexts`).
    private(set) var columnStarts: [Int32] = []
    /// The dates of the facts' times, kept from one fact to the next.
    private var dates = DateCache()
    /// Each fact's account, kind and `data` text, for framing its entry (`chain(from:)`).
    private var facts: [(account: String, kind: String, data: Range<Int>)] = []
    /// The facts' entries, framed and hashed ahead: each entry's text, then the 64 hex
    /// digits of its hash. Empty until `chain(from:)`.
    private var chained: [UInt8] = []
    /// Where each fact's entry text ends in `chained` (its hash follows).
    private var chainedEnds: [Int] = []
    /// Where the chain stood before the first fact's entry.
    private var anchor: ChainAnchor?
    private var anchorHash: [UInt8] = []

    public init() {}

    /// Writes `fact`'s `data` text and its projection row's text columns, and returns
    /// where they are; `nil` for kinds an import does not write in bulk. `account` is the
    /// account its entry will be recorded for.
    public mutating func append(_ fact: Fact, account: String) -> FactText? {
        let start = bytes.count
        let firstColumn = columnStarts.count
        guard JournalEntry.writeFastData(of: fact, into: &bytes, dates: &dates) else { return nil }
        let dataEnd = bytes.count
        BulkAppender.writeProjectionTexts(of: fact, into: &bytes, starts: &columnStarts, dates: &dates)
        facts.append((account, fact.kind, start..<dataEnd))
        return FactText(batch: batch, index: facts.count - 1, start: start, dataEnd: dataEnd, end: bytes.count,
                        firstColumn: firstColumn, columnEnd: columnStarts.count)
    }

    /// Frames and hashes the entries of every fact appended so far, as consecutive entries
    /// from `anchor` on (recorded at `anchor.at`, in run `anchor.runID`), and returns where
    /// the chain stands after the last one: the next batch's anchor. `nil`, framing nothing,
    /// when the anchor's hash is not a journal hash.
    public mutating func chain(from anchor: ChainAnchor) -> ChainAnchor? {
        var head = Array(anchor.prevHash.utf8)
        guard head.count == 64, chained.isEmpty else { return nil }
        self.anchor = anchor
        anchorHash = head
        chained.reserveCapacity(bytes.count + facts.count * 200)
        chainedEnds.reserveCapacity(facts.count)
        var envelope = EnvelopeStart()
        var seq = anchor.seq
        for fact in facts {
            let start = chained.count
            JournalEntry.writeFastCanonical(
                account: fact.account, recordedAt: anchor.at, data: bytes[fact.data], kind: fact.kind, runID: anchor.runID,
                seq: seq, into: &chained, envelope: &envelope)
            let end = chained.count
            chained.withUnsafeBytes { advanceChainHash(&head, entry: UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
            chained.append(contentsOf: head)
            chainedEnds.append(end)
            seq += 1
        }
        return ChainAnchor(seq: seq, runID: anchor.runID, at: anchor.at, prevHash: String(decoding: head, as: UTF8.self))
    }

    /// The texts of `text`, when it was written into this batch.
    func texts(of text: FactText?) -> WrittenTexts? {
        guard let text, text.batch == batch, text.end <= bytes.count, text.columnEnd <= columnStarts.count else { return nil }
        return WrittenTexts(data: bytes[text.start..<text.dataEnd], columns: bytes[text.dataEnd..<text.end],
                            columnStarts: columnStarts[text.firstColumn..<text.columnEnd])
    }

    /// Where the entry framed ahead for `text` is in the framed entries, when it was framed
    /// for exactly `entry` (the same sequence number, run, time, account and kind) after a
    /// head hash of `head`; `nil` otherwise.
    func entryAhead(of text: FactText?, for entry: JournalEntry, head: [UInt8]) -> Range<Int>? {
        guard let text, let anchor, text.batch == batch, text.index < chainedEnds.count, head.count == 64 else { return nil }
        let index = text.index
        guard entry.seq == anchor.seq + Int64(index), entry.runID == anchor.runID, entry.recordedAt == anchor.at,
              entry.account == facts[index].account, entry.fact.kind == facts[index].kind
        else { return nil }
        let start = index == 0 ? 0 : chainedEnds[index - 1] + 64
        let follows = head.withUnsafeBytes { head in
            index == 0 ? anchorHash.withUnsafeBytes { Self.sameHash($0.baseAddress!, head.baseAddress!) }
                : chained.withUnsafeBytes { Self.sameHash($0.baseAddress! + (start - 64), head.baseAddress!) }
        }
        return follows ? start..<chainedEnds[index] : nil
    }

    /// Whether the 64 bytes at `a` and at `b` are the same (eight words compared, not 64
    /// bytes one by one: the generic comparison was 2 % of the writing thread).
    private static func sameHash(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer) -> Bool {
        var difference: UInt64 = 0
        for offset in stride(from: 0, to: 64, by: 8) {
            difference |= a.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        }
        return difference == 0
    }

    /// Appends the entry framed ahead at `range` (from `entryAhead`) to `out` and puts its
    /// hash in `head`.
    func appendEntry(_ range: Range<Int>, to out: inout [UInt8], head: inout [UInt8]) {
        chained.withUnsafeBufferPointer { chained in
            out.append(contentsOf: UnsafeBufferPointer(rebasing: chained[range]))
            head.withUnsafeMutableBufferPointer { head in
                for offset in 0..<64 { head[offset] = chained[range.upperBound + offset] }
            }
        }
    }

    /// The entry framed ahead at `range`, and the hash it follows and its own (debug checks).
    func framed(_ range: Range<Int>) -> (text: ArraySlice<UInt8>, previous: [UInt8], hash: ArraySlice<UInt8>) {
        let previous = range.lowerBound == 0 ? anchorHash : Array(chained[(range.lowerBound - 64)..<range.lowerBound])
        return (chained[range], previous, chained[range.upperBound..<(range.upperBound + 64)])
    }
}

/// Where the journal's chain will stand when an import's first fact is appended: its
/// sequence number, the run it is recorded in, the time every entry of the import is
/// recorded at, and the hash its entry follows (`LedgerWriter.anchor(afterStarting:…)`).
public struct ChainAnchor: Sendable, Equatable {
    public let seq: Int64
    public let runID: Int64
    public let at: Timestamp
    public let prevHash: String

    public init(seq: Int64, runID: Int64, at: Timestamp, prevHash: String) {
        self.seq = seq
        self.runID = runID
        self.at = at
        self.prevHash = prevHash
    }
}

/// Where one fact's texts are in its `FactTexts`.
public struct FactText: Sendable {
    let batch: UInt64
    let index: Int
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
