import ArgumentParser
import CreditRecon

/// The report's options, shared by `report` and `run`.
struct ReportFlags: ParsableArguments {
    @Option(help: ArgumentHelp("First day reported, YYYY-MM-DD in --timezone (default: the first reading).", valueName: "date"))
    var from: String?

    @Option(help: ArgumentHelp("First day left out, YYYY-MM-DD (default: the day after the newest entry).", valueName: "date"))
    var to: String?

    @Option(help: ArgumentHelp("day, week (ISO, from Monday) or month.", valueName: "period"))
    var period: String = "day"

    @Option(help: ArgumentHelp("IANA time zone the periods follow, e.g. America/New_York.", valueName: "zone"))
    var timezone: String = "UTC"

    @Option(help: ArgumentHelp("Folder for the report files (created when missing).", valueName: "dir"))
    var out: String = "reports"

    @Option(help: ArgumentHelp("Readings further apart than this many hours are a finding.", valueName: "hours"))
    var maxGap: Int = 36

    @Option(help: ArgumentHelp("Runway below this many days is a finding.", valueName: "days"))
    var minRunwayDays: Int = 7

    @Option(help: ArgumentHelp(
        "A key with less than this many USD left of its limit (or under 10 % of it) is a key_limit_low finding; keys without a limit never are.",
        valueName: "usd"))
    var minKeyRemaining: String = "5"

    func validate() throws {
        guard PeriodKind(rawValue: period) != nil else {
            throw ValidationError("--period must be day, week or month, not \"\(period)\"")
        }
        guard maxGap > 0 else { throw ValidationError("--max-gap must be a positive number of hours") }
        guard minRunwayDays >= 0 else { throw ValidationError("--min-runway-days must not be negative") }
    }

    /// The stage options these flags describe.
    func reportOptions(account: String) throws -> ReportOptions {
        var options = ReconcileOptions(account: account)
        options.from = try from.map { try ReconcileOptions.date($0, option: "--from") }
        options.to = try to.map { try ReconcileOptions.date($0, option: "--to") }
        options.period = PeriodKind(rawValue: period) ?? .day
        options.timeZone = timezone
        options.maxGapSeconds = Int64(maxGap) * 3600
        options.minRunwayDays = Int64(minRunwayDays)
        options.minKeyRemaining = try ReconcileOptions.amount(minKeyRemaining, option: "--min-key-remaining")
        return ReportOptions(reconcile: options, outDirectory: out)
    }
}
