import CreditTypes

/// One answer of `GET /key`: what the API says about the key that called it.
///
/// `fetch` reads it first, to refuse a key that is not a management key before anything
/// is stored (an ordinary key reads all-zero totals from `/credits`).
public struct KeyMetadata: Sendable, Equatable {
    /// The API's label for the key (a masked form of it, or a name); `nil` when not sent.
    public let label: String?
    /// Whether the key is a management (formerly "provisioning") key.
    public let isManagementKey: Bool
    /// The key's running use in USD, exact; `nil` when not sent.
    public let usage: Micros?
    /// The key's running use of its own providers' keys (BYOK) in USD; `nil` when not sent.
    public let byokUsage: Micros?
    /// The key's spending limit in USD; `nil` for no limit.
    public let limit: Micros?
    /// What is left of the limit in USD; `nil` for no limit.
    public let limitRemaining: Micros?
    /// How the limit resets (`daily`, `weekly`, `monthly`); `nil` when it never does.
    public let limitReset: String?
    /// When the key stops working; `nil` when it does not expire.
    public let expiresAt: Timestamp?
    /// The response body, verbatim.
    public let rawBody: String
    /// The API's clock when it answered (its `Date` header); `nil` when it sent none.
    /// `fetch` checks this machine's clock against it before dating anything.
    public var answeredAt: Timestamp?

    /// Metadata from its parts.
    public init(
        label: String?, isManagementKey: Bool, usage: Micros?, byokUsage: Micros?, limit: Micros?,
        limitRemaining: Micros?, limitReset: String?, expiresAt: Timestamp?, rawBody: String
    ) {
        self.label = label
        self.isManagementKey = isManagementKey
        self.usage = usage
        self.byokUsage = byokUsage
        self.limit = limit
        self.limitRemaining = limitRemaining
        self.limitReset = limitReset
        self.expiresAt = expiresAt
        self.rawBody = rawBody
    }
}
