/// How far `verify` has got, told as it works.
public enum VerifyProgress: Sendable, Equatable {
    /// This many journal entries have been hashed and replayed.
    case checked(entries: Int64)
    /// The chain and the replay are done: the replay is compared with the stored tables
    /// (unless the chain already broke) while the database's own check runs.
    case comparing
}
