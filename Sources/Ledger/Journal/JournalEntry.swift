import CreditTypes

/// One journal entry: a fact, when and for which account it was recorded, and its place
/// in the hash chain.
struct JournalEntry: Sendable, Equatable {
    /// Position in the journal, from 1, without gaps.
    let seq: Int64
    /// When the fact was recorded (the `--now` clock).
    let recordedAt: Timestamp
    /// The account label.
    let account: String
    /// The run that recorded it, if any.
    let runID: Int64?
    /// The fact itself.
    let fact: Fact

    /// The hash that precedes the first entry.
    static let genesisHash = String(repeating: "0", count: 64)

    /// The canonical JSON text that is stored and hashed.
    var canonicalText: String {
        var out = CanonicalWriter()
        write(into: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// Appends the entry's canonical JSON text to `out`:
    /// `{"account":…,"at":…,"data":{…},"kind":…,"run":…,"seq":…}`.
    func write(into out: inout CanonicalWriter) {
        out.beginObject()
        out.key("account"); out.string(account)
        out.key("at"); out.time(recordedAt)
        out.key("data"); fact.writeData(into: &out)
        out.key("kind"); out.string(fact.kind)
        out.key("run"); out.int(runID)
        out.key("seq"); out.int(seq)
        out.endObject()
    }

    /// `SHA-256(prev_hash ‖ entry)` in lower-case hex, where `prev_hash` is the previous
    /// entry's hex hash and `entry` the canonical JSON text, both as UTF-8.
    static func chainHash(previous: String, entryText: String) -> String {
        var previous = Array(previous.utf8)
        var entryText = entryText
        entryText.withUTF8 { ChainHash.advance(&previous, entry: UnsafeRawBufferPointer($0)) }
        return String(decoding: previous, as: UTF8.self)
    }

    /// Decodes stored entry text (see `EntryDecoder`).
    static func decode(text: String, seq: Int64) throws(LedgerError) -> JournalEntry {
        try EntryDecoder.decode(text, seq: seq)
    }
}
