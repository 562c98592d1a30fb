/// Where the journal's chain stands: the newest entry's sequence number (0 when empty)
/// and hash (the genesis hash when empty).
struct ChainHead: Sendable, Equatable {
    var seq: Int64
    var hash: String

    static let empty = ChainHead(seq: 0, hash: JournalEntry.genesisHash)
}
