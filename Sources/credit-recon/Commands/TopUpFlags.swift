import ArgumentParser
import CreditRecon
import CreditTypes

/// The top-up options shared by `topup` and `run --plan`.
struct TopUpFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Batch name for plan rows without a reference (default: the plan file's name).", valueName: "name"))
    var batch: String?

    @Flag(name: .long, help: "Do not ask for confirmation before creating charges (required when not on a terminal).")
    var yes = false

    @Flag(name: .long, help: ArgumentHelp(
        "Send rows that repeat a purchase (wallet, chain, amount) another plan's top-up or a recorded charge made in the last 12 hours, either without a reference (or, against a row left to send, the charge's naming no plan row).",
        discussion: "Without it such rows are refused: a plan saved again under another name is another batch, and would buy every row again."))
    var allowRepeat = false

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Charge requests in flight at once (1-32).", valueName: "n"))
    var concurrency = TopUpEngine.Options.defaultConcurrency

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("At most this many charge requests per second (0.001 to 1000000; default: no limit but --concurrency's and the API's 429s).", valueName: "per-second"))
    var rateLimit: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The largest amount one plan row may ask for, in USD (default 10000, at most 1000000).", valueName: "usd"))
    var maxAmount: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Refuse the batch when the rows it would send add up to more, in USD (default: no cap; --max-amount still bounds each row).", valueName: "usd"))
    var maxTotal: String?

    func validate() throws {
        try Self.validate(batch: batch)
        guard (1...32).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 32") }
        // At least one request in 1000 s (the pause between two is counted in nanoseconds).
        if let rateLimit, !(0.001...1_000_000).contains(rateLimit) {
            throw ValidationError("--rate-limit must be from 0.001 to 1000000 requests per second")
        }
    }

    /// The engine's options for `plan`, with the amounts parsed exactly.
    /// `--batch` of `topup` and `plan check`: part of each unreferenced row's key, kept for
    /// good, and what `import charges` is given.
    static func validate(batch: String?) throws {
        if let batch, let problem = AccountLabel.problem(
            batch, naming: "a batch name", column: "batch", ifEmpty: "give a name, or leave --batch out for the plan file's name")
        {
            throw ValidationError("--batch \(problem)")
        }
    }

    func engineOptions(plan: String, account: String, retryUnknown: Bool, now: Timestamp) throws -> TopUpEngine.Options {
        TopUpEngine.Options(
            planPath: plan, batch: batch, account: account,
            maxAmount: try USDOption.parse(maxAmount, option: "--max-amount", atMost: .largestCharge) ?? PlanReader.defaultMaxAmount,
            maxTotal: try USDOption.parse(maxTotal, option: "--max-total"),
            concurrency: concurrency, retryUnknown: retryUnknown, allowRepeat: allowRepeat, now: now)
    }
}
