/// Everything a call to the OpenRouter API can end in, other than success.
///
/// Each case is a sentence a finance person can act on (see `description`). None of them
/// ever carries a key or a request header: messages come from the API's error body or
/// from the transport, never from what was sent.
public enum APIError: Error, Sendable, CustomStringConvertible {
    /// 400 and other unlisted 4xx: the request was refused, nothing was created.
    case badRequest(status: Int, message: String, rawBody: String?)
    /// 401: the key was not accepted.
    case unauthorized(message: String)
    /// 403: the key may not do this.
    case forbidden(message: String)
    /// 410: the endpoint is gone for good; never retried.
    case gone(message: String, rawBody: String?)
    /// 429 still after the retry budget.
    case rateLimited(retryAfter: Duration?, message: String)
    /// 5xx after the retry budget (for `GET`; a `POST` answered 5xx is `outcomeUnknown`).
    case server(status: Int, message: String)
    /// The request provably never reached the server, even after retrying.
    case notSent(reason: String)
    /// A `POST` was sent and may or may not have created a charge.
    case outcomeUnknown(reason: String)
    /// A `GET` timed out, or lost its connection before the whole answer came, on every
    /// attempt within the retry budget; `slow` when the last attempt ran out of `--timeout`
    /// (not a connection closed under it, nor the server giving up on the request).
    case timedOut(reason: String, slow: Bool = true)
    /// The answer does not match the documented shape.
    case malformedResponse(reason: String, rawBody: String?)
    /// The answer has the documented shape, but an amount in it is beyond
    /// `Micros.largestAmount`, which the ledger cannot keep (a key's limit set that high).
    case beyondRange(reason: String, rawBody: String?)

    /// Why an answer that came could not be kept, and the answer: a malformed one, or one
    /// with an amount beyond range; `nil` for every other error.
    public var unreadAnswer: (reason: String, rawBody: String?)? {
        switch self {
        case .malformedResponse(let reason, let rawBody), .beyondRange(let reason, let rawBody): return (reason, rawBody)
        default: return nil
        }
    }

    /// The HTTP status the server answered, when there was one.
    public var httpStatus: Int? {
        switch self {
        case .badRequest(let status, _, _): return status
        case .unauthorized: return 401
        case .forbidden: return 403
        case .gone: return 410
        case .rateLimited: return 429
        case .server(let status, _): return status
        case .notSent, .outcomeUnknown, .timedOut, .malformedResponse, .beyondRange: return nil
        }
    }

    /// The text the CLI prints: what happened and what to do about it.
    public var description: String {
        switch self {
        case .badRequest(404, let message, _):
            return "the API has no such route (HTTP 404: \(message)); check that --base-url (OPENROUTER_BASE_URL) is "
                + "the API root, e.g. https://openrouter.ai/api/v1"
        case .badRequest(let status, let message, _):
            return "the API refused the request (HTTP \(status)): \(message); nothing was created — fix the request and run again"
        case .unauthorized(let message):
            return "the API did not accept the key (401 Unauthorized: \(message)); check OPENROUTER_API_KEY "
                + "(or OPENROUTER_BEARER, --api-key-file, --bearer-file) holds a current key — fetch (GET /key, /credits, "
                + "/keys, /activity) needs a management key"
        case .forbidden(let message):
            return "the key is not allowed to do this (403 Forbidden: \(message)); use a management key for fetch "
                + "(/key, /credits, /keys, /activity) and an enabled key with credit purchase rights for charges"
        case .gone(let message, _):
            return "Coinbase charges are no longer available through the API (410 Gone: \(message)); buy credits "
                + "through the web flow and record them with `credit-recon import charges FILE.csv`, linking rows by `reference`"
        case .rateLimited(let retryAfter, let message):
            // The longest wait read stands for any longer one (probe 267: 20 digits said as 10^12).
            // A wait under a tenth of a second was said as "0 s", beside "beyond the retry budget".
            let wait = retryAfter.map {
                $0 == .zero ? " (the API asks for no wait)"
                    : $0 < .milliseconds(100) ? " (the API asks to wait less than 0.1 s)"
                    : " (the API asks to wait \($0 >= RetryAfter.longest ? "at least " : "")\(Self.seconds($0)) s)"
            } ?? ""
            return "the API is rate limiting us (429 Too Many Requests: \(message))\(wait) beyond the retry budget; "
                + "try again later, or raise --max-retry-time (for topup and run, or lower their --rate-limit)"
        case .server(let status, let message):
            return "the API kept failing (HTTP \(status): \(message)) until the retry budget ran out; try again later"
        case .notSent(let reason):
            return "could not reach the API (\(reason)) until the retry budget ran out; nothing was sent — "
                + "check the network and --base-url, then try again"
        case .outcomeUnknown(let reason):
            return "the charge request was sent but no answer says whether it made a charge (\(reason)); a charge may or may not "
                + "have been created — check the OpenRouter dashboard before retrying (`topup PLAN.csv --retry-unknown`)"
        case .timedOut(let reason, let slow):
            return "no complete answer came from the API (\(reason)) until the retry budget ran out; try again later, or "
                + (slow ? "raise --timeout if the API is slow to answer" : "raise --max-retry-time to keep trying longer")
        case .malformedResponse(let reason, let rawBody):
            // Without a body kept (an answer that was not HTTP, or too long), debug has none to print.
            return "the API answered something that does not match its documented shape: \(reason); "
                + "check --base-url points at the OpenRouter API"
                + (rawBody == nil ? "" : " (--log-level debug prints the answer as it came)")
        case .beyondRange(let reason, _):
            // The API's own answer, not another server's: no --base-url to check.
            return "the API answered an amount credit-recon cannot keep: \(reason)"
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let (s, atto) = duration.components
        let tenths = atto / 100_000_000_000_000_000
        return tenths == 0 ? "\(s)" : "\(s).\(tenths)"
    }
}
