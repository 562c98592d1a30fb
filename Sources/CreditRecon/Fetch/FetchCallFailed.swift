import OpenRouterAPI

/// A call of `fetch` failed, named: before the snapshot (`GET /key`, `GET /credits`)
/// nothing but the failed run is stored; after it (`GET /keys`, `GET /activity`) what
/// was stored before it stays, and the next fetch reads what is missing. Exits with the
/// call's own code (CONTRACT.md § Usage attribution).
public struct FetchCallFailed: ExitCoded, FailureDetails {
    /// The call, e.g. `GET /keys`.
    public let call: String
    /// What was stored before it; nothing before the snapshot (`GET /key`, `GET /credits`:
    /// the run alone is recorded).
    public let kept: FetchKept
    public let error: APIError

    public init(call: String, kept: FetchKept, error: APIError) {
        self.call = call
        self.kept = kept
        self.error = error
    }

    public var failureDetails: [String: JSONOutput] { ["failed_call": .string(call), "stored": kept.json] }

    public var exitStatus: ExitStatus { error.exitStatus }

    public var description: String {
        if kept.isEmpty {
            return "\(call) failed: \(error.description). Nothing was stored but the run, recorded as failed"
        }
        return "\(call) failed: \(error.description). What was stored before it (\(kept.text)) stays; the next fetch reads "
            + "what is missing"
    }
}
