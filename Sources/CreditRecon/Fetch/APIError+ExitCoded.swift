import OpenRouterAPI

/// The API's errors mapped to CONTRACT.md § Exit codes, so `ErrorMapping` needs no case
/// of its own for them.
extension APIError: ExitCoded {
    /// The exit code of CONTRACT.md for this error.
    public var exitStatus: ExitStatus {
        switch self {
        case .unauthorized, .forbidden: return .noPermission
        case .server, .notSent, .timedOut: return .unavailable
        case .rateLimited: return .tempFail
        case .malformedResponse, .beyondRange: return .protocol
        // No such route: the base URL is not the API's root.
        case .badRequest(404, _, _): return .config
        // A refused, gone or unknown charge is recorded in the ledger by the top-up
        // flow; reaching the CLI as an error means a person must look at it.
        case .badRequest, .gone, .outcomeUnknown: return .attention
        }
    }
}
