import CreditTypes

/// The "Where the usage went" section of `reconciliation.md`.
extension ReportFiles {
    /// How many keys and models the tables name before adding up the rest.
    static let topCount = 10

    /// The section's lines: the top keys and models of the scope, per period, the
    /// unattributed use, and the keys nearest their limits.
    static func usageMarkdownLines(_ books: Reconciliation) -> [String] {
        var lines = ["## Where the usage went", ""]
        func money(_ value: Micros) -> String { value.centsText }
        func row(_ cells: [String]) { lines.append("| " + cells.joined(separator: " | ") + " |") }
        func header(_ cells: [String], numericFrom: Int) {
            row(cells)
            lines.append("|" + cells.indices.map { $0 >= numericFrom ? " ---: |" : " --- |" }.joined())
        }
        guard books.firstKeysReadAt != nil || !books.activity.isEmpty else {
            lines += [
                "The ledger holds no key readings and no activity for this range: `\(AccountLabel.command("fetch", account: books.account))` reads them "
                    + "(`GET /keys`, `GET /activity`) with a management key, every night, and keeps the activity past "
                    + "the API's 30 days.", "",
            ]
            return lines
        }
        let summary = UsageSummary(books)
        let used = books.totals.used
        if let first = books.firstKeysReadAt {
            var text = "The keys were first read at \(first.iso8601)"
            if let latest = books.keysReadAt { text += "; the latest listing in range, at \(latest.iso8601), has \(books.keys.count) key\(books.keys.count == 1 ? "" : "s")" }
            lines.append(text + ". A key's use is the rise of its running `usage` between two of its readings, in the "
                + "period of the later one; what no key explains is *unattributed* (keys deleted between readings, use "
                + "before a key's first reading, use on no key). `usage_by_key.csv` has every row.")
        } else {
            lines.append("The ledger holds no key readings: all use is unattributed. `\(AccountLabel.command("fetch", account: books.account))` reads the keys.")
        }
        lines.append("")

        lines += ["### By key", ""]
        header(["Key", "Hash", "Disabled", "Used", "Share", "Limit", "Remaining"], numericFrom: 3)
        // A key the latest listing leaves out was deleted (the listing holds disabled keys
        // too): "no" read as a key still at work (probe 142).
        let listed = Set(books.keys.map(\.key.hash))
        for total in summary.keys.prefix(topCount) {
            let key = total.key
            let state = books.keysReadAt != nil && !listed.contains(key.hash) ? "deleted" : key.disabled == true ? "yes" : "no"
            row([MarkdownText.cell(UsageSummary.label(key)), "`\(MarkdownText.cell(UsageSummary.shortHash(key.hash)))`",
                 state, money(total.used), UsageSummary.share(total.used, of: used),
                 key.limit.map(money) ?? "–", key.limitRemaining.map(money) ?? "–"])
        }
        if summary.keys.count > topCount {
            let rest = summary.keys.dropFirst(topCount).reduce(Micros.zero) { $0 + $1.used }
            row(["\(summary.keys.count - topCount) more keys", "", "", money(rest), UsageSummary.share(rest, of: used), "", ""])
        }
        row(["*Unattributed*", "", "", money(summary.unattributed), UsageSummary.share(summary.unattributed, of: used), "", ""])
        row(["**Total used**", "", "", "**\(money(used))**", "", "", ""])
        lines.append("")

        lines += ["### By model", ""]
        if summary.models.isEmpty {
            // Days may be stored with no rows: "no activity is stored" read as days missing.
            lines.append("The stored activity of the UTC days of this range holds no use on any model.")
        } else {
            let activity = summary.models.reduce(Micros.zero) { $0 + $1.usage }
            // The days with use: a day stored with no rows is no row here (probe 209 read "10
            // stored days" as 35 missing).
            lines.append("From the activity of the \(summary.activityDays) UTC day\(summary.activityDays == 1 ? "" : "s") with use in \(books.from.isoText) up to "
                + "\(books.to.isoText) (`usage_by_model.csv` has every row, by provider and endpoint).")
            lines.append("")
            header(["Model", "Requests", "Usage", "Share"], numericFrom: 1)
            for model in summary.models.prefix(topCount) {
                row([MarkdownText.cell(model.model), String(model.requests), money(model.usage),
                     UsageSummary.share(model.usage, of: activity)])
            }
            if summary.models.count > topCount {
                let rest = summary.models.dropFirst(topCount)
                let usage = rest.reduce(Micros.zero) { $0 + $1.usage }
                row(["\(rest.count) more models", String(rest.reduce(0) { $0 + $1.requests }), money(usage),
                     UsageSummary.share(usage, of: activity)])
            }
            row(["**Total activity**", String(summary.models.reduce(0) { $0 + $1.requests }), "**\(money(activity))**", ""])
            // Two totals of one month read as one of them wrong (probe 142): say why they differ.
            if activity != used {
                // Days whose activity was never stored: most of the gap, and it went unsaid (probe 209).
                let lost = books.activityLostDays
                lines.append("")
                lines.append("The activity adds up to \(money(activity)) and *Total used* to \(money(used)): the activity "
                    + "counts each UTC day of the range by its date, the books count use in the period of the reading "
                    + "that showed it, so use after the range's last reading counts in the range after it, use before its "
                    + "first reading in the range before it (or, before the ledger's first reading, in no period: it is in "
                    + "the opening balance), and a day's use a reading showed during it may be a day apart; and use the "
                    + "activity does not list at all (use on no key, in *Unattributed* above, when the API leaves it out of "
                    + "its activity) is in *Total used* alone"
                    + (lost == 0 ? "." : ", as is the use of the \(lost) UTC day\(lost == 1 ? "" : "s") of the range whose "
                        + "activity was never stored (`activity_lost`, dated when each day left the API's window)."))
            }
        }
        lines.append("")

        lines += ["### Per period", ""]
        header(["Period start", "Top key", "Top model", "Used", "Unattributed"], numericFrom: 3)
        for (index, period) in books.periods.enumerated() {
            let key = summary.periodKeys[index].first.flatMap { top in
                top.used > .zero ? "\(MarkdownText.cell(UsageSummary.label(top.key))) (\(money(top.used)))" : nil
            } ?? "–"
            let model = summary.periodModels[index].first.flatMap { top in
                top.usage > .zero ? "\(MarkdownText.cell(top.model)) (\(money(top.usage)))" : nil
            } ?? "–"
            row([period.start.isoText, key, model, money(period.used), money(summary.periodUnattributed[index])])
        }
        lines.append("")
        if !books.activity.isEmpty {
            // Said, as a model's use beside a period's can read as wrong by a day (probe 127).
            lines.append("*Top model* counts a UTC day's activity in the period holding the midnight that ends it, where "
                + "the nightly reading shows that day's use; with readings taken during the day, it can stand a period "
                + "after the *Used* it went into.")
            lines.append("")
        }

        lines += ["### Keys nearest their limits", ""]
        let limited = books.keys.filter { $0.key.disabled != true && $0.remainingBasisPoints != nil }
            .sorted { a, b in
                let (x, y) = (a.remainingBasisPoints ?? 0, b.remainingBasisPoints ?? 0)
                return x != y ? x < y : KeyPeriodUsage.keyOrder(a.key, b.key)
            }
        if limited.isEmpty {
            lines.append(books.keys.isEmpty ? "No keys were read in this range." : "No enabled key has a spending limit.")
        } else {
            header(["Key", "Limit", "Remaining", "Left", "Resets", "Can still spend"], numericFrom: 1)
            for standing in limited.prefix(5) {
                let key = standing.key
                let left = standing.remainingBasisPoints.map { "\($0 / 100).\($0 % 100 < 10 ? "0" : "")\($0 % 100) %" } ?? "–"
                row([MarkdownText.cell(UsageSummary.label(key)), key.limit.map(money) ?? "–",
                     key.limitRemaining.map(money) ?? "–", left, MarkdownText.cell(key.limitReset ?? "never"),
                     standing.spendable.map(money) ?? "–"])
            }
            lines.append("")
            lines.append("A key can still spend the smaller of the account's balance and what is left of its limit.")
        }
        lines.append("")
        return lines
    }
}
