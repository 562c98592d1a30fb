/// The accounts an export posts to, by what they are for (CONTRACT.md § Export); each can be
/// renamed with `--accounts-map`.
public enum AccountRole: String, Sendable, CaseIterable {
    /// The prepaid balance.
    case credits
    /// Use: one sub-account per key with readings, `:Unattributed` for the rest.
    case usage
    /// What paid the settled Coinbase charges.
    case charges
    /// Purchases no charge explains (card, web).
    case other
    /// The balance at the first reading.
    case opening

    /// The account used when the map does not name one.
    public var defaultAccount: String {
        switch self {
        case .credits: return "Assets:OpenRouter:Credits"
        case .usage: return "Expenses:OpenRouter:Usage"
        case .charges: return "Assets:Crypto:Wallets"
        case .other: return "Equity:Suspense:OpenRouter"
        case .opening: return "Equity:Opening-Balances"
        }
    }
}
