import CreditTypes
import Ledger

/// One key's use in one period, or the period's use no key explains: one row of
/// `usage_by_key.csv` (CONTRACT.md § Usage attribution).
///
/// Per period, the rows' `used` add up to the period's `used` exactly: the unattributed
/// row is what the keys leave over.
public struct KeyPeriodUsage: Sendable, Equatable {
    /// The period's first local day (as in `periods.csv`).
    public var start: CivilDate
    /// The first local day after the period.
    public var end: CivilDate
    /// The key as its latest reading in the period showed it; `nil` for the unattributed row.
    public var key: KeyReading?
    /// The rise of the key's `usage` over its readings in the period (the later reading in
    /// the period); for the unattributed row, the period's `used` less every key's.
    public var used: Micros

    /// The text `usage_by_key.csv` gives in `key_hash` for the unattributed row.
    public static let unattributedHash = "unattributed"
}
