import CreditTypes

/// `verify`'s replay writer: the replay's tables, and the check the live tables' foreign
/// keys make of every row that names a run (`run_id`): that an earlier entry started it.
/// The replay's tables carry no foreign keys (`Schema.projectionTables(in:)`): PostgreSQL
/// checks each row's key with a query of its own, where this is a lookup in a set. The
/// other foreign keys hold by construction: a key listing's readings and an activity
/// day's rows are written by the entry that writes their parent, and a charge that names
/// a top-up changes that top-up in the same entry (`createCharge`, `recordTopUp`), which
/// fails when there is none.
final class RunReferenceCheck: ProjectionWriter {
    private let replay: any ProjectionWriter
    private var started: Set<Int64> = []

    init(_ replay: any ProjectionWriter) { self.replay = replay }

    /// Refuses a row naming run `id` when no earlier entry started it, as the foreign key
    /// would (`malformedEntry`, which `verify` says the entry cannot be replayed for).
    private func check(_ id: Int64?) throws {
        guard let id, !started.contains(id) else { return }
        throw LedgerError.malformedEntry("expected run \(id) to have been started, but no such row exists")
    }

    func insertRun(id: Int64, account: String, command: String, startedAt: Timestamp) throws {
        try replay.insertRun(id: id, account: account, command: command, startedAt: startedAt)
        started.insert(id)
    }

    func finishRun(id: Int64, at time: Timestamp, _ fact: RunFinished) throws -> Bool {
        try replay.finishRun(id: id, at: time, fact)
    }

    func insertSnapshot(id: Int64, account: String, _ fact: SnapshotTaken, runID: Int64?) throws {
        try check(runID)
        try replay.insertSnapshot(id: id, account: account, fact, runID: runID)
    }

    func insertTopUp(id: Int64, account: String, _ fact: TopUpPlanned, runID: Int64?) throws {
        try check(runID)
        try replay.insertTopUp(id: id, account: account, fact, runID: runID)
    }

    func requestTopUp(key: String, attempt: Int64, seq: Int64, runID: Int64?) throws -> Bool {
        try check(runID)
        return try replay.requestTopUp(key: key, attempt: attempt, seq: seq, runID: runID)
    }

    func createCharge(seq: Int64, account: String, _ fact: ChargeCreated, runID: Int64?) throws -> Bool {
        try check(runID)
        return try replay.createCharge(seq: seq, account: account, fact, runID: runID)
    }

    func failTopUp(state: String, seq: Int64, _ fact: ChargeFailed) throws -> Bool {
        try replay.failTopUp(state: state, seq: seq, fact)
    }

    func insertRecordedCharge(seq: Int64, account: String, _ fact: ChargeRecorded, runID: Int64?) throws {
        try check(runID)
        try replay.insertRecordedCharge(seq: seq, account: account, fact, runID: runID)
    }

    func recordTopUp(key: String, chargeID: String, seq: Int64) throws -> Bool {
        try replay.recordTopUp(key: key, chargeID: chargeID, seq: seq)
    }

    func recordChargeStatus(_ fact: ChargeStatusRecorded) throws -> Bool {
        try replay.recordChargeStatus(fact)
    }

    func linkCharge(_ fact: ChargeLinked) throws -> Bool {
        try replay.linkCharge(fact)
    }

    func voidCharge(_ fact: ChargeVoided, seq: Int64) throws -> Bool {
        try replay.voidCharge(fact, seq: seq)
    }

    func insertKeyListing(id: Int64, account: String, _ fact: KeysRead, runID: Int64?) throws {
        try check(runID)
        try replay.insertKeyListing(id: id, account: account, fact, runID: runID)
    }

    func insertActivityDay(id: Int64, account: String, _ fact: ActivityDay, runID: Int64?) throws {
        try check(runID)
        try replay.insertActivityDay(id: id, account: account, fact, runID: runID)
    }
}
