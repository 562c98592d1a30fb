import CreditTypes
import Ledger

/// The readings steps: which readings to believe, and what moved between them.
extension Reconciler {
    /// Splits the readings into trusted and untrusted ones.
    ///
    /// An all-zero reading after non-zero ones is what a key without management rights
    /// gets; it is kept in the ledger but never believed.
    func trustedReadings(
        _ snapshots: [SnapshotRow], findings: inout [Finding]
    ) -> (trusted: [SnapshotRow], untrusted: [SnapshotRow]) {
        var trusted: [SnapshotRow] = []
        trusted.reserveCapacity(snapshots.count)
        var untrusted: [SnapshotRow] = []
        var sawNonZero = false
        for snapshot in snapshots {
            let zero = snapshot.totalCredits == .zero && snapshot.totalUsage == .zero
            if zero && sawNonZero {
                untrusted.append(snapshot)
                findings.append(Finding(
                    .warning, .zeroReading, at: snapshot.observedAt, account: options.account,
                    message: "the reading at \(snapshot.observedAt.iso8601) says total_credits 0 and total_usage 0 "
                        + "after non-zero readings; it was left out of the books. Check that the key is a management key."))
                continue
            }
            if !zero { sawNonZero = true }
            trusted.append(snapshot)
        }
        return (trusted, untrusted)
    }

    /// The steps between consecutive trusted readings, with a finding for each running
    /// total that went down and each gap longer than `maxGapSeconds`.
    func readingSteps(between trusted: [SnapshotRow], findings: inout [Finding]) -> [ReadingStep] {
        let account = options.account
        var steps: [ReadingStep] = []
        steps.reserveCapacity(trusted.count)
        for (earlier, later) in zip(trusted, trusted.dropFirst()) {
            let step = ReadingStep(from: earlier, to: later)
            steps.append(step)
            if step.credits < .zero {
                findings.append(Finding(
                    .warning, .creditsDecreased, at: later.observedAt, account: account, amount: step.credits,
                    message: "total_credits went down by \(step.credits.magnitude.decimalText) between "
                        + "\(earlier.observedAt.iso8601) and \(later.observedAt.iso8601); running totals should only rise. "
                        + "Ask OpenRouter about a refund or correction."))
            }
            if step.usage < .zero {
                findings.append(Finding(
                    .warning, .usageDecreased, at: later.observedAt, account: account, amount: step.usage,
                    message: "total_usage went down by \(step.usage.magnitude.decimalText) between "
                        + "\(earlier.observedAt.iso8601) and \(later.observedAt.iso8601); running totals should only rise. "
                        + "Ask OpenRouter about a usage correction."))
            }
            let gap = later.observedAt.millisecondsSinceEpoch - earlier.observedAt.millisecondsSinceEpoch
            if gap > options.maxGapSeconds * 1000 {
                findings.append(Finding(
                    .warning, .snapshotGap, at: later.observedAt, account: account,
                    message: "no trusted reading for \(Runway.hoursPast(gap, limitHours: options.maxGapSeconds / 3600)) between "
                        + "\(earlier.observedAt.iso8601) and \(later.observedAt.iso8601) (more than "
                        + "\(options.maxGapSeconds / 3600) hours); check that the nightly job runs."))
            }
        }
        return steps
    }
}
