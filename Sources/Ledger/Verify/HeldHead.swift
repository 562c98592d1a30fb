/// A head hash `verify` was asked to find in the chain (one a report, an export or an
/// earlier `verify` printed), and where it found it.
public struct HeldHead: Sendable, Equatable {
    /// The hash, as it was asked for (lower-case hex).
    public let hash: String
    /// The entry whose hash it is, or `nil` when no entry read has it.
    public let entry: Int64?

    public init(hash: String, entry: Int64?) {
        self.hash = hash
        self.entry = entry
    }
}
