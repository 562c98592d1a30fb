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

    /// The kinds of the errors and warnings with their counts, most first, and the newest of
    /// them (` (6 charge_expired, 2 snapshot_gap, 1 runway_low; newest runway_low of
    /// 2026-11-16T00:00:00.000Z)`), or "" when there is none: a nightly job's exit 1 said
    /// how many, never which, and the whole history's findings come back every night (probe 216).
    public var attentionKinds: String {
        let needing = reconciliation.findings.filter { $0.severity >= .warning }
        guard let newest = needing.max(by: { ($0.observedAt, $0.kind.rawValue) < ($1.observedAt, $1.kind.rawValue) }) else { return "" }
        let counts = Dictionary(grouping: needing, by: \.kind.rawValue).mapValues(\.count)
        let kinds = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        return " (\(kinds.joined(separator: ", ")); newest \(newest.kind.rawValue) of \(newest.observedAt.iso8601))"
    }

    /// Findings by severity, for summaries: `(error, warning, info)`.
    public var findingCounts: (errors: Int, warnings: Int, infos: Int) {
        let findings = reconciliation.findings
        return (
            findings.filter { $0.severity == .error }.count,
            findings.filter { $0.severity == .warning }.count,
            findings.filter { $0.severity == .info }.count)
    }
}
