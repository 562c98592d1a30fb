import Ledger

/// The plan rows of the writer at work on a ledger (`Ledger.writerAtWork`): its runs (`Reconciler
/// .ownRuns`), and the plans' batches they planned or sent. A row is in flight, its run's to
/// settle, when one of its runs planned it or is sending it, or when it is still `planned` in
/// a plan's batch the writer is sending: a dead run's row of the plan it sends again (probe
/// 426). Another plan's row in a batch of the same name is not (probe 69). The one rule of the
/// reconciler (`inFlightRuns`) and of a top-up's preview made without the lock.
struct RowsAtWork: Sendable {
    /// The writer's runs that have not ended.
    var runs: Set<Int64> = []
    /// The newest of them that planned or sent rows of each plan's batch, by `key`.
    var batches: [String: Int64] = [:]

    /// What `writer` is at work on, read by `reader`; none without a writer, or when what it
    /// announced does not hold up (`Reconciler.ownRuns`).
    init(writer: RunningWriter?, among recent: [RunRow], reader: LedgerReader) throws {
        runs = Set(Reconciler.ownRuns(of: writer, among: recent).map(\.id))
        guard !runs.isEmpty else { return }
        for batch in try reader.topUpBatches(runs: Array(runs)) {
            let key = Self.key(batch.account, batch.batch, batch.planFile)
            batches[key] = max(batches[key] ?? batch.runID, batch.runID)
        }
    }

    init() {}

    /// The run of the writer at work a row in `state` is in flight with, if it is: `runID`,
    /// the run that planned it or last sent it; `account`, `batch`, `planFile` its plan's.
    func run(state: String, runID: Int64?, account: String, batch: String, planFile: String) -> Int64? {
        if state == "planned" || state == "requesting", let runID, runs.contains(runID) { return runID }
        return state == "planned" ? batches[Self.key(account, batch, planFile)] : nil
    }

    private static func key(_ account: String, _ batch: String, _ planFile: String) -> String {
        [account, batch, planFile].joined(separator: "\u{0}")
    }
}
