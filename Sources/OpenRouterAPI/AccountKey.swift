import CreditTypes

/// One key of the account, as `GET /keys` lists it: running totals, like a snapshot, so a
/// key's use over a period is the difference of two readings.
public struct AccountKey: Sendable, Equatable {
    /// The key's id (a hash of the key; never the key itself).
    public let hash: String
    /// The name given when the key was created; `nil` when not sent.
    public let name: String?
    /// The API's label for the key (a masked form of it); `nil` when not sent.
    public let label: String?
    /// Whether the key is disabled; `nil` when not sent.
    public let disabled: Bool?
    /// The key's running use in USD since it was created, exact.
    public let usage: Micros
    /// Its running use of its own providers' keys (BYOK) in USD; `nil` when not sent.
    public let byokUsage: Micros?
    /// Its spending limit in USD; `nil` for no limit.
    public let limit: Micros?
    /// What is left of the limit in USD; `nil` for no limit.
    public let limitRemaining: Micros?
    /// How the limit resets (`daily`, `weekly`, `monthly`); `nil` when it never does.
    public let limitReset: String?
    /// When the key was created; `nil` when not sent.
    public let createdAt: Timestamp?
    /// When the key was last changed; `nil` when not sent or never changed.
    public let updatedAt: Timestamp?
    /// When the key stops working; `nil` when it does not expire.
    public let expiresAt: Timestamp?
    /// The workspace the key spends in; `nil` when not sent.
    public let workspaceID: String?
    /// This key's object from the answer as compact JSON with sorted keys (numbers keep
    /// the text the API sent), for the ledger.
    public let rawJSON: String

    /// A key from its parts.
    public init(
        hash: String, name: String?, label: String?, disabled: Bool?, usage: Micros, byokUsage: Micros?,
        limit: Micros?, limitRemaining: Micros?, limitReset: String?, createdAt: Timestamp?, updatedAt: Timestamp?,
        expiresAt: Timestamp?, workspaceID: String?, rawJSON: String
    ) {
        self.hash = hash
        self.name = name
        self.label = label
        self.disabled = disabled
        self.usage = usage
        self.byokUsage = byokUsage
        self.limit = limit
        self.limitRemaining = limitRemaining
        self.limitReset = limitReset
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
        self.workspaceID = workspaceID
        self.rawJSON = rawJSON
    }
}
