import CreditRecon
import Ledger

/// The accounts a ledger holds, for commands that read one account's books.
enum LedgerAccounts {
    /// Throws a usage error (64) naming the accounts the ledger holds when `account` is not
    /// one of them, instead of books that are silently empty (66 when it holds none);
    /// `orElse` names what else the command offers.
    static func require(_ account: String, in ledger: Ledger, orElse: String? = nil) throws {
        let accounts = try ledger.read { try $0.accounts() }
        guard !accounts.contains(account) else { return }
        if accounts.isEmpty { throw UsageError.noBooksYet }
        // Each name quoted with its own quotes escaped: `"ops/eu \"x\""`, not `"ops/eu "x""`.
        throw UsageError.usage("the ledger holds no account \(String(reflecting: account)); it holds "
                + "\(accounts.map { String(reflecting: $0) }.joined(separator: ", ")) "
                + "(pass --account NAME" + (orElse.map { ", or \($0)" } ?? "") + ")")
    }
}
