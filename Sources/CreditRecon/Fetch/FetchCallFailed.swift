import OpenRouterAPI

/// A call of `fetch` after the snapshot (`GET /keys`, `GET /activity`) failed: what was
/// stored before it stays, and the next fetch reads what is missing. Exits with the
/// call's own code (CONTRACT.md § Usage attribution).
public struct FetchCallFailed: ExitCoded {
    /// The call, e.g. `GET /keys`.
    public let call: String
    /// What was stored before it, e.g. `the snapshot and the key readings`.
    public let kept: String
    public let error: APIError

    public var exitStatus: ExitStatus { error.exitStatus }

    public var description: String {
        "\(call) failed: \(error.description). What was stored before it (\(kept)) stays; the next fetch reads "
            + "what is missing"
    }
}
