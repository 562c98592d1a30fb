import CreditTypes

/// A key created with `POST /_sim/keys`: an inference key whose use `POST /_sim/usage`
/// records, listed by `GET /api/v1/keys` until it is deleted.
public struct SimKey: Sendable, Equatable {
    /// The key's id, as `/keys` lists it.
    public var hash: String
    /// The key itself (a made-up one: the simulator's keys open nothing real).
    public var key: String
    /// The name it was created with.
    public var name: String
    /// Its spending limit; `nil` for none.
    public var limit: Micros?
    /// Its running use since it was created.
    public var usage: Micros
    /// Disabled keys are refused (403) and listed only with `include_disabled=true`.
    public var disabled: Bool
    /// When it was created (simulator clock).
    public var createdAt: Timestamp
    /// When it was last changed (disabled); `nil` when never.
    public var updatedAt: Timestamp?

    /// A key from its parts.
    public init(
        hash: String, key: String, name: String, limit: Micros?, usage: Micros = .zero, disabled: Bool = false,
        createdAt: Timestamp, updatedAt: Timestamp? = nil
    ) {
        self.hash = hash
        self.key = key
        self.name = name
        self.limit = limit
        self.usage = usage
        self.disabled = disabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// What is left of the limit; `nil` for no limit.
    public var limitRemaining: Micros? { limit.map { $0 - usage } }

    /// The API's label for a key: its first and last characters around an ellipsis, as
    /// the dashboard shows keys (`sk-or-v1-0e6...1c9`), never the whole key.
    static func label(for key: String) -> String {
        let prefix = key.hasPrefix("sk-or-v1-") ? "sk-or-v1-" : ""
        let rest = key.dropFirst(prefix.count)
        guard rest.count >= 8 else { return prefix + "..." }
        return prefix + rest.prefix(3) + "..." + rest.suffix(3)
    }
}
