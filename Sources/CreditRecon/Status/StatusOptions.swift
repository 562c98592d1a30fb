import CreditTypes

/// What `status` checks.
public struct StatusOptions: Sendable, Equatable {
    /// The account label.
    public var account: String
    /// Runway below this many days needs a person (exit 1).
    public var minRunwayDays: Int64 = 7
    /// A last reading older than this needs a person (exit 1).
    public var maxGapSeconds: Int64 = 36 * 3600
    /// An enabled key with less than this left of its limit (or under 10 % of it) needs a
    /// person (exit 1): the `key_limit_low` rule of the report.
    public var minKeyRemaining = ReconcileOptions.defaultMinKeyRemaining

    /// Options for `account` with the defaults of CONTRACT.md.
    public init(account: String) { self.account = account }
}
