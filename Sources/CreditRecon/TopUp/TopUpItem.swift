import Ledger

/// One plan row, keyed, and what this run will do with it.
public struct TopUpItem: Sendable, Equatable {
    /// What a run does with a row.
    public enum Action: String, Sendable, Equatable {
        /// Send a charge request: never sent, provably not sent before (or refused for the
        /// key or the address, not the row), or an unknown outcome re-sent on purpose with
        /// `--retry-unknown`.
        case send
        /// Already carried out (`created` or `recorded`).
        case done
        /// `blocked` (410) earlier: never re-sent.
        case blocked
        /// Outcome unknown earlier (or left `requesting` by a dead run): a person decides.
        case unknown
        /// Refused by the API for the row itself earlier (a 4xx other than 401, 403, 404 and
        /// 429): not sent again; the row needs fixing, under a new reference.
        case rejected
        /// Of another account than the run's (`--account`), whatever it stands at: this run's
        /// key would buy it on this account's OpenRouter account and book it for the other
        /// (probe 200), and its state is that account's to settle. Left for a top-up of that
        /// account, with its key.
        case otherAccount = "other_account"
        /// Planned or being sent by a top-up at work now, the writer holding the ledger's lock
        /// (`TopUpPreview.writerAtWork`), seen by a preview made without it (`--dry-run`, `plan
        /// check`): its run settles it. A run of its own never sees one (it holds the lock).
        case inFlight = "in_flight"
    }

    public let key: String
    public let row: PlanRow
    /// The row's state in the ledger before this run, if it was planned before.
    public let previousState: String?
    public let action: Action

    /// This item, its row in `state` in the ledger now (`rejected` by a `429` this run
    /// recorded), to be sent again.
    func retried(from state: String) -> TopUpItem {
        TopUpItem(key: key, row: row, previousState: state, action: action)
    }
}
