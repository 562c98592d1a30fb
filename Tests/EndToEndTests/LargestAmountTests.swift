import AsyncWait
import Foundation
import Testing

/// Amounts have a ceiling, a billion USD either way (`Micros.largestAmount`): an API answer,
/// a CSV cell or an option beyond it is refused as the bad input it is, and every amount
/// up to it goes through the books exactly, so a lying server cannot make `report` trap on
/// an overflow (it did, on a balance of 9223372036854.775807 USD).
@Suite("End to end: the largest amount", .threadOfItsOwn)
struct LargestAmountTests {
    static let env = ["OPENROUTER_API_KEY": "sim-management-key"]

    @Test func aBillionDollarsGoesThroughTheBooksExactly() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess(["--initial-credits", "1000000000", "--initial-usage", "0"])
        let ledger = scratch.path("books.sqlite")
        func run(_ arguments: [String]) throws -> Executable.Result {
            try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL] + arguments, environment: Self.env)
        }
        let first = try run(["fetch", "--no-keys", "--no-activity"])
        #expect(first.status == 0, "\(first.stderr)")
        try sim.admin("POST", "/_sim/usage", body: #"{"amount":"999999999.999999"}"#)
        let second = try run(["fetch", "--no-keys", "--no-activity"])
        #expect([0, 1].contains(second.status), "\(second.stderr)")
        for arguments in [["report", "--out", scratch.path("reports")], ["status"], ["export", "--format", "hledger"]] {
            let result = try run(arguments)
            #expect([0, 1].contains(result.status), "\(arguments): \(result.status) \(result.stderr)")
        }
        let periods = try String(contentsOfFile: scratch.path("reports/periods.csv"), encoding: .utf8)
        #expect(periods.contains(",999999999.999999,"), "\(periods)")
        #expect(periods.contains(",0.000001,"), "the closing balance: \(periods)")
    }

    @Test func anAPIAnswerOneMicroDollarBeyondIsRefusedAndNothingStored() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        for (credits, usage) in [("1000000000.000001", "0"), ("9223372036854.775807", "0"), ("5", "-1000000000.000001")] {
            let sim = try SimulatorProcess(["--initial-credits=\(credits)", "--initial-usage=\(usage)"])
            let result = try Executable.creditRecon(
                ["--ledger", ledger, "--base-url", sim.baseURL, "fetch", "--no-keys", "--no-activity"], environment: Self.env)
            #expect(result.status == 76, "\(credits) \(usage): \(result.stderr)")
            #expect(result.stderr.contains("is too large (an amount may be at most 1000000000 USD either way)"), "\(result.stderr)")
        }
        let status = try Executable.creditRecon(["--ledger", ledger, "status"])
        #expect(status.status == 66 || status.stdout.contains("there are no readings yet"), "\(status.stdout)\(status.stderr)")
    }

    @Test func aCellOrAnOptionBeyondIsRefused() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        let snapshots = try scratch.write(
            "snapshots.csv", "observed_at,total_credits,total_usage\n2026-10-01T00:00:00Z,1000000000.000001,0\n")
        let imported = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", snapshots])
        #expect(imported.status == 65, "\(imported.stderr)")
        #expect(imported.stderr.contains("snapshots.csv:2: total_credits") && imported.stderr.contains("is too large"),
                "\(imported.stderr)")
        // A charge has a lower ceiling, a million USD: the books add charges up by the
        // thousand. Ten thousand rows of a billion each trapped the import's own total.
        let rows = (0..<10_000).map { "ch-\($0),999999999.99,2026-10-01T00:00:00Z\n" }.joined()
        let charges = try scratch.write(
            "charges.csv", "charge_id,amount,created_at\nch-a,1000000000.01,2026-10-01T00:00:00Z\n"
                + "ch-b,1000000.000001,2026-10-01T00:00:00Z\n" + rows)
        let recorded = try Executable.creditRecon(["--ledger", ledger, "import", "charges", charges])
        #expect(recorded.status == 65, "\(recorded.stderr)")
        // Past what any amount may be, the charge's own ceiling is said (probe 314).
        #expect(recorded.stderr.contains("charges.csv:2: amount: \"1000000000.01\" is more than 1000000 USD, the largest charge"),
                "\(recorded.stderr)")
        #expect(recorded.stderr.contains("charges.csv:3: amount: \"1000000.000001\" is more than 1000000 USD, the largest charge"),
                "\(recorded.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
        let plan = Executable.repositoryRoot.appendingPathComponent("samples/topups.csv").path
        // The option's own limit is said, past what any amount may be too (probe 437).
        for value in ["1000000001", "1000000.01", "99999999999999999999"] {
            let checked = try Executable.creditRecon(["plan", "check", plan, "--max-amount", value])
            #expect(checked.status == 64 && checked.stderr.contains("--max-amount: \"\(value)\" is more than 1000000 USD, the most "
                + "it may be"), "\(checked.stderr)")
        }
        let allowed = try Executable.creditRecon(["plan", "check", plan, "--max-amount", "1000000"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }
}
