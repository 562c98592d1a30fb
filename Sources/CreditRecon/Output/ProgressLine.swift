import Ledger
import Logging
import Synchronization

/// The line a long command keeps up to date on a terminal (stderr) while it works:
/// `import: 1048576 snapshots checked and written so far`, or the step a report has got to,
/// `report: writing charges.csv`. A count is redrawn at most every `step` rows; the line
/// is cleared when the work ends, before its summary or error. It draws on the terminal's
/// `TerminalLine`, so log lines go above it, and may be told from any thread.
///
/// Without a terminal (a cron job, a pipe, `--json`) nothing is drawn; given a logger, what
/// the line would show is logged (`info`) every `logEvery` until the work ends, from the
/// first `logEvery` on, so a log shows long work going on (a copy of a million entries, a
/// report's one long step) and short work adds nothing.
public final class ProgressLine: Sendable {
    private let noun: String
    private let command: String
    private let done: String
    private let enabled: Bool
    private let step: Int
    private let terminal: TerminalLine
    private let logger: Logger?
    private let logEvery: Duration
    /// The count last drawn (0 before the first), and whether this line is showing.
    private let state = Mutex<(shown: Int, visible: Bool)>((0, false))
    /// Without a terminal: what the line would show now, and the task that logs it every
    /// `logEvery` until the work ends.
    private let logged = Mutex<(text: String?, ticker: Task<Void, Never>?)>((nil, nil))

    /// `enabled` is for a terminal without `--json`; `terminal` is stderr's unless a test
    /// says otherwise. When not `enabled`, the progress goes to `log`, if given, every
    /// `logEvery`. A count reads `<command>: <rows> <noun> <done> so far`; `starting`, the
    /// step shown until the first count (work that reaches no count in the terminal's quiet
    /// period showed nothing for seconds, probe 403).
    public init(noun: String = "rows", command: String = "import", done: String = "checked and written", enabled: Bool,
                log: Logger? = nil, logEvery: Duration = .seconds(30), step: Int = 65_536,
                terminal: TerminalLine = .standardError, starting: String? = nil) {
        self.noun = noun
        self.command = command
        self.done = done
        self.enabled = enabled
        self.step = step
        self.terminal = terminal
        self.logger = enabled ? nil : log
        self.logEvery = logEvery
        if let starting { showAtOnce(starting) }
        guard logger != nil else { return }
        let ticker = Task { [weak self] in
            while (try? await Task.sleep(for: logEvery)) != nil, let line = self {
                line.logNow()
            }
        }
        logged.withLock { $0.ticker = ticker }
    }

    deinit {
        logged.withLock { $0.ticker?.cancel() }
    }

    /// `rows` rows have been done.
    public func update(_ rows: Int) {
        guard enabled || logger != nil else { return }
        state.withLock { state in
            guard rows > 0, rows - state.shown >= step else { return }
            state.shown = rows
            draw("\(rows) \(noun) \(done) so far", &state)
        }
    }

    /// Says what the work has moved on to (`<command>: <text>`), when the line is showing:
    /// work too short to have shown a count shows nothing.
    public func moveOn(to text: String) {
        state.withLock { state in
            guard state.visible else { return }
            draw(text, &state)
        }
    }

    /// Shows the step `report`, `export` or `status` has got to. Each step is shown as it
    /// starts, however short (a report has no count to wait for), once the terminal's
    /// quiet period is over (`TerminalLine`): a command done within it shows none.
    public func show(_ reporting: ReportProgress) {
        showAtOnce(reporting.words)
    }

    /// Shows the step the work is at, as it starts (`fetch: GET /credits`).
    public func show(step text: String) {
        showAtOnce(text)
    }

    /// Shows how far a top-up has got: `topup: 3 of 10 requests finished; line 4 created`.
    public func show(_ sending: TopUpProgress) {
        showAtOnce("\(sending.finished) of \(sending.planned) requests finished; line \(sending.line) \(sending.state)")
    }

    /// Shows how far `verify` has got.
    public func show(_ verifying: VerifyProgress) {
        switch verifying {
        case .checked(let entries): update(Int(entries))
        case .comparing: moveOn(to: "comparing the replay with the stored tables; the database checks its own files")
        }
    }

    /// Runs `work`, then clears the line, whichever way `work` ends: the command's
    /// summary or error is printed on a clear line.
    public func during<T>(_ work: () throws -> T) rethrows -> T {
        defer { finish() }
        return try work()
    }

    /// `during(_:)` for work that waits (the API, the network).
    public func during<T>(_ work: () async throws -> T) async rethrows -> T {
        defer { finish() }
        return try await work()
    }

    /// Clears the line, if it was ever shown; without a terminal, stops logging.
    public func finish() {
        logged.withLock { logged in
            logged.ticker?.cancel()
            logged = (nil, nil)
        }
        state.withLock { state in
            guard state.visible else { return }
            state = (0, false)
            terminal.clear()
        }
    }

    private func showAtOnce(_ text: String) {
        guard enabled || logger != nil else { return }
        state.withLock { draw(text, &$0) }
    }

    private func draw(_ text: String, _ state: inout (shown: Int, visible: Bool)) {
        state.visible = true
        guard logger == nil else {
            logged.withLock { $0.text = text }
            return
        }
        terminal.show("\(command): \(text)")
    }

    /// Logs what the line would show now, if anything (the ticker's, every `logEvery`; none
    /// once the work has ended).
    private func logNow() {
        guard let logger, let text = logged.withLock({ $0.text }) else { return }
        logger.info("\(command): \(text)")
    }
}
