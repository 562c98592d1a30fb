/// The newest entry a writer of this host committed, as its witness keeps it (`HeadWitness`).
struct WitnessedHead: Sendable, Equatable {
    let seq: Int64
    let hash: String
    /// When it was committed, as written.
    let at: String
    /// The witness file, for what a person is told to do.
    let file: String
}
