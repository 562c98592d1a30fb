import CreditTypes
import Ledger

/// How long the balance lasts at the recent pace of use.
///
/// Everything is integer arithmetic on micro-USD and milliseconds (wide enough not to
/// overflow); days are kept in tenths so they print with one decimal without `Double`.
public struct Runway: Sendable, Equatable {
    /// Balance at the latest trusted reading (`total_credits − total_usage`).
    public var balance: Micros
    /// When that reading was taken.
    public var observedAt: Timestamp
    /// Milliseconds from the first trusted reading to the latest: the history the averages
    /// had when it is shorter than their 7 or 30 days.
    public var historyMilliseconds: Int64?
    /// Milliseconds between the two readings each average was taken from: 7 or 30 days
    /// and the time to the reading before, or much more across a gap in the readings.
    public var span7Milliseconds: Int64?
    public var span30Milliseconds: Int64?
    /// The micro-USD used over each span: the runway is divided by the pace they make, not by
    /// the averages, which are cut to a micro-dollar a day (probe 287: 4.666665 USD at 2 USD in
    /// 3 days is 6.9999975 days, said 7.0 from a pace of 0.666666, and no `runway_low` at 7).
    public var used7: Int128?
    public var used30: Int128?

    /// Average use per day over the last 7 days (or the history there is); `nil` without
    /// readings an hour apart (`minimumPaceMilliseconds`).
    public var averageDaily7: Micros? { window(days: 7).map { Self.pace($0.used, elapsed: $0.span) } }
    /// Average use per day over the last 30 days (or the history there is).
    public var averageDaily30: Micros? { window(days: 30).map { Self.pace($0.used, elapsed: $0.span) } }

    /// The use over the span of the average over `days` (7 or 30), when it was measured: its
    /// readings at least `minimumPaceMilliseconds` apart.
    private func window(days: Int64) -> (used: Int128, span: Int64)? {
        let (used, span) = days == 7 ? (used7, span7Milliseconds) : (used30, span30Milliseconds)
        guard let used, let span, span >= Self.minimumPaceMilliseconds else { return nil }
        return (used, span)
    }

    /// `over 7 days`, or, when the readings span less, the days they span; across a gap in
    /// the readings (the last one at least 7 days old is a day or more older still), the
    /// days the average really spans, and where the gap is: readings younger than 7 days
    /// may lie inside the span (it said "no reading in between" of them).
    public func span(days: Int64) -> String {
        guard let history = historyMilliseconds, history < days * 86_400_000 else {
            if let actual = days == 7 ? span7Milliseconds : span30Milliseconds, actual >= (days + 1) * 86_400_000 {
                let spanned = Self.roundedTenths(actual, per: 8_640_000)
                return "over the last \(spanned) days (no reading between \(days) and \(spanned) days before the latest)"
            }
            return "over \(days) days"
        }
        // Under a day, in hours: "over the 0.0 days" says nothing. Under the hour a pace needs,
        // cut, as `daysPhrase` says it beside this: 59 minutes were "1.0 hours of readings"
        // beside "the readings span 0.9 hours" (probe 338).
        if history < 86_400_000 {
            let hours = history < Self.minimumPaceMilliseconds ? Self.tenthsText(history / 360_000) : Self.roundedTenths(history, per: 360_000)
            return "over the \(hours) hours of readings"
        }
        return "over the \(Self.roundedTenths(history, per: 8_640_000)) days of readings"
    }

    /// Whether the average over `days` (7 or 30) is under a micro-dollar a day, which
    /// `averageDaily7` and `averageDaily30` say as one.
    public func paceIsUnderAMicro(days: Int64) -> Bool {
        guard let (used, span) = window(days: days), used > 0 else { return false }
        return used * 86_400_000 < Int128(span)
    }

    /// `the balance is overdrawn: -8.46 USD at the reading of …`, or `empty`, when nothing
    /// is left: the account's next request is refused, whatever the runway threshold.
    public var emptyBalanceText: String? {
        guard balance.raw <= 0 else { return nil }
        return "the balance is \(balance.raw < 0 ? "overdrawn" : "empty"): \(balance.decimalText) USD at the reading of "
            + "\(observedAt.iso8601), so the account's requests are refused"
    }

    /// Days the balance lasts at the faster of the two paces, in tenths of a day; `nil`
    /// when nothing is being used, unless nothing is left: an empty or overdrawn account has
    /// no runway, used or not (its next request is refused).
    public var tenthsOfDays: Int64? { tenthsOfDays(after: 0) }

    /// What is left `age` milliseconds after the reading at the same pace, in tenths of a
    /// day, cut as `tenthsOfDays` is (never below 0): the exact quotient less the exact age,
    /// then cut, so that it never promises a tenth too many (probe 148: the age cut first
    /// said 230.0 where 229.95 were left).
    public func tenthsOfDays(after age: Int64) -> Int64? {
        guard balance.raw > 0 else { return 0 }
        // The faster pace, `used` over `span` milliseconds, compared by cross-multiplying.
        let paces = [window(days: 7), window(days: 30)].compactMap { window -> (Int128, Int128)? in
            guard let (used, span) = window, used > 0 else { return nil }
            return (used, Int128(span))
        }
        guard let (used, span) = paces.max(by: { $0.0 * $1.1 < $1.0 * $0.1 }) else { return nil }
        // tenths = 10·balance/(used per day) − age/(8 640 000 ms), over one denominator:
        // (balance·span − age·used) / (used·8 640 000).
        let numerator = Int128(balance.raw) * span - Int128(max(age, 0)) * used
        guard numerator > 0 else { return 0 }
        return Int64(clamping: numerator / (used * 8_640_000))
    }

    /// `12.3 days`, or, when nothing is being used, `n/a: no use to measure` (it said
    /// `n/a days`), or when the readings span too little to measure a pace, says so.
    public var daysPhrase: String {
        guard tenthsOfDays == nil else { return "\(daysText) days" }
        guard let history = historyMilliseconds, history < Self.minimumPaceMilliseconds else { return "n/a: no use to measure" }
        // Cut, not rounded: 59 min 59 s said "1.0 hours" beside "needs an hour" (probe 172).
        return "n/a: the readings span \(Self.tenthsText(history / 360_000)) hours, "
            + "and a pace of use needs readings an hour apart"
    }

    /// `12.3`, or `n/a` when nothing is being used.
    public var daysText: String {
        guard let tenths = tenthsOfDays else { return "n/a" }
        return Self.tenthsText(tenths)
    }

    /// `value` in tenths of `tenth` (360_000 ms: tenths of an hour), rounded to the nearest,
    /// as `tenthsText` writes it: a duration said in words (2.9999995 days is `3.0`, not
    /// `2.9`). The runway itself is cut, not rounded: it must not promise a tenth too many.
    static func roundedTenths(_ value: Int64, per tenth: Int64) -> String {
        let rounded = (value.magnitude + tenth.magnitude / 2) / tenth.magnitude
        return tenthsText(value < 0 ? -Int64(rounded) : Int64(rounded))
    }

    /// `milliseconds` in hours, to the tenth (`37.5 hours`), said past `limitHours`: a span
    /// that rounds to the limit or below it is said in hours and minutes, or seconds
    /// (`36 hours and 2 minutes`), where it read "36.0 hours old, more than 36".
    static func hoursPast(_ milliseconds: Int64, limitHours: Int64) -> String {
        let tenths = roundedTenths(milliseconds, per: 360_000)
        let over = milliseconds - limitHours * 3_600_000
        guard over > 0, (milliseconds + 180_000) / 360_000 <= limitHours * 10 else { return "\(tenths) hours" }
        // Seconds rounded up (past the limit is at least a second past it), then whole minutes:
        // 59.6 seconds read "59 seconds" where 0.5 read "1 second" (probe 430).
        let seconds = (over + 999) / 1000
        let rest = seconds < 60 ? "\(seconds) second\(seconds == 1 ? "" : "s")"
            : "\(seconds / 60) minute\(seconds / 60 == 1 ? "" : "s")"
        return "\(limitHours) hour\(limitHours == 1 ? "" : "s") and \(rest)"
    }

    /// `123` tenths → `12.3`.
    static func tenthsText(_ tenths: Int64) -> String {
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }

    /// The runway at the latest of `trusted` readings (in time order); `nil` without readings.
    static func at(_ trusted: [SnapshotRow]) -> Runway? {
        guard let latest = trusted.last else { return nil }
        let week = use(trusted, days: 7), month = use(trusted, days: 30)
        return Runway(
            balance: latest.totalCredits - latest.totalUsage, observedAt: latest.observedAt,
            historyMilliseconds: latest.observedAt.millisecondsSinceEpoch - trusted[0].observedAt.millisecondsSinceEpoch,
            span7Milliseconds: week.span, span30Milliseconds: month.span, used7: week.used, used30: month.used)
    }

    /// How much less than `days` days before the latest reading the baseline may be: a
    /// nightly reading taken a few seconds later in the day than the one `days` nights
    /// later is that night's, not a day short (the average then took the night before it,
    /// over 8 days, and said no reading was in between).
    static let baselineSlackSeconds: Int64 = 3600

    /// The use between the latest reading and the baseline, and the milliseconds between
    /// them. The baseline is the last reading at least `days` before the latest one, or the
    /// first after that moment when it is closer to it and within `baselineSlackSeconds`
    /// (the first reading, when the history is shorter).
    static func use(_ trusted: [SnapshotRow], days: Int64) -> (span: Int64?, used: Int128?) {
        guard let latest = trusted.last else { return (nil, nil) }
        let cutoff = latest.observedAt.adding(seconds: -days * 86_400)
        let at = trusted.lastIndex(where: { $0.observedAt <= cutoff })
        var baseline = at.map { trusted[$0] } ?? trusted[0]
        if let at, at + 1 < trusted.count {
            let next = trusted[at + 1]
            let late = next.observedAt.millisecondsSinceEpoch - cutoff.millisecondsSinceEpoch
            let early = cutoff.millisecondsSinceEpoch - baseline.observedAt.millisecondsSinceEpoch
            if late <= baselineSlackSeconds * 1000 && late < early { baseline = next }
        }
        let elapsed = latest.observedAt.millisecondsSinceEpoch - baseline.observedAt.millisecondsSinceEpoch
        return (elapsed, Int128(latest.totalUsage.raw) - Int128(baseline.totalUsage.raw))
    }

    /// The least time a pace of use is measured over. Readings moments apart (the two
    /// fetches of `run` around its top-up, a new ledger's first night) gave a pace past
    /// any amount, a runway of 0.0 days and a `runway_low` for a person (probe 165).
    static let minimumPaceMilliseconds: Int64 = 3_600_000

    /// Use per day of `used` over `elapsed` milliseconds (at least `minimumPaceMilliseconds`),
    /// cut to the micro-dollar.
    private static func pace(_ used: Int128, elapsed: Int64) -> Micros {
        guard used > 0 else { return .zero }
        // A usage past any amount gives a pace that saturates rather than overflows. Use of
        // under a micro-dollar a day is one: it said "no use to measure" of an account that
        // used 0.000007 USD in 30 days (probe 245).
        return Micros(raw: max(1, Int64(clamping: used * 86_400_000 / Int128(elapsed))))
    }
}
