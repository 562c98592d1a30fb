import CreditTypes
import Ledger

/// `status`: balance, pace of use, runway, open charges and how old the last reading is.
public struct StatusReport: Sendable, Equatable {
    /// The account label.
    public var account: String
    /// The time the status is as of (`--now` or the clock).
    public var now: Timestamp
    /// Balance, pace and runway at the latest trusted reading; `nil` without readings.
    public var runway: Runway?
    /// Charges not yet paid nor expired.
    public var pending = OpenCharges()
    /// Requests whose outcome nobody knows.
    public var unknown = OpenCharges()
    /// Requests the API refused with 410 Gone (to be paid through the web flow).
    public var blocked = OpenCharges()
    /// The thresholds.
    public var options: StatusOptions
    /// The journal head hash read.
    public var headHash: String

    /// Milliseconds since the latest trusted reading; `nil` without readings.
    public var ageMilliseconds: Int64? {
        runway.map { now.millisecondsSinceEpoch - $0.observedAt.millisecondsSinceEpoch }
    }

    /// What needs a person, in words; empty when nothing does.
    public var attention: [String] {
        var reasons: [String] = []
        guard let runway, let age = ageMilliseconds else {
            return ["there are no readings yet: run `credit-recon fetch`"]
        }
        if let tenths = runway.tenthsOfDays, tenths < options.minRunwayDays * 10 {
            reasons.append("runway \(runway.daysText) days is under \(options.minRunwayDays) days: plan a top-up")
        }
        if age > options.maxGapSeconds * 1000 {
            reasons.append("the last reading is \(Runway.tenthsText(age / 360_000)) hours old, more than "
                + "\(options.maxGapSeconds / 3600): check that the nightly job runs")
        }
        return reasons
    }

    /// Exit 1 when the runway is under the threshold or the last reading too old, else 0.
    public var exitStatus: ExitStatus { attention.isEmpty ? .ok : .attention }

    /// Reads the ledger and works out the status at `now`.
    public static func read(ledger: Ledger, options: StatusOptions, now: Timestamp) throws -> StatusReport {
        var reconcile = ReconcileOptions(account: options.account)
        reconcile.maxGapSeconds = options.maxGapSeconds
        reconcile.minRunwayDays = options.minRunwayDays
        // The whole history, judged at `now`; the range must reach past any reading.
        let books = try Reconciler(options: reconcile).reconcile(ledger, asOf: now)
        var report = StatusReport(
            account: options.account, now: now, runway: books.runway, options: options, headHash: books.headHash)
        for charge in books.charges {
            switch charge.state {
            case .pending: report.pending.add(charge.amount)
            case .unknown: report.unknown.add(charge.amount)
            case .blocked: report.blocked.add(charge.amount)
            case .settled, .expired, .rejected: break
            }
        }
        return report
    }
}
