import CreditTypes

/// `reconciliation.md`: the summary for people.
extension ReportFiles {
    /// The places of the `activity_lost` findings of one severity, for days one after
    /// another, from `index` (`[index]` for any other finding): `reconciliation.md` shows
    /// them as one row, as a backfilled year of readings made a row a day. Findings of other
    /// kinds dated between two of the days do not break the run (probe 385: a charge expired
    /// between them made one run three rows); each day is found by the day before it, within
    /// a day of its finding's time.
    static func lostDaysInARow(_ findings: [Finding], from index: Int) -> [Int] {
        let first = findings[index]
        guard first.kind == .activityLost, var day = first.reference.flatMap(CivilDate.init(isoText:)) else { return [index] }
        var run = [index]
        var next = index + 1
        while next < findings.count {
            let finding = findings[next]
            if finding.kind == .activityLost {
                guard finding.severity == first.severity, let date = finding.reference.flatMap(CivilDate.init(isoText:)),
                      date == day.adding(days: 1) else { break }
                run.append(next)
                day = date
            } else if finding.observedAt > findings[run[run.count - 1]].observedAt.adding(seconds: 86_400) {
                break
            }
            next += 1
        }
        return run
    }

    /// What a Markdown report says under its head hash: how to check the books it came from
    /// against a ledger (`accounts.md` says it too).
    static func headCheck(_ headHash: String) -> String {
        "To check these books against a ledger: `credit-recon verify --holds \(headHash)` says whether its chain still "
            + "holds this head, unchanged, and whether its tables are what its journal says."
    }

    /// `reconciliation.md`, appended to `md`. The per-charge and per-finding rows, which are
    /// almost all of a big report, are written cell by cell (see `ReportText`).
    static func markdown(_ books: Reconciliation, into md: inout ReportText) {
        let totals = books.totals
        func line(_ text: String = "") {
            md.append(text)
            md.append(byte: UInt8(ascii: "\n"))
        }
        /// `| ` + cell + ` | ` … ` |`: each cell is written by `cell`.
        func separator() { md.append(" | ") }
        func money(_ value: Micros?) -> String { value?.centsText ?? "–" }
        func row(_ cells: [String]) { line("| " + cells.joined(separator: " | ") + " |") }
        func header(_ cells: [String], numericFrom: Int) {
            row(cells)
            line("|" + cells.indices.map { $0 >= numericFrom ? " ---: |" : " --- |" }.joined())
        }

        line("# Credit reconciliation: \(MarkdownText.cell(books.account))")
        line()
        header(["Item", "Value"], numericFrom: 2)
        row(["Account", MarkdownText.cell(books.account)])
        row(["Scope", "\(books.from.isoText) up to (not including) \(books.to.isoText), \(books.periods.count) \(books.period.rawValue) periods"])
        row(["Time zone", MarkdownText.cell(books.timeZone)])
        row(["As of", "\(books.asOf.iso8601) (the newest entry in the ledger)"])
        row(["Ledger head hash", "`\(books.headHash)`"])
        row(["Readings", "\(books.trustedReadings) trusted, \(books.untrustedReadings) left out (all-zero after non-zero)"])
        line()
        line("Amounts are USD. A rise of `total_credits` or `total_usage` counts in the period of the reading that showed it.")
        line()
        line(headCheck(books.headHash))
        line()

        line("## Totals")
        line()
        header(["Opening balance", "Purchased", "via charges", "other", "Used", "Closing balance"], numericFrom: 0)
        row([money(totals.opening), money(totals.purchased), money(totals.purchasedViaCharges),
             money(totals.purchasedOther), money(totals.used), money(totals.closing)])
        line()
        let failed = books.periods.filter { !$0.balanceCheckHolds }.count
        if !books.periods.contains(where: { $0.opening != nil }) {
            // Every check cell is "–": nothing was checked, so nothing holds yet.
            line("No period has a reading before it, so opening + purchased − used = closing could not be checked.")
        } else if failed == 0 {
            // The first period's opening is the first reading, inside it: "with a reading before
            // it" left out a period whose check said `ok` (probe 221).
            line("Opening + purchased − used = closing holds exactly in every period with an opening balance (a reading "
                + "before it, or the books' first reading).")
        } else {
            line("**Opening + purchased − used = closing fails in \(failed) period(s); see the findings.**")
        }
        line()
        // Not "settled:" alone: a charge recorded paid whose credits no reading shows is
        // settled below, under its state, but not here (probe 71 read two settled totals).
        line("Charges created: \(totals.chargesCreated) for \(money(totals.chargesCreatedAmount)); "
            + "settled, their credits shown by a reading in this scope: \(totals.chargesSettled) for "
            + "\(money(totals.chargesSettledAmount)).")
        line()

        line("## Runway")
        line()
        if let runway = books.runway {
            header(["Balance", "Reading", "Use per day (7 days)", "Use per day (30 days)", "Runway (days)"], numericFrom: 0)
            // Use under a micro-dollar a day is said so: as 0.000001 it read as a pace the
            // runway beside it was not divided by (probe 288).
            func pace(_ average: Micros?, days: Int64) -> String {
                runway.paceIsUnderAMicro(days: days) ? "under 0.000001" : money(average)
            }
            row([money(runway.balance), runway.observedAt.iso8601, pace(runway.averageDaily7, days: 7),
                 pace(runway.averageDaily30, days: 30), runway.daysText])
            line()
            line("Runway is the balance divided by the faster of the two paces of use, at the last reading up to "
                + "the end of this report's scope.")
            // The columns name the nominal spans; an average over another span says which
            // (a 29.8-day history read as "30 days", probe 71).
            let spans = [(7, "7-day"), (30, "30-day")].compactMap { days, name in
                let span = runway.span(days: Int64(days))
                return span == "over \(days) days" ? nil : "the \(name) pace is \(span)"
            }
            if !spans.isEmpty {
                line()
                line(spans.joined(separator: "; ").prefix(1).uppercased() + spans.joined(separator: "; ").dropFirst() + ".")
            }
        } else {
            line("No reading up to the end of this report's scope (`\(AccountLabel.command("fetch", account: books.account))` takes one).")
        }
        line()

        line("## Periods")
        line()
        header(["Period start", "Period end", "Opening", "Purchased", "via charges", "other", "Used", "Closing",
                "Charges created", "Charges settled", "Findings", "Check"], numericFrom: 2)
        for period in books.periods {
            let check = period.opening == nil ? "–" : (period.balanceCheckHolds ? "ok" : "**fails**")
            row([period.start.isoText, period.end.isoText, money(period.opening), money(period.purchased),
                 money(period.purchasedViaCharges), money(period.purchasedOther), money(period.used),
                 money(period.closing),
                 "\(period.chargesCreated) (\(money(period.chargesCreatedAmount)))",
                 "\(period.chargesSettled) (\(money(period.chargesSettledAmount)))",
                 String(period.findings), check])
        }
        line()
        // A range reaching past the as-of time shows the last balance carried into periods
        // no reading can have reached yet, which read as books closed (probe 128).
        if let ahead = books.periodsAhead {
            line(ahead)
            line()
        }

        line("## Charges by state")
        line()
        if books.charges.isEmpty { line("No charges in this range."); line() }
        // One pass to group the lines by state (in report order within each state).
        var byState = Array(repeating: [Int](), count: ChargeState.allCases.count)
        let stateIndex = Dictionary(uniqueKeysWithValues: ChargeState.allCases.enumerated().map { ($1, $0) })
        for (index, charge) in books.charges.enumerated() {
            if let group = stateIndex[charge.state] { byState[group].append(index) }
        }
        for (group, state) in ChargeState.allCases.enumerated() {
            let lines = byState[group]
            guard !lines.isEmpty else { continue }
            let sum = lines.reduce(Micros.zero) { $0 + books.charges[$1].amount }
            line("### \(state.rawValue.prefix(1).uppercased() + state.rawValue.dropFirst()): \(lines.count) (\(money(sum)))")
            line()
            // Rows of the top-up at work, listed under their state with no word of it (probe 426:
            // "Unknown: 2" for requests under way).
            // (None without a writer at work: a million settled lines are not looked through.)
            let inFlight = books.inFlightRuns.isEmpty ? [] : lines.filter { line in
                books.charges[line].chargeID == nil && books.charges[line].topUpKey.map { books.inFlightRuns[$0] != nil } == true
            }
            if !inFlight.isEmpty {
                let amount = inFlight.reduce(Micros.zero) { $0 + books.charges[$1].amount }
                line("\(inFlight.count) of them (\(money(amount))) in flight: \(state == .planned ? "waiting to be sent" : "being sent") by "
                    + "the top-up at work as the ledger was read (see Error); nothing to do yet.")
                line()
            }
            let awaiting = lines.filter { books.charges[$0].awaitingReading }
            if !awaiting.isEmpty {
                let amount = awaiting.reduce(Micros.zero) { $0 + books.charges[$1].amount }
                line("\(awaiting.count) of them (\(money(amount))) past \(awaiting.count == 1 ? "its" : "their") expiry and the "
                    + "hour's grace with no reading since: whether paid shows at the next reading (`\(AccountLabel.command("fetch", account: books.account))`).")
                line()
            }
            if state == .settled {
                // Two kinds of time under one heading, said (probe 221).
                line("*Settled* is the payment time an export gave (`paid_at`), else the time of the reading that showed "
                    + "the charge's credits.")
                line()
                // Settled by their export alone: listed here, not in the total above, which
                // was read as a second settled total that disagreed (probe 246).
                let unshown = lines.filter { books.charges[$0].matchedReadingAt == nil }
                if !unshown.isEmpty {
                    let amount = unshown.reduce(Micros.zero) { $0 + books.charges[$1].amount }
                    line("\(unshown.count) of them (\(money(amount))) \(unshown.count == 1 ? "is" : "are") settled by "
                        + "\(unshown.count == 1 ? "its" : "their") export alone (paid), no rise of total_credits showing "
                        + "\(unshown.count == 1 ? "its" : "their") credits (`paid_charge_unmatched` in the findings): not in "
                        + "the total of charges settled above.")
                    line()
                }
            }
            header(["Charge", "Reference", "Batch", "Origin", "Amount", "Created", "Expires", "Settled", "Error", "Memo"],
                   numericFrom: 99)
            for index in lines {
                let charge = books.charges[index]
                md.append("| ")
                md.append(markdownCell: charge.chargeID ?? "–")
                separator()
                md.append(markdownCell: charge.reference)
                separator()
                md.append(markdownCell: charge.batch)
                separator()
                md.append(charge.origin)
                separator()
                md.append(cents: charge.amount)
                separator()
                md.append(charge.createdAt)
                separator()
                if let expiresAt = charge.expiresAt { md.append(expiresAt) }
                separator()
                if let settledAt = charge.settledAt { md.append(settledAt) }
                separator()
                md.append(markdownCell: charge.error)
                separator()
                md.append(markdownCell: charge.memo)
                md.append(" |\n")
                md.drainIfFull()
            }
            line()
        }

        line("## Findings")
        line()
        if books.findings.isEmpty {
            line("None: nothing needs attention.")
        } else {
            let counts = Severity.allCases.reversed().map { severity in
                "\(books.findings.reduce(0) { $1.severity == severity ? $0 + 1 : $0 }) \(severity.rawValue)"
            }
            line(counts.joined(separator: ", ") + ".")
            line()
            header(["Severity", "Kind", "Observed", "Amount", "Reference", "Message"], numericFrom: 99)
            /// The days already said in a run's row.
            var inARun = Set<Int>()
            for index in books.findings.indices where !inARun.contains(index) {
                var finding = books.findings[index]
                let run = Self.lostDaysInARow(books.findings, from: index)
                if run.count > 1, let first = finding.reference, let last = books.findings[run[run.count - 1]].reference {
                    finding.reference = "\(first) to \(last)"
                    finding.message = "\(run.count) days in a row, \(first) to \(last) (each a row of findings.csv): " + finding.message
                    inARun.formUnion(run)
                }
                md.append("| ")
                md.append(finding.severity.rawValue)
                separator()
                md.append(finding.kind.rawValue)
                separator()
                md.append(finding.observedAt)
                separator()
                if let amount = finding.amount { md.append(cents: amount) }
                separator()
                md.append(markdownCell: finding.reference)
                separator()
                md.append(markdownCell: finding.message)
                md.append(" |\n")
                md.drainIfFull()
            }
        }
        line()

        for text in usageMarkdownLines(books) { line(text) }

        line("## Charts")
        line()
        line("![balance](balance.svg)")
        line()
        line("![usage by key](usage.svg)")
        line()
        line("Files: `periods.csv`, `charges.csv`, `findings.csv`, `balance.svg`, `usage_by_key.csv`, "
            + "`usage_by_model.csv`, `usage.svg`.")
    }
}
