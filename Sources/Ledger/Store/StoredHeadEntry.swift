/// The journal's newest entry as a store holds it: its number, the hash it chains from, its
/// text and its hash.
struct StoredHeadEntry: Sendable, Equatable {
    var seq: Int64
    var prevHash: String
    var entry: String
    var hash: String

    /// Whether `hash` is SHA-256 of `prevHash` and `entry` (`ChainHash`): an entry edited
    /// behind the ledger's back without its hash written again is not.
    var hashesToItsHash: Bool {
        var computed = Array(prevHash.utf8)
        var text = entry
        text.withUTF8 { ChainHash.advance(&computed, entry: UnsafeRawBufferPointer($0)) }
        return computed == Array(hash.utf8)
    }
}
