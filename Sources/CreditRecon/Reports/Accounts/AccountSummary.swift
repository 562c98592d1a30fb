import CreditTypes

/// One account's line of `accounts.csv` and `accounts.md`, kept after its folder is
/// written: the totals and counts, not the books themselves, so a ledger of many large
/// accounts is never held in memory all at once.
public struct AccountSummary: Sendable, Equatable {
    /// The account label.
    public var account: String
    /// Its folder's name under `--out` (`AccountFolder`).
    public var folder: String
    /// The folder's path.
    public var directory: String
    /// The files written into it.
    public var files: [String]
    /// The account's range: its first local day, and the first day left out.
    public var from: CivilDate
    public var to: CivilDate
    /// The balance at the start of the range (`nil` before the account's first reading).
    public var opening: Micros?
    /// Credits bought over the range.
    public var purchased: Micros
    /// Credits used over the range.
    public var used: Micros
    /// The balance at the end of the range (`nil` without a reading in it).
    public var closing: Micros?
    /// How many of its findings are at warning level or above (errors included).
    public var warnings: Int
    /// Exit 1 when its report needs a person, else 0.
    public var exitStatus: ExitStatus
    /// The journal head hash its books were read at.
    public var headHash: String
    /// The time its books are judged at.
    public var asOf: Timestamp
    /// What `report --json` prints for this account alone.
    public var json: JSONOutput

    /// The summary of a report just written into the folder `folder`.
    init(_ outcome: ReportOutcome, folder: String) {
        let books = outcome.reconciliation
        let totals = books.totals
        account = books.account
        self.folder = folder
        directory = outcome.directory
        files = outcome.files
        from = books.from
        to = books.to
        opening = totals.opening
        purchased = totals.purchased
        used = totals.used
        closing = totals.closing
        warnings = books.findings.filter { $0.severity >= .warning }.count
        exitStatus = outcome.exitStatus
        headHash = books.headHash
        asOf = books.asOf
        json = outcome.json
    }
}
