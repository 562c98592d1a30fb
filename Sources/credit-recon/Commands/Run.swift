import ArgumentParser
import CreditRecon
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension CreditReconCommand {
    /// `run`: the nightly job.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "The nightly job: lock, fetch, top-up (if --plan), fetch again, report.",
            discussion: """
                Holds the writer lock for the whole job. A failing stage does not stop the others: the report \
                is still written and shows the failure as a run_failed finding. The exit code is the most \
                serious outcome of any stage. For cron (no terminal), a plan needs --yes. Example crontab line:
                  15 2 * * * cd /srv/books && OPENROUTER_API_KEY=… credit-recon --ledger books.sqlite run --out reports
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Top up from this plan between the two readings.", valueName: "plan.csv"))
        var plan: String?

        @Option(name: .long, help: ArgumentHelp("Batch name for plan rows without a reference (default: the plan file's name).", valueName: "name"))
        var batch: String?

        @Flag(name: .long, help: "Do not ask for confirmation before creating charges (required without a terminal).")
        var yes = false

        @Option(name: .long, help: ArgumentHelp("Charge requests in flight at once (1-32).", valueName: "n"))
        var concurrency = 4

        @Option(name: .long, help: ArgumentHelp("At most this many charge requests per second.", valueName: "per-second"))
        var rateLimit: Double?

        @Option(name: .long, help: ArgumentHelp("The largest amount one plan row may ask for, in USD (default 10000).", valueName: "usd"))
        var maxAmount: String?

        @Option(name: .long, help: ArgumentHelp("Refuse a plan whose new rows add up to more, in USD.", valueName: "usd"))
        var maxTotal: String?

        @OptionGroup var report: ReportFlags

        func validate() throws {
            guard (1...32).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 32") }
            if let rateLimit, !(rateLimit > 0) { throw ValidationError("--rate-limit must be more than 0") }
        }

        mutating func run() async throws {
            let command = self
            try await CLI.run(global) { context in
                let options = RunStage.Options(
                    plan: command.plan, batch: command.batch, yes: command.yes, concurrency: command.concurrency,
                    rateLimit: command.rateLimit,
                    maxAmount: try USDOption.parse(command.maxAmount, option: "--max-amount") ?? PlanReader.defaultMaxAmount,
                    maxTotal: try USDOption.parse(command.maxTotal, option: "--max-total"),
                    report: try command.report.reportOptions(account: context.account))
                let outcome = try await RunStage(context: context, options: options).run(
                    isTerminal: isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1,
                    showProgress: isatty(STDERR_FILENO) == 1 && !context.json)
                print(context.json ? outcome.json.canonicalText : outcome.text)
                return outcome.exitStatus
            }
        }
    }
}
