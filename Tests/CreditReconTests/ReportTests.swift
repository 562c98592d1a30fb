import CreditTypes
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Ledger
import Testing
@testable import CreditRecon

struct ReportTests {
    static let fileNames = [
        "periods.csv", "charges.csv", "findings.csv", "reconciliation.md", "balance.svg", "usage_by_key.csv",
        "usage_by_model.csv", "usage.svg",
    ]

    private func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    /// Writes the golden scenario's report into a fresh folder.
    private func goldenReport(_ fixture: ReconcileFixture) throws -> ReportOutcome {
        try fixture.buildGoldenScenario()
        let options = ReportOptions(reconcile: fixture.options(), outDirectory: fixture.directory.path("reports"))
        return try ReportStage.write(ledger: fixture.ledger, options: options)
    }

    /// Compares with `Fixtures/reports/golden/`; `RECON_UPDATE_GOLDENS=1` rewrites the
    /// goldens in the source tree instead (review the diff before committing).
    @Test func goldenFiles() throws {
        let fixture = try ReconcileFixture()
        let outcome = try goldenReport(fixture)
        #expect(outcome.files.map { URL(fileURLWithPath: $0).lastPathComponent } == Self.fileNames)
        #expect(outcome.exitStatus == .attention)
        let sourceGoldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/reports/golden")
        if ProcessInfo.processInfo.environment["RECON_UPDATE_GOLDENS"] == "1" {
            try FileManager.default.createDirectory(at: sourceGoldens, withIntermediateDirectories: true)
            for name in Self.fileNames {
                try Data(contentsOf: URL(fileURLWithPath: fixture.directory.path("reports/\(name)")))
                    .write(to: sourceGoldens.appendingPathComponent(name))
            }
            return
        }
        let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        for name in Self.fileNames {
            let expected = try read(fixtures.appendingPathComponent("reports/golden/\(name)").path)
            let actual = try read(fixture.directory.path("reports/\(name)"))
            #expect(actual == expected, "\(name) differs from its golden file")
        }
    }

    /// A file is written as it is rendered, a chunk at a time (reports of a million charges
    /// are hundreds of megabytes): whatever the chunk, the file holds exactly the bytes the
    /// renderer gives in memory, rows cut across chunks included.
    @Test(arguments: [1, 7, 64, 4096])
    func aFileWrittenChunkByChunkHoldsWhatIsRenderedInMemory(chunk: Int) throws {
        let fixture = try ReconcileFixture()
        try fixture.buildGoldenScenario()
        let books = try fixture.reconcile()
        let renderers: [(String, (Reconciliation, inout ReportText) -> Void)] = [
            ("charges.csv", ReportFiles.chargesCSV), ("findings.csv", ReportFiles.findingsCSV),
            ("reconciliation.md", ReportFiles.markdown), ("usage_by_model.csv", ReportFiles.usageByModelCSV),
        ]
        for (name, render) in renderers {
            let path = fixture.directory.path("\(chunk)-\(name)")
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            try #require(descriptor >= 0)
            let sink = ReportSink(descriptor: descriptor, chunk: chunk)
            var text = ReportText(draining: sink)
            render(books, &text)
            text.append(bytes: Array(repeating: UInt8(ascii: "x"), count: chunk + 3))  // past a chunk at once
            text.drain()
            close(descriptor)
            #expect(sink.failure == nil)
            var expected = ReportText.rendered(render, books)
            expected.append(bytes: Array(repeating: UInt8(ascii: "x"), count: chunk + 3))
            #expect(expected.bytes.count > 100, "\(name)")
            #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == expected.bytes, "\(name), chunks of \(chunk)")
        }
    }

    /// The first write that fails (a full disk) is what the file's error says; nothing is
    /// written after it.
    @Test func aSinkKeepsTheFirstFailedWriteAndSkipsTheRest() throws {
        let descriptor = open("/dev/full", O_WRONLY)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let sink = ReportSink(descriptor: descriptor, chunk: 4)
        var text = ReportText(draining: sink)
        text.append("more than four bytes")
        text.drainIfFull()
        #expect(sink.failure == String(cString: strerror(ENOSPC)))
        #expect(text.bytes.isEmpty)
        text.append("and more")
        text.drain()
        #expect(sink.failure == String(cString: strerror(ENOSPC)))
    }

    @Test func sameLedgerAndOptionsGiveByteIdenticalFiles() throws {
        let fixture = try ReconcileFixture()
        let first = try goldenReport(fixture)
        let again = try ReportStage.write(
            ledger: fixture.ledger,
            options: ReportOptions(reconcile: fixture.options(), outDirectory: fixture.directory.path("again")))
        // Reopening the ledger file (a new process would) changes nothing either.
        let reopened = try Ledger(path: fixture.directory.path("ledger.sqlite"))
        let third = try ReportStage.write(
            ledger: reopened,
            options: ReportOptions(reconcile: fixture.options(), outDirectory: fixture.directory.path("third")))
        for (index, path) in first.files.enumerated() {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes == (try Data(contentsOf: URL(fileURLWithPath: again.files[index]))))
            #expect(bytes == (try Data(contentsOf: URL(fileURLWithPath: third.files[index]))))
        }
    }

    @Test func csvFilesHaveExactlyTheContractColumns() throws {
        let fixture = try ReconcileFixture()
        _ = try goldenReport(fixture)
        func header(_ name: String) throws -> String {
            String(try read(fixture.directory.path("reports/\(name)")).split(separator: "\r\n").first ?? "")
        }
        #expect(try header("periods.csv") == "period_start,period_end,opening_balance,purchased,purchased_via_charges,"
            + "purchased_other,used,closing_balance,charges_created,charges_created_amount,charges_settled,"
            + "charges_settled_amount,findings")
        #expect(try header("charges.csv") == "charge_id,reference,batch,account,origin,wallet,chain_id,amount,"
            + "created_at,expires_at,state,settled_at,error,memo")
        #expect(try header("findings.csv") == "severity,kind,observed_at,account,amount,reference,message")
    }

    @Test func csvFilesReadBackWithTheProjectReader() throws {
        let fixture = try ReconcileFixture()
        _ = try goldenReport(fixture)
        var memos: [String] = []
        var amounts: [String] = []
        for record in try CSVReaderRecords.all(fixture.directory.path("reports/charges.csv")) {
            memos.append(record[13])
            amounts.append(record[7])
        }
        #expect(memos.contains(#"'=HYPERLINK("http://evil.example","click")"#))
        #expect(memos.contains("line one\nline two, with \"quotes\""))
        #expect(memos.contains("'+cmd"))
        #expect(memos.contains("'@web flow"))
        #expect(memos.contains("a|b"))
        #expect(amounts.contains("12.5"))
    }

    @Test func formulaInjectionIsDefusedButNumbersAreNot() {
        #expect(CSVWriter.field(.text("=1+2")) == "'=1+2")
        #expect(CSVWriter.field(.text("+1")) == "'+1")
        #expect(CSVWriter.field(.text("-1")) == "'-1")
        #expect(CSVWriter.field(.text("@SUM(A1)")) == "'@SUM(A1)")
        #expect(CSVWriter.field(.text("\tx")) == "'\tx")
        #expect(CSVWriter.field(.text("\rx")) == "\"'\rx\"")
        #expect(CSVWriter.field(.text(#"=HYPERLINK("a","b")"#)) == #""'=HYPERLINK(""a"",""b"")""#)
        #expect(CSVWriter.field(.text("plain")) == "plain")
        // A text beginning with the guard is guarded too: `'-ops` was written as the guarded
        // `-ops` is, two accounts one cell (probe 319), and a spreadsheet hides the first `'`.
        #expect(CSVWriter.field(.text("'-ops")) == "''-ops")
        #expect(CSVWriter.field(.text("-ops")) == "'-ops")
        #expect(CSVWriter.field(.text("it's")) == "it's")
        #expect(CSVWriter.field(.text(nil)) == "")
        #expect(CSVWriter.field(.amount(reconMicros("-3.25"))) == "-3.25")
        #expect(CSVWriter.field(.amount(reconMicros("1234.5"))) == "1234.5")
        #expect(CSVWriter.field(.amount(reconMicros("0.000001"))) == "0.000001")
    }

    @Test func markdownTableInjectionIsEscaped() throws {
        #expect(MarkdownText.cell("a|b") == "a\\|b")
        #expect(MarkdownText.cell("`code`") == "\\`code\\`")
        #expect(MarkdownText.cell("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;")
        #expect(MarkdownText.cell("one\ntwo\r\nthree") == "one two three")
        #expect(MarkdownText.cell("[link](http://x)") == "\\[link\\](http://x)")
        // A character that shows nothing is `?`, as `status` shows it: two model names apart
        // by a U+200B read as one (probe 337); so in a CSV cell.
        for invisible in ["\u{200B}", "\u{2060}", "\u{FEFF}", "\u{202E}", "\u{2066}"] {
            #expect(MarkdownText.cell("same\(invisible)/model") == "same?/model")
            #expect(CSVWriter.field(.text("same\(invisible)/model")) == "same?/model")
            #expect(ReportText.rendered({ books, text in text.append(markdownCell: "x\(invisible)") }, try ReconcileFixture().reconcile())
                .string == "x?")
        }
        let fixture = try ReconcileFixture()
        _ = try goldenReport(fixture)
        let markdown = try read(fixture.directory.path("reports/reconciliation.md"))
        // Every table row has as many cells as its header: no memo broke a table.
        var expectedCells: Int?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else { expectedCells = nil; continue }
            let cells = Self.cellCount(String(line))
            if let expected = expectedCells { #expect(cells == expected, "\(line)") } else { expectedCells = cells }
        }
        #expect(markdown.contains("a\\|b"))
        #expect(!markdown.contains("<script"))
        #expect(markdown.contains("![balance](balance.svg)"))
    }

    /// Cells in a Markdown table row, not counting escaped pipes.
    static func cellCount(_ line: String) -> Int {
        var count = 0
        var escaped = false
        for character in line {
            if escaped { escaped = false; continue }
            if character == "\\" { escaped = true } else if character == "|" { count += 1 }
        }
        return count - 1
    }

    @Test func markdownSaysWhatAReaderNeeds() throws {
        let fixture = try ReconcileFixture()
        let outcome = try goldenReport(fixture)
        let markdown = try read(fixture.directory.path("reports/reconciliation.md"))
        #expect(markdown.contains(outcome.reconciliation.headHash))
        #expect(markdown.contains("2026-03-10T06:00:00.000Z"))
        #expect(markdown.contains("| Time zone | UTC |"))
        for heading in ["## Totals", "## Runway", "## Periods", "## Charges by state", "### Settled: 5", "### Expired: 2",
                        "### Pending: 1", "### Blocked: 1", "### Rejected: 1", "### Unknown: 1", "## Findings"] {
            #expect(markdown.contains(heading), "\(heading)")
        }
    }

    /// A range reaching past the as-of time says its later periods begin after it: their
    /// balances, the last reading's carried forward, read as months closed (probe 128).
    @Test func markdownSaysWhichPeriodsBeginAfterTheAsOfTime() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-11-01T02:00:00Z", credits: "100", usage: "0")
        try fixture.snapshot("2026-11-02T02:00:00Z", credits: "100", usage: "1")
        var options = ReportOptions(reconcile: fixture.options(), outDirectory: fixture.directory.path("reports"))
        options.reconcile.to = try ReconcileOptions.date("2026-11-05", option: "--to")
        _ = try ReportStage.write(ledger: fixture.ledger, options: options)
        let markdown = try read(fixture.directory.path("reports/reconciliation.md"))
        #expect(markdown.contains("The periods from 2026-11-03 on begin after the as-of time (2026-11-02T02:00:00.000Z): no "
            + "reading can fall in them yet, and their balances carry the last one forward."), "\(markdown)")
        options.reconcile.to = try ReconcileOptions.date("2026-11-03", option: "--to")
        _ = try ReportStage.write(ledger: fixture.ledger, options: options)
        #expect(!(try read(fixture.directory.path("reports/reconciliation.md"))).contains("begin after the as-of time"))
    }

    /// A charge past its expiry and the grace with no reading since is pending, and the
    /// Markdown says the next reading tells whether it was paid: "pending" alone read as
    /// still payable (probe 121).
    @Test func markdownSaysWhichPendingChargesAwaitAReading() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-11-01T02:00:00Z", credits: "100", usage: "0")
        try fixture.charge("ch_1", amount: "100", created: "2026-11-01T02:15:00Z", reference: "daily-2026-11-01")
        try fixture.charge("ch_2", amount: "5", created: "2026-11-01T08:30:00Z", reference: "late-row")
        try fixture.recorded("web-1", amount: "30", created: "2026-11-01T09:00:00Z", status: "pending")
        let options = ReportOptions(reconcile: fixture.options(), outDirectory: fixture.directory.path("reports"))
        let outcome = try ReportStage.write(ledger: fixture.ledger, options: options)
        #expect(outcome.exitStatus == .ok)
        let markdown = try read(fixture.directory.path("reports/reconciliation.md"))
        #expect(markdown.contains("### Pending: 3 (135.00)\n\n1 of them (100.00) past its expiry and the hour's grace with no "
            + "reading since: whether paid shows at the next reading (`credit-recon fetch`).\n\n| Charge |"), "\(markdown)")
    }

    @Test func svgIsSelfContainedAndWellFormed() throws {
        let fixture = try ReconcileFixture()
        _ = try goldenReport(fixture)
        let svg = try read(fixture.directory.path("reports/balance.svg"))
        #expect(svg.hasPrefix("<?xml"))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(!svg.contains("href"))
        #expect(!svg.contains("@import"))
        #expect(svg.contains("font-family=\"sans-serif\""))
        #expect(svg.contains("<polyline"))
        let data = Data(svg.utf8)
        let parser = XMLParser(data: data)
        #expect(parser.parse(), "balance.svg is not well-formed XML")
    }

    /// Text in a chart (a key's name from the API) with markup, a control character or a
    /// direction override: escaped, and shown as `?` as in the CSV and Markdown files.
    @Test func chartTextIsEscapedAndCannotReverseItself() {
        #expect(BalanceChart.xml("<b>&\"x' \u{1B}[31mred\u{202E}evil\u{2066}") == "&lt;b&gt;&amp;&quot;x&apos; ?[31mred?evil?")
        #expect(BalanceChart.xml("équipe 日本") == "équipe 日本")
    }

    @Test func chartScaleIsIntegerAndCoversTheValues() {
        #expect(BalanceChart.niceStep(range: 227_500_000, ticks: 6) == 50_000_000)
        #expect(BalanceChart.niceStep(range: 1_000_000, ticks: 6) == 200_000)
        #expect(BalanceChart.niceStep(range: 0, ticks: 6) == 10_000)
        #expect(BalanceChart.floor(-15_000_000, 10_000_000) == -20_000_000)
        #expect(BalanceChart.ceil(15_000_000, 10_000_000) == 20_000_000)
        #expect(BalanceChart.dollars(1_234_500_000) == "$1,234.50")
        #expect(BalanceChart.dollars(-20_000_000) == "-$20")
    }

    /// The progress line hears the reading, the reconciling with what was read, then every
    /// file in the order it is written, each before it is written.
    @Test func progressNamesEveryStepInOrder() throws {
        let fixture = try ReconcileFixture()
        try fixture.buildGoldenScenario()
        let (readings, charges) = try fixture.ledger.read {
            (try $0.snapshots(account: fixture.account).count, try $0.charges(account: fixture.account).count)
        }
        let folder = fixture.directory.path("reports")
        var heard: [ReportProgress.Step] = []
        var existingWhenHeard: [Bool] = []
        let outcome = try ReportStage.write(
            ledger: fixture.ledger, options: ReportOptions(reconcile: fixture.options(), outDirectory: folder)
        ) { progress in
            #expect(progress.place == nil)
            heard.append(progress.step)
            if case .writing(let name) = progress.step {
                existingWhenHeard.append(FileManager.default.fileExists(atPath: folder + "/" + name))
            }
        }
        #expect(readings > 0 && charges > 0)
        #expect(heard == [.reading, .reconciling(readings: readings, charges: charges)] + Self.fileNames.map { .writing($0) })
        #expect(existingWhenHeard == Array(repeating: false, count: Self.fileNames.count))
        #expect(outcome.files.count == Self.fileNames.count)
    }

    @Test func emptyLedgerStillWritesFiles() throws {
        let fixture = try ReconcileFixture()
        let outcome = try ReportStage.write(
            ledger: fixture.ledger,
            options: ReportOptions(reconcile: fixture.options(), outDirectory: fixture.directory.path("empty")))
        #expect(outcome.files.count == Self.fileNames.count)
        #expect(outcome.exitStatus == .ok)
    }

    /// A report that cannot write one of its files (here `findings.csv` is a folder) says
    /// so, and what to do, and leaves the folder as it was: the files it wrote before were put in place with the ledger's
    /// new state beside the old state's others, and nothing said so.
    @Test func aReportThatCannotWriteAFileReplacesNone() throws {
        let fixture = try ReconcileFixture()
        let before = try goldenReport(fixture)
        let old = try before.files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        try fixture.snapshot("2027-01-01T06:00:00Z", credits: "1000", usage: "500")
        let blocked = fixture.directory.path("reports/findings.csv")
        try FileManager.default.removeItem(atPath: blocked)
        try FileManager.default.createDirectory(atPath: blocked + "/x", withIntermediateDirectories: true)
        do {
            _ = try ReportStage.write(
                ledger: fixture.ledger, options: ReportOptions(reconcile: fixture.options(), outDirectory: fixture.directory.path("reports")))
            Issue.record("expected an error")
        } catch let error as ReportError {
            #expect(error.exitStatus == .cannotCreate, "\(error)")
            // --out names the reports' folder, not a file (export's advice said "pass a file's path").
            #expect(error.description == "cannot write \(blocked): it is a folder; a report file of that name goes there: "
                + "move the folder away, or pass --out another folder.", "\(error)")
        }
        for (index, path) in before.files.enumerated() where path != blocked {
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == old[index], "\(path) was replaced")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path("reports"))
        #expect(!names.contains { $0.contains(".tmp-") }, "\(names)")
    }

    /// A file of a report's name that credit-recon did not write (an import's charges.csv
    /// kept in the folder given to --out) is refused, 73, and nothing is replaced: it was
    /// lost under the report's (probe 455, where a link had an export replace /etc/passwd).
    /// One it wrote, of another version or account, is replaced as before.
    @Test func aFileOfAReportsNameThatItDidNotWriteIsKept() throws {
        let fixture = try ReconcileFixture()
        let before = try goldenReport(fixture)
        let old = try before.files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let mine = fixture.directory.path("reports/charges.csv")
        try Data("charge_id,amount,wallet,chain_id,created_at,status\nweb-1,25,,,2026-11-01T00:00:00Z,paid\n".utf8)
            .write(to: URL(fileURLWithPath: mine))
        let options = ReportOptions(reconcile: fixture.options(), outDirectory: fixture.directory.path("reports"))
        #expect {
            _ = try ReportStage.write(ledger: fixture.ledger, options: options)
        } throws: { error in
            (error as? ReportError)?.exitStatus == .cannotCreate && String(describing: error) == "cannot write \(mine): it "
                + "holds something credit-recon did not write (it begins \"charge_id,amount,wallet,chain_id,created…\" "
                + "where this file begins \"charge_id,reference,batch,account,origin…\"), which would be lost; move it "
                + "aside, or write to another folder."
        }
        #expect(try read(mine).hasPrefix("charge_id,amount,wallet,"))
        for (index, path) in before.files.enumerated() where path != mine {
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == old[index], "\(path) was replaced")
        }
        // A first line that is empty, with the user's text after it, is theirs too (probe 456:
        // replaced); an empty file is replaced.
        try FileManager.default.removeItem(atPath: mine)
        let notes = fixture.directory.path("reports/reconciliation.md")
        try Data("\nmy notes\n".utf8).write(to: URL(fileURLWithPath: notes))
        #expect {
            _ = try ReportStage.write(ledger: fixture.ledger, options: options)
        } throws: { error in
            String(describing: error).hasPrefix("cannot write \(notes): it holds something credit-recon did not write (it begins \"\"")
        }
        #expect(try read(notes) == "\nmy notes\n")
        try Data().write(to: URL(fileURLWithPath: notes))
        // A report's own file under the name, with a column more or less, or saved back by a
        // spreadsheet (a byte-order mark, quotes, CRLF), is replaced.
        for saved in ["charge_id,reference,batch,extra\n", "\u{FEFF}\"Charge_ID\",\"reference\",\"batch\"\r\n"] {
            try Data(saved.utf8).write(to: URL(fileURLWithPath: mine))
            _ = try ReportStage.write(ledger: fixture.ledger, options: options)
            #expect(try Data(contentsOf: URL(fileURLWithPath: mine)) == old[before.files.firstIndex(of: mine) ?? 0])
        }
    }

    /// A named pipe nothing reads, where a report file goes, is refused (73) once its reader
    /// is 10 s late, the files left as they were: the report waited on it for ever (probe 455).
    @Test func aPipeNothingReadsIsRefusedNotWaitedOn() throws {
        let fixture = try ReconcileFixture()
        let before = try goldenReport(fixture)
        let pipe = fixture.directory.path("reports/findings.csv")
        try FileManager.default.removeItem(atPath: pipe)
        #expect(mkfifo(pipe, 0o644) == 0)
        #expect {
            _ = try ReportStage.write(
                ledger: fixture.ledger, options: ReportOptions(reconcile: fixture.options(), outDirectory: fixture.directory.path("reports")))
        } throws: { error in
            String(describing: error) == "cannot write \(pipe): it is a named pipe (FIFO) that nothing read for 10 s: start "
                + "what reads it first, or remove it."
        }
        #expect(before.files.filter { FileManager.default.fileExists(atPath: $0) }.count == before.files.count)
    }

    @Test func anOutputFolderThatCannotBeCreatedIsExit73() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-03-01T06:00:00Z", credits: "100", usage: "10")
        let blocker = try fixture.directory.write("not-a-folder", "x")
        for below in ["/reports", "/reports/2026"] {
            let options = ReportOptions(reconcile: fixture.options(), outDirectory: blocker + below)
            do {
                _ = try ReportStage.write(ledger: fixture.ledger, options: options)
                Issue.record("expected an error")
            } catch let error as ReportError {
                #expect(error.exitStatus == .cannotCreate)
                #expect(error.description.hasPrefix("cannot write \(blocker): it exists and is not a folder"),
                        "\(error.description)")
            }
        }
        let unreadable = ReportOptions(reconcile: fixture.options(), outDirectory: "/proc/no-such-folder/reports")
        do {
            _ = try ReportStage.write(ledger: fixture.ledger, options: unreadable)
            Issue.record("expected an error")
        } catch let error as ReportError {
            #expect(error.description.hasPrefix("cannot write /proc/no-such-folder: No such file or directory"),
                    "the system's words: \(error.description)")
        }
    }

    /// A link to a folder that is not there, given as --out: said as such, where it was "No
    /// such file or directory" of the link itself (probe 232).
    @Test func anOutputFolderThatIsALinkToNothingIsSaid() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-03-01T06:00:00Z", credits: "100", usage: "10")
        let link = fixture.directory.path("dangling")
        #expect(symlink("nowhere/deep", link) == 0)
        let options = ReportOptions(reconcile: fixture.options(), outDirectory: link)
        #expect {
            _ = try ReportStage.write(ledger: fixture.ledger, options: options)
        } throws: { error in
            (error as? ReportError)?.exitStatus == .cannotCreate && (error as? ReportError)?.description
                == "cannot write \(link): it is a symbolic link to nowhere/deep, which is not there: make that folder (mkdir -p), or pass another --out."
        }
        // A loop of links is said as a loop, not as a folder to make (probe 359).
        let (a, b) = (fixture.directory.path("la"), fixture.directory.path("lb"))
        #expect(symlink(b, a) == 0 && symlink(a, b) == 0)
        let loop = ReportOptions(reconcile: fixture.options(), outDirectory: a + "/x")
        #expect {
            _ = try ReportStage.write(ledger: fixture.ledger, options: loop)
        } throws: { error in
            let said = (error as? ReportError)?.description ?? ""
            return (error as? ReportError)?.exitStatus == .cannotCreate && said.contains("Too many levels of symbolic links")
                && !said.contains("make that folder")
        }
    }

    @Test(arguments: [
        ("r", ""), ("reports", ""), ("a/r", "a"), ("a//r", "a"), ("a/r/", "a"), ("./r", "."), ("/r", "/"),
        ("//r", "/"), ("/", "/"), ("/x/y/z", "/x/y"), ("ü/é", "ü"),
    ])
    func theFolderHoldingAnOutputFolderIsTheTextBeforeItsLastSlash(path: String, parent: String) {
        #expect(AtomicFile.parentFolder(of: path) == parent)
    }

    /// A report killed while writing leaves `.NAME.tmp-PID` behind; the next write of the
    /// file removes it, but not one of a process still running (it may be writing now).
    @Test func aWriteRemovesTheTemporaryFilesOfProcessesThatDied() throws {
        let directory = try TemporaryDirectory()
        let target = directory.path("findings.csv")
        // Beyond Linux's largest process id (2^22): no process can have it.
        let dead = directory.path(AtomicFile.temporaryPrefix("findings.csv") + "4194305")
        let alive = directory.path(AtomicFile.temporaryPrefix("findings.csv") + "\(getppid())")
        let other = directory.path(AtomicFile.temporaryPrefix("summary.csv") + "4194305")
        for path in [dead, alive, other] { #expect(FileManager.default.createFile(atPath: path, contents: Data("half".utf8))) }
        try AtomicFile.write(to: target, ifAFolder: ReportStage.folderInTheWay) { $0.append("new") }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: alive))
        #expect(FileManager.default.fileExists(atPath: other), "only the temporaries of the file written")
    }

    /// A command a signal ends removes first the temporary files it has not put in place
    /// (probe 212: `report` stopped by SIGTERM left a 33 MB `.charges.csv.tmp-PID`); a file
    /// put in place stays. So do the folders made for them, left empty (probe 332: 3,613
    /// empty account folders after `report --all-accounts`), but not one committed.
    @Test func theTemporariesNotPutInPlaceAreRemovedForASignal() throws {
        let directory = try TemporaryDirectory()
        let staging = AtomicFile.Staging()
        try staging.stage(Array("half".utf8), to: directory.path("charges.csv"), ifAFolder: ReportStage.folderInTheWay)
        let temporary = directory.path(AtomicFile.temporaryPrefix("charges.csv") + "\(getpid())")
        #expect(FileManager.default.fileExists(atPath: temporary))
        try staging.makeFolder(directory.path("a00001/deeper"))
        try staging.stage(Array("half".utf8), to: directory.path("a00001/deeper/periods.csv"), ifAFolder: ReportStage.folderInTheWay)
        let kept = AtomicFile.Staging()
        try kept.makeFolder(directory.path("kept"))
        try kept.stage(Array("whole".utf8), to: directory.path("kept/periods.csv"), ifAFolder: ReportStage.folderInTheWay)
        try kept.commit()
        try AtomicFile.write(to: directory.path("periods.csv"), ifAFolder: ReportStage.folderInTheWay) { $0.append("whole") }
        AtomicFile.removeTemporaries(in: directory.url.path)
        #expect(!FileManager.default.fileExists(atPath: temporary))
        #expect(!FileManager.default.fileExists(atPath: directory.path("a00001")))
        #expect(FileManager.default.fileExists(atPath: directory.path("kept/periods.csv")))
        #expect(try String(contentsOfFile: directory.path("periods.csv"), encoding: .utf8) == "whole")
        #expect(!FileManager.default.fileExists(atPath: directory.path("charges.csv")))
    }

    /// A file that cannot be replaced when its turn to be renamed comes (here a folder
    /// made in its place meanwhile; a file another user owns in a shared folder, an
    /// immutable one): the files already renamed get their old selves back, a file that was
    /// not there is removed, and nothing of the attempt is left.
    @Test func aRenameThatFailsPutsBackTheFilesAlreadyRenamed() throws {
        let directory = try TemporaryDirectory()
        let first = directory.path("periods.csv"), second = directory.path("summary.csv"), third = directory.path("charges.csv")
        try Data("old periods".utf8).write(to: URL(fileURLWithPath: first))
        let staging = AtomicFile.Staging()
        try staging.stage(Array("new periods".utf8), to: first, ifAFolder: ReportStage.folderInTheWay)
        try staging.stage(Array("new charges".utf8), to: third, ifAFolder: ReportStage.folderInTheWay)
        try staging.stage(Array("new summary".utf8), to: second, ifAFolder: ReportStage.folderInTheWay)
        try FileManager.default.createDirectory(atPath: second + "/in-the-way", withIntermediateDirectories: true)
        #expect(throws: ReportError.self) { try staging.commit() }
        #expect(try String(contentsOfFile: first, encoding: .utf8) == "old periods")
        #expect(!FileManager.default.fileExists(atPath: third))
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path(".")).sorted()
        #expect(left == ["periods.csv", "summary.csv"], "\(left)")
    }

    /// A link planted under the temporary file's foreseeable name: the report is not
    /// written through it into the file it names, and the link does not take the
    /// report's place.
    @Test func aLinkPlantedAsTheTemporaryFileIsNotFollowed() throws {
        let directory = try TemporaryDirectory()
        let victim = directory.path("victim.txt")
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createDirectory(atPath: directory.path("r"), withIntermediateDirectories: false)
        let planted = directory.path("r/" + AtomicFile.temporaryPrefix("periods.csv") + "\(getpid())")
        #expect(symlink("../victim.txt", planted) == 0)
        try AtomicFile.write(to: directory.path("r/periods.csv"), ifAFolder: ReportStage.folderInTheWay) { $0.append("report") }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
        var info = stat()
        #expect(lstat(directory.path("r/periods.csv"), &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG)
        #expect(try String(contentsOfFile: directory.path("r/periods.csv"), encoding: .utf8) == "report")
    }

    /// An output that is the ledger's file, or a link to it or to its companions, is
    /// refused: a report or an export written over it would replace the books.
    @Test func theLedgersOwnFilesAreNeverWrittenOver() throws {
        let directory = try TemporaryDirectory()
        let ledger = directory.path("books.sqlite")
        try Data("ledger".utf8).write(to: URL(fileURLWithPath: ledger))
        AtomicFile.neverReplace(ledger: ledger)
        try FileManager.default.createDirectory(atPath: directory.path("r"), withIntermediateDirectories: false)
        #expect(symlink("../books.sqlite", directory.path("r/periods.csv")) == 0)
        #expect(symlink("../books.sqlite-wal", directory.path("r/summary.csv")) == 0)
        for target in [ledger, directory.path("./r/../books.sqlite"), directory.path("r/periods.csv"), directory.path("r/summary.csv")] {
            #expect { try AtomicFile.write(to: target, ifAFolder: ReportStage.folderInTheWay) { $0.append("report") } } throws: { error in
                String(describing: error).hasSuffix("which no report or export may replace; pass another --out.")
            }
        }
        #expect(try String(contentsOfFile: ledger, encoding: .utf8) == "ledger")
        #expect(!FileManager.default.fileExists(atPath: ledger + "-wal"))
        try AtomicFile.write(to: directory.path("r/findings.csv"), ifAFolder: ReportStage.folderInTheWay) { $0.append("report") }
    }

    /// Days of lost activity one after another are one row of reconciliation.md (a
    /// backfilled year was a row a day, burying the warnings) and a row each in
    /// findings.csv, as CONTRACT.md says.
    @Test func lostDaysInARowAreOneRowForPeopleAndARowEachInFindingsCSV() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-01-01T06:00:00Z", credits: "100", usage: "10")
        try fixture.snapshot("2026-03-01T06:00:00Z", credits: "100", usage: "20")
        let books = try fixture.reconcile { $0.maxGapSeconds = 100 * 86_400 }
        let lost = books.findings.filter { $0.kind == .activityLost }
        #expect(lost.count == 29 && lost.first?.reference == "2026-01-01" && lost.last?.reference == "2026-01-29")
        let markdown = ReportText.rendered(ReportFiles.markdown, books).string
        let rows = markdown.split(separator: "\n").filter { $0.contains("| activity_lost |") }
        #expect(rows.count == 1, "\(rows)")
        #expect(rows.first?.contains("| 2026-01-01 to 2026-01-29 | 29 days in a row, 2026-01-01 to 2026-01-29 (each a row of "
            + "findings.csv): the activity of 2026-01-01 (UTC) left") == true, "\(rows)")
        #expect(markdown.contains("29 info."))
        let csvRows = ReportText.rendered(ReportFiles.findingsCSV, books).string.split(separator: "\r\n").filter { $0.contains(",activity_lost,") }
        #expect(csvRows.count == 29)
    }

    /// A finding of another kind dated between two of the days does not break their row
    /// (probe 385: a charge expired between them made one run of days three rows).
    @Test func lostDaysInARowStayOneRowAcrossAnotherFindingBetweenThem() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-01-01T06:00:00Z", credits: "100", usage: "10")
        // Expires 02-10T11:00, between the days 01-10 and 01-11 leaving the window.
        try fixture.charge("ch_X", amount: "5", created: "2026-02-10T10:00:00Z")
        try fixture.snapshot("2026-03-01T06:00:00Z", credits: "100", usage: "20")
        let books = try fixture.reconcile { $0.maxGapSeconds = 100 * 86_400 }
        #expect(books.findings.contains { $0.kind == .chargeExpired })
        let markdown = ReportText.rendered(ReportFiles.markdown, books).string
        let rows = markdown.split(separator: "\n").filter { $0.contains("| activity_lost |") }
        #expect(rows.count == 1, "\(rows)")
        #expect(rows.first?.contains("| 2026-01-01 to 2026-01-29 | 29 days in a row") == true, "\(rows)")
        let all = markdown.split(separator: "\n")
        let lost = try #require(all.firstIndex { $0.contains("| activity_lost |") })
        let expired = try #require(all.firstIndex { $0.contains("| charge_expired |") })
        #expect(lost < expired, "the run's row stands at its first day")
    }

    /// A scope before every reading checks no period: it does not say the check holds in
    /// every period (every check cell is "–"), nor "No readings yet" of a ledger that has
    /// them, and its runway is none (probe 71).
    @Test func aScopeBeforeEveryReadingSaysNothingWasChecked() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-03-01T06:00:00Z", credits: "100", usage: "10")
        try fixture.snapshot("2026-03-02T06:00:00Z", credits: "100", usage: "20")
        let before = ReportText.rendered(ReportFiles.markdown, try fixture.reconcile {
            $0.from = CivilDate(isoText: "2026-02-01")
            $0.to = CivilDate(isoText: "2026-03-01")
        }).string
        #expect(before.contains("\nNo period has a reading before it, so opening + purchased − used = closing could not "
            + "be checked.\n"))
        #expect(!before.contains("holds exactly"))
        #expect(before.contains("\nNo reading up to the end of this report's scope (`credit-recon fetch` takes one).\n"))
        let all = ReportText.rendered(ReportFiles.markdown, try fixture.reconcile()).string
        #expect(all.contains("\nOpening + purchased − used = closing holds exactly in every period with an opening balance (a reading before it, or the books' first reading).\n"))
    }

    @Test func rewritingReplacesFilesAtomicallyAndLeavesNoTemporaryFiles() throws {
        let fixture = try ReconcileFixture()
        _ = try goldenReport(fixture)
        let options = ReportOptions(reconcile: fixture.options(), outDirectory: fixture.directory.path("reports"))
        _ = try ReportStage.write(ledger: fixture.ledger, options: options)
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path("reports")).sorted()
        #expect(names == Self.fileNames.sorted())
    }
}

/// Reads every data record of a CSV file with the project's strict reader (header skipped).
enum CSVReaderRecords {
    static func all(_ path: String) throws -> [[String]] {
        let reader = try CSVReader(path: path)
        var records: [[String]] = []
        while let record = try reader.next() { records.append(record.fields) }
        return Array(records.dropFirst())
    }
}
