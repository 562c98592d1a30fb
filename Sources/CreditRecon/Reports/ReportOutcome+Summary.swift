/// What `report` prints.
extension ReportOutcome {
    /// Lines for people: where the files are and what needs attention.
    public var summaryLines: [String] {
        let books = reconciliation
        let counts = findingCounts
        let totals = books.totals
        var lines = [
            "wrote \(files.count) report files to \(TerminalText.printable(directory))/ for \(TerminalText.printable(books.account)), "
                + "\(books.from.isoText) up to \(books.to.isoText) (\(books.periods.count) \(books.period.rawValue) periods, \(books.timeZone))",
        ]
        // A path's escape sequences as `?`, as the line above (probe 278: `--out $'r\e[2J'` cleared the screen).
        lines += files.map { "  \(TerminalText.printable($0))" }
        lines.append(
            "purchased \(totals.purchased.centsText) (via charges \(totals.purchasedViaCharges.centsText)), "
                + "used \(totals.used.centsText), closing balance \(totals.closing?.centsText ?? "–")")
        if let runway = books.runway { lines.append("runway \(runway.daysPhrase)") }
        lines.append("findings: \(counts.errors) error, \(counts.warnings) warning\(attentionKinds), \(counts.infos) info")
        if !otherReportFiles.isEmpty {
            lines.append(ReportFiles.otherReportNote(otherReportFiles, in: directory, ofAllAccounts: true))
        }
        lines.append("ledger head \(books.headHash)")
        return lines
    }

    /// The machine-readable summary for `--json`; amounts are exact decimal strings.
    public var json: JSONOutput {
        let books = reconciliation
        let counts = findingCounts
        let totals = books.totals
        return .object([
            "directory": .string(directory),
            "files": .array(files.map(JSONOutput.string)),
            "other_report_files": .array(otherReportFiles.map(JSONOutput.string)),
            "account": .string(books.account),
            "from": .string(books.from.isoText),
            "to": .string(books.to.isoText),
            "period": .string(books.period.rawValue),
            "timezone": .string(books.timeZone),
            "as_of": .string(books.asOf.iso8601),
            "head_hash": .string(books.headHash),
            "purchased": .string(totals.purchased.decimalText),
            "purchased_via_charges": .string(totals.purchasedViaCharges.decimalText),
            "used": .string(totals.used.decimalText),
            "closing_balance": totals.closing.map { .string($0.decimalText) } ?? .null,
            "runway_days": books.runway?.tenthsOfDays.map { .string(Runway.tenthsText($0)) } ?? .null,
            "findings": .object([
                "error": .int(Int64(counts.errors)), "warning": .int(Int64(counts.warnings)),
                "info": .int(Int64(counts.infos)),
            ]),
            "exit_code": .int(Int64(exitStatus.rawValue)),
        ])
    }
}
