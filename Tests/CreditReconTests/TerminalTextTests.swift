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
}
