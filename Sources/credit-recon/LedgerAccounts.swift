import CreditRecon
import Ledger

/// The accounts a ledger holds, for commands that read one account's books.
enum LedgerAccounts {
    /// Throws a usage error (64) naming the accounts the ledger holds when `account` is not
    /// one of them, instead of books that are silently empty (66 when it holds none);
    /// `orElse` names what else the command offers. A label from `CREDIT_RECON_ACCOUNT` is
    /// said to be from there (probe 311: "pass --account NAME" to a user who had not), and
    /// is a configuration error (78), as any wrong value from the environment (probe 340: 64).
    static func require(_ account: String, from origin: AccountOrigin, in ledger: Ledger, orElse: String? = nil) throws {
        let accounts = try ledger.read { try $0.accounts() }
        guard !accounts.contains(account) else { return }
        if accounts.isEmpty { throw UsageError.noBooksYet }
        // Each name quoted with its own quotes escaped: `"ops/eu \"x\""`, not `"ops/eu "x""`.
        let given = origin == .environment ? " (CREDIT_RECON_ACCOUNT)" : ""
        let instead = origin == .environment ? "set CREDIT_RECON_ACCOUNT to one of them or pass --account NAME" : "pass --account NAME"
        let message = "the ledger holds no account \(TerminalText.quoted(account))\(given); it holds "
            + "\(accounts.map { TerminalText.quoted($0) }.joined(separator: ", ")) "
            + "(\(instead)" + (orElse.map { ", or \($0)" } ?? "") + ")"
        throw origin == .environment ? UsageError.config(message) : UsageError.usage(message)
    }
}
