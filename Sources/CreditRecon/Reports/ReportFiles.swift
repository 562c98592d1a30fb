import Foundation

/// The report files of CONTRACT.md § Reports (the books, then where the usage went), rendered from a reconciliation.
///
/// Rendering is pure: the same reconciliation gives the same bytes (fixed number
/// formatting, sorted rows, no clock), which is what makes reports reproducible.
enum ReportFiles {
    static let periods = "periods.csv"
    static let charges = "charges.csv"
    static let findings = "findings.csv"
    static let markdown = "reconciliation.md"
    static let chart = "balance.svg"
    static let usageByKey = "usage_by_key.csv"
    static let usageByModel = "usage_by_model.csv"
    static let usageChart = "usage.svg"

    /// Every file a one-account report writes, in CONTRACT.md's order.
    static let names = [periods, charges, findings, markdown, chart, usageByKey, usageByModel, usageChart]

    /// Which of `names` are files in `directory`.
    static func present(_ names: [String], in directory: String) -> [String] {
        names.filter { name in
            var isFolder: ObjCBool = false
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
        }
    }

    /// The note saying that `directory` also holds `files` of the other kind of report
    /// (`--all-accounts`, or one account's), which this one did not write: read beside the
    /// new files, they would pass for them (a weekly report's `reconciliation.md` beside a
    /// daily `accounts.md`).
    static func otherReportNote(_ files: [String], in directory: String, ofAllAccounts: Bool) -> String {
        "note: \(TerminalText.printable(directory))/ also holds " + files.joined(separator: ", ")
            + (ofAllAccounts ? ", of a `report --all-accounts`" : ", of a one-account report")
            + " written there earlier; this report did not write \(files.count == 1 ? "it" : "them") (other options, or an older "
            + "state of the books): remove \(files.count == 1 ? "it" : "them"), or write each kind of report to a folder of its own"
    }
}
