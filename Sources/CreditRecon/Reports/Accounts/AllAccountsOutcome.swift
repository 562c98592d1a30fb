import CreditTypes

/// What `report --all-accounts` wrote: a folder per account, and `accounts.csv` and
/// `accounts.md` beside them with every account's totals.
public struct AllAccountsOutcome: Sendable, Equatable {
    /// The `--out` folder.
    public var directory: String
    /// Every account, in the ledger's byte order of labels.
    public var accounts: [AccountSummary]
    /// `accounts.csv` and `accounts.md`, in that order.
    public var files: [String]
    /// The journal head hash every account's books were read at.
    public var headHash: String
    /// The time the books are judged at (the newest journal entry's).
    public var asOf: Timestamp
    /// The options every account was reported with (its `account` is not used).
    public var options: ReconcileOptions
    /// The IANA name of the time zone the periods follow.
    public var timeZone: String
    /// Folders in `directory` holding an account's reports that are no account of this
    /// ledger (left by an earlier `--all-accounts` of other books into the same folder):
    /// named, not removed, so nobody reads them as these books.
    public var foreignFolders: [String] = []

    /// The sum of a column over the accounts that have a value in it; `nil` when none has.
    static func sum(_ values: [Micros?]) -> Micros? {
        let present = values.compactMap { $0 }
        return present.isEmpty ? nil : present.reduce(.zero, +)
    }

    /// The accounts' opening balances added up (`nil` when no account has one).
    public var totalOpening: Micros? { Self.sum(accounts.map(\.opening)) }
    /// Credits bought, all accounts.
    public var totalPurchased: Micros { accounts.reduce(.zero) { $0 + $1.purchased } }
    /// Credits used, all accounts.
    public var totalUsed: Micros { accounts.reduce(.zero) { $0 + $1.used } }
    /// The accounts' closing balances added up (`nil` when no account has one).
    public var totalClosing: Micros? { Self.sum(accounts.map(\.closing)) }
    /// Findings at warning level or above, all accounts.
    public var totalWarnings: Int { accounts.reduce(0) { $0 + $1.warnings } }

    /// The first local day of any account's range, and the last first-day-left-out.
    public var from: CivilDate? { accounts.map(\.from).min() }
    public var to: CivilDate? { accounts.map(\.to).max() }

    /// Exit 1 when any account's report needs a person, else 0.
    public var exitStatus: ExitStatus { accounts.map(\.exitStatus).max() ?? .ok }
}
