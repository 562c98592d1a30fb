import CreditTypes

/// One row of a day's activity: the use of one model on one endpoint, as the API gives it.
public struct ActivityLine: Sendable, Hashable {
    /// The model's slug, e.g. `openai/gpt-4.1`.
    public var model: String
    public var modelPermaslug: String?
    public var endpointID: String?
    public var provider: String?
    /// Credits spent.
    public var usage: Micros
    /// Spent on the account's own provider keys (BYOK).
    public var byokUsage: Micros?
    public var requests: Int64?
    public var promptTokens: Int64?
    public var completionTokens: Int64?
    public var reasoningTokens: Int64?
    public var cachedTokens: Int64?

    public init(model: String, modelPermaslug: String?, endpointID: String?, provider: String?, usage: Micros,
                byokUsage: Micros?, requests: Int64?, promptTokens: Int64?, completionTokens: Int64?,
                reasoningTokens: Int64?, cachedTokens: Int64?) {
        self.model = model
        self.modelPermaslug = modelPermaslug
        self.endpointID = endpointID
        self.provider = provider
        self.usage = usage
        self.byokUsage = byokUsage
        self.requests = requests
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.reasoningTokens = reasoningTokens
        self.cachedTokens = cachedTokens
    }

    /// The lines' usage added up; `nil` when it does not fit in `Micros`.
    public static func total(_ lines: some Sequence<ActivityLine>) -> Micros? {
        var sum = Micros.zero
        for line in lines {
            guard let next = sum.adding(line.usage) else { return nil }
            sum = next
        }
        return sum
    }
}
