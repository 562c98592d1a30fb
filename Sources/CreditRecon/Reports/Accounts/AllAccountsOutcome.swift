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
    /// A one-account report's files in `directory` itself (`periods.csv`, …), left by a
    /// `report` into the same folder earlier: not written by this one, so named.
    public var otherReportFiles: [String] = []

    /// Every account's figures added up.
    public var totals: AccountTotals

    /// The first local day of any account's range, and the last first-day-left-out.
    public var from: CivilDate? { accounts.map(\.from).min() }
    public var to: CivilDate? { accounts.map(\.to).max() }

    /// Exit 1 when any account's report needs a person, else 0.
    public var exitStatus: ExitStatus { accounts.map(\.exitStatus).max() ?? .ok }
}
