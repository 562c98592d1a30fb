/// What `report` wrote and whether anything needs a person.
public struct ReportOutcome: Sendable, Equatable {
    /// The books the files were drawn from.
    public var reconciliation: Reconciliation
    /// The folder the files are in.
    public var directory: String
    /// The files written, in the order of CONTRACT.md § Reports.
    public var files: [String]
    /// `accounts.csv` and `accounts.md` of a `report --all-accounts` into the same folder
    /// earlier, when there: not written by this report, so named (not removed).
    public var otherReportFiles: [String] = []

    /// Exit 1 when a finding at warning level or above exists, else 0.
    public var exitStatus: ExitStatus { reconciliation.exitStatus }

    /// Findings by severity, for summaries: `(error, warning, info)`.
    public var findingCounts: (errors: Int, warnings: Int, infos: Int) {
        let findings = reconciliation.findings
        return (
            findings.filter { $0.severity == .error }.count,
            findings.filter { $0.severity == .warning }.count,
            findings.filter { $0.severity == .info }.count)
    }
}
