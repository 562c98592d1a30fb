import CreditTypes
import Foundation
import Ledger
import OpenRouterAPI

/// The nightly job (`run`): under one writer lock, fetch → top-up (when a plan is given,
/// and the fetch reached the API) → fetch → report.
///
/// Each stage records its own run in the ledger, and the job records one of its own whose
/// summary lists every stage's outcome. A failing stage does not stop the later ones —
/// the report is still written, and a failed run shows in it as a `run_failed` finding —
/// except a ledger I/O error, after which nothing can be trusted to be written. The exit
/// code is the most serious outcome of any stage.
///
/// SIGINT or SIGTERM (cron's timeout) is trapped for the whole job: the stage under way
/// stops cleanly (no new API call, the ones in flight recorded), the later API stages are
/// skipped, and the report is still written.
public struct RunStage: Sendable {
    /// The job's options.
    public struct Options: Sendable {
        /// The top-up between the two readings; `nil` when no plan was given.
        public var topUp: TopUpEngine.Options?
        /// What each fetch reads besides the snapshot.
        public var fetch: FetchStage.Options
        /// At most this many charge requests per second.
        public var rateLimit: Double?
        /// Create charges without asking (required without a terminal).
        public var yes: Bool
        /// Where and how to report.
        public var report: ReportOptions

        public init(
            topUp: TopUpEngine.Options?, fetch: FetchStage.Options = FetchStage.Options(), rateLimit: Double? = nil,
            yes: Bool, report: ReportOptions
        ) {
            self.topUp = topUp
            self.fetch = fetch
            self.rateLimit = rateLimit
            self.yes = yes
            self.report = report
        }
    }

    /// How one stage ended.
    public struct StageResult: Sendable, Equatable {
        /// `fetch`, `topup`, `fetch again`, `report`.
        public let name: String
        public let status: ExitStatus
        /// One line on what it did or why it failed.
        public let detail: String
        /// What the stage's own command prints under `--json` (`fetch`, `topup`, `report`),
        /// when it ran to its end; `nil` for one skipped or failed.
        public var result: JSONOutput?
        /// What a failed stage's error adds to its `--json` object (a fetch's call that
        /// failed and what it stored before), beside `detail`.
        public var failureDetails: [String: JSONOutput] = [:]

        /// Whether the stage was not run (`detail` says why): its `exit_code` is that of work
        /// not done (75, after a signal) or 0, the failure being the fetch's.
        public var skipped: Bool { detail.hasPrefix(Self.skippedPrefix) }

        /// How `detail` begins for a stage not run.
        static let skippedPrefix = "skipped: "

        /// A stage not run, `why` saying why.
        static func skipped(_ name: String, status: ExitStatus, _ why: String) -> StageResult {
            StageResult(name: name, status: status, detail: skippedPrefix + why)
        }
    }

    /// What the job did.
    public struct Outcome: Sendable {
        public var runID: Int64 = 0
        public var stages: [StageResult] = []
        public var report: ReportOutcome?
        /// The ledger's head as the job left it, once it recorded its end: what the report is
        /// of, and what is said when the report failed (probe 349: the job wrote its charges
        /// and printed no head to pin them by).
        public var headHash: String?

        /// The most serious outcome of any stage.
        public var exitStatus: ExitStatus { stages.map(\.status).max() ?? .ok }
    }

    public let context: CommandContext
    public let options: Options

    public init(context: CommandContext, options: Options) {
        self.context = context
        self.options = options
    }

    /// Runs the job. With a plan and no terminal, `--yes` is required (64, nothing done).
    public func run(isTerminal: Bool, showProgress: Bool) async throws -> Outcome {
        _ = try context.keyBaseURL()  // every stage but the report sends the key there
        // A plan that cannot be read, or has a bad row, is found before the job starts (65,
        // 66: nothing fetched or written), not after the first fetch has stored a reading;
        // and before the question of --yes, which only a plan that can be sent raises.
        let plan = try options.topUp.map { try TopUpEngine(options: $0).readPlan() }
        // So is a bearer (or key) file that cannot be read (78): it was found by the top-up,
        // after the first fetch had stored its reading.
        if options.topUp != nil { _ = try context.bearer() }
        // Before the lock and the fetch: a cron line without --yes is wrong every night,
        // whether or not tonight's plan has new rows.
        if let topUp = options.topUp, !options.yes, !isTerminal { throw TopUpError.confirmationRequired(plan: topUp.planPath) }
        let lock = try context.lockWriter()
        defer { withExtendedLifetime(lock) {} }
        // Under the lock, what depends on the ledger too (a reference used otherwise, a plan
        // of another account, --max-total over the rows still to send), as the top-up will
        // check it: refused before the fetch stored anything (a mistyped --account kept its
        // readings for good).
        var confirmed = options.yes, declined = false
        // A signal as it waits for another session's lock, before anything is sent or written,
        // stops it there (probe 453: it said it stops as its work begins, and waited the lock
        // out); the job, not begun, writes no report.
        let stopped = "the job had not begun: nothing was sent or written, and no report; run it again"
        let (existing, preview) = try Interruption.givingUpLockWaits(on: .starting, outcome: stopped) { opened in
            let existing = try context.existingLedgerForAccount(opened: opened)
            guard let plan, let topUp = options.topUp else { return (existing, TopUpPreview?.none) }
            return (existing, try TopUpEngine(options: topUp).prepare(ledger: existing, plan: plan))
        }
        if let preview {
            // On a terminal, the question is asked now, before the job has started: Ctrl-C at
            // it then ends the command with nothing done. Asked after the first fetch, it left
            // the job's run open and no report (probe 77). The fetch changes nothing the top-up
            // depends on, so the rows asked about are the rows it sends.
            if !confirmed {
                let asking = Interruption()
                asking.startTrapping()
                defer { asking.stopTrapping() }
                do {
                    // Not asked after a signal: the job then stops as it starts, sending nothing.
                    try TopUpStage.confirm(preview, yes: false, isTerminal: isTerminal, interruption: asking) { lock.tidyBeforeDying() }
                    confirmed = true
                } catch {
                    // Not `catch .declined`: Swift 6.3's compiler fails on that pattern of a typed
                    // error whose other cases carry values (an ownership error in RunStage.run).
                    guard case .declined = error else { throw error }
                    declined = true
                }
            }
        }
        let account = context.account
        let started = context.now()
        var outcome = Outcome()
        let ledger = try Interruption.givingUpLockWaits(on: .starting, outcome: stopped) { opened in
            let ledger = try existing ?? context.openLedger()
            opened(ledger)
            outcome.runID = try ledger.write { writer in
                try writer.append(.runStarted(RunStarted(command: "run")), account: account, runID: nil, at: started)
            }
            return ledger
        }
        let interruption = Interruption.trapped(logger: context.logger, then: "the report is written")
        defer { interruption.stopTrapping() }

        try await stage("fetch", into: &outcome) {
            let fetched = try await fetch(showProgress: showProgress, interruption: interruption)
            return StageResult(name: "fetch", status: fetched.exitStatus, detail: Self.describe(fetched), result: fetched.json)
        }
        let fetchStatus = outcome.stages.last?.status ?? .ok
        if let signal = interruption.signal {
            // Whoever sent the signal wants the job to end: no more API calls (a top-up, a fetch
            // that may retry for minutes), only the report, which is local and quick. A stage
            // skipped is work not done (75), even when the fetch had finished as the signal came.
            for name in options.topUp == nil ? [] : ["topup", "fetch again"] {
                outcome.stages.append(.skipped(name, status: .tempFail, "the job was stopped by \(signal)"))
            }
        } else if options.topUp != nil, [.unavailable, .tempFail, .protocol, .config].contains(fetchStatus) {
            // The API did not answer a GET, or answered what cannot be read: a POST now would
            // most likely end `unknown`, each a row for a person to clear, so the plan waits
            // for the next run. So it does when the fetch found the setup wrong (78): a clock
            // behind the books made charges whose answers no one could trust (dated ahead).
            let what = switch fetchStatus {
            case .protocol: "the API answered the fetch with what cannot be read"
            case .config: "the fetch found the setup wrong (the clock or --now, --base-url, or the key)"
            default: "the API did not answer the fetch"
            }
            let plan = options.topUp.map(sendingCommand) ?? ""
            let skipped = StageResult.skipped(
                "topup", status: .ok,
                // Not "the next run sends the plan": said of a plan sent whole, too (probe 129).
                // Nothing of the plan is stored: a job given a plan of each night's date never
                // sent the night's rows, and nothing said so later (probe 461).
                "\(what) (exit \(fetchStatus.rawValue)); nothing of the plan was stored or sent: its rows not "
                    + "carried out yet wait for the next run given this plan, or for \(plan)")
            outcome.stages.append(skipped)
            // In the log too, which said only the fetch's failure (probe 179: said on stdout alone).
            context.logger.warning("topup: \(skipped.detail)")
            // Listed as skipped, as after a signal: a script found no second fetch at all (probe 349).
            outcome.stages.append(.skipped(
                "fetch again", status: .ok,
                "the first fetch failed (exit \(fetchStatus.rawValue)), so no top-up was made for it to read"))
        } else if let topUp = options.topUp {
            try await stage("topup", into: &outcome) {
                if declined { return StageResult(name: "topup", status: .ok, detail: "declined at the prompt; nothing was sent") }
                let stage = TopUpStage(
                    context: context, options: topUp, rateLimit: options.rateLimit, yes: confirmed, lockHeld: true,
                    clockChecked: true, interruption: interruption, plan: plan, logsRecovered: false)
                switch try await stage.run(isTerminal: isTerminal, showProgress: showProgress) {
                case .finished(let summary):
                    return StageResult(name: "topup", status: summary.exitStatus, detail: Self.describe(summary), result: summary.json)
                case .declined, .preview:
                    return StageResult(name: "topup", status: .ok, detail: "declined at the prompt; nothing was sent")
                }
            }
            if let signal = interruption.signal {
                outcome.stages.append(.skipped("fetch again", status: .tempFail, "the job was stopped by \(signal)"))
            } else {
                try await stage("fetch again", into: &outcome) {
                    let fetched = try await fetch(showProgress: showProgress, interruption: interruption)
                    return StageResult(
                        name: "fetch again", status: fetched.exitStatus, detail: Self.describe(fetched), result: fetched.json)
                }
            }
        }

        let worst = outcome.exitStatus
        let summary = outcome.stages.map { "\($0.name): \($0.detail)" }.joined(separator: "; ")
        outcome.headHash = try ledger.write { writer in
            try writer.append(
                .runFinished(RunFinished(
                    runID: outcome.runID, outcome: worst == .ok ? "ok" : worst == .attention ? "attention" : "failed",
                    exitCode: Int64(worst.rawValue), summary: summary)),
                account: account, runID: outcome.runID, at: context.now())
            return try writer.reader.head().hash
        }

        // The report comes last, so it is pinned to the ledger as this job leaves it.
        var written: ReportOutcome?
        try await stage("report", into: &outcome) {
            let progress = ProgressLine(command: "report", enabled: showProgress, log: context.logger)
            let report = try progress.during { try ReportStage.write(ledger: ledger, options: options.report, progress: progress.show) }
            written = report
            let counts = report.findingCounts
            return StageResult(
                name: "report", status: report.exitStatus,
                // In `report`'s own words, so one grep for `findings:` finds both (probe 225).
                detail: "\(report.files.count) files in \(report.directory) (findings: \(counts.errors) error, "
                    + "\(counts.warnings) warning\(report.attentionKinds), \(counts.infos) info); ledger head "
                    + report.reconciliation.headHash,
                result: report.json)
        }
        outcome.report = written
        return outcome
    }

    /// One of the job's fetches, under the job's lock, with its progress line.
    private func fetch(showProgress: Bool, interruption: Interruption) async throws -> FetchStage.Outcome {
        let line = ProgressLine(command: "fetch", enabled: showProgress, log: context.logger)
        return try await line.during {
            try await FetchStage(context: context, options: options.fetch, lockHeld: true, interruption: interruption) {
                line.show(step: $0)
            }.run()
        }
    }

    /// Runs one stage, turning its failure into a result; a ledger I/O failure, an internal
    /// error or a lost writer lock ends the job.
    private func stage(
        _ name: String, into outcome: inout Outcome, _ body: () async throws -> StageResult
    ) async throws {
        let logger = context.logger
        do {
            let result = try await body()
            outcome.stages.append(result)
            // A stage that needs a person (exit 1) is a warning, as a failed one is an error: so
            // is one that ended with a failure of its own code (a top-up whose requests were not
            // sent, 69; a refused key, 77; a stop, 75), logged at info (probe 276).
            switch result.status {
            case .ok: logger.info("\(name): \(result.detail)")
            case .attention: logger.warning("\(name): \(result.detail)")
            default: logger.error("\(name): \(result.detail)")
            }
        } catch {
            let status = ExitStatus(for: error)
            outcome.stages.append(StageResult(
                name: name, status: status, detail: "failed: \(ExitStatus.message(for: error))",
                failureDetails: (error as? any FailureDetails)?.failureDetails ?? [:]))
            logger.error("\(name) failed (exit \(status.rawValue)): \(ExitStatus.message(for: error))")
            // A lost writer lock too: no later stage, nor the job's end, can be written.
            let lockLost = (error as? LedgerError)?.isWriterLockLost == true
            if status == .ioError || status == .software || lockLost { throw error }
        }
    }

    /// `count` and `noun`, plural unless one (`1 key`, `2 keys`).
    private static func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    static func describe(_ fetched: FetchStage.Outcome) -> String {
        var text = "total_credits \(fetched.snapshot.totalCredits) total_usage \(fetched.snapshot.totalUsage)"
        if let keys = fetched.keys { text += "; \(counted(keys.keys.count, "key")) read" }
        if let days = fetched.activityDays { text += "; \(counted(days.count, "day")) of activity stored" }
        if !fetched.activityDaysReadAgain.isEmpty { text += "; \(counted(fetched.activityDaysReadAgain.count, "day")) read again" }
        if let notYet = fetched.activityDayNotYet {
            text += "; \(notYet.isoText) not in the API's window yet (its clock has not passed midnight UTC), the next fetch stores it"
        }
        for finding in fetched.findings { text += "; \(finding.kind.rawValue): \(finding.message)" }
        return text
    }

    /// The `topup` that sends the plan of a top-up skipped after its fetch failed: with this
    /// job's ledger, API, files, caps and pace, wherever they came from (its command line, the
    /// environment, a default), its paths absolute. Without them, run as printed, it sent the
    /// plan from new books in the current folder, buying each row a second time, and without
    /// the job's `--max-total` (probes 463, 465: also when the ledger came from
    /// `CREDIT_RECON_LEDGER`). A password the ledger's URL held is left out, and said so.
    func sendingCommand(_ topUp: TopUpEngine.Options) -> String {
        // From the folder the job ran in: run elsewhere, a relative path named new books.
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") || path == "-" ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
        var words: [String] = []
        var passwordLeftOut = false
        switch try? context.ledgerLocation() {
        case .file(let path)?: words.append(ShellWord.option("--ledger", absolute(path)))
        case .postgres(var location)?:
            // Its certificate authority's file too (probe 467: a relative sslrootcert was not).
            location.sslRootCertificate = location.sslRootCertificate.map(absolute)
            words.append(ShellWord.option("--ledger", location.description))
            passwordLeftOut = location.passwordInURL
        case nil: words.append(ShellWord.option("--ledger", context.ledgerName))
        }
        if let file = context.ledgerPasswordFile ?? context.environment["CREDIT_RECON_LEDGER_PASSWORD_FILE"] {
            words.append(ShellWord.option("--ledger-password-file", absolute(file)))
        }
        if context.baseURL != ClientConfiguration.productionBaseURL { words.append(ShellWord.option("--base-url", context.baseURL)) }
        if let file = context.apiKeyFile { words.append(ShellWord.option("--api-key-file", absolute(file))) }
        if let file = context.bearerFile { words.append(ShellWord.option("--bearer-file", absolute(file))) }
        if topUp.maxAmount != PlanReader.defaultMaxAmount { words.append("--max-amount \(topUp.maxAmount.decimalText)") }
        if let total = topUp.maxTotal { words.append("--max-total \(total.decimalText)") }
        if topUp.allowRepeat { words.append("--allow-repeat") }
        if topUp.concurrency != TopUpEngine.Options.defaultConcurrency { words.append("--concurrency \(topUp.concurrency)") }
        if let rate = options.rateLimit { words.append("--rate-limit \(rate)") }
        words.append("--yes")
        return "`" + TopUpEngine.planCommand(
            planFile: absolute(topUp.planPath), batch: TopUpEngine(options: topUp).batch, account: context.account,
            words.joined(separator: " "), named: true) + "`"
            + (passwordLeftOut ? " (the ledger URL's password left out: give it in PGPASSWORD or with --ledger-password-file)" : "")
    }

    /// What `topup` itself prints, on one line: the counts, the rows skipped, those an
    /// earlier run left unanswered, those not started, and each row that needs a person.
    private static func describe(_ summary: TopUpSummary) -> String {
        summary.text.split(separator: "\n").filter { !$0.hasPrefix("ledger head ") }.joined(separator: "; ")
    }
}

extension RunStage.Outcome {
    /// Lines for people: one per stage, then where the report is.
    public var text: String {
        var lines = stages.map { stage in
            // A stage skipped without a failure of its own (the fetch's is on its line) did
            // nothing: not "ok".
            if stage.status == .ok, stage.skipped {
                return "\(stage.name): skipped — \(stage.detail.dropFirst(RunStage.StageResult.skippedPrefix.count))"
            }
            return "\(stage.name): \(stage.status == .ok ? "ok" : "exit \(stage.status.rawValue)") — \(stage.detail)"
        }
        if let report {
            lines.append("reports in \(report.directory): \(report.files.joined(separator: ", "))")
        } else if let headHash {
            lines.append("ledger head \(headHash)")  // on the report's line when there is one
        }
        // A line a stage: what a stage's line quotes (a finding's key name, a server's
        // message) neither breaks it nor reaches the terminal raw (probe 380: an ESC did).
        return lines.map(TerminalText.oneLine).joined(separator: "\n")
    }

    /// The `--json` summary: each stage with its line and, when it ran to its end, the
    /// document its own command prints under `--json` (`result`), so a script reads the
    /// counts, states and findings, not the line's words; the ledger head the report is of.
    public var json: JSONOutput {
        .object([
            "run_id": .int(runID),
            "exit_code": .int(Int64(exitStatus.rawValue)),
            "stages": .array(stages.map {
                .object([
                    "name": .string($0.name), "exit_code": .int(Int64($0.status.rawValue)), "detail": .string($0.detail),
                    // A script found a skipped top-up's 0 read as a top-up done (probe 461).
                    "skipped": .bool($0.skipped), "result": $0.result ?? .null,
                ].merging($0.failureDetails) { own, _ in own })
            }),
            "report_directory": report.map { .string($0.directory) } ?? .null,
            "head_hash": (report?.reconciliation.headHash ?? headHash).map { .string($0) } ?? .null,
        ])
    }
}
