import CreditTypes
import Ledger

/// The periods of a reconciled range, and which period an instant falls in.
///
/// Rises and falls count in the period of the later reading that showed them, so period
/// sums equal boundary differences; the balances at the boundaries are read straight from
/// the readings (not from the sums), so `opening + purchased − used = closing` is a real check.
struct PeriodGrid {
    private(set) var periods: [PeriodSummary] = []
    /// Where the last period ends.
    let rangeEnd: Timestamp

    /// Periods a report may have: 273 years of days. Far more is a mistyped year, and a
    /// row each in every file (2.9 million days to 9999 took hours).
    static let maxPeriods = 100_000

    /// The periods of `kind` from the local day `from` up to (not including) `to`; the
    /// first and last may be partial. More than `maxPeriods` is a usage error.
    init(from: CivilDate, to: CivilDate, kind: PeriodKind, calendar: PeriodCalendar) throws(ReconcileError) {
        var day = from
        while day < to {
            guard periods.count < Self.maxPeriods else {
                throw .tooManyPeriods(from: from, to: to, kind: kind, limit: Self.maxPeriods)
            }
            let next = min(kind.next(after: kind.start(of: day)), to)
            periods.append(PeriodSummary(
                start: day, end: next, startInstant: calendar.start(of: day), endInstant: calendar.start(of: next)))
            day = next
        }
        rangeEnd = calendar.start(of: to)
    }

    /// The index of the period `instant` falls in, or `nil` outside the range.
    func index(of instant: Timestamp) -> Int? { periods.index(containing: instant) }

    /// Whether `instant` falls in the range.
    func contains(_ instant: Timestamp) -> Bool { index(of: instant) != nil }

    /// Adds what was purchased and used between readings, and how much of each rise
    /// charges explain (`explained`, one amount per rising step, in order).
    mutating func addMovements(_ steps: [ReadingStep], explained: [Micros]) {
        var risingIndex = 0
        for step in steps {
            let rising = step.credits > .zero
            defer { if rising { risingIndex += 1 } }
            guard let index = index(of: step.toAt) else { continue }
            periods[index].purchased += step.credits
            periods[index].used += step.usage
            if step.usage < .zero { periods[index].usageFell += step.usage }
            if rising {
                periods[index].purchasedViaCharges += explained[risingIndex]
            } else {
                periods[index].creditsFell += step.credits
            }
        }
        for index in periods.indices {
            periods[index].purchasedOther = periods[index].purchased - periods[index].purchasedViaCharges
        }
    }

    /// Sets each period's opening and closing balance from the trusted readings (oldest
    /// first).
    mutating func addBalances(_ trusted: [SnapshotRow]) {
        var readBefore = 0  // trusted readings taken before the current period starts
        for index in periods.indices {
            let start = periods[index].startInstant
            let end = periods[index].endInstant
            while readBefore < trusted.count && trusted[readBefore].observedAt < start { readBefore += 1 }
            var readBeforeEnd = readBefore
            while readBeforeEnd < trusted.count && trusted[readBeforeEnd].observedAt < end { readBeforeEnd += 1 }
            let opening = readBefore > 0 ? trusted[readBefore - 1] : (readBeforeEnd > 0 ? trusted[0] : nil)
            if let opening {
                periods[index].opening = opening.totalCredits - opening.totalUsage
                periods[index].openingReadAt = opening.observedAt
            }
            if readBeforeEnd > 0 {
                let closing = trusted[readBeforeEnd - 1]
                periods[index].closing = closing.totalCredits - closing.totalUsage
            }
        }
    }

    /// Counts charges created in each period, and charges whose credits showed up in it.
    mutating func addCharges(_ lines: [ChargeLine]) {
        for line in lines where line.chargeID != nil {
            if let index = index(of: line.createdAt) {
                periods[index].chargesCreated += 1
                periods[index].chargesCreatedAmount += line.amount
            }
            if let reading = line.matchedReadingAt, let index = index(of: reading) {
                periods[index].chargesSettled += 1
                periods[index].chargesSettledAmount += line.amount
            }
        }
    }

    /// Counts one finding in the period it was observed in.
    mutating func countFinding(at instant: Timestamp) {
        if let index = index(of: instant) { periods[index].findings += 1 }
    }
}
