import CreditTypes
import Foundation
import Ledger
import Testing
@testable import CreditRecon

struct AllAccountsReportTests {
    private func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    private func snapshot(_ fixture: ReconcileFixture, account: String, _ at: String, credits: String, usage: String) throws {
        let time = reconTime(at)
        try fixture.ledger.write { writer in
            _ = try writer.append(.snapshotTaken(SnapshotTaken(
                observedAt: time, totalCredits: reconMicros(credits), totalUsage: reconMicros(usage), source: "api",
                rawBody: "{}")), account: account, runID: nil, at: time)
        }
    }

    /// The golden scenario as `default`, and two accounts whose labels are unsafe as they
    /// are: `ops/eu` (a slash) and `..` (the parent folder).
    private func threeAccounts() throws -> ReconcileFixture {
        let fixture = try ReconcileFixture()
        try fixture.buildGoldenScenario()
        try snapshot(fixture, account: "ops/eu", "2026-03-03T06:00:00Z", credits: "50", usage: "5")
        try snapshot(fixture, account: "ops/eu", "2026-03-04T06:00:00Z", credits: "80", usage: "12.5")
        try snapshot(fixture, account: "..", "2026-03-04T06:00:00Z", credits: "10", usage: "1")
        try snapshot(fixture, account: "..", "2026-03-04T18:00:00Z", credits: "10", usage: "1.000001")
        return fixture
    }

    private func options(_ fixture: ReconcileFixture, _ folder: String) -> ReportOptions {
        ReportOptions(reconcile: fixture.options(), outDirectory: fixture.directory.path(folder))
    }

    @Test func folderNamesKeepPlainLabelsAndEncodeEveryOtherByte() throws {
        #expect(try AccountFolder.name(for: "default") == "default")
        #expect(try AccountFolder.name(for: "Team_A-2") == "Team_A-2")
        #expect(try AccountFolder.name(for: "ops/eu") == "ops%2Feu")
        #expect(try AccountFolder.name(for: "..") == "%2E%2E")
        #expect(try AccountFolder.name(for: ".") == "%2E")
        #expect(try AccountFolder.name(for: ".hidden") == "%2Ehidden")
        #expect(try AccountFolder.name(for: "acme.com") == "acme%2Ecom")
        #expect(try AccountFolder.name(for: "accounts.csv") == "accounts%2Ecsv")
        #expect(try AccountFolder.name(for: "100%") == "100%25")
        #expect(try AccountFolder.name(for: "a\u{1B}[31mb\n") == "a%1B%5B31mb%0A")
        #expect(try AccountFolder.name(for: "équipe") == "%C3%A9quipe")
        #expect(try AccountFolder.name(for: "") == "%")
        // Different labels never share a folder.
        let labels = ["", "%", "%25", ".", "%2E", "a/b", "a%2Fb", "a b", "a+b", "A", "a", "..", "%2E%2E"]
        let names = try labels.map { try AccountFolder.name(for: $0) }
        #expect(Set(names).count == labels.count)
        #expect(names.allSatisfy { !$0.contains("/") && !$0.hasPrefix(".") && !$0.isEmpty })
    }

    @Test func aLabelTooLongForAFolderNameIsRefusedBeforeAnythingIsWritten() throws {
        #expect(try AccountFolder.name(for: String(repeating: "a", count: 255)).count == 255)
        #expect(throws: ReportError.self) { try AccountFolder.name(for: String(repeating: "a", count: 256)) }
        let fixture = try ReconcileFixture()
        try snapshot(fixture, account: "ok", "2026-03-01T06:00:00Z", credits: "1", usage: "0")
        try snapshot(fixture, account: String(repeating: "é", count: 43), "2026-03-01T06:00:00Z", credits: "1", usage: "0")
        let error = try #require(throws: ReportError.self) {
            try AllAccountsStage.write(ledger: fixture.ledger, options: options(fixture, "all"))
        }
        #expect(error.exitStatus == .cannotCreate)
        #expect(error.message.contains("--account NAME --out DIR"))
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.path("all")))
    }

    @Test func everyAccountGetsTheFilesReportWritesForItAlone() throws {
        let fixture = try threeAccounts()
        let outcome = try AllAccountsStage.write(ledger: fixture.ledger, options: options(fixture, "all"))
        #expect(outcome.accounts.map(\.account) == ["..", "default", "ops/eu"])
        #expect(outcome.accounts.map(\.folder) == ["%2E%2E", "default", "ops%2Feu"])
        let entries = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path("all")).sorted()
        #expect(entries == ["%2E%2E", "accounts.csv", "accounts.md", "default", "ops%2Feu"])
        // Nothing went beside the --out folder (`..`) or into a nested `ops/` folder.
        let beside = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path(""))
        #expect(!beside.contains("periods.csv") && !beside.contains("ops"))
        for summary in outcome.accounts {
            var alone = options(fixture, "alone-\(summary.folder)")
            alone.reconcile.account = summary.account
            let single = try ReportStage.write(ledger: fixture.ledger, options: alone)
            #expect(summary.files.map { URL(fileURLWithPath: $0).lastPathComponent }
                == single.files.map { URL(fileURLWithPath: $0).lastPathComponent })
            for (mine, theirs) in zip(summary.files, single.files) {
                #expect(try read(mine) == (try read(theirs)), "\(mine) differs from the single-account report")
            }
        }
        // The golden scenario has warnings; the others do not.
        #expect(outcome.exitStatus == .attention)
        #expect(outcome.accounts.map(\.exitStatus) == [.ok, .attention, .ok])
    }

    /// A folder name read back gives its label, and only a name `name(for:)` gives does.
    @Test func aFolderNameReadsBackAsItsLabel() throws {
        for label in ["default", "ops/eu", "..", "", "100%", "équipe", "a\u{1B}[31mb\n"] {
            #expect(AccountFolder.account(named: try AccountFolder.name(for: label)) == label)
        }
        for name in ["%2e", "a.b", "%4", "%ZZ", "%61", "%FF", "a%"] { #expect(AccountFolder.account(named: name) == nil, "\(name)") }
    }

    /// The reports of other books' accounts left in `--out` by an earlier `--all-accounts`
    /// are named in the summary, and left as they are (nothing said of them before, so an
    /// auditor could open one as these books); a folder of the user's own is not named.
    @Test func otherBooksAccountFoldersInTheFolderAreNamed() throws {
        let fixture = try threeAccounts()
        let other = try ReconcileFixture()
        try snapshot(other, account: "gone.example", "2026-03-01T06:00:00Z", credits: "1", usage: "0")
        let out = options(fixture, "all")
        #expect(try AllAccountsStage.write(ledger: other.ledger, options: out).foreignFolders == [])
        try FileManager.default.createDirectory(atPath: fixture.directory.path("all/notes"), withIntermediateDirectories: true)
        let outcome = try AllAccountsStage.write(ledger: fixture.ledger, options: out)
        #expect(outcome.foreignFolders == ["gone%2Eexample"])
        #expect(outcome.summaryLines.contains { $0.hasPrefix("note: gone%2Eexample/ in ") && $0.contains("no account of this ledger") })
        #expect(FileManager.default.fileExists(atPath: fixture.directory.path("all/gone%2Eexample/reconciliation.md")))
        guard case .object(let members) = outcome.json else { return }
        #expect(members["foreign_folders"] == .array([.string("gone%2Eexample")]))
    }

    /// The README's examples write a weekly report and then `--all-accounts` into one
    /// folder (probe 67): the weekly `reconciliation.md` stayed beside the new daily
    /// `accounts.md`, unsaid. Each kind of report names the other's files it finds there,
    /// and leaves them; a folder holding only its own kind gets no note.
    @Test func theOtherKindOfReportsFilesInTheFolderAreNamed() throws {
        let fixture = try threeAccounts()
        let out = options(fixture, "reports")
        #expect(try ReportStage.write(ledger: fixture.ledger, options: out).otherReportFiles == [])
        let all = try AllAccountsStage.write(ledger: fixture.ledger, options: out)
        #expect(all.otherReportFiles == ReportFiles.names)
        let folder = fixture.directory.path("reports")
        #expect(all.summaryLines.contains("note: \(folder)/ also holds periods.csv, charges.csv, findings.csv, reconciliation.md, "
            + "balance.svg, usage_by_key.csv, usage_by_model.csv, usage.svg, of a one-account report written there earlier; "
            + "this report did not write them (other options, or an older state of the books): remove them, or write each "
            + "kind of report to a folder of its own"), "\(all.summaryLines)")
        guard case .object(let members) = all.json else { return }
        #expect(members["other_report_files"] == .array(ReportFiles.names.map(JSONOutput.string)))
        #expect(FileManager.default.fileExists(atPath: fixture.directory.path("reports/periods.csv")), "named, not removed")

        let one = try ReportStage.write(ledger: fixture.ledger, options: out)
        #expect(one.otherReportFiles == ["accounts.csv", "accounts.md"])
        #expect(one.summaryLines.contains { $0.hasPrefix("note: \(folder)/ also holds accounts.csv, accounts.md, of a `report --all-accounts` ") })
        guard case .object(let single) = one.json else { return }
        #expect(single["other_report_files"] == .array([.string("accounts.csv"), .string("accounts.md")]))

        let alone = options(fixture, "alone")
        #expect(try AllAccountsStage.write(ledger: fixture.ledger, options: alone).otherReportFiles == [])
        #expect(try AllAccountsStage.write(ledger: fixture.ledger, options: alone).summaryLines.allSatisfy { !$0.contains("also holds") })
    }

    /// Each account's steps carry its place among them (and its label made safe for a
    /// terminal); the two summary files come last.
    @Test func progressTellsEachAccountsPlace() throws {
        let fixture = try threeAccounts()
        var heard: [ReportProgress] = []
        let outcome = try AllAccountsStage.write(ledger: fixture.ledger, options: options(fixture, "all")) { heard.append($0) }
        let perAccount = 2 + ReportTests.fileNames.count
        #expect(heard.count == 3 * perAccount + 2)
        for (index, account) in outcome.accounts.map(\.account).enumerated() {
            let steps = heard[(index * perAccount)..<((index + 1) * perAccount)]
            #expect(steps.allSatisfy { $0.place == ReportProgress.Place(account: account, number: index + 1, of: 3) })
            #expect(steps.first?.step == .reading && steps.last?.step == .writing("usage.svg"))
        }
        #expect(heard.suffix(2) == [ReportProgress(.writing("accounts.csv")), ReportProgress(.writing("accounts.md"))])
        #expect(heard[perAccount + 2].words == "account default (2 of 3): writing periods.csv")
        let escape = ReportProgress(.reading, place: .init(account: "a\u{1B}[31mb", number: 1, of: 1))
        #expect(!escape.words.contains("\u{1B}"))
    }

    /// Each account's figures are bounded, not their sum: thousands of accounts of a
    /// billion dollars each pass what micro-USD hold. The total is refused in words (65),
    /// where `+` trapped (132) after every folder had been staged.
    @Test func totalsPastWhatTheBooksCountAreRefused() throws {
        let fixture = try threeAccounts()
        let outcome = try AllAccountsStage.write(ledger: fixture.ledger, options: options(fixture, "all"))
        var big = try #require(outcome.accounts.first)
        big.opening = try Micros(parsing: "4000000000000")
        #expect(try AccountTotals([big, big]).opening == Micros(parsing: "8000000000000"))
        do {
            _ = try AccountTotals([big, big, big])
            Issue.record("the total was given")
        } catch {
            #expect(error.exitStatus == .dataError)
            #expect(error.message.hasPrefix("the 3 accounts' opening balances add up to more than 9223372036854.775807 USD"))
        }
    }

    /// `--to` before an account's first day, `--from` not given: that account's books are
    /// empty, where it was refused (64, "the ledger's first day", of a day after the
    /// ledger's) and the whole report with it (probe 227).
    @Test func anAccountThatBeganAfterToHasEmptyBooks() throws {
        let fixture = try threeAccounts()
        var before = options(fixture, "before")
        before.reconcile.to = CivilDate(isoText: "2026-03-04")
        let outcome = try AllAccountsStage.write(ledger: fixture.ledger, options: before)
        #expect(outcome.accounts.map(\.account) == ["..", "default", "ops/eu"])
        let lines = try read(fixture.directory.path("before/accounts.csv")).components(separatedBy: "\r\n")
        #expect(lines[1] == "..,,0,0,,0", "\(lines)")
        #expect(lines[3] == "ops/eu,45,0,0,45,0", "\(lines)")
        // One account alone is still refused, naming the account's books.
        var alone = before
        alone.reconcile.account = ".."
        let refused = #expect(throws: ReconcileError.self) { _ = try ReportStage.write(ledger: fixture.ledger, options: alone) }
        #expect(refused?.message.hasPrefix("--to 2026-03-04 is not after 2026-03-04, the first day of the account's books") == true)
    }

    @Test func accountsCSVHasOneRowPerAccountThenTheTotal() throws {
        let fixture = try threeAccounts()
        let outcome = try AllAccountsStage.write(ledger: fixture.ledger, options: options(fixture, "all"))
        let golden = try #require(outcome.accounts.first { $0.account == "default" })
        let csv = try read(fixture.directory.path("all/accounts.csv"))
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines.first == "account,opening_balance,purchased,used,closing_balance,warnings")
        #expect(lines[1] == "..,9,0,0.000001,8.999999,0")
        #expect(lines[2] == "default,\(try #require(golden.opening).decimalText),\(golden.purchased.decimalText),"
            + "\(golden.used.decimalText),\(try #require(golden.closing).decimalText),\(golden.warnings)")
        #expect(lines[3] == "ops/eu,45,30,7.5,67.5,0")
        let total = try #require(outcome.totals.closing)
        #expect(lines[4] == "total,\(try #require(outcome.totals.opening).decimalText),\(outcome.totals.purchased.decimalText),"
            + "\(outcome.totals.used.decimalText),\(total.decimalText),\(golden.warnings)")
        #expect(lines[5] == "" && lines.count == 6)
        // The totals add up exactly, and so does the balance identity.
        #expect(total == reconMicros("8.999999") + golden.closing! + reconMicros("67.5"))
        #expect(try #require(outcome.totals.opening) + outcome.totals.purchased - outcome.totals.used == total)
    }

    @Test func accountLabelsAreGuardedInTheCSVAndEscapedInTheMarkdown() throws {
        let fixture = try ReconcileFixture()
        try snapshot(fixture, account: "=cmd|x", "2026-03-01T06:00:00Z", credits: "1", usage: "0")
        try snapshot(fixture, account: "a_b", "2026-03-01T06:00:00Z", credits: "2", usage: "0")
        let outcome = try AllAccountsStage.write(ledger: fixture.ledger, options: options(fixture, "all"))
        let csv = try read(fixture.directory.path("all/accounts.csv"))
        #expect(csv.contains("\r\n'=cmd|x,1,0,0,1,0\r\n"))
        let md = try read(fixture.directory.path("all/accounts.md"))
        #expect(md.contains("| =cmd\\|x | [%3Dcmd%7Cx/](%253Dcmd%257Cx/reconciliation.md) |"))
        #expect(md.contains("| a\\_b | [a\\_b/](a_b/reconciliation.md) |"))
        #expect(md.contains("| Ledger head hash | `\(outcome.headHash)` |"))
        #expect(md.contains("To check these books against a ledger: `credit-recon verify --holds \(outcome.headHash)`"))
        #expect(md.contains("| **Total** |"))
    }

    @Test func theSameLedgerAndOptionsGiveTheSameBytes() throws {
        let fixture = try threeAccounts()
        let first = try AllAccountsStage.write(ledger: fixture.ledger, options: options(fixture, "one"))
        let second = try AllAccountsStage.write(ledger: fixture.ledger, options: options(fixture, "two"))
        #expect(first.accounts.count == second.accounts.count)
        for name in ["accounts.csv", "accounts.md", "default/reconciliation.md", "%2E%2E/periods.csv", "ops%2Feu/balance.svg"] {
            #expect(try read(fixture.directory.path("one/\(name)")) == (try read(fixture.directory.path("two/\(name)"))), "\(name)")
        }
    }

    @Test func theJSONSummaryHasEveryAccountAndTheTotal() throws {
        let fixture = try threeAccounts()
        let outcome = try AllAccountsStage.write(ledger: fixture.ledger, options: options(fixture, "all"))
        guard case .object(let members) = outcome.json, case .array(let accounts)? = members["accounts"],
              case .object(let total)? = members["total"]
        else {
            Issue.record("not the expected shape: \(outcome.json.text)")
            return
        }
        #expect(accounts.count == 3)
        #expect(total["purchased"] == .string(outcome.totals.purchased.decimalText))
        #expect(members["exit_code"] == .int(1))
        #expect(members["head_hash"] == .string(outcome.headHash))
        guard case .object(let ops) = accounts[2] else { return }
        #expect(ops["account"] == .string("ops/eu"))
        #expect(ops["folder"] == .string("ops%2Feu"))
        #expect(ops["used"] == .string("7.5"))
        #expect(outcome.summaryLines.contains { $0.contains("ops%2Feu/") })
    }

    /// A ledger of no account has nothing to read, as no ledger has: 66 (it was 64, though
    /// no argument was wrong).
    @Test func aLedgerWithoutAccountsHasNothingToRead() throws {
        let fixture = try ReconcileFixture()
        let error = try #require(throws: UsageError.self) {
            try AllAccountsStage.write(ledger: fixture.ledger, options: options(fixture, "all"))
        }
        #expect(error.exitStatus == .noInput)
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.path("all")))
    }

    /// A writer appending between two accounts' reads moves the head: every account is
    /// read again, so all of them show one state of the books.
    @Test func aWriteBetweenTwoAccountsMakesEveryAccountReadAgain() throws {
        let fixture = try threeAccounts()
        var appended = 0
        let outcome = try AllAccountsStage.write(ledger: fixture.ledger, options: options(fixture, "all"), attempts: 3) { account in
            guard account == "..", appended == 0 else { return }
            appended += 1
            try snapshot(fixture, account: "ops/eu", "2026-03-06T06:00:00Z", credits: "80", usage: "13")
        }
        #expect(appended == 1)
        let head = try fixture.ledger.headHash()
        #expect(outcome.headHash == head)
        #expect(outcome.accounts.allSatisfy { $0.headHash == head })
        #expect(outcome.accounts.last?.used == reconMicros("8"))

        var minute = 0
        let error = try #require(throws: ReportError.self) {
            try AllAccountsStage.write(ledger: fixture.ledger, options: options(fixture, "again"), attempts: 2) { _ in
                minute += 1
                try snapshot(fixture, account: "ops/eu", "2026-03-07T06:\(minute < 10 ? "0" : "")\(minute):00Z", credits: "80", usage: "13")
            }
        }
        #expect(error.exitStatus == .tempFail)
    }
}
