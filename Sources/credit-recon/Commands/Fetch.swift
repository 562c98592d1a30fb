import ArgumentParser
import CreditRecon

extension CreditReconCommand {
    /// Takes a snapshot of the account's running totals into the ledger, then a reading of
    /// every key and the days of activity not yet stored.
    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fetch",
            abstract: "Checks the key (GET /key), stores a snapshot of the running totals (GET /credits), a reading of every key (GET /keys) and the completed days of activity not yet stored (GET /activity).",
            discussion: """
                Needs a management key (OPENROUTER_API_KEY or --api-key-file): GET /key is asked first, and a key \
                that is not a management key is refused with exit 78 before anything is read or stored — an \
                ordinary key gets all-zero totals from /credits, which would look like real books. Without --now, \
                this machine's clock is checked against the API's (the Date of that answer): more than 5 minutes \
                apart is refused with 78 before anything is stored, since readings are dated by it for good. Takes the \
                ledger's writer lock. Every reading is stored with the raw response. Exits 1 when the reading looks \
                wrong (credits or usage went down, or an all-zero reading after real ones, which reports leave out \
                of the sums), when the balance is overdrawn (runway_low, on every fetch while it lasts), when an enabled key \
                of the listing is nearly spent (key_limit_low, the report's rule, on every fetch while it lasts), when \
                days after the newest one stored left GET /activity's window unread (activity_lost), or when a stored \
                day was read again (activity_revised, below), 77 when the key is refused, 69 when the API stays unreachable, 76 when it answers \
                something that is not its documented shape. On a terminal, a line on stderr names each call \
                as it is made (GET /activity?date=2026-11-03, day 3 of 30 to store).

                After the snapshot: every key of the account, disabled ones included (GET /keys, all pages), then \
                each completed UTC day of the API's 30-day window that the ledger does not hold yet, one \
                GET /activity?date= each (the first fetch backfills 30 days). A reading is never overwritten: the \
                days already held are compared with the API's answer (one GET /activity), and one whose rows \
                changed is read again and stored beside the earlier reading, an activity_revised warning (exit 1) \
                said once; reports use the newer reading. When one of these calls fails, what was \
                stored before it stays and the command exits with that call's code, naming it; the next fetch reads \
                what is missing. --no-keys and --no-activity skip them for a key that may not read them. \
                SIGTERM, SIGINT or SIGHUP stops it the same way: the call on the wire is finished and stored, none is sent \
                after it, the run ends failed, and the command exits 75.
                """
        )

        @OptionGroup var global: GlobalOptions

        @OptionGroup var fetch: FetchFlags

        @Option(parsing: .unconditional, help: ArgumentHelp(
            "A key of the listing, enabled, with less than this many USD left of its limit (or under 10 % of it) is a key_limit_low finding (exit 1); keys without a limit never are.",
            valueName: "usd"))
        var minKeyRemaining: String = "5"

        mutating func run() async throws {
            var options = fetch.options
            let minKeyRemaining = self.minKeyRemaining
            try await CLI.run(global, writes: true) { context in
                options.minKeyRemaining = try ReconcileOptions.amount(minKeyRemaining, option: "--min-key-remaining")
                let line = ProgressLine(command: "fetch", enabled: context.showsProgress, log: context.logger)
                let outcome = try await line.during {
                    try await FetchStage(context: context, options: options) { line.show(step: $0) }.run()
                }
                print(context.json ? outcome.json.text : outcome.text)
                return outcome.exitStatus
            }
        }
    }
}
