import CreditTypes

/// One row of `GET /activity`: one UTC day × model × endpoint.
public struct ActivityRow: Sendable, Equatable {
    /// The UTC day.
    public let date: CivilDate
    /// The model's slug, e.g. `openai/gpt-4.1`.
    public let model: String
    /// The model's dated slug, e.g. `openai/gpt-4.1-2025-04-14`; `nil` when not sent.
    public let modelPermaslug: String?
    /// The endpoint that served it; `nil` when not sent.
    public let endpointID: String?
    /// The provider behind the endpoint; `nil` when not sent.
    public let providerName: String?
    /// Credits spent in USD, exact.
    public let usage: Micros
    /// Spent on the account's own provider keys (BYOK) in USD; `nil` when not sent.
    public let byokUsageInference: Micros?
    /// Requests made; `nil` when not sent.
    public let requests: Int64?
    /// Prompt tokens; `nil` when not sent.
    public let promptTokens: Int64?
    /// Completion tokens; `nil` when not sent.
    public let completionTokens: Int64?
    /// Reasoning tokens; `nil` when not sent.
    public let reasoningTokens: Int64?
    /// Cached tokens; `nil` when not sent.
    public let cachedTokens: Int64?
    /// This row's object from the answer as compact JSON with sorted keys (numbers keep
    /// the text the API sent), for the ledger.
    public let rawJSON: String

    /// A row from its parts.
    public init(
        date: CivilDate, model: String, modelPermaslug: String?, endpointID: String?, providerName: String?,
        usage: Micros, byokUsageInference: Micros?, requests: Int64?, promptTokens: Int64?, completionTokens: Int64?,
        reasoningTokens: Int64?, cachedTokens: Int64?, rawJSON: String
    ) {
        self.date = date
        self.model = model
        self.modelPermaslug = modelPermaslug
        self.endpointID = endpointID
        self.providerName = providerName
        self.usage = usage
        self.byokUsageInference = byokUsageInference
        self.requests = requests
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.reasoningTokens = reasoningTokens
        self.cachedTokens = cachedTokens
        self.rawJSON = rawJSON
    }
}
