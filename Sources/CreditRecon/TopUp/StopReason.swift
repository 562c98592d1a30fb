/// Why a top-up stopped starting new requests before the end of the plan.
public enum StopReason: Sendable, Equatable, CustomStringConvertible {
    /// SIGINT, SIGTERM or SIGHUP.
    case interrupted(signal: String)
    /// 401/403: every later row would be refused the same way.
    case keyRefused(String)
    /// The API could not be reached within the retry budget.
    case apiUnavailable(String)
    /// 429 beyond the retry budget.
    case rateLimited(String)
    /// 404: the base URL is not the API's root; every later row would go astray the same way.
    case wrongAddress(String)

    public var description: String {
        switch self {
        case .interrupted(let signal):
            return "stopped by \(signal): requests already sent were finished and recorded; run topup again to send the rest"
        case .keyRefused(let message), .apiUnavailable(let message), .rateLimited(let message), .wrongAddress(let message):
            return "stopped: \(message)"
        }
    }

    /// The exit code of a run stopped for this reason.
    public var exitStatus: ExitStatus {
        switch self {
        case .interrupted, .rateLimited: return .tempFail
        case .keyRefused: return .noPermission
        case .apiUnavailable: return .unavailable
        case .wrongAddress: return .config
        }
    }
}
