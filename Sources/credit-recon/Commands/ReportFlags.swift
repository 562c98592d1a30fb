import ArgumentParser
import CreditRecon

/// The report's options, shared by `report` and `run`.
struct ReportFlags: ParsableArguments {
    @OptionGroup var scope: ScopeFlags

    @Option(help: ArgumentHelp("Folder for the report files (created when missing).", valueName: "dir"))
    var out: String = "reports"

    @Option(parsing: .unconditional, help: ArgumentHelp("Readings further apart than this many hours (1 to 87600) are a finding.", valueName: "hours"))
    var maxGap: Int = 36

    @Option(parsing: .unconditional, help: ArgumentHelp("Runway below this many days (0 to 36500) is a finding.", valueName: "days"))
    var minRunwayDays: Int = 7

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "A key with less than this many USD left of its limit (or under 10 % of it) is a key_limit_low finding; keys without a limit never are.",
        valueName: "usd"))
    var minKeyRemaining: String = "5"

    func validate() throws {
        try ThresholdFlags.validate(maxGap: maxGap, minRunwayDays: minRunwayDays)
        guard !out.isEmpty else { throw ValidationError("--out is empty; name the folder for the report files, e.g. reports") }
    }

    /// The stage options these flags describe.
    func reportOptions(account: String) throws -> ReportOptions {
        var options = ReconcileOptions(account: account)
        try scope.apply(to: &options, defaultPeriod: .day)
        options.maxGapSeconds = Int64(maxGap) * 3600
        options.minRunwayDays = Int64(minRunwayDays)
        options.minKeyRemaining = try ReconcileOptions.amount(minKeyRemaining, option: "--min-key-remaining")
        return ReportOptions(reconcile: options, outDirectory: out)
    }
}
