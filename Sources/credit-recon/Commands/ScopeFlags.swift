import ArgumentParser
import CreditRecon

/// Which books a reading command draws: the days and how they are cut into periods, shared
/// by `report`, `run` and `export`.
struct ScopeFlags: ParsableArguments {
    @Option(help: ArgumentHelp("First day, YYYY-MM-DD in --timezone (default: the day of the first reading, charge or failed run, whichever is earliest).", valueName: "date"))
    var from: String?

    @Option(help: ArgumentHelp("First day left out, YYYY-MM-DD (default: the day after the latest of the newest entry, the last reading, the last charge and the last failed run).", valueName: "date"))
    var to: String?

    @Option(help: ArgumentHelp(
        "day, week (ISO, from Monday) or month (default: day for report and run, month for export).", valueName: "period"))
    var period: String?

    @Option(help: ArgumentHelp("IANA time zone the periods follow, e.g. America/New_York.", valueName: "zone"))
    var timezone: String = "UTC"

    func validate() throws {
        if let period, PeriodKind(rawValue: period) == nil {
            throw ValidationError("--period must be day, week or month, not \"\(period)\"")
        }
    }

    /// Sets the range, periods and time zone of `options`.
    func apply(to options: inout ReconcileOptions, defaultPeriod: PeriodKind) throws {
        options.from = try from.map { try ReconcileOptions.date($0, option: "--from") }
        options.to = try to.map { try ReconcileOptions.date($0, option: "--to") }
        options.period = period.flatMap(PeriodKind.init(rawValue:)) ?? defaultPeriod
        options.timeZone = timezone
    }
}
