import CreditTypes
import Ledger

/// Compares the API's activity for days the ledger already holds with what was stored: a
/// day is stored once and never overwritten, so a day whose rows changed is a finding.
enum ActivityCheck {
    /// An `activity_mismatch` finding for each of `stored`'s days whose lines are not, as
    /// a multiset, the lines `answered` gives for that day (rows in another order are the
    /// same day).
    static func findings(
        stored: [CivilDate: [ActivityLine]], answered: [CivilDate: [ActivityLine]], at observedAt: Timestamp,
        account: String
    ) -> [Finding] {
        stored.keys.sorted().compactMap { date in
            let kept = stored[date] ?? []
            let now = answered[date] ?? []
            guard counts(kept) != counts(now) else { return nil }
            let keptTotal = ActivityLine.total(kept)
            let nowTotal = ActivityLine.total(now)
            let difference = nowTotal.flatMap { now in keptTotal.flatMap { now.subtracting($0) } }
            return Finding(
                .warning, .activityMismatch, at: observedAt, account: account, amount: difference,
                reference: date.isoText,
                message: "GET /activity now answers \(rows(now.count)) totalling \(describe(nowTotal)) for \(date.isoText), "
                    + "but the ledger stored \(rows(kept.count)) totalling \(describe(keptTotal)) for that day; the ledger "
                    + "keeps what it stored (a day is stored once). Ask OpenRouter whether the day's activity was corrected.")
        }
    }

    private static func rows(_ count: Int) -> String { count == 1 ? "1 row" : "\(count) rows" }

    private static func counts(_ lines: [ActivityLine]) -> [ActivityLine: Int] {
        lines.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    private static func describe(_ amount: Micros?) -> String { amount.map { "\($0) USD" } ?? "more than the ledger can hold" }
}
