import CreditTypes

/// The projection rows a store keeps, written as the ledger's `Projector` says. Each
/// method is one change to one table; the ones that change an existing row answer whether
/// it was there. `ProjectionStatements` writes them, for either store, in SQL that both
/// run; a store may hold inserts back to write them together, but every change is written
/// in order.
protocol ProjectionWriter {
    func insertRun(id: Int64, account: String, command: String, startedAt: Timestamp) throws
    /// Ends run `id`; `false` when there is no such run.
    func finishRun(id: Int64, at: Timestamp, _ fact: RunFinished) throws -> Bool
    func insertSnapshot(id: Int64, account: String, _ fact: SnapshotTaken, runID: Int64?) throws
    func insertTopUp(id: Int64, account: String, _ fact: TopUpPlanned, runID: Int64?) throws
    /// The top-up `key` enters `requesting` for attempt `attempt`; `false` when there is none
    /// that may be requested (one with a request under way, or with its charge, may not).
    func requestTopUp(key: String, attempt: Int64, seq: Int64, runID: Int64?) throws -> Bool
    /// The top-up `fact.key` becomes `created` and its charge row is written, with the
    /// plan row's wallet, chain, amount, reference and memo; `false` when there is no such
    /// top-up with a request under way (an answer comes only to a request).
    func createCharge(seq: Int64, account: String, _ fact: ChargeCreated, runID: Int64?) throws -> Bool
    /// The top-up `fact.key` becomes `state` (`rejected`, `blocked`, `unknown`); `false`
    /// when there is no such top-up with a request under way.
    func failTopUp(state: String, seq: Int64, _ fact: ChargeFailed) throws -> Bool
    func insertRecordedCharge(seq: Int64, account: String, _ fact: ChargeRecorded, runID: Int64?) throws
    /// The top-up `key` becomes `recorded` with charge `chargeID`; `false` when there is no
    /// such top-up without a charge.
    func recordTopUp(key: String, chargeID: String, seq: Int64) throws -> Bool
    /// Charge `fact.chargeID` takes the export's status and payment time; `false` when
    /// there is no such charge.
    func recordChargeStatus(_ fact: ChargeStatusRecorded) throws -> Bool
    /// Charge `fact.chargeID`, recorded without a plan row, takes `fact.topUpKey`, and
    /// `fact.reference` when it has none (one it was recorded with stays, as the export
    /// gives it); `false` when there is no such charge.
    func linkCharge(_ fact: ChargeLinked) throws -> Bool
    /// Charge `fact.chargeID`, recorded from an export without a plan row and not voided,
    /// is kept as `void` under `ChargeVoided.voidedID`, the reason its memo; `false` when
    /// there is no such charge.
    func voidCharge(_ fact: ChargeVoided, seq: Int64) throws -> Bool
    /// A `key_listings` row and one `key_readings` row per key, in the listing's order.
    func insertKeyListing(id: Int64, account: String, _ fact: KeysRead, runID: Int64?) throws
    /// An `activity_days` row and one `activity_rows` row per line, numbered from 0.
    func insertActivityDay(id: Int64, account: String, _ fact: ActivityDay, runID: Int64?) throws
}
