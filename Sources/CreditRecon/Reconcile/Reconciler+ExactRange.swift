import CreditTypes
import Ledger

extension Reconciler {
    /// Refuses (65) a range whose movements add up past what the books count exactly,
    /// `Micros`' 9223372036854.775807 USD. Each amount stored is at most a billion USD, but
    /// what a report adds up in a period or over its range (the falls of `total_credits`,
    /// the rises no charge explains, each key's use, each model's) is a sum of the range's
    /// reading steps, key readings' moves and activity rows, as many as the ledger holds: a
    /// lying server's readings rising and falling by a billion 10,000 times trapped `report`,
    /// `status` and `export` (probe 437). When the magnitudes of all of them together fit,
    /// none of those sums can overflow.
    static func checkExactRange(
        _ input: Input, account: String, steps: [ReadingStep], from: Timestamp, to: Timestamp, range: (from: CivilDate, to: CivilDate)
    ) throws(BooksBeyondExactRange) {
        var total: UInt64 = 0
        var requests: UInt64 = 0
        // `what` is said only once a sum passes the limit: no text is made for each row.
        func add(_ magnitude: UInt64, to sum: inout UInt64, at instant: Timestamp?, _ what: @autoclosure () -> String)
            throws(BooksBeyondExactRange) {
            let (next, overflow) = sum.addingReportingOverflow(magnitude)
            guard !overflow, next <= UInt64(Int64.max) else {
                throw BooksBeyondExactRange(account: account, range: range, at: instant, what: what())
            }
            sum = next
        }
        for step in steps where step.toAt >= from && step.toAt < to {
            try add(step.credits.raw.magnitude, to: &total, at: step.toAt, "the readings' rises and falls of total_credits and total_usage")
            try add(step.usage.raw.magnitude, to: &total, at: step.toAt, "the readings' rises and falls of total_credits and total_usage")
        }
        var lastUsage: [String: Micros] = [:]
        for row in input.keyReadings where row.observedAt < to {
            let before = lastUsage.updateValue(row.key.usage, forKey: row.key.hash)
            guard row.observedAt >= from else { continue }
            try add((row.key.usage - (before ?? .zero)).raw.magnitude, to: &total, at: row.observedAt,
                    "the keys' readings' moves of their usage")
        }
        // A UTC day's activity counts in the period holding the midnight ending it: a day
        // each side of the range's local days bounds it.
        let days = (range.from.daysSinceEpoch - 1)...(range.to.daysSinceEpoch + 1)
        for row in input.activity.lines where days.contains(row.date.daysSinceEpoch) {
            try add(row.line.usage.raw.magnitude, to: &total, at: nil, "the activity's use by model of \(row.date)")
            try add(UInt64(max(0, row.line.requests ?? 0)), to: &requests, at: nil, "the activity's requests by model of \(row.date)")
        }
    }
}

/// A range of books whose movements add up past what they count exactly
/// (`Reconciler.checkExactRange`): no figure of it can be trusted, so none is given.
public struct BooksBeyondExactRange: ExitCoded {
    let account: String
    let range: (from: CivilDate, to: CivilDate)
    /// The reading at which the sum passed the limit, when a reading did.
    let at: Timestamp?
    let what: String
    /// The ledger's other accounts, when `status` was to show every account: each can be
    /// shown on its own.
    var others: [String] = []

    public var exitStatus: ExitStatus { .dataError }

    public var description: String {
        "the books of account \"\(TerminalText.printable(account))\" from \(range.from) up to \(range.to) move by more than "
            + "\(Micros(raw: .max).decimalText) USD in all, the most they count exactly: \(what) pass it"
            + (at.map { " at \($0.iso8601)" } ?? "")
            + ". No account's books move so much: these amounts came from a lying server or a wrong file, and no "
            + "figure of this range can be added up. The ledger keeps them for good: `report` and `export` take --from and "
            + "--to of a range without them" + (at.map { " (one ending before \($0.utcDate), say)" } ?? "")
            + ", and `report --period day` over a shorter range finds where they start; `status`, which reads the whole of "
            + "an account's books, cannot show this one"
            + (others.isEmpty ? "" : ": `status --account NAME` shows each of the others ("
                + others.map { "\"\(TerminalText.printable($0))\"" }.joined(separator: ", ") + ")")
    }
}
