import CreditTypes
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import CreditRecon

/// The byte-level report writers (issue "Speed") print exactly what the `String` forms print.
struct ReportTextTests {
    static let amounts: [Int64] = [
        0, 1, -1, 9, 10, 99, 100, 10_000, 1_000_000, -1_000_000, 1_234_500_000, -3_250_000, 123_456, 100_001,
        999_999_999, Int64.max, Int64.min, Int64.min + 1, 5_000_000_000_000, 250_000, -10_000,
    ]

    @Test func amountsMatchDecimalAndCentsText() {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<2000).map { _ in Int64.random(in: -10_000_000_000_000...10_000_000_000_000, using: &generator) }
        for raw in Self.amounts + random + random.map({ $0 / 10_000 * 10_000 }) {
            var decimal = ReportText()
            decimal.append(decimal: Micros(raw: raw))
            #expect(decimal.string == Micros(raw: raw).decimalText, "\(raw)")
            var cents = ReportText()
            cents.append(cents: Micros(raw: raw))
            #expect(cents.string == Micros(raw: raw).centsText, "\(raw)")
            var integer = ReportText()
            integer.append(integer: raw)
            #expect(integer.string == String(raw))
        }
    }

    @Test func timesMatchISO8601() throws {
        var generator = SystemRandomNumberGenerator()
        let instants: [Int64] = [0, -1, 1, 86_399_999, -62_167_219_200_000, 253_402_300_799_999, 253_402_300_800_000,
                                 -62_167_219_200_001, 1_798_761_599_999]
            + (0..<2000).map { _ in Int64.random(in: -70_000_000_000_000...300_000_000_000_000, using: &generator) }
        for ms in instants {
            let time = Timestamp(millisecondsSinceEpoch: ms)
            var text = ReportText()
            text.append(time)
            var csv = ReportText()
            csv.append(csvTime: time)
            #expect(csv.string == CSVWriter.field(.time(time)), "\(ms)")
            #expect(String(decoding: text.bytes, as: UTF8.self) == time.iso8601, "\(ms)")
            #expect(time.utcDate.isoText == { var out: [UInt8] = []; time.utcDate.appendISOText(to: &out); return String(decoding: out, as: UTF8.self) }())
            if (0...9999).contains(time.utcDate.year) {
                #expect(try Timestamp(iso8601: time.iso8601) == time)
            }
        }
    }

    static let texts: [String?] = [
        nil, "", "plain", "=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", #"=HYPERLINK("a","b")"#, "a,b", "say \"hi\"",
        "one\ntwo\r\nthree\rfour", "a|b", "`code`", "<script>x</script>", "[link](http://x)", "#1 *bold* _it_ \\ & ok",
        "é", "ü,x", "=é", "a\u{2028}b", ",\u{301}", "\r\n", "\r\n\r", "日本\"語\"", "tab\there", "-",
        "ctl\u{1}\u{1b}[31mred", "x\u{7f}", "\u{202e}evil", "é\u{1b}", "r\"\u{301}x", "a,\u{301}b", "|\u{301}",
        "`\u{301}x", "\r\n\u{301}", "'-ops", "'", "it's", "'é",
    ]

    /// A mark combining with a quote, a comma, a pipe or a backquote is still that
    /// character to a CSV or Markdown reader: it is quoted, doubled or escaped (probe 306:
    /// a reference of r, a quote, U+0301 and x was written bare, and its row of charges.csv
    /// read as 15 columns).
    @Test func combiningMarksHideNoQuoteCommaOrPipe() {
        #expect(Array(CSVWriter.field(.text("r\"\u{301}x")).unicodeScalars) == Array("\"r\"\"\u{301}x\"".unicodeScalars))
        #expect(Array(CSVWriter.field(.text("a,\u{301}b")).unicodeScalars) == Array("\"a,\u{301}b\"".unicodeScalars))
        #expect(Array(MarkdownText.cell("a|\u{301}b").unicodeScalars) == Array("a\\|\u{301}b".unicodeScalars))
        #expect(Array(MarkdownText.cell("`\u{301}x").unicodeScalars) == Array("\\`\u{301}x".unicodeScalars))
        #expect(Array(MarkdownText.cell("a\r\n\u{301}b").unicodeScalars) == Array("a \u{301}b".unicodeScalars))
    }

    /// A key name from the API with ESC or a direction override in it (`ctl^[[31mred`) is
    /// shown with `?` in the CSV and the Markdown, as `status` shows it: `cat` of a report
    /// must not recolour the terminal.
    @Test func controlCharactersAreShownAsQuestionMarks() {
        #expect(CSVWriter.field(.text("ctl\u{1}\u{1b}[31mred")) == "ctl??[31mred")
        #expect(MarkdownText.cell("ctl\u{1}\u{1b}[31mred") == "ctl??\\[31mred")
        #expect(MarkdownText.cell("\u{202e}evil") == "?evil")
        #expect(CSVWriter.field(.text("a\tb\r\nc")) == "\"a\tb\r\nc\"", "tab and line breaks stay in a quoted CSV field")
    }

    @Test func cellsMatchFieldAndMarkdownCell() {
        for text in Self.texts {
            var csv = ReportText()
            csv.append(csvText: text)
            #expect(csv.string == CSVWriter.field(.text(text)), "\(String(describing: text))")
            var markdown = ReportText()
            markdown.append(markdownCell: text)
            #expect(markdown.string == MarkdownText.cell(text), "\(String(describing: text))")
        }
    }

    /// A full disk or a file-size limit is no folder to check: the advice says what helps
    /// (probe 274: "Check that the folder can be created and written" for ENOSPC and EFBIG).
    @Test func aFullDiskOrASizeLimitHasItsOwnAdvice() {
        let full = ReportError.cannotCreate("r/findings.csv", String(cString: strerror(ENOSPC)))
        #expect(full.message.hasSuffix("Free some space on that disk (or raise the quota), or pass another --out."))
        let limit = ReportError.cannotCreate("r/findings.csv", String(cString: strerror(EFBIG)))
        #expect(limit.message.hasSuffix("Raise this process's file-size limit (ulimit -f), or pass another --out."))
        let denied = ReportError.cannotCreate("r/findings.csv", String(cString: strerror(EACCES)))
        #expect(denied.message.hasSuffix("Check that the folder can be created and written, or pass another --out."))
        #expect(full.exitStatus == .cannotCreate && limit.exitStatus == .cannotCreate)
    }
}
