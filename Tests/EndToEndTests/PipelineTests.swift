import AsyncWait
import Foundation
import Testing

/// `fetch --json` and `run` as cron and scripts use them: exact totals on stdout, every
/// stage recorded, a report written even when a stage fails, and the exit code of the most
/// serious outcome (issue 3 "Show", issue 5 "run"; CONTRACT.md § Exit codes).
@Suite("Pipeline: fetch --json and run", .threadOfItsOwn)
struct PipelineTests {
    static let env = ["OPENROUTER_API_KEY": "sim-management-key"]

    static func json(_ text: String) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(value as? [String: Any], "not a JSON object: \(text)")
    }

    @Test func fetchJSONPrintsTheExactTotalsAsDecimalText() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess(["--initial-credits", "1234.567891", "--initial-usage", "1000.000009"])
        let ledger = scratch.path("ledger.sqlite")
        let result = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "--json", "fetch"], environment: Self.env)
        #expect(result.status == 0, "\(result.stderr)")
        // Decimal text, not JSON numbers: a parser that goes through Double cannot round them.
        #expect(result.stdout.contains(#""total_credits":"1234.567891""#), "\(result.stdout)")
        #expect(result.stdout.contains(#""total_usage":"1000.000009""#), "\(result.stdout)")
        #expect(result.stdout.contains(#""balance":"234.567882""#), "\(result.stdout)")
        let stored = try Executable.query(ledger, "SELECT total_credits, total_usage FROM snapshots")
        #expect(stored == [["1234567891", "1000000009"]])
    }

    /// The built binary reads every key and 30 days of activity, says so in `--json`, and
    /// skips them with `--no-keys` / `--no-activity`; `run` takes the same flags.
    @Test func fetchReadsKeysAndActivityUnlessTold() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess(["--initial-credits", "10"])
        let ledger = scratch.path("ledger.sqlite")
        let skipped = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "--json", "fetch", "--no-keys", "--no-activity"], environment: Self.env)
        #expect(skipped.status == 0, "\(skipped.stderr)")
        let quiet = try Self.json(skipped.stdout)
        #expect(quiet["keys"] is NSNull && quiet["activity"] is NSNull, "\(skipped.stdout)")
        #expect(try sim.state().apiRequests == 2)

        let full = try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL, "--json", "fetch"], environment: Self.env)
        #expect(full.status == 0, "\(full.stderr)")
        let summary = try Self.json(full.stdout)
        let activity = try #require(summary["activity"] as? [String: Any], "\(full.stdout)")
        #expect((activity["days_stored"] as? [String])?.count == 30)
        #expect((summary["keys"] as? [String: Any])?["count"] as? Int == 0)
        #expect(try Executable.query(ledger, "SELECT count(*) FROM activity_days") == [["30"]])
        #expect(try Executable.query(ledger, "SELECT count(*) FROM key_listings") == [["1"]])

        let run = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "run", "--no-activity", "--out", scratch.path("reports")],
            environment: Self.env)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Executable.query(ledger, "SELECT count(*) FROM key_listings") == [["2"]])
        #expect(try Executable.query(ledger, "SELECT count(*) FROM activity_days") == [["30"]])
        #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).status == 0)
    }

    @Test func runRecordsEveryStageAndWritesTheReport() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess(["--initial-credits", "100", "--initial-usage", "40"])
        let ledger = scratch.path("ledger.sqlite")
        let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 3))
        let out = scratch.path("reports")
        let result = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "--json", "run", "--plan", plan, "--yes", "--out", out],
            environment: Self.env)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try Self.json(result.stdout)
        let stages = try #require(summary["stages"] as? [[String: Any]])
        #expect(stages.compactMap { $0["name"] as? String } == ["fetch", "topup", "fetch again", "report"])
        #expect(stages.allSatisfy { ($0["exit_code"] as? Int) == 0 })
        #expect(summary["exit_code"] as? Int == 0)
        // Each stage's own --json document, so a script reads counts and states, not the
        // line's words (probe 82 F6); the head the report is of.
        let results = stages.map { $0["result"] as? [String: Any] }
        #expect(results[0]?["total_credits"] as? String == "100" && results[2]?["total_credits"] != nil, "\(results)")
        // Each as its command prints it alone, exit_code too (the fetches' had none, probe 84).
        #expect(results.allSatisfy { $0?["exit_code"] as? Int == 0 }, "\(results)")
        #expect((results[1]?["states"] as? [String: Any])?["created"] as? Int == 3, "\(String(describing: results[1]))")
        // Every state, 0 too: states["unknown"] was missing in the clean case (probe 197).
        #expect((results[1]?["states"] as? [String: Any])?["unknown"] as? Int == 0
            && (results[1]?["state_totals"] as? [String: Any])?["blocked"] as? String == "0", "\(String(describing: results[1]))")
        #expect((results[3]?["findings"] as? [String: Any])?["warning"] as? Int == 0, "\(String(describing: results[3]))")
        #expect((summary["head_hash"] as? String)?.count == 64 && summary["head_hash"] as? String == results[3]?["head_hash"] as? String,
                "\(summary)")

        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == ["balance.svg", "charges.csv", "findings.csv", "periods.csv", "reconciliation.md", "usage.svg", "usage_by_key.csv",
                    "usage_by_model.csv"])
        // Every stage is a run of its own, inside the job's run.
        let runs = try Executable.query(ledger, "SELECT command, outcome FROM runs ORDER BY id")
        #expect(runs == [["run", "ok"], ["fetch", "ok"], ["topup", "ok"], ["fetch", "ok"]])
        #expect(try Executable.query(ledger, "SELECT count(*) FROM topups WHERE state = 'created'") == [["3"]])
        #expect(try sim.state().charges.count == 3)
        // The charges the job created are in its report, still pending.
        let charges = try String(contentsOfFile: out + "/charges.csv", encoding: .utf8)
        #expect(charges.components(separatedBy: ",pending,").count - 1 == 3, "\(charges)")

        // Run again: the plan is already carried out, nothing is sent twice.
        let again = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "run", "--plan", plan, "--yes", "--out", out],
            environment: Self.env)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("0 created (0.00 USD), 0 rejected, 0 not sent, 0 blocked, 0 unknown; skipped 3 done"), "\(again.stdout)")
        #expect(try sim.state().charges.count == 3)
        #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).status == 0)
    }

    @Test func aFailingFetchStillLeavesAReportThatSaysWhatFailed() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess(["--fail-rate", "1"])
        let ledger = scratch.path("ledger.sqlite")
        let out = scratch.path("reports")
        let result = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "--max-retry-time", "1", "run", "--out", out],
            environment: Self.env)
        // The most serious outcome wins: the API stayed unavailable (69) over the report's findings (1).
        #expect(result.status == 69, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("fetch: exit 69"), "\(result.stdout)")
        // The report's line in `report`'s own words, kinds and newest (probes 216, 225).
        #expect(result.stdout.contains("(findings: 0 error, 1 warning (1 run_failed; newest run_failed of "), "\(result.stdout)")
        let findings = try String(contentsOfFile: out + "/findings.csv", encoding: .utf8)
        // One warning, the job's, naming the stage (the stage's own made each failed night two).
        #expect(findings.components(separatedBy: "warning,run_failed,").count == 2, "\(findings)")
        #expect(findings.contains("`run` failed (exit 69): fetch: failed: GET /key failed"), "\(findings)")
        let markdown = try String(contentsOfFile: out + "/reconciliation.md", encoding: .utf8)
        #expect(markdown.contains("run_failed"))
        let runs = try Executable.query(ledger, "SELECT command, outcome, exit_code FROM runs ORDER BY id")
        #expect(runs == [["run", "failed", "69"], ["fetch", "failed", "69"]])
        #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).status == 0)
    }

    /// A top-up stage that ends with a failure of its own (its charges refused the key, 77)
    /// is logged as an error, as a stage that throws is: it was logged at info, and a cron's
    /// grep for warnings and errors missed it (probe 276).
    @Test func aTopUpStageThatFailsIsLoggedAsAnError() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess()
        let ledger = scratch.path("ledger.sqlite")
        let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 1))
        var env = Self.env
        env["OPENROUTER_BEARER"] = "sk-or-v1-" + String(repeating: "d", count: 64)
        let result = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "run", "--plan", plan, "--yes", "--out", scratch.path("reports")],
            environment: env)
        #expect(result.status == 77, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(" error credit-recon: [CreditRecon] topup: "), "\(result.stderr)")
        #expect(!result.stderr.contains(" info credit-recon: [CreditRecon] topup: "), "\(result.stderr)")
    }

    /// A write of `fetch` that fails after the snapshot was stored (a file-size limit, as a
    /// full disk does) says what was stored before it: it gave the ledger's error alone, as
    /// if nothing was, and `status` then blamed a kill for the run left open (probe 274).
    @Test func aFetchWhoseWriteFailsSaysWhatItStoredBeforeIt() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess()
        let ledger = scratch.path("ledger.sqlite")
        let samples = Executable.sampleSnapshots
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let size = try FileManager.default.attributesOfItem(atPath: ledger)[.size] as? Int ?? 0
        // Room for the snapshot and some of the rest (bash counts the limit in KiB): the
        // write-ahead log grows past it while the days of activity are stored.
        let limit = size / 1024 + 480
        let binary = Executable.binDirectory.appendingPathComponent("credit-recon").path
        let result = try Executable.run(
            tool: URL(fileURLWithPath: "/bin/bash"),
            ["-c", "ulimit -f \(limit); exec \"$0\" \"$@\"", binary, "--ledger", ledger, "--base-url", sim.baseURL, "fetch"],
            environment: Self.env)
        #expect(result.status == 74, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("What was stored before it (the snapshot"), "\(result.stderr)")
        #expect(result.stderr.contains(", and the next fetch reads what is missing"), "\(result.stderr)")
        #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).status == 0)
        // And the next fetch, with room, finishes the work (1: the samples' readings end a month before it).
        let next = try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL, "fetch"], environment: Self.env)
        #expect([0, 1].contains(next.status) && next.stdout.contains("activity:"), "\(next.stdout)\(next.stderr)")
    }

    /// A fetch that fails after the snapshot says under `--json` which call failed and what it
    /// had stored, as `run --json` does of its fetch stage: the sentence alone said it, and a
    /// script could not tell the snapshot was kept (probe 405). Here the API's clock is two days
    /// behind `--now`, so it refuses the first day past its window.
    @Test func aFailedFetchSaysInItsJSONWhichCallFailedAndWhatItStored() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess()
        try sim.admin("POST", "/_sim/clock", body: #"{"now":"2026-03-15T12:00:00Z"}"#)
        let ledger = scratch.path("ledger.sqlite")
        let fetched = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "--now", "2026-03-17T12:00:00Z", "--json", "fetch"], environment: Self.env)
        #expect(fetched.status == 76, "\(fetched.stdout)\(fetched.stderr)")
        let failure = try Self.json(fetched.stdout)
        #expect(failure["exit_code"] as? Int == 76)
        #expect(failure["failed_call"] as? String == "GET /activity?date=2026-03-15", "\(fetched.stdout)")
        let stored = failure["stored"] as? [String: Any]
        #expect(stored?["snapshot_observed_at"] as? String == "2026-03-17T12:00:00.001Z", "\(fetched.stdout)")
        #expect(stored?["key_readings"] as? Bool == true)
        let days = stored?["activity_days"] as? [String]
        #expect(days?.count == 28 && days?.first == "2026-02-15" && days?.last == "2026-03-14", "\(fetched.stdout)")

        let ran = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "--now", "2026-03-17T13:00:00Z", "--json", "run", "--out",
             scratch.path("reports")], environment: Self.env)
        #expect(ran.status == 76, "\(ran.stdout)\(ran.stderr)")
        let stage = (try Self.json(ran.stdout)["stages"] as? [[String: Any]])?.first
        #expect(stage?["name"] as? String == "fetch" && stage?["failed_call"] as? String == "GET /activity?date=2026-03-15",
                "\(ran.stdout)")
        #expect((stage?["stored"] as? [String: Any])?["snapshot_observed_at"] as? String == "2026-03-17T13:00:00.002Z",
                "\(ran.stdout)")
    }

    /// When the fetch could not reach the API, the plan waits for the next run: each POST
    /// would most likely have ended `unknown`, a row for a person to clear.
    @Test func aRunWhoseFetchCouldNotReachTheAPISendsNoCharges() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess(["--fail-rate", "1"])
        let ledger = scratch.path("ledger.sqlite")
        let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 3))
        let result = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "--max-retry-time", "1", "run", "--plan", plan, "--yes",
             "--out", scratch.path("reports")],
            environment: Self.env)
        #expect(result.status == 69, "\(result.stdout)\n\(result.stderr)")
        // Nothing of the plan is stored: with a plan of each night's date, the next run sends
        // another plan, so the line gives the command that sends this one (probe 461), with
        // the job's ledger and API (probe 463: without them it bought the plan again from new
        // books in the folder it was run in).
        let sending = "credit-recon topup \(plan) --ledger \(ledger) --base-url '\(sim.baseURL)' --yes"
        #expect(result.stdout.contains("topup: skipped — the API did not answer the fetch (exit 69); nothing of the plan was "
            + "stored or sent: its rows not carried out yet wait for the next run given this plan, or for `\(sending)`\n"
            + "fetch again: skipped — the first fetch failed (exit 69), so no top-up was made for it to read\n"),
                "\(result.stdout)")
        // And in the log, which a cron job keeps (probe 179: stdout alone said it).
        #expect(result.stderr.contains(" warning credit-recon: [CreditRecon] topup: skipped: the API did not answer the fetch "
            + "(exit 69); nothing of the plan was stored or sent"), "\(result.stderr)")
        #expect(try Executable.query(ledger, "SELECT count(*) FROM topups") == [["0"]])
        #expect(try Executable.query(ledger, "SELECT command FROM runs ORDER BY id") == [["run"], ["fetch"]])

        // Under --json each stage says whether it ran: a skipped top-up's exit_code 0 read as
        // a top-up done (probe 461).
        // The ledger and the API from the environment, the job's pace and caps: all given
        // again (probe 465: a ledger from CREDIT_RECON_LEDGER was left out, the plan bought
        // again from new books; --concurrency and --rate-limit were dropped).
        let again = try Executable.creditRecon(
            ["--max-retry-time", "1", "--json", "run", "--plan", plan, "--yes", "--concurrency", "2", "--rate-limit", "0.5",
             "--max-total", "100", "--out", scratch.path("reports")],
            environment: Self.env.merging(["CREDIT_RECON_LEDGER": ledger, "OPENROUTER_BASE_URL": sim.baseURL]) { $1 })
        #expect(again.status == 69, "\(again.stdout)\n\(again.stderr)")
        let stages = try #require(try Self.json(again.stdout)["stages"] as? [[String: Any]])
        #expect(stages.map { "\($0["name"] ?? "") \($0["skipped"] ?? "") \($0["exit_code"] ?? "")" }
            == ["fetch 0 69", "topup 1 0", "fetch again 1 0", "report 0 1"], "\(again.stdout)")
        #expect((stages[1]["detail"] as? String)?.hasSuffix("or for `credit-recon topup \(plan) --ledger \(ledger) --base-url "
            + "'\(sim.baseURL)' --max-total 100 --concurrency 2 --rate-limit 0.5 --yes`") == true, "\(stages[1])")
    }

    /// A job whose report cannot be written still made its charges: it ends with the head
    /// it left the ledger at, in the text and in `--json` (probe 349: none, with 3 charges
    /// made), and its stages' outcome.
    @Test func aRunWhoseReportFailsSaysTheHeadItLeft() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess(["--initial-credits", "100", "--initial-usage", "40"])
        let ledger = scratch.path("ledger.sqlite")
        let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 3))
        let file = try scratch.write("afile", "x\n")
        for json in [false, true] {
            let result = try Executable.creditRecon(
                ["--ledger", ledger, "--base-url", sim.baseURL] + (json ? ["--json"] : [])
                    + ["run", "--plan", plan, "--yes", "--out", file + "/sub"],
                environment: Self.env)
            #expect(result.status == 73, "\(result.stdout)\(result.stderr)")
            let head = try #require(Executable.creditRecon(["--ledger", ledger, "verify"]).stdout.split(separator: "\n")
                .first { $0.hasPrefix("head ") }).dropFirst("head ".count)
            if json {
                let summary = try Self.json(result.stdout)
                #expect(summary["head_hash"] as? String == String(head) && summary["report_directory"] is NSNull, "\(result.stdout)")
            } else {
                #expect(result.stdout.contains("topup: ok — ") && result.stdout.contains("\nreport: exit 73 — failed: ")
                    && result.stdout.hasSuffix("\nledger head \(head)\n"), "\(result.stdout)")
            }
        }
    }

    /// An answer that cannot be read (76) is the same warning: the top-ups' answers would
    /// most likely be unreadable too, and each would be left `unknown` (the helper's run
    /// left all 20 rows `unknown` while the server made 20 charges).
    @Test func aRunWhoseFetchWasAnsweredUnreadablySendsNoCharges() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess()
        try sim.faults(#"{"garble":"json"}"#)
        let ledger = scratch.path("ledger.sqlite")
        let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 3))
        let result = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "run", "--plan", plan, "--yes", "--out", scratch.path("reports")],
            environment: Self.env)
        #expect(result.status == 76, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("topup: skipped — the API answered the fetch with what cannot be read (exit 76)"),
                "\(result.stdout)")
        #expect(try sim.state().charges.isEmpty)
        #expect(try Executable.query(ledger, "SELECT count(*) FROM topups") == [["0"]])
    }

    /// A fetch that finds the setup wrong (78: here a clock two days behind the books) skips
    /// the top-up too: the job went on and made a real charge whose answer it then could
    /// not trust (dated ahead of its clock), a row for a person to clear.
    @Test func aRunWhoseFetchFoundTheClockBehindSendsNoCharges() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess()
        let ledger = scratch.path("ledger.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL, "fetch", "--no-activity"],
                                           environment: Self.env).status == 0)
        let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 1))
        let behind = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-2 * 86_400))
        let result = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "--now", behind, "run", "--plan", plan, "--yes", "--no-activity",
             "--out", scratch.path("reports")],
            environment: Self.env)
        #expect(result.status == 78, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("topup: skipped — the fetch found the setup wrong (the clock or --now, --base-url, "
            + "or the key) (exit 78)"), "\(result.stdout)")
        #expect(try sim.state().charges.isEmpty)
        #expect(try Executable.query(ledger, "SELECT count(*) FROM topups") == [["0"]])
    }

    /// A paid charge recorded for a plan row whose own charge is not known to have expired
    /// is the row bought twice, which needs a person: `import charges` exits 1 (probe 155:
    /// 0, the warning left to the next report), `--json` counting `second_purchases_paid`.
    @Test func importChargesOfAPlanRowBoughtTwiceExits1() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess()
        let ledger = scratch.path("ledger.sqlite")
        let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 1))
        let topup = try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL, "topup", plan, "--yes"],
                                               environment: Self.env)
        #expect(topup.status == 0, "\(topup.stdout)\n\(topup.stderr)")
        func web(_ id: String) throws -> String {
            try scratch.write("\(id).csv", "charge_id,amount,wallet,chain_id,created_at,reference,status,paid_at\n"
                + "\(id),1.01,\(DistinctPlan.wallet(0)),8453,2026-11-01T10:00:00Z,r0,paid,2026-11-01T10:05:00Z\n")
        }
        let text = try Executable.creditRecon(["--ledger", ledger, "import", "charges", try web("web-2")])
        // Its line says why it exits 1 (it read as a charge that changes nothing).
        #expect(text.status == 1 && text.stdout.contains(", not known to have expired: web-2, paid, buys that plan row a second "
            + "time as far as the ledger knows (exit 1)"), "\(text.stdout)\(text.stderr)")
        let json = try Executable.creditRecon(["--ledger", ledger, "--json", "import", "charges", try web("web-3")])
        #expect(json.status == 1 && json.stdout.contains("\"second_purchases_paid\":1"), "\(json.stdout)\(json.stderr)")
    }

    @Test func runWithoutAKeyIs78AndStillReports() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess()
        let out = scratch.path("reports")
        let ledger = scratch.path("ledger.sqlite")
        let result = try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL, "run", "--out", out])
        #expect(result.status == 78, "\(result.stdout)\n\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/reconciliation.md"))
    }
}
