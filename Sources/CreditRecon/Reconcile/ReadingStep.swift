import CreditTypes
import Ledger

/// What moved between two consecutive trusted readings: only what the books use of them
/// (a million steps of two whole rows each was memory written for nothing).
struct ReadingStep: Sendable {
    var fromAt: Timestamp
    var toAt: Timestamp
    var credits: Micros
    var usage: Micros

    init(from: SnapshotRow, to: SnapshotRow) {
        fromAt = from.observedAt
        toAt = to.observedAt
        credits = to.totalCredits - from.totalCredits
        usage = to.totalUsage - from.totalUsage
    }
}
