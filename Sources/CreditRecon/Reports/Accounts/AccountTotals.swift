import CreditTypes

/// The figures of every account added up, for the `total` row of `accounts.csv`.
public struct AccountTotals: Sendable, Equatable {
    /// The accounts' opening balances added up (`nil` when no account has one).
    public var opening: Micros?
    /// Credits bought, all accounts.
    public var purchased: Micros
    /// Credits used, all accounts.
    public var used: Micros
    /// The accounts' closing balances added up (`nil` when no account has one).
    public var closing: Micros?
    /// Findings at warning level or above, all accounts.
    public var warnings: Int

    /// Adds up `accounts`; throws (65) when a sum passes what the books count exactly
    /// (each account's figures are bounded, not their sum over thousands of accounts).
    init(_ accounts: [AccountSummary]) throws(ReportError) {
        func sum(_ values: [Micros], _ column: String) throws(ReportError) -> Micros {
            var total = Micros.zero
            for value in values {
                guard let next = total.adding(value) else { throw ReportError.totalTooLarge(column, accounts: accounts.count) }
                total = next
            }
            return total
        }
        let openings = accounts.compactMap(\.opening), closings = accounts.compactMap(\.closing)
        opening = openings.isEmpty ? nil : try sum(openings, "opening balances")
        purchased = try sum(accounts.map(\.purchased), "purchases")
        used = try sum(accounts.map(\.used), "use")
        closing = closings.isEmpty ? nil : try sum(closings, "closing balances")
        warnings = accounts.reduce(0) { $0 + $1.warnings }
    }
}
