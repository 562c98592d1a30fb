import Foundation
import Testing

extension Reliability {
    /// Two writers at once, and readers during a write (issue 6, "Concurrency"): the second
    /// writer is turned away with 75 at once and nothing is corrupted; readers see a
    /// consistent state through WAL.
    @Suite("Concurrency: writers and readers at once")
    struct ConcurrencyTests {
        /// A scratch folder, a simulator answering each call after `latency` milliseconds,
        /// and a ledger holding the sample readings.
        static func slowSimulatorAndLedger(latency: Int) throws -> (Scratch, SimulatorProcess, ledger: String, samples: String) {
            let scratch = try Scratch()
            let sim = try SimulatorProcess(["--latency-ms", String(latency)])
            let ledger = scratch.path("ledger.sqlite")
            let samples = Executable.sampleSnapshots
            #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
            return (scratch, sim, ledger, samples)
        }

        /// A lock file removed by hand during a `run` job (taken for a stale pid file): a
        /// writer started then is refused, naming the job, and makes no file; the job goes
        /// on. A lock file another program then makes and locks is a lock lost: the job's
        /// next write is rolled back and the job ends at once, 75, writing no report (it
        /// can no longer close its runs). No row is charged twice (probe 70, probe 72).
        @Test func aLockFileRemovedDuringARunKeepsOthersOutAndALostLockEndsTheJob() throws {
            let (scratch, sim, ledger, samples) = try Self.slowSimulatorAndLedger(latency: 1000)
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 40))
            let env = ["OPENROUTER_API_KEY": "sim-management-key"]
            let base = ["--ledger", ledger, "--base-url", sim.baseURL]
            let lockPath = ledger + ".lock"
            let job = try BackgroundCommand(base + ["run", "--plan", plan, "--yes", "--concurrency", "1", "--no-keys",
                                                   "--no-activity", "--out", scratch.path("rep")],
                                            environment: env, scratch: scratch, tag: "job")
            #expect(waitUntil {
                (try? Executable.query(ledger, "SELECT count(*) FROM topups WHERE state = 'created'"))?.first?.first.flatMap(Int.init) ?? 0 > 0
            }, "the job created nothing: \(job.stderr)")
            try FileManager.default.removeItem(atPath: lockPath)
            let refused = try Executable.creditRecon(base + ["import", "snapshots", samples])
            #expect(refused.status == 75, "\(refused.stderr)")
            #expect(refused.stderr.contains("is being written by credit-recon process \(job.process.processIdentifier), whose "
                + "lock file \(lockPath) was removed while it ran"), "\(refused.stderr)")
            // Another program makes the file and locks it before the job's next write does.
            var other: Int32 = -1
            #expect(waitUntil {
                unlink(lockPath)
                let fd = open(lockPath, O_RDWR | O_CREAT | O_EXCL, 0o600)
                if fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 { other = fd; return true }
                if fd >= 0 { close(fd) }
                return false
            }, "the job always made its lock file again first")
            defer { close(other) }
            #expect(job.wait() == 75, "\(job.stderr)")
            #expect(job.stderr.contains("this command's writer lock was lost"), "\(job.stderr)")
            #expect(!FileManager.default.fileExists(atPath: scratch.path("rep")), "a report was written")
            let charged = try sim.state().chargesBySender  // a wallet per row
            #expect(!charged.isEmpty && charged.values.allSatisfy { $0 == 1 }, "a row charged twice: \(charged)")
        }

        @Test func aSecondWriterGets75AndReadersSeeAConsistentLedgerDuringATopUp() throws {
            // A writer that holds the lock for a minute (120 rows × 1 s / 2) unless the test
            // speeds it up: a second writer that waited for the lock would take that minute.
            let (scratch, sim, ledger, samples) = try Self.slowSimulatorAndLedger(latency: 1000)
            let rows = 120
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: rows))
            let plan2 = try scratch.write("plan2.csv", DistinctPlan.text(rows: 2, prefix: "x"))
            let env = ["OPENROUTER_API_KEY": "sim-management-key"]
            let base = ["--ledger", ledger, "--base-url", sim.baseURL]
            let writer = try BackgroundCommand(base + ["topup", plan, "--yes", "--concurrency", "2"], environment: env,
                                               scratch: scratch, tag: "writer")
            // Wait for the writer to be sending.
            #expect(waitUntil {
                (try? Executable.query(ledger, "SELECT count(*) FROM topups WHERE state = 'created'"))?.first?.first.flatMap(Int.init) ?? 0 > 0
            }, "the writer created nothing: \(writer.stderr)")
            var turnedAway = 0
            var readerRuns = 0
            for arguments in [["import", "snapshots", samples], ["topup", plan2, "--yes"], ["fetch"], ["topup", plan, "--yes"]] {
                let started = Date()
                let second = try Executable.creditRecon(base + arguments, environment: env)
                #expect(second.status == 75, "\(arguments): \(second.status) \(second.stderr)")
                #expect(second.stderr.contains("try again"), "\(second.stderr)")
                #expect(Date().timeIntervalSince(started) < 20, "turned away at once, not after the writer's minute")
                if second.status == 75 { turnedAway += 1 }
            }
            // Readers while the top-up writes: each sees a consistent ledger. The first round
            // surely runs during the write (the slow simulator keeps it going); then the
            // simulator answers at once and the rounds go on until the writer is done.
            func readers() throws {
                let verified = try Executable.creditRecon(base + ["verify"])
                #expect(verified.status == 0, "verify during a write: \(verified.stdout)\(verified.stderr)")
                let status = try Executable.creditRecon(base + ["status"])
                #expect([0, 1].contains(status.status), "status during a write: \(status.stderr)")
                let report = try Executable.creditRecon(base + ["report", "--out", scratch.path("reports")])
                #expect([0, 1].contains(report.status), "report during a write: \(report.stderr)")
                readerRuns += 3
            }
            try readers()
            // `status` during the write names the writer, and counts the rows it is sending
            // as being sent: none unknown or never sent (it said so, and exited 1 for it).
            let during = try Executable.creditRecon(base + ["--json", "status"])
            let open = try #require(try JSONSerialization.jsonObject(with: Data(during.stdout.utf8)) as? [String: Any])
            let charges = open["open_charges"] as? [String: [String: Any]]
            #expect(charges?["unknown"]?["count"] as? Int == 0 && charges?["planned"]?["count"] as? Int == 0, "\(during.stdout)")
            #expect((charges?["in_flight"]?["count"] as? Int ?? 0) > 0, "\(during.stdout)")
            let running = open["running_writer"] as? [String: Any]
            #expect(running?["holder"] as? String == "process \(writer.process.processIdentifier)", "\(during.stdout)")
            #expect(running?["command"] as? String == "topup", "\(during.stdout)")
            // So does `report`: the rows it is sending are notes, in flight, not unknown or
            // never sent (probe 410: errors and warnings, exit 1, advice to send them again).
            let reported = try Executable.creditRecon(base + ["report", "--out", scratch.path("during")])
            let findings = try String(contentsOfFile: scratch.path("during/findings.csv"), encoding: .utf8)
            #expect(!findings.contains("error,outcome_unknown") && !findings.contains("warning,topup_not_sent"),
                    "\(reported.status) \(findings)")
            #expect(findings.contains(", which was at work as the ledger was read: nothing to do yet"), "\(findings)")
            let markdown = try String(contentsOfFile: scratch.path("during/reconciliation.md"), encoding: .utf8)
            #expect(markdown.contains("in flight: waiting to be sent by the top-up at work as the ledger was read (see Error); nothing to do yet."),
                    "\(markdown)")
            // So do a dry run and `plan check` of its plan: its rows are in flight, neither of
            // unknown outcome (exit 1, advice to check and send them again) nor to send.
            let dryRun = try Executable.creditRecon(base + ["--json", "topup", plan, "--dry-run"])
            let preview = try #require(try JSONSerialization.jsonObject(with: Data(dryRun.stdout.utf8)) as? [String: Any])
            let inFlight = preview["in_flight"] as? Int ?? 0
            #expect(dryRun.status == 0 && preview["unknown"] as? Int == 0 && inFlight > 0, "\(dryRun.status) \(dryRun.stdout)")
            #expect((preview["done"] as? Int ?? 0) + inFlight + (preview["to_send"] as? Int ?? 0) == rows, "\(dryRun.stdout)")
            let dryText = try Executable.creditRecon(base + ["topup", plan, "--dry-run"])
            #expect(dryText.stdout.contains("in flight: planned or being sent by the top-up at work on the ledger "
                + "(process \(writer.process.processIdentifier))"), "\(dryText.stdout)")
            let checked = try Executable.creditRecon(base + ["--json", "plan", "check", plan])
            let ledgerSide = (try JSONSerialization.jsonObject(with: Data(checked.stdout.utf8)) as? [String: Any])?["ledger"] as? [String: Any]
            #expect(checked.status == 0 && ledgerSide?["unknown"] as? Int == 0 && (ledgerSide?["in_flight"] as? Int ?? 0) > 0,
                    "\(checked.status) \(checked.stdout)")
            #expect(writer.process.isRunning, "the first readers ran during the write")
            try sim.faults(#"{"latency_ms":0}"#)
            while writer.process.isRunning { try readers() }
            #expect(writer.wait() == 0, "\(writer.stderr)")
            #expect(readerRuns >= 3, "readers ran during the write")
            let after = try Executable.creditRecon(base + ["--json", "status"]).stdout
            #expect(after.contains(#""running_writer":null"#) && after.contains(#""in_flight":{"amount":"0","count":0}"#), "\(after)")
            #expect(try Executable.creditRecon(base + ["verify"]).status == 0)
            #expect(try sim.state().chargesBySender.values.allSatisfy { $0 == 1 })
            #expect(try sim.state().charges.count == rows, "the turned-away topups sent nothing")
            Executable.count("writers_turned_away", turnedAway)
        }

        /// A top-up killed mid-way and run again: the rows the dead run planned are the new
        /// run's to send, and a dry run, `status` and `report` meanwhile count them in flight,
        /// not to send or "planned but never sent … run topup with the plan again" (probe 426).
        @Test func theRowsADeadRunPlannedAreInFlightWhileItsPlanRunsAgain() throws {
            let (scratch, sim, ledger, _) = try Self.slowSimulatorAndLedger(latency: 1000)
            let rows = 40
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: rows))
            let env = ["OPENROUTER_API_KEY": "sim-management-key"]
            let base = ["--ledger", ledger, "--base-url", sim.baseURL]
            func created() -> Int {
                (try? Executable.query(ledger, "SELECT count(*) FROM topups WHERE state = 'created'"))?.first?.first.flatMap(Int.init) ?? 0
            }
            let first = try BackgroundCommand(base + ["topup", plan, "--yes", "--concurrency", "2"], environment: env,
                                              scratch: scratch, tag: "first")
            #expect(waitUntil { created() > 0 }, "the first run created nothing: \(first.stderr)")
            first.signal(SIGKILL)
            #expect(first.wait() != nil && first.wasKilledBySignal)
            let before = created()
            let again = try BackgroundCommand(base + ["topup", plan, "--yes", "--concurrency", "2"], environment: env,
                                              scratch: scratch, tag: "again")
            #expect(waitUntil { created() > before }, "the second run created nothing: \(again.stderr)")
            let dryRun = try Executable.creditRecon(base + ["--json", "topup", plan, "--dry-run"])
            let preview = try #require(try JSONSerialization.jsonObject(with: Data(dryRun.stdout.utf8)) as? [String: Any])
            #expect(preview["to_send"] as? Int == 0 && (preview["in_flight"] as? Int ?? 0) > 0, "\(dryRun.stdout)")
            let status = try Executable.creditRecon(base + ["--json", "status"])
            let open = (try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["open_charges"]
                as? [String: [String: Any]]
            #expect(open?["planned"]?["count"] as? Int == 0 && (open?["in_flight"]?["count"] as? Int ?? 0) > 0, "\(status.stdout)")
            _ = try Executable.creditRecon(base + ["report", "--out", scratch.path("during")])
            let findings = try String(contentsOfFile: scratch.path("during/findings.csv"), encoding: .utf8)
            #expect(!findings.contains("warning,topup_not_sent"), "\(findings)")
            #expect(again.process.isRunning, "the readers ran during the second run")
            try sim.faults(#"{"latency_ms":0}"#)
            #expect([0, 1].contains(again.wait() ?? -1), "\(again.stderr)")
            #expect(try sim.state().chargesBySender.values.allSatisfy { $0 == 1 }, "a row charged twice")
        }

        /// `run` opens the ledger again for each stage. Opening an existing ledger opened
        /// and closed the file itself, which on Linux drops every POSIX lock the process
        /// holds on it, SQLite's included: a reader's close then took itself for the last
        /// connection, folded the -wal file in and deleted it under the running job, whose
        /// later writes went to a deleted file (the job died at its second fetch with 74
        /// "disk I/O error", or, killed, lost charges it had made, which the next run sent
        /// again). Readers during a run now leave every write of it in place.
        @Test func readersDuringARunLeaveItsWritesInPlace() throws {
            let (scratch, sim, ledger, _) = try Self.slowSimulatorAndLedger(latency: 300)
            let rows = 20
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: rows))
            let base = ["--ledger", ledger, "--base-url", sim.baseURL]
            // One worker: the run's top-up takes 6 s, time for several readers on a loaded machine.
            let job = try BackgroundCommand(
                base + ["run", "--plan", plan, "--yes", "--concurrency", "1", "--no-activity", "--out", scratch.path("out")],
                environment: ["OPENROUTER_API_KEY": "sim-management-key"], scratch: scratch, tag: "job")
            var readers = 0
            while job.process.isRunning {
                let verified = try Executable.creditRecon(base + ["verify"])
                #expect(verified.status == 0, "verify during the run: \(verified.stdout)\(verified.stderr)")
                readers += 1
            }
            let status = job.wait()
            #expect(status == 0 || status == 1, "\(String(describing: status)): \(job.stderr)")
            #expect(readers > 1, "readers ran during the run")
            #expect(try Executable.query(ledger, "SELECT count(*) FROM charges") == [["\(rows)"]])
            #expect(try sim.state().charges.count == rows)
            #expect(try Executable.creditRecon(base + ["verify"]).status == 0)
        }

        @Test func twoWritersStartedTogetherNeverCorruptTheLedger() throws {
            let scratch = try Scratch()
            let ledger = scratch.path("ledger.sqlite")
            let samples = Executable.sampleSnapshots
            var outcomes: [Int32] = []
            for round in 0..<3 {
                let first = try BackgroundCommand(["--ledger", ledger, "import", "snapshots", samples], environment: [:],
                                                  scratch: scratch, tag: "a\(round)")
                let second = try BackgroundCommand(["--ledger", ledger, "import", "snapshots", samples], environment: [:],
                                                   scratch: scratch, tag: "b\(round)")
                for child in [first, second] {
                    let status = child.wait()
                    #expect(status == 0 || status == 75, "\(status.map(String.init) ?? "hung"): \(child.stderr)")
                    outcomes.append(status ?? -1)
                }
            }
            #expect(outcomes.filter { $0 == 0 }.count >= 3)
            let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
            #expect(verified.status == 0, "\(verified.stdout)")
            #expect(try Executable.query(ledger, "SELECT count(*) FROM snapshots") == [["120"]], "each snapshot once")
        }
    }
}
