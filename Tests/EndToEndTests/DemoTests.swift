import AsyncWait
import CreditTypes
import Foundation
import Testing

/// `make run`'s month, as a user runs it: its usage files add up, and its export passes the
/// real `bean-check` and `hledger check` with the report's totals.
@Suite(.serialized, .threadOfItsOwn(takingTurns: false)) struct DemoTests {
    /// The demo month in a scratch folder (its own ledger, reports and simulator).
    ///
    /// The script runs for several seconds: it is waited for on a thread of its own, never on
    /// one of the few threads the other tests' tasks run on.
    static func runDemo(_ scratch: Scratch) async throws -> (ledger: String, reports: String) {
        let environment = [
            "BIN": Executable.binDirectory.path, "DEMO": scratch.path("demo"), "OUT": scratch.path("reports"),
            "HOME": NSTemporaryDirectory(),
        ]
        let result = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try Executable.run(
                        tool: URL(fileURLWithPath: "/bin/bash"),
                        [Executable.repositoryRoot.appendingPathComponent("scripts/demo.sh").path], environment: environment)
                })
            }
        }
        #expect(result.status == 0, "demo.sh failed:\n\(result.stdout)\n\(result.stderr)")
        return (scratch.path("demo/ledger.sqlite"), scratch.path("reports"))
    }

    static func rows(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\r\n").dropFirst()
            .filter { !$0.isEmpty }.map { $0.components(separatedBy: ",") }
    }

    static var beanCheck: URL { Executable.repositoryRoot.appendingPathComponent(".build/beancount-venv/bin/bean-check") }
    static var hledger: URL { URL(fileURLWithPath: "/usr/bin/hledger") }

    @Test func theDemoMonthAddsUpAndItsExportPassesBothCheckers() async throws {
        let scratch = try Scratch()
        let demo = try await Self.runDemo(scratch)

        // usage_by_key.csv: per period, the rows add up to periods.csv's `used`, exactly.
        let periods = try Self.rows(demo.reports + "/periods.csv")
        var sums: [String: Micros] = [:]
        for row in try Self.rows(demo.reports + "/usage_by_key.csv") {
            sums[row[0], default: .zero] += try Micros(parsing: row[6])
        }
        #expect(!periods.isEmpty)
        for period in periods { #expect(sums[period[0]] == (try Micros(parsing: period[6])), "\(period[0])") }
        let used = try periods.reduce(Micros.zero) { $0 + (try Micros(parsing: $1[6])) }
        let closing = try Micros(parsing: try #require(periods.last)[7])

        for format in ["beancount", "hledger"] {
            let file = scratch.path("books.\(format)")
            let export = try Executable.creditRecon(
                ["--ledger", demo.ledger, "export", "--format", format, "--period", "day", "--out", file])
            #expect(export.status == 0, "\(export.stderr)")
            let check = format == "beancount"
                ? try Executable.run(tool: Self.beanCheck, [file])
                : try Executable.run(tool: Self.hledger, ["-f", file, "check"])
            #expect(check.status == 0, "\(format): \(check.stdout)\(check.stderr)")
        }
        // hledger's balances equal the report's totals to the micro-dollar.
        let balance = try Executable.run(
            tool: Self.hledger, ["-f", scratch.path("books.hledger"), "balance", "--flat", "--no-total", "--depth", "3"])
        let lines = Set(balance.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(lines.contains("\(Self.six(closing)) USD  Assets:OpenRouter:Credits"), "\(balance.stdout)")
        #expect(lines.contains("\(Self.six(used)) USD  Expenses:OpenRouter:Usage"), "\(balance.stdout)")
    }

    @Test func exportFailsClearlyOnBadInput() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("ledger.sqlite")
        let imported = try Executable.creditRecon(
            ["--ledger", ledger, "import", "snapshots", Executable.sampleSnapshots])
        #expect(imported.status == 0, "\(imported.stderr)")

        let map = try scratch.write("map.csv", "role,account\ncredits,Assets:Prepaid\nfees,Expenses:Fees\n")
        let badMap = try Executable.creditRecon(
            ["--ledger", ledger, "export", "--format", "beancount", "--accounts-map", map])
        #expect(badMap.status == 65)
        #expect(badMap.stderr.contains("map.csv:3: unknown role \"fees\""), "\(badMap.stderr)")
        #expect(badMap.stdout.isEmpty)

        let json = try Executable.creditRecon(["--ledger", ledger, "--json", "export", "--format", "hledger"])
        #expect(json.status == 64 && json.stderr.contains("--json needs --out FILE"), "\(json.stderr)")
        let format = try Executable.creditRecon(["--ledger", ledger, "export", "--format", "ledger"])
        #expect(format.status == 64 && format.stderr.contains("beancount or hledger"))
        let account = try Executable.creditRecon(["--ledger", ledger, "--account", "nope", "export", "--format", "hledger"])
        #expect(account.status == 64 && account.stderr.contains("holds no account \"nope\""), "\(account.stderr)")

        // Standard output by default; the same bytes as --out.
        let printed = try Executable.creditRecon(["--ledger", ledger, "export", "--format", "hledger"])
        #expect(printed.status == 0)
        // A charge paid that no reading shows yet is said on stderr as a log line, at warning,
        // which the README's grep finds (probe 284: a bare line).
        let paid = try scratch.write("paid.csv", "charge_id,amount,created_at,status,paid_at\nweb-9,5,2026-11-01T00:00:00Z,paid,2026-11-01T00:01:00Z\n")
        let other = scratch.path("other.sqlite")
        #expect(try Executable.creditRecon(["--ledger", other, "import", "snapshots", Executable.sampleSnapshots]).status == 0)
        #expect(try Executable.creditRecon(["--ledger", other, "import", "charges", paid]).status == 0)
        let leftOut = try Executable.creditRecon(["--ledger", other, "export", "--format", "hledger"])
        let warned = leftOut.stderr.split(separator: "\n").filter { $0.contains("1 charge recorded as paid (5 USD) is not in the journal") }
        #expect(leftOut.status == 0 && warned.count == 1 && warned[0].contains(" warning credit-recon: "), "\(leftOut.stderr)")
        let written = try Executable.creditRecon(
            ["--ledger", ledger, "export", "--format", "hledger", "--out", scratch.path("out.journal")])
        #expect(written.status == 0 && written.stdout.contains("balance assertions"))
        #expect(try String(contentsOfFile: scratch.path("out.journal"), encoding: .utf8) == printed.stdout)
        // `--out -` is standard output, as in most tools (it wrote a file named "-"); `./-` is that file.
        let dash = try Executable.run(
            "credit-recon", ["--ledger", ledger, "export", "--format", "hledger", "--out", "-"], in: scratch.url)
        #expect(dash.status == 0 && dash.stdout == printed.stdout, "\(dash.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("-")))
        let dashJSON = try Executable.creditRecon(["--ledger", ledger, "--json", "export", "--format", "hledger", "--out", "-"])
        #expect(dashJSON.status == 64 && dashJSON.stderr.contains("--json needs --out FILE"), "\(dashJSON.stderr)")
        let named = try Executable.run(
            "credit-recon", ["--ledger", ledger, "export", "--format", "hledger", "--out", "./-"], in: scratch.url)
        #expect(named.status == 0 && named.stdout.contains("balance assertions"), "\(named.stderr)")
        #expect(try String(contentsOfFile: scratch.path("-"), encoding: .utf8) == printed.stdout)
    }

    /// `12.5` → `12.500000`, as the export writes amounts.
    static func six(_ value: Micros) -> String {
        let magnitude = value.raw.magnitude
        let fraction = String(magnitude % 1_000_000)
        return (value.raw < 0 ? "-" : "") + "\(magnitude / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
