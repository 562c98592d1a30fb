import CreditTypes

/// One key of the account as one `GET /keys` listing showed it: running totals, like a
/// snapshot, so a key's use over a period is the difference of two of its readings.
public struct KeyReading: Sendable, Equatable {
    /// The key's id (a hash of the key; never the key itself).
    public var hash: String
    public var name: String?
    /// The API's label for the key (a masked form of it).
    public var label: String?
    /// `nil` when the API did not say.
    public var disabled: Bool?
    /// The key's running use since it was created.
    public var usage: Micros
    /// Its running use of its own providers' keys (BYOK).
    public var byokUsage: Micros?
    /// Its spending limit; `nil` for none.
    public var limit: Micros?
    /// What is left of the limit; `nil` for no limit.
    public var limitRemaining: Micros?
    /// How the limit resets (`daily`, `weekly`, `monthly`); `nil` when it never does.
    public var limitReset: String?
    /// When the key was created: use before a key's first reading counts as its own only
    /// when the key is newer than the account's previous reading.
    public var createdAt: Timestamp?

    public init(hash: String, name: String?, label: String?, disabled: Bool?, usage: Micros, byokUsage: Micros?,
                limit: Micros?, limitRemaining: Micros?, limitReset: String?, createdAt: Timestamp?) {
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
    }
}
