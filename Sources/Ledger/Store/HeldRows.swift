/// Insert-only projection rows (readings, recorded charges) a store's transaction holds
/// back to write many in one statement, for the live tables and for `verify`'s replay.
/// Every other change writes what is held first, so rows still land in order.
struct HeldRows {
    /// A reading held back, as journal entry `id` gave it.
    struct Snapshot {
        let id: Int64
        let account: String
        let fact: SnapshotTaken
        let runID: Int64?
    }

    /// A recorded charge held back, as journal entry `seq` gave it.
    struct Charge {
        let seq: Int64
        let account: String
        let fact: ChargeRecorded
        let runID: Int64?
    }

    /// The rows held for one target.
    struct Batch {
        var snapshots: [Snapshot] = []
        var charges: [Charge] = []
        var isEmpty: Bool { snapshots.isEmpty && charges.isEmpty }

        /// Each row alone, with the journal entry it comes from: when a store refuses a
        /// batch in a replay, it writes them one by one to name the entry refused.
        var singleRows: [(seq: Int64, batch: Batch)] {
            snapshots.map { ($0.id, Batch(snapshots: [$0])) } + charges.map { ($0.seq, Batch(charges: [$0])) }
        }
    }

    private var live = Batch()
    private var replay = Batch()

    /// Holds a reading for `target`; `true` once `limit` of them are held.
    mutating func hold(_ row: Snapshot, for target: ProjectionTarget, limit: Int) -> Bool {
        switch target {
        case .live: live.snapshots.append(row); return live.snapshots.count >= limit
        case .replay: replay.snapshots.append(row); return replay.snapshots.count >= limit
        }
    }

    /// Holds a recorded charge for `target`; `true` once `limit` of them are held.
    mutating func hold(_ row: Charge, for target: ProjectionTarget, limit: Int) -> Bool {
        switch target {
        case .live: live.charges.append(row); return live.charges.count >= limit
        case .replay: replay.charges.append(row); return replay.charges.count >= limit
        }
    }

    /// The rows held for `target`, which are no longer held.
    mutating func take(_ target: ProjectionTarget) -> Batch {
        var taken = Batch()
        switch target {
        case .live: swap(&taken, &live)
        case .replay: swap(&taken, &replay)
        }
        return taken
    }
}
