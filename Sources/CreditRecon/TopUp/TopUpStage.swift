import CreditTypes
import Foundation
import Ledger
import Logging
import OpenRouterAPI

/// The `topup` stage as a command runs it: preview, guardrails, confirmation, then the
/// engine with the real client, signal handling and progress output. `topup` and `run`
/// both hand off to it.
public struct TopUpStage: Sendable {
    /// What a stage run ended with.
    public enum Outcome: Sendable {
        /// `--dry-run`: what would be sent; nothing was sent or written.
        case preview(TopUpPreview)
        /// The person said no at the prompt; nothing was sent.
        case declined
        /// The engine ran (possibly with nothing to send).
        case finished(TopUpSummary)

        /// The exit status this outcome calls for.
        public var exitStatus: ExitStatus {
            if case .finished(let summary) = self { return summary.exitStatus }
            return .ok
        }
    }

    public let context: CommandContext
    public let options: TopUpEngine.Options
    /// Client-side requests per second, if limited.
    public let rateLimit: Double?
    /// `--yes`: no confirmation prompt.
    public let yes: Bool
    /// The caller already holds the writer lock (the `run` command).
    public let lockHeld: Bool
    /// The caller checked this machine's clock against the API's (the `run` command's
    /// fetch did); otherwise the stage does before its first charge (`ClockCheck`).
    public let clockChecked: Bool
    /// The command's SIGINT/SIGTERM when the caller traps them (the `run` command);
    /// `nil`: the stage traps them itself while it sends.
    public let interruption: Interruption?
    /// The plan as the caller already read it (the `run` command, before its first fetch);
    /// `nil`: the stage reads it.
    public let plan: TopUpEngine.KeyedPlan?
    /// Without a terminal, the requests an earlier run left unanswered are logged (warning);
    /// not by the `run` command's stage, whose line, logged whole, says them.
    public let logsRecovered: Bool

    public init(
        context: CommandContext, options: TopUpEngine.Options, rateLimit: Double?, yes: Bool, lockHeld: Bool = false,
        clockChecked: Bool = false,
        interruption: Interruption? = nil, plan: TopUpEngine.KeyedPlan? = nil, logsRecovered: Bool = true
    ) {
        self.context = context
        self.options = options
        self.rateLimit = rateLimit
        self.yes = yes
        self.lockHeld = lockHeld
        self.clockChecked = clockChecked
        self.interruption = interruption
        self.plan = plan
        self.logsRecovered = logsRecovered
    }

    /// The ledger the top-up reads (`existingLedgerForAccount`). None, with `--retry-unknown`,
    /// is refused (66): that option sends again the rows an earlier top-up left unknown, so
    /// the books it means are elsewhere. An advice's command pasted without its `--ledger`
    /// made new books in the current folder, every row of the plan new to them (probe 447).
    private func existingLedger(opened: (Ledger) -> Void = { _ in }) throws -> Ledger? {
        let ledger = try context.existingLedgerForAccount(opened: opened)
        guard ledger == nil, options.retryUnknown else { return ledger }
        let named = (try? context.ledgerLocation()).map { "\($0)" } ?? "the ledger named"
        throw UsageError(
            message: "there is no ledger at \(TerminalText.printable(named)): --retry-unknown sends again the rows an earlier top-up "
                + "left unknown, and none wrote here; name the ledger it wrote with --ledger (or CREDIT_RECON_LEDGER). Nothing was "
                + "sent or written",
            exitStatus: .noInput)
    }

    /// What would be charged, and what a write would refuse the ledger for; no lock, and no
    /// ledger file is created.
    public func preview() throws -> TopUpPreview {
        // Gone where this host wrote it: the top-up is refused (74), and so is its dry run,
        // which said every row was to send (probe 422).
        let ledger = try existingLedger()
        var preview = try TopUpEngine(options: options).prepare(ledger: ledger, writer: ledger?.writerAtWork)
        preview.ledgerDamage = try ledger?.damageSigns() ?? []
        preview.ledgerMissing = ledger == nil
        return preview
    }

    /// Validates the plan, asks for confirmation when on a terminal (or requires `yes`),
    /// and sends the rows not yet carried out.
    public func run(isTerminal: Bool, showProgress: Bool) async throws -> Outcome {
        try context.checkBaseURL()
        // Trapped from the start, so a signal before the question stops the top-up before
        // anything is sent, and the question is asked under the same trap.
        return try await Interruption.trapping(interruption, logger: context.logger) { interruption in
            try await run(isTerminal: isTerminal, showProgress: showProgress, interruption: interruption)
        }
    }

    private func run(isTerminal: Bool, showProgress: Bool, interruption: Interruption) async throws -> Outcome {
        let lock = lockHeld ? nil : try context.lockWriter()
        defer { withExtendedLifetime(lock) {} }
        let engine = TopUpEngine(options: options)
        // A signal as it waits for another session's lock, before anything is sent or written,
        // stops it there (probe 453: it waited the lock out, then said the requests sent were
        // recorded, of none).
        let stopped = "nothing was sent or written; run topup again"
        let (existing, preview) = try interruption.givingUpLockWaits(outcome: stopped) { opened in
            let existing = try existingLedger(opened: opened)
            return (existing, try engine.prepare(ledger: existing, plan: plan))
        }
        do {
            try Self.confirm(preview, yes: yes, isTerminal: isTerminal, interruption: interruption) { lock?.tidyBeforeDying() }
        } catch {
            // Not `catch .declined`: Swift 6.3's compiler fails on that pattern (RunStage's note).
            guard case .declined = error else { throw error }
            return .declined
        }

        // The key before the ledger: a command refused for want of one leaves no new ledger.
        // Nothing to send needs none; but a key given is read all the same, from its file or
        // its variable, so a cron job's wrong path or short key fails the first night, not the
        // night there is work (probe 368: OPENROUTER_BEARER of 5 characters, exit 0).
        let bearer = preview.toSend.isEmpty ? nil : try context.bearer()
        if bearer == nil { _ = try context.givenBearer() }
        var realClient: OpenRouterClient?
        if let bearer {
            realClient = OpenRouterClient(configuration: ClientConfiguration(
                baseURL: try context.keyBaseURL(), managementKey: nil, bearer: bearer, timeout: context.timeout,
                maxRetryTime: context.maxRetryTime, rateLimit: rateLimit, userAgent: CreditReconVersion.userAgent,
                logger: context.logger))
        }
        let client: any ChargeCreating = realClient ?? NothingToSend()
        let stop = StopFlag()
        let logger = context.logger
        let interruptible = realClient
        let summary: TopUpSummary
        // Without a terminal each row's outcome is logged as it comes (below): no heartbeat.
        let line = ProgressLine(command: "topup", enabled: showProgress)
        interruption.onSignal { name in
            stop.request(.interrupted(signal: name))
            // Requests still waiting for a rate limit or a retry are not in flight: drop
            // them now (recorded as not sent) instead of sending them after the signal.
            interruptible?.interrupt()
        }
        do {
            defer { line.finish() }
            if let realClient, preview.clockDecides, !clockChecked, !context.clock.isFixed {
                try await Self.checkClock(realClient, context: context, stop: stop)
            }
            let ledger = try existing ?? context.openLedger()
            summary = try await engine.execute(
                preview, ledger: ledger, client: client, stop: stop, now: { context.now() }, standalone: !lockHeld,
                progress: { event in
                    if showProgress {
                        line.show(event)
                    } else {
                        // A row a person must settle is a warning: a log kept at warning and
                        // above (--log-level warning) had no word of it (probe 82).
                        // A row without a reference by its key, as the summary names it: the advice
                        // says to give "its key", which a cron log had nowhere else (probe 382).
                        let row = "line " + TopUpSummary.rowName(line: event.line, reference: event.reference, key: event.key)
                        let said: Logger.Message = "\(row): \(event.state) — \(event.detail)"
                        if TopUpSummary.needsAPerson(event.state) { logger.warning(said) } else { logger.info(said) }
                    }
                })
        } catch {
            await realClient?.shutdown()
            throw error
        }
        await realClient?.shutdown()
        // Rows no request of this run touched, which a log kept at warning had no word of (probe 175).
        if !showProgress, logsRecovered, let recovered = summary.recoveredText { logger.warning("\(recovered)") }
        // So were the rows earlier runs left for a person, which this run skipped: a re-run
        // exited 1 with nothing in its log (probe 201).
        if !showProgress, logsRecovered, let skipped = summary.skippedNeedingAPersonText { logger.warning("\(skipped)") }
        return .finished(summary)
    }

    /// Refuses (78) to charge by a clock far from the API's, before anything is written,
    /// when a row's purchase was charged longer ago than the repeat window by this clock
    /// (`TopUpPreview.clockDecides`): on a clock far ahead, a copy of a plan run an hour ago
    /// looks older than the window, and its rows were bought again (probe 99). `GET /key`
    /// with the charge key gives the API's `Date`. An API out of reach, failing (5xx) or
    /// slowing us down past the retry budget raises `stop` as a charge request would: the
    /// rows are not started, rather than each waiting a budget again (probe 100) or a 500
    /// leaving it unknown. Any other refusal is logged, and the requests meet it themselves.
    static func checkClock(_ client: OpenRouterClient, context: CommandContext, stop: StopFlag) async throws {
        let answeredAt: Timestamp?
        do {
            answeredAt = try await client.answerTime()
        } catch {
            guard !client.wasInterrupted else { return }  // the signal raised the stop
            let failed = "GET /key, the clock's check before the first charge, failed: \(error.shortReason)"
            switch error {
            case .notSent, .timedOut, .server: stop.request(.apiUnavailable(failed))
            case .rateLimited: stop.request(.rateLimited(failed))
            default:
                context.logger.warning("\(failed); this machine's clock was not checked against the API's, and a row bought more than 12 hours ago by it may be a repeat")
            }
            return
        }
        if let unchecked = try ClockCheck.check(context.now(), against: answeredAt, for: .topUps) {
            context.logger.warning("\(unchecked)")
        }
    }

    /// Asks on the terminal whether to create `preview`'s charges, unless `yes` (without a
    /// terminal, `yes` is required). Ctrl-C at the question ends the command at once, after
    /// `tidy`: nothing is sent yet, and a ledger not made yet leaves no lock file either. Not
    /// asked after a signal (`interruption`): the top-up then stops before its first request.
    static func confirm(
        _ preview: TopUpPreview, yes: Bool, isTerminal: Bool, interruption: Interruption,
        tidy: @escaping @Sendable () -> Void
    ) throws(TopUpError) {
        guard interruption.signal == nil else { return }
        // What was typed before the question is no answer to it: a `y` and Enter typed while
        // the plan was checked bought it unseen (probe 404). An end of input typed before it
        // still ends it (discarded, `script` < /dev/null waited for ever).
        let endedBefore = isTerminal && !yes && Self.dropTypedAhead()
        try interruption.endingAtOnce(tidy: tidy) { () throws(TopUpError) in
            try TopUpConfirmation.check(preview, yes: yes, isTerminal: isTerminal,
                                        show: { stderr($0.hasSuffix(" ") ? $0 : $0 + "\n") },
                                        ask: { endedBefore ? nil : Self.readAnswer() })
        }
    }

    /// Reads and drops what was typed before the question, line by line, without waiting;
    /// whether the end of input came among it.
    static func dropTypedAhead() -> Bool {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var pending = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        while poll(&pending, 1, 0) > 0 {
            let count = bytes.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return true }
        }
        return false
    }

    /// What one read of the terminal gives: a line ended by Enter, or what Ctrl-D sent
    /// before it, with no line break (`readLine` read on past it, so `y`, Ctrl-D to cancel,
    /// then Enter sent the plan, probe 403); `nil` at the end of input.
    static func readAnswer() -> String? {
        var bytes = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = bytes.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            return count > 0 ? String(decoding: bytes[..<count], as: UTF8.self) : nil
        }
    }

    static func stderr(_ text: String) {
        StandardStream.error(text)
    }
}

/// Stands in for the client when no row is to be sent (a run that only marks a dead
/// run's requests unknown), so no key is needed for it.
private struct NothingToSend: ChargeCreating {
    func createCharge(amount: Micros, sender: String, chainID: Int64) async throws -> ChargeAnswer {
        .notSent(status: nil, message: "not sent: no request was expected", rateLimited: false)
    }
}
