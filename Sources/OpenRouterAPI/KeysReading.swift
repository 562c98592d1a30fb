/// Every key of the account, disabled ones included, read page by page from `GET /keys`.
public struct KeysReading: Sendable, Equatable {
    /// The keys in the order the API listed them, each once.
    public let keys: [AccountKey]
    /// Every page's response body, verbatim, in the order read (the last one is the empty
    /// page that ended the listing).
    public let rawBodies: [String]

    /// A reading from its parts.
    public init(keys: [AccountKey], rawBodies: [String]) {
        self.keys = keys
        self.rawBodies = rawBodies
    }
}
