import CreditTypes
import Ledger
import Testing
@testable import CreditRecon

/// How text from elsewhere is printed.
struct TerminalTextTests {
    /// What every log line is made: one line, whatever it quotes (probe 383: a charge id with
    /// a line break in it wrote a line of its own into `topup`'s log, and an unreadable
    /// answer logged at debug wrote a forged error line).
    @Test func aLogLineIsKeptToOneLine() {
        #expect(TerminalText.oneLine("created — charge a\nb\r\nc\u{2028}d\te\u{85}f") == "created — charge a b  c d e f")
        #expect(TerminalText.oneLine("x\u{1b}[2J\u{202E}y\u{7}") == "x?[2J?y?")
        #expect(TerminalText.oneLine("2026-12-07 line 2 (R-1): created — caf\u{e9} ✓") == "2026-12-07 line 2 (R-1): created — café ✓")
    }

    /// What `fetch` and `run` print is a line a thing: a key's name quoted by a finding (a
    /// usage that went down names it as the API gave it) neither breaks a line nor reaches
    /// the terminal raw (probe 380: an ESC did, through `run`).
    @Test func fetchAndRunPrintEachLineOnOneLine() {
        let at = Timestamp(millisecondsSinceEpoch: 1_773_554_400_000)
        let finding = Finding(.warning, .usageDecreased, at: at, account: "ops",
                              message: "key evil\nwarning: fake\u{1b}[31m's usage went down by 1 USD")
        let fetched = FetchStage.Outcome(
            snapshot: SnapshotTaken(observedAt: at, totalCredits: Micros(raw: 5_000_000), totalUsage: .zero, source: "api"),
            keys: nil, activityDays: nil, activityDaysChecked: 0, activityDaysReadAgain: [], runID: 1, findings: [finding],
            account: "ops", headHash: String(repeating: "a", count: 64))
        #expect(fetched.text.split(separator: "\n").last == "warning: key evil warning: fake?[31m's usage went down by 1 USD")
        var run = RunStage.Outcome()
        run.stages = [RunStage.StageResult(name: "fetch", status: .attention, detail: "total_credits 5; " + finding.message)]
        #expect(run.text == "fetch: exit 1 — total_credits 5; key evil warning: fake?[31m's usage went down by 1 USD")
    }
}
