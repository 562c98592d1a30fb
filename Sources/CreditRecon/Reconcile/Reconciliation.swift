import CreditTypes
import Ledger

/// The books for one account over one range: everything the report files are drawn from.
public struct Reconciliation: Sendable, Equatable {
    /// The account label.
    public var account: String
    /// The time the report is as of: the newest journal entry's time (`status`: now).
    public var asOf: Timestamp
    /// The journal head hash the books were read at.
    public var headHash: String
    /// The IANA time zone periods follow.
    public var timeZone: String
    /// How time is cut.
    public var period: PeriodKind
    /// The first local day reported.
    public var from: CivilDate
    /// The first local day left out.
    public var to: CivilDate
    /// The periods, in time order.
    public var periods: [PeriodSummary]
    /// Charges and charge-less requests in scope, oldest first.
    public var charges: [ChargeLine]
    /// Findings in scope, in time order.
    public var findings: [Finding]
    /// The runway at the latest trusted reading; `nil` without readings.
    public var runway: Runway?
    /// Trusted readings in scope.
    public var trustedReadings: Int
    /// Readings in scope left out of the arithmetic (all-zero after non-zero ones).
    public var untrustedReadings: Int
    /// Each period's use by key, and what no key explains (`usage_by_key.csv`): in period
    /// order; in a period, keys by name then hash, the unattributed row last. Empty when no
    /// period is in the range.
    public var keyUsage: [KeyPeriodUsage] = []
    /// Every key of the latest listing in scope (`GET /keys`) with what it can still spend
    /// at the balance of the latest trusted reading, by name then hash.
    public var keys: [KeyLimitStanding] = []
    /// When that listing was read; `nil` when no listing is in scope.
    public var keysReadAt: Timestamp?
    /// Every key of the account the ledger has read up to `asOf`, each as its first reading
    /// says, in the order the ledger first read them (ties by hash): what the books name a
    /// key by, whatever the range and whatever it was renamed since (an export of one month
    /// and one of the next book a key to the same account, and a month exported again after
    /// a rename books it as before), and a key read later never renames one read before it.
    public var everyKey: [KeyReading] = []
    /// When the account's keys were first read; `nil` when never (all use is unattributed).
    public var firstKeysReadAt: Timestamp?
    /// The stored activity of the UTC days from `from` up to `to` (`usage_by_model.csv`),
    /// by date, then the order the API sent the rows.
    public var activity: [ActivityLineRow] = []
    /// The stored activity of the UTC days whose ending midnight falls in one of `periods`
    /// (a day after `activity`'s), by date: what *Top model* counts per period, the day
    /// before `from` in the first, whatever the range began with (probe 450: the first
    /// period's top model depended on --from).
    public var activityOfPeriods: [ActivityLineRow] = []
    /// How many UTC days of the range left the API's window without their activity being
    /// stored, whenever they left it (an `activity_lost` finding each, in the range's
    /// findings when it left within the range).
    public var activityLostDays = 0
    /// The ledger's newest runs, of any account, newest first (`recentRunCount` of them):
    /// those a writer at work says are its own (`Ledger.runningWriter(at:)`) are among them,
    /// since runs are only started by the one writer at a time.
    public var recentRuns: [RunRow] = []
    /// The plan rows in flight, by top-up key, each with the run of the writer at work
    /// (`ReconcileOptions.writer`) that has planned it or is sending it: neither never sent
    /// nor unknown yet. Only such rows, a few, not one entry per charge line.
    public var inFlightRuns: [String: Int64] = [:]
    /// The plan file of each plan row without a charge, by top-up key: what `status` names
    /// the command to send them again by (a few, not one entry per charge line).
    public var chargelessPlanFiles: [String: String] = [:]
    /// For each `expired` charge that only the readings show unpaid, by id, the charges of
    /// its amount (one of the same amount, or several that add up to it; or one it adds up
    /// to with `with`) that a rise it could have explained as well was taken to show
    /// (`Reconciler.alikeTakenInstead`): either may be the ones paid. Only such charges.
    public var alikeTakenInstead: [String: PaidInPlace] = [:]
    /// For each `expired` checkout recorded without a plan row that a later charge of the
    /// same purchase paid for, by id, that charge's id (`Reconciler.madeAgain`): nothing is
    /// left to buy. Only such charges.
    public var madeAgainBy: [String: String] = [:]

    /// The `ledger_damaged` finding: what every write would refuse the ledger for, so these
    /// books may not be what it was given; `nil` for a ledger that shows no damage.
    public var ledgerDamaged: Finding? { findings.first { $0.kind == .ledgerDamaged } }

    /// The most serious finding's severity, `nil` without findings.
    public var worstSeverity: Severity? { findings.map(\.severity).max() }

    /// Exit 1 when a finding at warning level or above exists, else 0.
    public var exitStatus: ExitStatus {
        if let worst = worstSeverity, worst >= .warning { return .attention }
        return .ok
    }

    /// Sums over all periods.
    public var totals: PeriodSummary {
        var total = PeriodSummary(
            start: from, end: to, startInstant: periods.first?.startInstant ?? asOf,
            endInstant: periods.last?.endInstant ?? asOf)
        total.opening = periods.first(where: { $0.opening != nil })?.opening
        total.closing = periods.last(where: { $0.closing != nil })?.closing
        for period in periods {
            total.purchased += period.purchased
            total.purchasedViaCharges += period.purchasedViaCharges
            total.purchasedOther += period.purchasedOther
            total.used += period.used
            total.chargesCreated += period.chargesCreated
            total.chargesCreatedAmount += period.chargesCreatedAmount
            total.chargesSettled += period.chargesSettled
            total.chargesSettledAmount += period.chargesSettledAmount
            total.findings += period.findings
        }
        return total
    }
}

extension Reconciliation {
    /// Sentences for a range reaching past the as-of time: the period it falls in, when that
    /// ends more than a day after it (a month closed before its end: its closing balance was
    /// asserted on a day no reading had reached, probe 296), and the periods after, which carry
    /// the last balance forward where no reading can have reached yet (they read as books
    /// closed, probe 128); `nil` when the range ends within a day of it.
    var periodsAhead: String? {
        var said: [String] = []
        if let open = periods.first(where: { $0.startInstant <= asOf && $0.endInstant > asOf }),
           open.endInstant.millisecondsSinceEpoch - asOf.millisecondsSinceEpoch > 86_400_000 {
            said.append("The period \(open.start.isoText) up to \(open.end.isoText) is not over at the as-of time "
                + "(\(asOf.iso8601)): its use and closing balance are the books' up to then, though dated at its end; "
                + "report or export it again once it is over.")
        }
        if let ahead = periods.first(where: { $0.startInstant > asOf }) {
            said.append("The periods from \(ahead.start.isoText) on begin after the as-of time (\(asOf.iso8601)): no reading "
                + "can fall in them yet, and their balances carry the last one forward.")
        }
        return said.isEmpty ? nil : said.joined(separator: " ")
    }
}
