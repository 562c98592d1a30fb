import CreditTypes
import Logging

/// How an `OpenRouterClient` talks to the API.
public struct ClientConfiguration: Sendable {
    /// OpenRouter's own API root, `--base-url`'s default.
    public static let productionBaseURL = "https://openrouter.ai/api/v1"

    /// The API root, e.g. `https://openrouter.ai/api/v1` (a trailing slash is ignored).
    public var baseURL: String
    /// The management key, for `GET /credits`.
    public var managementKey: Secret?
    /// The bearer for `POST /credits/coinbase`.
    public var bearer: Secret?
    /// One request's limit, from sending to the last byte of the answer.
    public var timeout: Duration
    /// How long one call may keep retrying before it gives up.
    public var maxRetryTime: Duration
    /// Client-side requests per second across all concurrent calls (`nil`: no limit).
    public var rateLimit: Double?
    /// `credit-recon/<version>`.
    public var userAgent: String
    /// Optional `HTTP-Referer` header, as the official SDKs send it.
    public var referer: String?
    /// Optional `X-Title` header, as the official SDKs send it.
    public var title: String?
    /// Where the client logs (never keys or headers).
    public var logger: Logger

    /// A configuration; everything but `baseURL` has a default.
    public init(
        baseURL: String,
        managementKey: Secret? = nil,
        bearer: Secret? = nil,
        timeout: Duration = .seconds(30),
        maxRetryTime: Duration = .seconds(120),
        rateLimit: Double? = nil,
        userAgent: String = "credit-recon",
        logger: Logger = Logger(label: "credit-recon.api")
    ) {
        self.baseURL = baseURL
        self.managementKey = managementKey
        self.bearer = bearer
        self.timeout = timeout
        self.maxRetryTime = maxRetryTime
        self.rateLimit = rateLimit
        self.userAgent = userAgent
        self.referer = nil
        self.title = nil
        self.logger = logger
    }
}
