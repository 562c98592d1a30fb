extension APIError {
    /// A few words for log lines.
    public var shortReason: String {
        switch self {
        case .badRequest(let status, let message, _): return "HTTP \(status): \(message)"
        case .unauthorized(let message): return "401: \(message)"
        case .forbidden(let message): return "403: \(message)"
        case .gone(let message, _): return "410: \(message)"
        case .rateLimited(_, let message): return "429: \(message)"
        case .server(let status, let message): return "HTTP \(status): \(message)"
        case .notSent(let reason), .outcomeUnknown(let reason), .timedOut(let reason, _): return reason
        case .malformedResponse(let reason, _), .beyondRange(let reason, _): return reason
        }
    }
}
