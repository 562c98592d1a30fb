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
            abstract: "The nightly job: lock, fetch, then with --plan top-up and fetch again, then report.",
            discussion: """
                Holds the writer lock for the whole job. A failing stage does not stop the others: the report \
                is still written and shows the failure as a run_failed finding. The exit code is the most \
                serious outcome of any stage. SIGTERM, SIGINT or SIGHUP (cron's timeout) stops the stage under way \
                cleanly (no new API call, the ones in flight recorded), skips the later API stages, still writes \
                the report, and exits 75. For cron (no terminal), a plan needs --yes: without it the job \
                stops before it starts (64), as it does for a plan that cannot be read (66) or has a bad row \
                (65). On a terminal without --yes, the top-up's question is asked before the first fetch. \
                A crontab line, with OPENROUTER_API_KEY and CREDIT_RECON_LEDGER \
                set above it in the crontab:
                  15 2 * * * cd /srv/books && credit-recon run --out reports
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Top up from this plan between the two readings.", valueName: "plan.csv"))
        var plan: String?

        @OptionGroup var topUp: TopUpFlags

        @OptionGroup var report: ReportFlags

        @OptionGroup var fetch: FetchFlags

        mutating func run() async throws {
            let command = self
            try await CLI.run(global, writes: true) { context in
                let report = try command.report.reportOptions(account: context.account)
                // Each fetch says a nearly spent key by the report's --min-key-remaining.
                var fetch = command.fetch.options
                fetch.minKeyRemaining = report.reconcile.minKeyRemaining
                let options = RunStage.Options(
                    topUp: try command.plan.map {
                        try command.topUp.engineOptions(plan: $0, account: context.account, retryUnknown: false, now: context.now())
                    },
                    fetch: fetch, rateLimit: command.topUp.rateLimit, yes: command.topUp.yes, report: report)
                let outcome = try await RunStage(context: context, options: options).run(
                    isTerminal: isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1,
                    showProgress: context.showsProgress)
                print(context.json ? outcome.json.text : outcome.text)
                return outcome.exitStatus
            }
        }
    }
}
