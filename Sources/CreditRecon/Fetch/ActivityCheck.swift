import CreditTypes
import Ledger

/// Compares the API's activity for days the ledger already holds with what was stored: a
/// reading is never overwritten, so a day answered otherwise is read again and stored
/// beside it, and said once.
enum ActivityCheck {
    /// The days of `stored` whose lines are not, as a multiset, the lines `answered` gives
    /// for that day (rows in another order are the same day), oldest first.
    static func changedDays(stored: [CivilDate: [ActivityLine]], answered: [CivilDate: [ActivityLine]]) -> [CivilDate] {
        stored.keys.sorted().filter { !same(stored[$0] ?? [], answered[$0] ?? []) }
    }

    /// Whether two answers for a day hold the same rows, in any order.
    static func same(_ lines: [ActivityLine], _ others: [ActivityLine]) -> Bool {
        lines.count == others.count && counts(lines) == counts(others)
    }

    /// The finding for `date`, held as `kept` and answered now as `now`: `activity_revised`
    /// when the day's own answer was stored anew (`storedAgain`), else `activity_mismatch`
    /// (the window's answer differs from the day's own, which still gives the stored rows).
    static func finding(
        date: CivilDate, kept: [ActivityLine], now: [ActivityLine], storedAgain: Bool, at observedAt: Timestamp,
        account: String
    ) -> Finding {
        let keptTotal = ActivityLine.total(kept)
        let nowTotal = ActivityLine.total(now)
        let difference = nowTotal.flatMap { now in keptTotal.flatMap { now.subtracting($0) } }
        // The same total: say what changed, or the two halves of the sentence read alike.
        let changed = difference == .zero ? firstChange(kept: kept, now: now).map { " (\($0))" } ?? "" : ""
        let answers = "GET /activity now answers \(rows(now.count)) totalling \(describe(nowTotal)) for \(date.isoText), "
            + "but the ledger stored \(rows(kept.count)) totalling \(describe(keptTotal)) for that day\(changed); "
        guard storedAgain else {
            return Finding(
                .warning, .activityMismatch, at: observedAt, account: account, amount: difference, reference: date.isoText,
                message: answers + "GET /activity?date=\(date.isoText) still answers the stored rows, so nothing was stored. "
                    + "Ask OpenRouter which answer for the day is right.")
        }
        return Finding(
            .warning, .activityRevised, at: observedAt, account: account, amount: difference, reference: date.isoText,
            message: answers + "the day's new answer is stored beside the earlier one, which the ledger keeps, and reports "
                + "use it from now on (a later fetch compares the day with it). Ask OpenRouter whether the day's activity "
                + "was corrected.")
    }

    /// What the first row the API answers now and the ledger does not hold says otherwise
    /// than the first row the ledger holds and the API no longer answers, field by field;
    /// `nil` when one side has no such row.
    static func firstChange(kept: [ActivityLine], now: [ActivityLine]) -> String? {
        func only(_ lines: [ActivityLine], notIn others: [ActivityLine]) -> ActivityLine? {
            var left = counts(others)
            for line in lines {
                guard let count = left[line], count > 0 else { return line }
                left[line] = count - 1
            }
            return nil
        }
        guard let answered = only(now, notIn: kept), let stored = only(kept, notIn: now) else { return nil }
        func text<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "none" }
        let fields = [
            ("model", answered.model, stored.model),
            ("model_permaslug", text(answered.modelPermaslug), text(stored.modelPermaslug)),
            ("endpoint_id", text(answered.endpointID), text(stored.endpointID)),
            ("provider_name", text(answered.provider), text(stored.provider)),
            ("usage", "\(answered.usage)", "\(stored.usage)"),
            ("byok_usage_inference", text(answered.byokUsage), text(stored.byokUsage)),
            ("requests", text(answered.requests), text(stored.requests)),
            ("prompt_tokens", text(answered.promptTokens), text(stored.promptTokens)),
            ("completion_tokens", text(answered.completionTokens), text(stored.completionTokens)),
            ("reasoning_tokens", text(answered.reasoningTokens), text(stored.reasoningTokens)),
            ("cached_tokens", text(answered.cachedTokens), text(stored.cachedTokens)),
        ].filter { $0.1 != $0.2 }
        return "a row for \(stored.model) now says " + fields.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            + " where the ledger has " + fields.map { "\($0.0) \($0.2)" }.joined(separator: ", ")
    }

    private static func rows(_ count: Int) -> String { count == 1 ? "1 row" : "\(count) rows" }

    private static func counts(_ lines: [ActivityLine]) -> [ActivityLine: Int] {
        lines.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    private static func describe(_ amount: Micros?) -> String { amount.map { "\($0) USD" } ?? "more than the ledger can hold" }
}
