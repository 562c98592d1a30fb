import Ledger

/// One plan row, keyed, and what this run will do with it.
public struct TopUpItem: Sendable, Equatable {
    /// What a run does with a row.
    public enum Action: String, Sendable, Equatable {
        /// Send a charge request: never sent, refused or provably not sent before, or an
        /// unknown outcome re-sent on purpose with `--retry-unknown`.
        case send
        /// Already carried out (`created` or `recorded`).
        case done
        /// `blocked` (410) earlier: never re-sent.
        case blocked
        /// Outcome unknown earlier (or left `requesting` by a dead run): a person decides.
        case unknown
    }

    public let key: String
    public let row: PlanRow
    /// The row's state in the ledger before this run, if it was planned before.
    public let previousState: String?
    public let action: Action
}
