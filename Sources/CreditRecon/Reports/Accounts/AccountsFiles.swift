import CreditTypes

/// `accounts.csv` and `accounts.md` (CONTRACT.md § Several accounts): every account's
/// totals side by side, beside the accounts' folders.
///
/// Rendering is pure, like `ReportFiles`: the same accounts give the same bytes.
enum AccountsFiles {
    static let csv = "accounts.csv"
    static let markdown = "accounts.md"
    static let columns = ["account", "opening_balance", "purchased", "used", "closing_balance", "warnings"]
    /// The `account` cell of the last row, which adds up the others.
    static let totalLabel = "total"

    /// `accounts.csv`: one row per account in the ledger's order, then the `total` row
    /// (always last, whatever the accounts are called). Amounts are plain decimal text;
    /// an opening or closing balance no account has is empty.
    static func csvText(_ outcome: AllAccountsOutcome) -> String {
        var csv = CSVWriter(header: columns)
        for summary in outcome.accounts {
            csv.append([
                .text(summary.account), .amount(summary.opening), .amount(summary.purchased), .amount(summary.used),
                .amount(summary.closing), .integer(summary.warnings),
            ])
        }
        csv.append([
            .text(totalLabel), .amount(outcome.totals.opening), .amount(outcome.totals.purchased),
            .amount(outcome.totals.used), .amount(outcome.totals.closing), .integer(outcome.totals.warnings),
        ])
        return csv.text
    }

    /// `accounts.md`: for people. The head hash and scope first, then a row per account
    /// linking to its `reconciliation.md`, and the total.
    static func markdownText(_ outcome: AllAccountsOutcome) -> String {
        var md = ""
        func line(_ text: String = "") { md += text + "\n" }
        func row(_ cells: [String]) { line("| " + cells.joined(separator: " | ") + " |") }
        func header(_ cells: [String], numericFrom: Int) {
            row(cells)
            line("|" + cells.indices.map { $0 >= numericFrom ? " ---: |" : " --- |" }.joined())
        }
        func money(_ value: Micros?) -> String { value?.centsText ?? "–" }

        line("# Credit reconciliation: every account")
        line()
        header(["Item", "Value"], numericFrom: 2)
        row(["Accounts", String(outcome.accounts.count)])
        if let from = outcome.from, let to = outcome.to {
            row(["Scope", "\(from.isoText) up to (not including) \(to.isoText), \(outcome.options.period.rawValue) periods"
                + (outcome.options.from == nil ? "; each account from its own first reading" : "")])
        }
        row(["Time zone", MarkdownText.cell(outcome.timeZone)])
        row(["As of", "\(outcome.asOf.iso8601) (the newest entry in the ledger)"])
        row(["Ledger head hash", "`\(outcome.headHash)`"])
        line()
        line("Amounts are USD. Each account's folder holds its own reports; start at its `reconciliation.md`. "
            + "A folder is named after its account: ASCII letters, digits, `-` and `_` as they are, every other "
            + "byte of the label's UTF-8 as `%XX` (`ops/eu` is in `ops%2Feu`). "
            + "Warnings counts the findings at warning level or above.")
        line()
        line(ReportFiles.headCheck(outcome.headHash))
        line()

        line("## Accounts")
        line()
        header(["Account", "Folder", "From", "Up to", "Opening balance", "Purchased", "Used", "Closing balance", "Warnings"],
               numericFrom: 4)
        for summary in outcome.accounts {
            // The folder's `%` must itself be escaped in the link, or a reader would decode it.
            let target = summary.folder.replacingOccurrences(of: "%", with: "%25") + "/reconciliation.md"
            row([MarkdownText.cell(summary.account), "[\(MarkdownText.cell(summary.folder))/](\(target))",
                 summary.from.isoText, summary.to.isoText, money(summary.opening), money(summary.purchased),
                 money(summary.used), money(summary.closing), String(summary.warnings)])
        }
        row(["**Total**", "", outcome.from?.isoText ?? "", outcome.to?.isoText ?? "", money(outcome.totals.opening),
             money(outcome.totals.purchased), money(outcome.totals.used), money(outcome.totals.closing),
             String(outcome.totals.warnings)])
        line()
        line("Files: `accounts.csv` (the same table, exact amounts), and in each folder the files `report` writes for one account.")
        return md
    }
}
