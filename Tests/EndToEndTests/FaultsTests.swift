import Foundation
import Testing

extension Reliability {
    /// The API misbehaving in every documented way: each fault ends in the documented row
    /// state and exit code, and none duplicates a charge or loses a recorded one (issue 6,
    /// "Faults"; CONTRACT.md § Exit codes, DESIGN.md § The API).
    @Suite("Faults: the API misbehaving")
    struct FaultsTests {
        static let env = ["OPENROUTER_API_KEY": "sim-management-key"]

        struct Setup {
            let scratch: Scratch
            let sim: SimulatorProcess
            let ledger: String
            let plan: String
            let rows: Int

            init(rows: Int = 4, _ simArguments: [String] = []) throws {
                scratch = try Scratch()
                sim = try SimulatorProcess(simArguments)
                ledger = scratch.path("ledger.sqlite")
                self.rows = rows
                plan = try scratch.write("plan.csv", DistinctPlan.text(rows: rows))
            }

            func topUp(_ extra: [String] = [], global: [String] = [], env: [String: String] = FaultsTests.env) throws -> Executable.Result {
                try Executable.creditRecon(Self.options(["--ledger", ledger, "--base-url", sim.baseURL, "--max-retry-time", "3", "--timeout", "5"], global)
                    + ["topup", plan, "--yes", "--concurrency", "2"] + extra, environment: env)
            }

            func fetch(global: [String] = [], env: [String: String] = FaultsTests.env) throws -> Executable.Result {
                try Executable.creditRecon(Self.options(["--ledger", ledger, "--base-url", sim.baseURL, "--max-retry-time", "2", "--timeout", "5"], global)
                    + ["fetch"], environment: env)
            }

            /// The default option pairs a test's `global` does not give, then `global`: an
            /// option given twice is refused.
            static func options(_ defaults: [String], _ global: [String]) -> [String] {
                stride(from: 0, to: defaults.count, by: 2).flatMap { index in
                    global.contains(defaults[index]) ? [] : [defaults[index], defaults[index + 1]]
                } + global
            }

            func states() throws -> [String: Int] {
                try Executable.query(ledger, "SELECT state, count(*) FROM topups GROUP BY state")
                    .reduce(into: [String: Int]()) { $0[$1[0]] = Int($1[1]) }
            }

            /// No wallet charged twice; every created row's charge exists on the simulator, once.
            func expectNoDuplicateNoLoss(_ note: Comment? = nil) throws {
                let state = try sim.state()
                #expect(state.chargesBySender.values.allSatisfy { $0 == 1 }, "duplicates: \(state.chargesBySender)")
                let ids = Set(state.charges.map(\.id))
                for row in try Executable.query(ledger, "SELECT charge_id FROM topups WHERE state = 'created'") {
                    #expect(ids.contains(row[0]), "created charge \(row[0]) is not on the simulator")
                }
                let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
                #expect(verified.status == 0, "\(verified.stdout)")
                Executable.count("faults_injected", 1)
            }
        }

        @Test func serverErrorsMakeChargesUnknownAndFetchUnavailable() throws {
            let setup = try Setup(["--fail-rate", "1"])
            let result = try setup.topUp()
            #expect(result.status == 1, "\(result.stderr)")
            #expect(try setup.states() == ["unknown": setup.rows])
            #expect(result.stdout.contains("outcome unknown"))
            #expect(try setup.sim.state().charges.isEmpty)
            // The POST is not idempotent: one request per row, never re-sent on a 500.
            #expect(try setup.sim.state().apiRequests == setup.rows)
            #expect(try setup.fetch().status == 69)
            try setup.expectNoDuplicateNoLoss()
            // Without --retry-unknown a second run sends nothing.
            try setup.sim.faults(#"{"fail_rate":0}"#)
            let requests = try setup.sim.state().apiRequests
            #expect(try setup.topUp().status == 1)
            #expect(try setup.sim.state().apiRequests == requests)
        }

        /// A server whose error message carries terminal escapes (clear the screen, set the
        /// window's title): the log lines and the error that quote it show them as `?`.
        @Test func aServersWordsCannotDriveTheTerminal() throws {
            let setup = try Setup()
            try setup.sim.faults(#"{"fail_rate":1,"fail_message":"down \u001b[2J\u001b]0;pwned\u0007 now"}"#)
            let result = try setup.fetch(global: ["--log-level", "info"])
            #expect(result.status == 69, "\(result.stderr)")
            #expect(result.stderr.contains("attempt 1 failed (HTTP 500: down ?[2J?]0;pwned? now)"), "\(result.stderr)")
            #expect(result.stderr.components(separatedBy: "down ?[2J?]0;pwned? now").count > 3, "log lines and the error: \(result.stderr)")
            #expect(!Executable.holdsControlCharacters(result.stderr), "\(result.stderr.debugDescription)")
        }

        /// A server's message that holds a line break wrote a line of its own into the log
        /// ("credit-recon: fetch finished OK"), and one of 5 MB went into every log line, the
        /// error, and the run's summary in the append-only ledger, each night (probe 61). It
        /// is one line, cut at 500 characters, saying how long it was.
        @Test func aServersMessageIsOneLineOfBoundedLength() throws {
            let setup = try Setup()
            let message = "busy\ncredit-recon: fetch finished OK, exit 0\u{2028}" + String(repeating: "M", count: 20_000)
            let faults = try JSONSerialization.data(withJSONObject: ["fail_rate": 1, "fail_message": message])
            try setup.sim.faults(String(decoding: faults, as: UTF8.self))
            let result = try setup.fetch(global: ["--log-level", "info"])
            #expect(result.status == 69, "\(result.stderr.prefix(2000))")
            #expect(!result.stderr.split(separator: "\n").contains { $0.hasPrefix("credit-recon: fetch finished OK") },
                    "\(result.stderr.prefix(2000))")
            #expect(result.stderr.contains("busy credit-recon: fetch finished OK, exit 0 MMMM"), "\(result.stderr.prefix(2000))")
            #expect(result.stderr.contains("… (cut: 20045 characters in all)"), "\(result.stderr.prefix(2000))")
            #expect(result.stderr.utf8.count < 10_000, "\(result.stderr.utf8.count) bytes")
            // The run's summary in the journal says what failed, in as many words.
            let longest = try Executable.run(tool: URL(fileURLWithPath: "/usr/bin/env"), [
                "sqlite3", "-readonly", setup.ledger, "SELECT max(length(entry)), count(*) FROM journal"])
            let figures = longest.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").compactMap { Int($0) }
            #expect(figures.count == 2 && figures[0] < 3_000 && figures[1] >= 2, "\(longest.stdout) \(longest.stderr)")
        }

        @Test func droppedConnectionsAfterProcessingAreUnknownNotResent() throws {
            let setup = try Setup(["--drop-rate", "1"])
            let result = try setup.topUp()
            #expect(result.status == 1, "\(result.stderr)")
            #expect(try setup.states() == ["unknown": setup.rows])
            // The simulator did create them: exactly one each, and the ledger says "unknown", not "none".
            #expect(try setup.sim.state().charges.count == setup.rows)
            #expect(try setup.fetch().status == 69)
            try setup.expectNoDuplicateNoLoss()
        }

        @Test func answersSlowerThanTimeoutAreUnknown() throws {
            let setup = try Setup(rows: 2, ["--latency-ms", "1500"])
            let result = try setup.topUp(global: ["--timeout", "1"])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(try setup.states() == ["unknown": 2])
            let fetched = try setup.fetch(global: ["--timeout", "1"])
            #expect(fetched.status == 69, "\(fetched.stderr)")
            // The simulator finishes the slow charges after the client gave up; check for
            // duplicates once both exist, not while it may still be making them.
            #expect(try waitUntil { try setup.sim.state().charges.count >= 2 }, "the simulator never made the 2 charges")
            try setup.expectNoDuplicateNoLoss()
        }

        @Test func aRateLimitStormIsRiddenOutWithRetryAfter() throws {
            let setup = try Setup(rows: 5, ["--rate-limit", "2"])
            let result = try setup.topUp(global: ["--max-retry-time", "20"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try setup.states() == ["created": 5])
            try setup.expectNoDuplicateNoLoss()
        }

        @Test func aRateLimitBeyondTheBudgetIsExit75AndNothingIsLost() throws {
            let setup = try Setup(rows: 4, ["--rate-limit", "0.05"])
            let result = try setup.topUp()
            #expect(result.status == 75, "\(result.stdout)\(result.stderr)")
            let states = try setup.states()
            #expect(states["unknown"] == nil && states["requesting"] == nil, "\(states)")
            let created = states["created", default: 0]
            #expect(try setup.sim.state().charges.count == created)
            try setup.sim.faults(#"{"rate_limit":null}"#)
            let again = try setup.topUp()
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try setup.states() == ["created": 4])
            try setup.expectNoDuplicateNoLoss()
        }

        @Test(arguments: ["json", "html"])
        func unreadableAnswersAreUnknownForChargesAnd76ForFetch(garble: String) throws {
            let setup = try Setup(rows: 2)
            try setup.sim.faults(#"{"garble":"\#(garble)"}"#)
            let result = try setup.topUp()
            #expect(result.status == 1, "\(result.stderr)")
            #expect(try setup.states() == ["unknown": 2])
            let fetched = try setup.fetch()
            #expect(fetched.status == 76, "\(fetched.stderr)")
            #expect(fetched.stderr.contains("documented shape"), "\(fetched.stderr)")
            try setup.expectNoDuplicateNoLoss()
        }

        @Test func goneIsBlockedAndNeverResent() throws {
            let setup = try Setup(rows: 3, ["--coinbase", "gone"])
            // Each blocked row is a warning in the log: at --log-level warning it said nothing.
            let result = try setup.topUp(global: ["--log-level", "warning"])
            #expect(result.status == 1, "\(result.stderr)")
            let warnings = result.stderr.split(separator: "\n").filter { $0.contains(" warning credit-recon: ") && $0.contains(": blocked — ") }
            #expect(warnings.count == 3, "\(result.stderr)")
            #expect(try setup.states() == ["blocked": 3])
            #expect(result.stdout.contains("import charges"), "points to recording web-flow charges: \(result.stdout)")
            let requests = try setup.sim.state().apiRequests
            #expect(try setup.topUp().status == 1)
            #expect(try setup.sim.state().apiRequests == requests, "a blocked row is never sent again")
            try setup.expectNoDuplicateNoLoss()
        }

        /// A row without a reference is named by its key in its log line, as the summary names
        /// it: the blocked row's advice says to give "its key", which a cron log kept at
        /// warning had nowhere (probe 382).
        @Test func aRowWithoutAReferenceIsNamedByItsKeyInItsLogLine() throws {
            let setup = try Setup(rows: 1, ["--coinbase", "gone"])
            try Data("wallet,chain_id,amount\n\(DistinctPlan.wallet(0)),8453,1.01\n".utf8).write(to: URL(fileURLWithPath: setup.plan))
            let result = try setup.topUp(global: ["--log-level", "warning"])
            #expect(result.status == 1, "\(result.stderr)")
            let key = try #require(try Executable.query(setup.ledger, "SELECT key FROM topups").first?.first)
            #expect(key.hasPrefix("row/"))
            let warning = result.stderr.split(separator: "\n").first { $0.contains(": blocked — ") }
            #expect(warning?.contains("line 2 (key \(key)): blocked — ") == true, "\(result.stderr)")
        }

        /// The command line's inference key is a real key, just not a management key: `fetch`
        /// refuses it with 78 and a sentence naming the key it needs, and leaves no ledger.
        @Test func anOrdinaryKeyIsRefusedBeforeAnythingIsStored() throws {
            let setup = try Setup(rows: 1)
            let result = try setup.fetch(env: ["OPENROUTER_API_KEY": "sim-inference-key"])
            #expect(result.status == 78, "\(result.stderr)")
            #expect(result.stderr.contains("not a management key") && result.stderr.contains("Nothing was stored"), "\(result.stderr)")
            #expect(!result.stderr.contains("sim-inference-key") && result.stdout.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: setup.ledger))
            #expect(try setup.sim.state().apiRequests == 1)
            #expect(try setup.fetch().status == 0)
        }

        @Test func aRefusedKeyStopsAt77() throws {
            let setup = try Setup(rows: 4, ["--disabled-key", "sk-disabled"])
            let unauthorized = try setup.topUp(env: ["OPENROUTER_API_KEY": "sk-unknown"])
            #expect(unauthorized.status == 77, "\(unauthorized.stderr)")
            #expect(try setup.fetch(env: ["OPENROUTER_API_KEY": "sk-unknown"]).status == 77)
            let forbidden = try setup.topUp(env: ["OPENROUTER_API_KEY": "sk-disabled"])
            #expect(forbidden.status == 77, "\(forbidden.stderr)")
            #expect(try setup.fetch(env: ["OPENROUTER_API_KEY": "sk-disabled"]).status == 77)
            let states = try setup.states()
            #expect(states["unknown"] == nil && states["created"] == nil, "\(states)")
            #expect(try setup.sim.state().charges.isEmpty)
            let fixed = try setup.topUp()
            #expect(fixed.status == 0, "\(fixed.stderr)")
            try setup.expectNoDuplicateNoLoss()
        }

        @Test func aServerThatVanishesMidRunLosesNothing() throws {
            let scratch = try Scratch()
            let stateFile = scratch.path("sim-state.json")
            var sim = try SimulatorProcess(["--latency-ms", "300", "--state", stateFile])
            let ledger = scratch.path("ledger.sqlite")
            // Enough rows that the run, once it has made its first charges, needs ~6 s more:
            // the vanishing lands mid-run however slowly this test looks.
            let rows = 40
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: rows))
            let arguments = ["--ledger", ledger, "--base-url", sim.baseURL, "--max-retry-time", "2", "topup", plan, "--yes", "--concurrency", "2"]
            let child = try BackgroundCommand(arguments, environment: Self.env, scratch: scratch, tag: "topup")
            #expect(try waitUntil { try sim.state().charges.count >= 2 }, "the run made no charge: \(child.stderr)")
            sim.vanish()
            let status = child.wait()
            #expect(status == 69, "\(child.stdout)\(child.stderr)")
            let states = try Executable.query(ledger, "SELECT state, count(*) FROM topups GROUP BY state")
                .reduce(into: [String: Int]()) { $0[$1[0]] = Int($1[1]) }
            #expect(states["requesting"] == nil, "\(states)")
            // At most the requests in flight (2), and those sent next on a kept-alive connection
            // the vanished server had closed before the client saw it (one per connection, 2):
            // the request was written, so whether it was read cannot be known (ci40 saw 3).
            #expect(states["unknown", default: 0] <= 4, "at most the requests in flight: \(states)")

            // The simulator comes back with its state; the plan is finished against it. Its
            // starting totals, given again, are not used, and its log says so.
            let log = scratch.path("sim.log")
            sim = try SimulatorProcess(["--state", stateFile, "--initial-credits", "5"], log: log)
            let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(said.contains("--initial-credits is not used: the state file \(stateFile) holds the account's totals"), "\(said)")
            let resumed = try Executable.creditRecon(
                ["--ledger", ledger, "--base-url", sim.baseURL, "topup", plan, "--yes"], environment: Self.env)
            #expect([0, 1].contains(resumed.status), "\(resumed.stderr)")
            let simState = try sim.state()
            #expect(simState.chargesBySender.values.allSatisfy { $0 == 1 })
            let created = try Executable.query(ledger, "SELECT charge_id FROM topups WHERE state = 'created'").map { $0[0] }
            #expect(Set(created).isSubset(of: Set(simState.charges.map(\.id))))
            let unknown = try Executable.query(ledger, "SELECT count(*) FROM topups WHERE state = 'unknown'").first.flatMap { Int($0[0]) } ?? -1
            #expect(created.count + unknown == rows)
            #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).status == 0)
            Executable.count("faults_injected", 1)
        }
    }
}
