import Foundation
import PostgresHarness
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension Reliability {
    /// SIGTERM and SIGINT during a top-up: no new requests, the ones in flight finish and are
    /// recorded, exit 75 within a few seconds, and no `unknown` is left (issue 6, "Signals").
    ///
    /// Each stop is timed against a wait of a minute or more that it must not take (the rest
    /// of a slow plan, a 60 s `Retry-After`), so the bound (20 s) can be generous for a
    /// loaded machine and still tell a stop from a run that went on.
    @Suite("Signals: a clean stop during fetch, topup and run")
    struct SignalTests {
        /// Waits until the ledger shows at least `atLeast` rows `requesting` — their intent is
        /// committed before each POST — and gives how many; 0 when too few showed up.
        static func waitForRequestsInFlight(_ ledger: String, atLeast: Int = 1) -> Int {
            var count = 0
            // The ledger may not exist yet, or be mid-write: keep looking.
            _ = waitUntil {
                let rows = try? Executable.query(ledger, "SELECT count(*) FROM topups WHERE state = 'requesting'")
                count = rows?.first.flatMap { Int($0[0]) } ?? 0
                return count >= atLeast
            }
            return count >= atLeast ? count : 0
        }

        /// The bound on a stop: a small part of the minute-long waits it must not take.
        static let promptStop: TimeInterval = 20

        /// Waits until the fetch in `child` has stored its snapshot: the key listing and the
        /// days of activity are asked for after it.
        static func waitForTheSnapshot(_ ledger: String, _ child: BackgroundCommand, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(waitUntil { (try? Executable.query(ledger, "SELECT count(*) FROM snapshots"))?.first?.first == "1" },
                    "no snapshot was stored: \(child.stderr)", sourceLocation: sourceLocation)
        }

        /// Sends `signal` to `child`, which must end on its own (not killed by the signal),
        /// with 75, well within the waits it was stopped in.
        static func expectACleanStop(_ child: BackgroundCommand, _ signal: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
            let signalled = Date()
            child.signal(signal)
            let status = child.wait()
            #expect(status == 75, "exit \(status.map(String.init) ?? "still running"): \(child.stderr)", sourceLocation: sourceLocation)
            #expect(!child.wasKilledBySignal, sourceLocation: sourceLocation)
            #expect(Date().timeIntervalSince(signalled) < promptStop, sourceLocation: sourceLocation)
        }

        /// SIGHUP too (a terminal or SSH session closed): it ended the top-up as `kill -9`
        /// does, four requests left unknown although their charges existed (probe 212).
        @Test(arguments: [SIGTERM, SIGINT, SIGHUP])
        func aSignalStopsTopUpWithEveryInFlightOutcomeRecorded(signal: Int32) throws {
            let scratch = try Scratch()
            // Slow answers, so the signal surely lands while requests are in flight; enough
            // rows that a run that did not stop would go on for a minute (160 × 1.2 s / 3).
            let sim = try SimulatorProcess(["--latency-ms", "1200"])
            let ledger = scratch.path("ledger.sqlite")
            let rows = 160
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: rows))
            let env = ["OPENROUTER_API_KEY": "sim-management-key"]
            let arguments = ["--ledger", ledger, "--base-url", sim.baseURL, "topup", plan, "--yes", "--concurrency", "3"]
            let child = try BackgroundCommand(arguments, environment: env, scratch: scratch, tag: "topup")
            // Wait until requests are in flight (the intent is committed before each POST).
            let inFlight = Self.waitForRequestsInFlight(ledger)
            #expect(inFlight > 0, "no request was in flight: \(child.stderr)")
            let signalled = Date()
            child.signal(signal)
            let status = child.wait()
            let took = Date().timeIntervalSince(signalled)
            #expect(status == 75, "exit \(status.map(String.init) ?? "still running"): \(child.stderr)")
            #expect(!child.wasKilledBySignal)
            #expect(took < Self.promptStop, "took \(took) s to stop")
            #expect(child.stdout.contains("stopped by SIG"), "\(child.stdout)")

            // A row whose intent was committed may not have gone out yet when the signal came
            // (ci for stop 63: 2 created, 1 not sent of 3 requesting): it is stored refused with
            // no status ("not sent"), and the next run sends it. A row the API refused has a status.
            let states = try Executable.query(ledger, """
                SELECT CASE WHEN state = 'rejected' AND http_status IS NULL THEN 'not sent' ELSE state END, count(*)
                FROM topups GROUP BY 1
                """).reduce(into: [String: Int]()) { $0[$1[0]] = Int($1[1]) }
            #expect(states["requesting"] == nil && states["unknown"] == nil && states["rejected"] == nil,
                    "a clean stop leaves no unknown: \(states)")
            let created = states["created", default: 0]
            #expect(created + states["not sent", default: 0] >= inFlight && created < rows,
                    "\(states), \(inFlight) in flight at the signal")
            #expect(try sim.state().charges.count == created, "every charge the simulator made is recorded")

            // The rest goes out on the next run, each row exactly once (no need to be slow now).
            try sim.faults(#"{"latency_ms":0}"#)
            let again = try Executable.creditRecon(arguments, environment: env)
            #expect(again.status == 0, "\(again.stderr)")
            let simState = try sim.state()
            #expect(simState.charges.count == rows && simState.chargesBySender.values.allSatisfy { $0 == 1 })
            #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).status == 0)
            Executable.count("faults_injected", 1)
        }

        /// `run --plan` stopped by SIGTERM (cron's timeout): the top-up stops cleanly, no
        /// more API calls are made, and the report is still written saying what happened.
        @Test func aSignalDuringRunStopsTheTopUpAndStillReports() throws {
            let scratch = try Scratch()
            // Answers 3 s away; a run that did not stop would go on for a minute (60 × 3 s / 3).
            let sim = try SimulatorProcess(["--latency-ms", "3000"])
            let ledger = scratch.path("ledger.sqlite")
            let out = scratch.path("reports")
            let rows = 60
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: rows))
            let child = try BackgroundCommand(
                // Only the snapshot before the top-up: 34 more calls (keys, 30 days of activity) at
                // 3 s each would outlast the wait for the workers.
                ["--ledger", ledger, "--base-url", sim.baseURL, "run", "--plan", plan, "--yes", "--concurrency", "3", "--out", out,
                 "--no-keys", "--no-activity"],
                environment: ["OPENROUTER_API_KEY": "sim-management-key"], scratch: scratch, tag: "run")
            // Every worker busy (3 rows requesting), so no request can start before the signal:
            // the next one waits for an answer, 3 s of latency away. With fewer, a worker still starting
            // could send its request after `requestsBefore` is read and before the signal.
            let inFlight = Self.waitForRequestsInFlight(ledger, atLeast: 3)
            #expect(inFlight == 3, "not every worker had a request in flight: \(child.stderr)")
            let requestsBefore = try sim.state().apiRequests
            let signalled = Date()
            child.signal(SIGTERM)
            let status = child.wait()
            #expect(status == 75, "exit \(status.map(String.init) ?? "still running"): \(child.stderr)")
            #expect(Date().timeIntervalSince(signalled) < Self.promptStop)
            #expect(child.stdout.contains("fetch again: exit 75 — skipped: the job was stopped by SIGTERM"), "\(child.stdout)")
            // Only the requests in flight at the signal reached the simulator afterwards: no second fetch.
            #expect(try sim.state().apiRequests <= requestsBefore + inFlight)
            let states = try Executable.query(ledger, "SELECT state, count(*) FROM topups GROUP BY state")
                .reduce(into: [String: Int]()) { $0[$1[0]] = Int($1[1]) }
            #expect(states["requesting"] == nil && states["unknown"] == nil, "\(states)")
            let findings = try String(contentsOfFile: out + "/findings.csv", encoding: .utf8)
            #expect(findings.contains("run_failed"), "\(findings)")
            #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).status == 0)
            Executable.count("faults_injected", 1)
        }

        /// SIGTERM or SIGINT during a fetch's days of activity (cron's timeout, Ctrl-C): the
        /// call on the wire is finished, no call is sent after it, the run is closed `failed`
        /// with exit 75 instead of being left open, and the next fetch reads what is missing.
        @Test(arguments: [SIGTERM, SIGINT, SIGHUP])
        func aSignalStopsFetchAndClosesItsRun(signal: Int32) throws {
            let scratch = try Scratch()
            // Two seconds an answer: a fetch that did not stop would go on for a minute (33 calls),
            // and a call can start between the count below and the signal only after a stall that long.
            let sim = try SimulatorProcess(["--latency-ms", "2000"])
            let ledger = scratch.path("ledger.sqlite")
            let env = ["OPENROUTER_API_KEY": "sim-management-key"]
            let arguments = ["--ledger", ledger, "--base-url", sim.baseURL, "fetch"]
            let child = try BackgroundCommand(arguments, environment: env, scratch: scratch, tag: "fetch")
            // The snapshot is committed before the key listing and the days of activity are asked for.
            Self.waitForTheSnapshot(ledger, child)
            let requestsAtSignal = try sim.state().apiRequests
            Self.expectACleanStop(child, signal)
            let name = [SIGINT: "SIGINT", SIGHUP: "SIGHUP"][signal] ?? "SIGTERM"
            #expect(child.stderr.contains("stopped by \(name) at GET /"), "\(child.stderr)")
            #expect(child.stderr.contains("the next fetch reads what is missing"), "\(child.stderr)")
            // Only the call on the wire at the signal reached the simulator after it.
            #expect(try sim.state().apiRequests <= requestsAtSignal + 1)
            #expect(try Executable.query(ledger, "SELECT command, outcome, exit_code FROM runs ORDER BY id") == [["fetch", "failed", "75"]])
            let days = try Executable.query(ledger, "SELECT count(*) FROM activity_days").first.flatMap { Int($0[0]) }
            #expect(days.map { $0 < 30 } == true, "\(days.map(String.init) ?? "no count") days stored: the fetch did not stop")
            #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).status == 0)

            try sim.faults(#"{"latency_ms":0}"#)
            let again = try Executable.creditRecon(arguments, environment: env)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try Executable.query(ledger, "SELECT count(*) FROM activity_days") == [["30"]])
            Executable.count("faults_injected", 1)
        }

        /// A second signal does not wait for the call in flight (an answer that may take the
        /// whole --timeout): the command ends at once, by the signal.
        @Test func aSecondSignalStopsAtOnce() throws {
            let scratch = try Scratch()
            let sim = try SimulatorProcess(["--latency-ms", "600000"])
            let ledger = scratch.path("ledger.sqlite")
            let child = try BackgroundCommand(
                ["--ledger", ledger, "--base-url", sim.baseURL, "--timeout", "600", "fetch"],
                environment: ["OPENROUTER_API_KEY": "sim-management-key"], scratch: scratch, tag: "fetch")
            #expect(waitUntil { ((try? sim.state().apiRequests) ?? 0) >= 1 }, "no request in flight: \(child.stderr)")
            child.signal(SIGTERM)
            #expect(waitUntil { child.stderr.contains("send the signal again to stop at once") }, "\(child.stderr)")
            let signalled = Date()
            Self.signalAgainUntilItEnds(child, SIGTERM)
            let status = child.wait()
            #expect(status != nil, "still running after the second signal: \(child.stderr)")
            #expect(child.wasKilledBySignal)
            #expect(Date().timeIntervalSince(signalled) < Self.promptStop)
        }

        /// Sends `signal` again until the command ends: one within `SignalTrap.oneStop` of the
        /// first is the same stop, heard twice.
        static func signalAgainUntilItEnds(_ child: BackgroundCommand, _ signal: Int32) {
            _ = waitUntil {
                child.signal(signal)
                return !child.process.isRunning
            }
        }

        /// GNU `timeout` sends its SIGTERM to the command and then to its process group: one
        /// stop, heard twice at once. It is a clean stop (75, the run closed), not the second
        /// signal that ends a command at once (probe 445: `run` killed, exit 143, no report).
        @Test func timeoutsSignalHeardTwiceIsOneStop() throws {
            let scratch = try Scratch()
            let sim = try SimulatorProcess(["--latency-ms", "2000"])
            let ledger = scratch.path("ledger.sqlite")
            let child = try BackgroundCommand(
                ["--ledger", ledger, "--base-url", sim.baseURL, "fetch"],
                environment: ["OPENROUTER_API_KEY": "sim-management-key"], scratch: scratch, tag: "fetch")
            Self.waitForTheSnapshot(ledger, child)
            child.signal(SIGTERM)
            // Heard (two signals sent back to back may arrive as one), then the second at once.
            #expect(waitUntil { child.stderr.contains("send the signal again to stop at once") }, "\(child.stderr)")
            child.signal(SIGTERM)
            let status = child.wait()
            #expect(status == 75 && !child.wasKilledBySignal, "exit \(status.map(String.init) ?? "still running"): \(child.stderr)")
            #expect(try Executable.query(ledger, "SELECT command, outcome, exit_code FROM runs ORDER BY id") == [["fetch", "failed", "75"]])
        }

        /// A writing command traps the signals from its start: one that comes before its work
        /// begins (here, as the PostgreSQL login of its writer lock waits on a server that never
        /// answers) is said at once, and the command stops as its work begins; a second one
        /// ends it at once. The signal's default action ended it with 143 before, which could
        /// leave a lock file behind (probe 77).
        @Test func aSignalBeforeTheWorkBeginsIsSaidAndASecondEndsItAtOnce() throws {
            let (listener, port) = FreezingProxy.boundSocket()
            #expect(listen(listener, 8) == 0)
            defer { close(listener) }
            let client = Mutex<Int32?>(nil)
            Thread { [listener] in
                let accepted = accept(listener, nil, nil)
                client.withLock { $0 = accepted }
            }.start()
            defer { client.withLock { if let fd = $0, fd >= 0 { close(fd) } } }
            let scratch = try Scratch()
            let file = try scratch.write("snapshots.csv", "observed_at,total_credits,total_usage\n2026-11-01T00:00:00Z,500,40\n")
            let child = try BackgroundCommand(
                ["--ledger", "postgresql://u:p@127.0.0.1:\(port)/db", "--timeout", "600", "import", "snapshots", file],
                environment: [:], scratch: scratch, tag: "import")
            #expect(waitUntil { client.withLock { $0 } != nil }, "no login began: \(child.stderr)")
            child.signal(SIGTERM)
            #expect(waitUntil { child.stderr.contains("SIGTERM: the command stops as its work begins (send the signal again to stop at once)") },
                    "\(child.stderr)")
            #expect(child.process.isRunning, "the first signal ended it: \(child.stderr)")
            let signalled = Date()
            Self.signalAgainUntilItEnds(child, SIGTERM)
            let status = child.wait()
            #expect(status == SIGTERM && child.wasKilledBySignal, "exit \(status.map(String.init) ?? "still running"): \(child.stderr)")
            #expect(Date().timeIntervalSince(signalled) < Self.promptStop)
        }

        /// `run --plan` stopped by SIGTERM during its first fetch: the fetch's run and the job's
        /// are closed, no top-up is sent, and the report is still written.
        @Test func aSignalDuringRunsFetchSkipsTheTopUpAndStillReports() throws {
            let scratch = try Scratch()
            let sim = try SimulatorProcess(["--latency-ms", "1000"])
            let ledger = scratch.path("ledger.sqlite")
            let out = scratch.path("reports")
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 3))
            let child = try BackgroundCommand(
                ["--ledger", ledger, "--base-url", sim.baseURL, "run", "--plan", plan, "--yes", "--out", out],
                environment: ["OPENROUTER_API_KEY": "sim-management-key"], scratch: scratch, tag: "run")
            Self.waitForTheSnapshot(ledger, child)
            Self.expectACleanStop(child, SIGTERM)
            // A skipped stage is work not done: 75 of its own, whether or not the fetch had finished.
            #expect(child.stdout.contains("topup: exit 75 — skipped: the job was stopped by SIGTERM"), "\(child.stdout)")
            #expect(child.stdout.contains("fetch again: exit 75 — skipped: the job was stopped by SIGTERM"), "\(child.stdout)")
            #expect(try sim.state().charges.isEmpty, "no charge after the signal")
            #expect(try Executable.query(ledger, "SELECT count(*) FROM topups") == [["0"]])
            #expect(try Executable.query(ledger, "SELECT command, outcome, exit_code FROM runs ORDER BY id")
                == [["run", "failed", "75"], ["fetch", "failed", "75"]])
            let findings = try String(contentsOfFile: out + "/findings.csv", encoding: .utf8)
            #expect(findings.contains("run_failed"), "\(findings)")
            #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).status == 0)
            Executable.count("faults_injected", 1)
        }

        /// A request waiting out a `429`'s Retry-After is not in flight: a signal drops it at
        /// once (recorded as not sent) instead of sending it after the stop.
        @Test func aSignalDuringARateLimitPauseSendsNothingMore() throws {
            let scratch = try Scratch()
            // One request a minute: a Retry-After of about 60 s, which the stop must not wait out.
            let sim = try SimulatorProcess(["--rate-limit", "0.0166"])
            // Spend the minute's only request first, so that the first POST is answered 429
            // and waits. One worker: with two, the second may still be waiting for its turn
            // when the first's 429 pauses every request, and never reach the simulator.
            try sim.admin("GET", "/api/v1/credits")
            let ledger = scratch.path("ledger.sqlite")
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 6))
            let child = try BackgroundCommand(
                ["--ledger", ledger, "--base-url", sim.baseURL, "--max-retry-time", "300", "topup", plan, "--yes", "--concurrency", "1"],
                environment: ["OPENROUTER_API_KEY": "sim-management-key"], scratch: scratch, tag: "topup")
            // The 429 is committed as it comes, before the pause: once it is, nothing is in
            // flight and nothing more can be sent for a minute.
            #expect(try waitUntil {
                try sim.state().apiRequests >= 2
                    && (try? Executable.query(ledger, "SELECT count(*) FROM topups WHERE http_status = 429")) ?? [["0"]] != [["0"]]
            }, "the worker was not answered 429: \(child.stderr)")
            let requestsAtSignal = try sim.state().apiRequests
            let signalled = Date()
            child.signal(SIGTERM)
            let status = child.wait()
            #expect(status == 75, "\(child.stdout)\(child.stderr)")
            #expect(Date().timeIntervalSince(signalled) < Self.promptStop, "a Retry-After wait must not hold a stop back")
            let states = try Executable.query(ledger, "SELECT state, count(*) FROM topups GROUP BY state")
                .reduce(into: [String: Int]()) { $0[$1[0]] = Int($1[1]) }
            #expect(states["requesting"] == nil && states["unknown"] == nil, "\(states)")
            let simState = try sim.state()
            #expect(simState.charges.count == states["created", default: 0], "nothing was sent after the signal: \(states)")
            #expect(simState.apiRequests == requestsAtSignal, "only the requests made before the signal")
            // The row told to slow down is said as stopped in the pause, not as a wait beyond
            // the retry budget, which sent the user to --max-retry-time (probe 212).
            let said = child.stdout + child.stderr
            #expect(said.contains("not sent — told to slow down (429), and the run was stopped (SIGTERM) in the pause before it "
                + "went again; nothing was created — run topup again to send it"), "\(said)")
            #expect(!said.contains("beyond the retry budget"), "\(said)")
            Executable.count("faults_injected", 1)
        }

        /// Runs `arguments` while another session holds what `statements` take and runs a
        /// long statement, so the command waits on the server before its first batch; sends
        /// `signal` then. It must say what the signal does (`notice`) and end on its own, with
        /// 75 naming that session, while the session still holds the lock: a wait behind
        /// another program's statement is given up, not waited out (an hour here).
        static func signalWhileItWaits(
            _ server: ThrowawayPostgres, _ database: String, holding statements: [String], _ arguments: [String],
            _ signal: Int32, notice: String, environment: [String: String] = [:], scratch: Scratch,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws -> BackgroundCommand {
            let holder = try HoldingSession(server, database, statements)
            defer { holder.release() }
            #expect(waitUntil { holder.isHolding }, sourceLocation: sourceLocation)
            let child = try BackgroundCommand(arguments, environment: environment, scratch: scratch, tag: "writer")
            let waiting = """
                SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                WHERE NOT l.granted AND a.application_name LIKE 'credit-recon%' AND a.datname = current_database()
                """
            #expect(waitUntil { (try? SharedBooksTests.count(server, database, waiting)) ?? 0 > 0 || !child.process.isRunning },
                    "\(child.stderr)", sourceLocation: sourceLocation)
            child.signal(signal)
            #expect(waitUntil { child.stderr.contains(notice) }, "\(child.stderr)", sourceLocation: sourceLocation)
            let status = child.wait()
            #expect(status == 75, "exit \(status.map(String.init) ?? "still running"): \(child.stderr)", sourceLocation: sourceLocation)
            #expect(!child.wasKilledBySignal, sourceLocation: sourceLocation)
            let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
            #expect(child.stderr.contains("stopped by \(name) as it waited for a lock of the ledger held by session "),
                    "\(child.stderr)", sourceLocation: sourceLocation)
            #expect(child.stderr.contains(" (\(holder.applicationName), user postgres, running a statement for "),
                    "\(child.stderr)", sourceLocation: sourceLocation)
            #expect(child.stderr.contains(". A run before the lock is let go (as the holder's transaction or session ends) waits behind it again"),
                    "\(child.stderr)", sourceLocation: sourceLocation)
            #expect(holder.isHolding, "the other session still held the lock as the command stopped", sourceLocation: sourceLocation)
            // Its own waiting session ended on the server with it, not left queued behind the
            // holder, keeping locks of its own.
            let own = "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'credit-recon%' AND datname = current_database()"
            #expect(waitUntil { (try? SharedBooksTests.count(server, database, own)) == 0 }, sourceLocation: sourceLocation)
            return child
        }

        /// SIGTERM to an import (a single transaction) stops it at its next batch of rows:
        /// rolled back, exit 75 saying nothing was written, the database as it was (here, not
        /// even the ledger's tables). The import waits on the ledger's append lock (class
        /// "CREC", key 2, which each write transaction takes first) when the signal comes.
        @Test func aSignalStopsAnImportAndNothingIsWritten() throws {
            let (server, database, url) = try SharedBooksTests.books()
            let scratch = try Scratch()
            let file = try scratch.write("snapshots.csv", SharedBooksTests.hourlyReadings(10_000))
            let child = try Self.signalWhileItWaits(
                server, database, holding: ["SELECT pg_advisory_lock(1129465155, 2)"], ["--ledger", url, "import", "snapshots", file],
                SIGTERM, notice: "SIGTERM: the import of \(file) stops at its next batch", scratch: scratch)
            let ledger = server.url(database, password: false)
            #expect(child.stderr.contains(
                " s): the import of \(file) wrote nothing, and the ledger \(ledger) is as it was; run it again"),
                "\(child.stderr)")
            #expect(!child.stderr.contains(server.password))
            #expect(try SharedBooksTests.count(server, database, "SELECT count(*) FROM pg_namespace WHERE nspname = 'credit_recon'") == 0)
            let again = try Executable.creditRecon(["--ledger", url, "import", "snapshots", file])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try SharedBooksTests.count(server, database, "SELECT count(*) FROM credit_recon.snapshots") == 10_000)
        }

        /// A signal stops an import that waits before its first batch, in the check that its
        /// `--account` looks like no account the ledger holds, which reads the snapshots
        /// another session has locked (probe 447: SIGTERM was heard, and the import waited
        /// out the lock, the check made before the signal could give a wait up).
        @Test func aSignalStopsAnImportWaitingInItsCheckOfTheAccount() throws {
            let (server, database, url) = try SharedBooksTests.books()
            let scratch = try Scratch()
            let first = try scratch.write("first.csv", SharedBooksTests.hourlyReadings(10))
            let imported = try Executable.creditRecon(["--ledger", url, "import", "snapshots", first])
            #expect(imported.status == 0, "\(imported.stderr)")
            let head = try SharedBooksTests.count(server, database, "SELECT count(*) FROM credit_recon.journal")
            let file = try scratch.write("later.csv", "observed_at,total_credits,total_usage\n2027-06-01T00:00:00Z,500,400\n")
            let child = try Self.signalWhileItWaits(
                server, database, holding: ["BEGIN", "LOCK TABLE credit_recon.snapshots IN ACCESS EXCLUSIVE MODE"],
                ["--ledger", url, "import", "snapshots", file], SIGTERM,
                notice: "SIGTERM: the import of \(file) stops at its next batch", scratch: scratch)
            #expect(child.stderr.contains(" s): the import of \(file) wrote nothing, and the ledger "), "\(child.stderr)")
            #expect(try SharedBooksTests.count(server, database, "SELECT count(*) FROM credit_recon.journal") == head)
        }

        /// `fetch`, `topup`, `run` and `void` stop at a signal that comes as they wait, before
        /// their work begins, for a lock another session holds (here on the table their checks
        /// read first): 75 at once, naming the session, nothing sent and nothing written. They
        /// waited the lock out (probe 453: 22 s, the run having said it stops as its work begins).
        @Test(arguments: [
            (["fetch"], "snapshots", "no reading was stored; run fetch again"),
            (["topup", "PLAN", "--yes"], "topups", "nothing was sent or written; run topup again"),
            (["run", "--plan", "PLAN", "--yes", "--out", "REPORTS"], "snapshots",
             "the job had not begun: nothing was sent or written, and no report; run it again"),
            (["void", "ch_web_1", "--reason", "a test"], "charges", "the charge \"ch_web_1\" was not voided; run void again"),
        ])
        func aSignalStopsACommandWaitingBeforeItsWorkBegins(command: [String], table: String, outcome: String) throws {
            // The stages trap the signal themselves (no new API calls); before them, the command.
            let notice = ["fetch", "topup"].contains(command[0]) ? "SIGTERM: no new API calls" : "SIGTERM: the command stops as its work begins"
            let (server, database, url) = try SharedBooksTests.books()
            let scratch = try Scratch()
            let sim = try SimulatorProcess()
            let readings = try scratch.write("readings.csv", SharedBooksTests.hourlyReadings(10))
            let charges = try scratch.write("charges.csv", "charge_id,amount,created_at,status\nch_web_1,5,2020-01-01T00:00:00Z,paid\n")
            for file in [["snapshots", readings], ["charges", charges]] {
                let imported = try Executable.creditRecon(["--ledger", url, "import"] + file)
                #expect(imported.status == 0, "\(imported.stderr)")
            }
            let journal = "SELECT count(*) FROM credit_recon.journal"
            let entries = try SharedBooksTests.count(server, database, journal)
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 2))
            let arguments = command.map { $0 == "PLAN" ? plan : $0 == "REPORTS" ? scratch.path("reports") : $0 }
            let child = try Self.signalWhileItWaits(
                server, database, holding: ["BEGIN", "LOCK TABLE credit_recon.\(table) IN ACCESS EXCLUSIVE MODE"],
                ["--ledger", url, "--base-url", sim.baseURL] + arguments, SIGTERM,
                notice: notice, environment: PipelineTests.env, scratch: scratch)
            #expect(child.stderr.contains(" s): \(outcome). A run before the lock is let go"), "\(child.stderr)")
            #expect(try SharedBooksTests.count(server, database, journal) == entries)
            #expect(try sim.state().apiRequests == 0)
            #expect(!FileManager.default.fileExists(atPath: scratch.path("reports")))
        }

        /// SIGINT to `ledger copy` into a new SQLite file stops it at its next batch: no
        /// ledger at the target, and no `.creating` file beside it. The copy waits on the
        /// source's journal, locked by another session, when the signal comes.
        @Test func aSignalStopsALedgerCopyAndLeavesNoFile() throws {
            let (server, database, url) = try SharedBooksTests.books()
            let scratch = try Scratch()
            let file = try scratch.write("snapshots.csv", SharedBooksTests.hourlyReadings(10_000))
            let imported = try Executable.creditRecon(["--ledger", url, "import", "snapshots", file])
            #expect(imported.status == 0, "\(imported.stderr)")
            let target = scratch.path("copy.sqlite")
            let child = try Self.signalWhileItWaits(
                server, database, holding: ["BEGIN", "LOCK TABLE credit_recon.journal IN ACCESS EXCLUSIVE MODE"],
                ["--ledger", url, "ledger", "copy", "--to", target], SIGINT, notice: "SIGINT: the copy stops at its next batch",
                scratch: scratch)
            #expect(child.stderr.contains(" s): the copy wrote nothing, and no ledger was made at \(target); run it again"),
                    "\(child.stderr)")
            #expect(!FileManager.default.fileExists(atPath: target))
            #expect(!FileManager.default.fileExists(atPath: target + ".creating"))
            let again = try Executable.creditRecon(["--ledger", url, "ledger", "copy", "--to", target])
            #expect(again.status == 0, "\(again.stderr)")
        }
    }
}
