import CreditTypes

/// A reading of every key of the account at one moment (`GET /keys`, disabled keys
/// included, every page): a key missing from it was deleted, or never existed.
public struct KeysRead: Sendable, Equatable {
    public var observedAt: Timestamp
    /// The keys in the order the API listed them, each once.
    public var keys: [KeyReading]
    /// Every page's response body, verbatim, in the order read.
    public var rawBodies: [String]

    public init(observedAt: Timestamp, keys: [KeyReading], rawBodies: [String]) {
        self.observedAt = observedAt
        self.keys = keys
        self.rawBodies = rawBodies
    }
}
