import CreditTypes

/// What `report --all-accounts` prints.
extension AllAccountsOutcome {
    /// Lines for people: a line per account with its folder, the two summary files, the
    /// totals and the head hash.
    public var summaryLines: [String] {
        func money(_ value: Micros?) -> String { value?.centsText ?? "–" }
        var lines = [
            "wrote the reports of \(accounts.count) account\(accounts.count == 1 ? "" : "s") to \(TerminalText.printable(directory))/ "
                + "(\(options.period.rawValue) periods, \(timeZone)), as of \(asOf.iso8601)",
        ]
        for summary in accounts {
            lines.append(
                "  \(TerminalText.printable(summary.account)): \(TerminalText.printable(summary.directory))/ — purchased \(summary.purchased.centsText), "
                    + "used \(summary.used.centsText), closing balance \(money(summary.closing)); "
                    + "\(summary.warnings) finding\(summary.warnings == 1 ? "" : "s") at warning level or above")
        }
        lines += files.map { "  \($0)" }
        lines.append(
            "all accounts: purchased \(totals.purchased.centsText), used \(totals.used.centsText), "
                + "closing balance \(money(totals.closing)); \(totals.warnings) finding\(totals.warnings == 1 ? "" : "s") "
                + "at warning level or above")
        if !foreignFolders.isEmpty {
            let named = foreignFolders.map { TerminalText.printable($0) + "/" }.joined(separator: ", ")
            lines.append("note: \(named) in \(TerminalText.printable(directory))/ \(foreignFolders.count == 1 ? "holds" : "hold") "
                + "the reports of no account of this ledger (an earlier report of other books); left as "
                + "\(foreignFolders.count == 1 ? "it is" : "they are"): remove \(foreignFolders.count == 1 ? "it" : "them"), "
                + "or report into an empty folder")
        }
        if !otherReportFiles.isEmpty {
            lines.append(ReportFiles.otherReportNote(otherReportFiles, in: directory, ofAllAccounts: false))
        }
        lines.append("ledger head \(headHash)")
        return lines
    }

    /// The machine-readable summary for `--json`: each account's `report --json` object
    /// (with its `folder`), the totals, and the files; amounts are exact decimal strings.
    public var json: JSONOutput {
        func money(_ value: Micros?) -> JSONOutput { value.map { .string($0.decimalText) } ?? .null }
        let each = accounts.map { summary -> JSONOutput in
            guard case .object(var members) = summary.json else { return summary.json }
            members["folder"] = .string(summary.folder)
            members["warnings"] = .int(Int64(summary.warnings))
            return .object(members)
        }
        return .object([
            "directory": .string(directory),
            "files": .array(files.map(JSONOutput.string)),
            "foreign_folders": .array(foreignFolders.map(JSONOutput.string)),
            "other_report_files": .array(otherReportFiles.map(JSONOutput.string)),
            "accounts": .array(each),
            "total": .object([
                "opening_balance": money(totals.opening), "purchased": .string(totals.purchased.decimalText),
                "used": .string(totals.used.decimalText), "closing_balance": money(totals.closing),
                "warnings": .int(Int64(totals.warnings)),
            ]),
            "period": .string(options.period.rawValue),
            "timezone": .string(timeZone),
            "as_of": .string(asOf.iso8601),
            "head_hash": .string(headHash),
            "exit_code": .int(Int64(exitStatus.rawValue)),
        ])
    }
}
