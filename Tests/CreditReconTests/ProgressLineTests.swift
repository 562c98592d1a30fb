import Ledger
import Testing
@testable import CreditRecon

/// The line a long command keeps on a terminal: what it draws, when, and that it is
/// always cleared.
struct ProgressLineTests {
    /// A line whose output is collected.
    final class Screen {
        var written: [String] = []
        func line(noun: String = "rows", command: String = "import", enabled: Bool = true, step: Int = 10) -> ProgressLine {
            ProgressLine(noun: noun, command: command, enabled: enabled, step: step) { self.written.append($0) }
        }
    }

    @Test func aCountIsDrawnEveryStepAndClearedAtTheEnd() {
        let screen = Screen()
        let line = screen.line(noun: "snapshots")
        line.update(9)
        line.moveOn(to: "comparing")  // nothing shown yet: too short to say anything
        #expect(screen.written.isEmpty)
        line.update(10)
        line.update(19)
        line.update(25)
        line.moveOn(to: "comparing")
        line.finish()
        line.finish()
        #expect(screen.written == [
            "\rimport: 10 snapshots checked and written so far\u{1B}[K",
            "\rimport: 25 snapshots checked and written so far\u{1B}[K",
            "\rimport: comparing\u{1B}[K",
            "\r\u{1B}[K",
        ])
    }

    @Test func aReportsStepsAreDrawnAsTheyStart() {
        let screen = Screen()
        let line = screen.line(command: "report")
        line.show(ReportProgress(.reading))
        line.show(ReportProgress(.reconciling(readings: 1_000_000, charges: 2)))
        line.show(ReportProgress(.writing("charges.csv"), place: .init(account: "ops", number: 2, of: 3)))
        line.finish()
        #expect(screen.written == [
            "\rreport: reading the books\u{1B}[K",
            "\rreport: reconciling 1000000 readings and 2 charges\u{1B}[K",
            "\rreport: account ops (2 of 3): writing charges.csv\u{1B}[K",
            "\r\u{1B}[K",
        ])
    }

    /// Off a terminal, or with `--json`, nothing at all is written.
    @Test func aDisabledLineWritesNothing() {
        let screen = Screen()
        let line = screen.line(enabled: false)
        line.update(100)
        line.moveOn(to: "comparing")
        line.show(ReportProgress(.reading))
        line.show(VerifyProgress.checked(entries: 100))
        line.finish()
        #expect(screen.written.isEmpty)
    }

    @Test func labelsAndFileNamesCannotReachTheTerminal() {
        let words = ReportProgress(.writing("a\u{1B}[2Jb"), place: .init(account: "x\u{07}\ny", number: 1, of: 1)).words
        #expect(words == "account x??y (1 of 1): writing a?[2Jb")
    }
}
