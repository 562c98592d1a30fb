import CreditTypes

/// One use recorded by `POST /_sim/usage`; `GET /api/v1/activity` adds them up per UTC day.
public struct SimUsage: Sendable, Equatable {
    /// When it happened (simulator clock).
    public var at: Timestamp
    /// Credits spent.
    public var amount: Micros
    /// The key it was made with; `nil` for use outside any key.
    public var keyHash: String?
    /// The model; `nil` for use that shows in no activity row.
    public var model: String?
    /// The provider that served it.
    public var provider: String?
    /// Requests, prompt, completion, reasoning and cached tokens, in that order.
    public var counts: [Int64]

    /// The names of `counts` in the API's answers and in the admin route's body.
    public static let countNames = ["requests", "prompt_tokens", "completion_tokens", "reasoning_tokens", "cached_tokens"]

    /// A use from its parts; `counts` defaults to one request and no tokens.
    public init(at: Timestamp, amount: Micros, keyHash: String?, model: String?, provider: String?, counts: [Int64] = [1, 0, 0, 0, 0]) {
        self.at = at
        self.amount = amount
        self.keyHash = keyHash
        self.model = model
        self.provider = provider
        self.counts = counts
    }
}
