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

    /// The hledger account type of the role's accounts: what a prepaid balance and the
    /// wallets are (an asset), use (an expense), and the rest (equity).
    var hledgerType: String {
        switch self {
        case .credits, .charges: "A"
        case .usage: "X"
        case .other, .opening: "E"
        }
    }

    /// The type hledger gives `account` by its first name (hledger's own rule, any letter
    /// case: `asset(s)`, `liabilit(y|ies)` or `debt(s)`, `equity`, `revenue(s)` or `income(s)`,
    /// `expense(s)`), or `nil` when it gives none.
    static func hledgerType(of account: String) -> String? {
        let root = account.prefix { $0 != ":" }.lowercased()
        switch root {
        case "asset", "assets": return "A"
        case "liability", "liabilities", "debt", "debts": return "L"
        case "equity": return "E"
        case "revenue", "revenues", "income", "incomes": return "R"
        case "expense", "expenses": return "X"
        default: return nil
        }
    }

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
