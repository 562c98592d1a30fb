import Ledger
import OpenRouterAPI

extension ActivityLine {
    /// The ledger's line for one row of `GET /activity` (its date is the day's).
    init(_ row: ActivityRow) {
        self.init(
            model: row.model, modelPermaslug: row.modelPermaslug, endpointID: row.endpointID, provider: row.providerName,
            usage: row.usage, byokUsage: row.byokUsageInference, requests: row.requests, promptTokens: row.promptTokens,
            completionTokens: row.completionTokens, reasoningTokens: row.reasoningTokens, cachedTokens: row.cachedTokens)
    }
}
