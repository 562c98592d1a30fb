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
}
