import AsyncWait
import Ledger
import Logging
import Synchronization
import Testing
@testable import CreditRecon

/// The line a long command keeps on a terminal: what it draws, when, that it is always
/// cleared, and that log lines go above it rather than into it.
struct ProgressLineTests {
    /// A terminal whose output is collected.
    struct Screen {
        final class Collected: Sendable {
            let texts = Mutex<[String]>([])
        }
        private let collected = Collected()
        let terminal: TerminalLine
        var written: [String] { collected.texts.withLock { $0 } }

        init(quietFor quiet: Duration = .zero) {
            let collected = collected
            terminal = TerminalLine(quietFor: quiet) { text in collected.texts.withLock { $0.append(text) } }
        }

        /// Writes `text` straight to the screen, as the log handler's stream does.
        func log(_ text: String) {
            collected.texts.withLock { $0.append(text) }
        }

        func line(noun: String = "rows", command: String = "import", done: String = "checked and written",
                  enabled: Bool = true, step: Int = 100) -> ProgressLine {
            ProgressLine(noun: noun, command: command, done: done, enabled: enabled, step: step, terminal: terminal)
        }
    }

    /// What a line writes to show each of `texts` in turn, then to clear itself.
    static func drawn(_ texts: String...) -> [String] {
        texts.map { "\r\($0)\u{1B}[K" } + ["\r\u{1B}[K"]
    }

    /// A line as wide as the terminal is cut to its width less one column: one that wraps
    /// leaves its first row behind at every redraw (probe 399). One shorter is drawn whole.
    @Test func aLineIsCutToTheTerminalsWidth() {
        let collected = Mutex<[String]>([])
        let terminal = TerminalLine(width: { 20 }) { text in collected.withLock { $0.append(text) } }
        terminal.show("fetch: GET /activity?date=2026-11-07, day 1 of 30 to store")
        terminal.show("fetch: GET /credits")
        terminal.writingAbove { collected.withLock { $0.append("a log line\n") } }
        terminal.clear()
        #expect(collected.withLock { $0 } == ["\r" + "fetch: GET /activi…" + "\u{1B}[K", "\rfetch: GET /credits\u{1B}[K",
                                              "\r\u{1B}[K", "a log line\n", "\rfetch: GET /credits\u{1B}[K", "\r\u{1B}[K"])
        #expect("fetch: GET /activi…".count == 20 - 1)
    }

    /// A counting line shows the step it starts with until its first count: work that
    /// reached no count in the quiet period showed nothing for seconds (probe 403). Work done
    /// within the quiet period shows none of it.
    @Test func aCountingLineShowsItsFirstStepUntilItsFirstCount() {
        let screen = Screen()
        let line = ProgressLine(noun: "entries", command: "verify", done: "hashed and replayed", enabled: true, step: 100,
                                terminal: screen.terminal, starting: "hashing and replaying the journal")
        line.update(150)
        line.finish()
        #expect(screen.written == Self.drawn("verify: hashing and replaying the journal", "verify: 150 entries hashed and replayed so far"))
        let quiet = Screen(quietFor: .seconds(60))
        let short = ProgressLine(enabled: true, terminal: quiet.terminal, starting: "checking and writing snapshots")
        short.finish()
        #expect(quiet.written.isEmpty, "\(quiet.written)")
    }

    @Test func theLineIsRedrawnEveryStepAndClearedAtTheEnd() {
        let screen = Screen()
        let line = screen.line(noun: "charges")
        for rows in [50, 100, 150, 230, 260] { line.update(rows) }
        line.finish()
        line.finish()
        #expect(screen.written == Self.drawn(
            "import: 100 charges checked and written so far",
            "import: 230 charges checked and written so far",
        ))
    }

    /// `verify`'s line: counts while it replays, then what it has moved on to; work too
    /// short to have shown a count shows nothing at all.
    @Test func verifysLineMovesOnToTheComparisonOnlyWhenShowing() {
        let screen = Screen()
        let line = screen.line(noun: "entries", command: "verify", done: "hashed and replayed")
        line.show(VerifyProgress.checked(entries: 40))
        line.show(VerifyProgress.comparing)
        line.finish()
        #expect(screen.written.isEmpty)
        line.show(VerifyProgress.checked(entries: 4_096))
        line.show(VerifyProgress.comparing)
        line.finish()
        #expect(screen.written == Self.drawn(
            "verify: 4096 entries hashed and replayed so far",
            "verify: comparing the replay with the stored tables; the database checks its own files",
        ))
    }

    /// Without a terminal (a cron job's log) nothing is drawn: what the line would show is
    /// logged at `info` every `logEvery`, whether the work moved on since or not (a report's
    /// one long step logged nothing for 95 s, probe 174), until the work ends.
    @Test func withoutATerminalTheProgressIsLoggedEveryPeriod() async {
        let screen = Screen()
        let said = InterruptionTests.Said()
        let line = ProgressLine(noun: "entries", command: "ledger copy", done: "copied", enabled: false,
                                log: Logger(label: "test") { _ in said }, logEvery: .milliseconds(20), step: 100,
                                terminal: screen.terminal)
        func logged(_ text: String, times: Int = 1) async -> Bool {
            await waitUntil { said.lines.withLock { $0 }.filter { $0 == text }.count >= times }
        }
        line.show(step: "reading the books")
        #expect(await logged("ledger copy: reading the books", times: 2), "\(said.lines.withLock { $0 })")
        for rows in [50, 100, 150] { line.update(rows) }
        #expect(await logged("ledger copy: 100 entries copied so far"), "\(said.lines.withLock { $0 })")
        line.moveOn(to: "comparing the replay with the stored tables")
        #expect(await logged("ledger copy: comparing the replay with the stored tables"), "\(said.lines.withLock { $0 })")
        line.finish()
        #expect(screen.written.isEmpty)
    }

    /// Work done before `logEvery` has passed logs nothing; on a terminal the line is drawn
    /// and nothing is logged.
    @Test(arguments: [false, true])
    func shortWorkOrATerminalLogsNothing(terminal: Bool) {
        let screen = Screen()
        let said = InterruptionTests.Said()
        let line = ProgressLine(command: "report", enabled: terminal, log: Logger(label: "test") { _ in said },
                                logEvery: terminal ? .milliseconds(1) : .seconds(3_600), step: 100, terminal: screen.terminal)
        line.update(1_000_000)
        line.show(step: "writing charges.csv")
        line.moveOn(to: "done")
        line.finish()
        #expect(said.lines.withLock { $0 }.isEmpty)
        #expect(screen.written.isEmpty == !terminal)
    }

    @Test func aReportsStepsAreDrawnAsTheyStart() {
        let screen = Screen()
        let line = screen.line(command: "report")
        line.show(ReportProgress(.reading))
        line.show(ReportProgress(.reconciling(readings: 1_000_000, charges: 2)))
        line.show(ReportProgress(.writing("charges.csv"), place: .init(account: "ops", number: 2, of: 3)))
        line.finish()
        #expect(screen.written == Self.drawn(
            "report: reading the books",
            "report: reconciling 1000000 readings and 2 charges",
            "report: account ops (2 of 3): writing charges.csv",
        ))
    }

    @Test func aTopUpsRequestsAreCountedAsTheyFinish() {
        let screen = Screen()
        let line = screen.line(command: "topup")
        line.show(TopUpProgress(finished: 3, planned: 10, line: 4, reference: "INV-4", key: "row/default/b/0xab/1/4/1", state: "created", detail: "charge ch_4"))
        line.finish()
        #expect(screen.written == Self.drawn("topup: 3 of 10 requests finished; line 4 created"))
    }

    /// A log line written while the line shows goes above it: the line is cleared, the log
    /// line written, and the line drawn again; with nothing showing, the log line alone.
    @Test func logLinesGoAboveTheLine() {
        let screen = Screen()
        screen.terminal.writingAbove { screen.log("first\n") }
        let line = screen.line(noun: "charges")
        line.update(100)
        screen.terminal.writingAbove { screen.log("second\n") }
        line.finish()
        screen.terminal.writingAbove { screen.log("third\n") }
        #expect(screen.written == [
            "first\n",
            "\rimport: 100 charges checked and written so far\u{1B}[K",
            "\r\u{1B}[K", "second\n", "\rimport: 100 charges checked and written so far\u{1B}[K",
            "\r\u{1B}[K",
            "third\n",
        ])
    }

    /// The work's result comes back, and the line is cleared whichever way the work ends.
    @Test func duringClearsTheLineWhicheverWayTheWorkEnds() async throws {
        struct Failed: Error {}
        let screen = Screen()
        let line = screen.line(command: "fetch")
        #expect(throws: Failed.self) {
            try line.during {
                line.show(step: "GET /key")
                throw Failed()
            }
        }
        let answer = try await line.during { () async throws -> Int in
            line.show(step: "GET /credits")
            await Task.yield()
            return 42
        }
        #expect(answer == 42)
        #expect(screen.written == Self.drawn("fetch: GET /key") + Self.drawn("fetch: GET /credits"))
    }

    /// Work done within the terminal's quiet period draws nothing: no line flashes on and
    /// off for a quick report. Log lines are written as ever.
    @Test func workDoneWithinTheQuietPeriodDrawsNothing() {
        let screen = Screen(quietFor: .seconds(60))
        let line = screen.line(command: "report")
        line.during {
            line.show(ReportProgress(.reading))
            screen.terminal.writingAbove { screen.log("a log line\n") }
            line.show(ReportProgress(.writing("charges.csv")))
        }
        #expect(screen.written == ["a log line\n"])
    }

    /// Work still going when the quiet period ends shows the step it is at then, and each
    /// step after it at once.
    @Test func workStillGoingWhenTheQuietPeriodEndsShowsWhereItIs() async throws {
        let screen = Screen(quietFor: .milliseconds(50))
        let line = screen.line(command: "report")
        line.show(ReportProgress(.reading))
        line.show(ReportProgress(.writing("summary.md")))
        try #require(await waitUntil { !screen.written.isEmpty }, "the line was never drawn")
        line.show(ReportProgress(.writing("charges.csv")))
        line.finish()
        #expect(screen.written == Self.drawn("report: writing summary.md", "report: writing charges.csv"))
    }

    /// Off a terminal, or with `--json`, nothing at all is written.
    @Test func offTheTerminalNothingIsWritten() {
        let screen = Screen()
        let line = screen.line(enabled: false, step: 1)
        line.update(100)
        line.moveOn(to: "comparing")
        line.show(ReportProgress(.reading))
        line.show(VerifyProgress.checked(entries: 100))
        line.show(TopUpProgress(finished: 1, planned: 1, line: 2, reference: nil, key: "row/default/b/0xab/1/1/1", state: "created", detail: ""))
        line.finish()
        #expect(screen.written.isEmpty)
    }

    @Test func labelsAndFileNamesCannotReachTheTerminal() {
        let words = ReportProgress(.writing("a\u{1B}[2Jb"), place: .init(account: "x\u{07}\ny", number: 1, of: 1)).words
        #expect(words == "account x??y (1 of 1): writing a?[2Jb")
    }
}
