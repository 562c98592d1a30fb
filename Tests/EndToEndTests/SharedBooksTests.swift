import Foundation
import PostgresHarness
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension Reliability {
    /// The books in PostgreSQL, used by the built `credit-recon` as several hosts would:
    /// the pipeline, two writers at once, a writer killed and a session ended mid-write,
    /// tampering behind the triggers, the same reports as SQLite, and the password kept out
    /// of every output. Each test has a database of its own on the tests' throwaway server.
    @Suite("Shared books on PostgreSQL: the CLI against a real server")
    struct SharedBooksTests {
        static let env = ["OPENROUTER_API_KEY": "sim-management-key"]

        /// A new database and its URL (with the password, as a user may give it).
        static func books() throws -> (server: ThrowawayPostgres, database: String, url: String) {
            let server = try ThrowawayPostgres.shared()
            let database = try server.newDatabase()
            return (server, database, server.url(database))
        }

        /// A snapshots CSV of `count` readings an hour apart from 2020-01-01, each total rising.
        static func hourlyReadings(_ count: Int) -> String {
            var csv = "observed_at,total_credits,total_usage\n"
            let formatter = ISO8601DateFormatter()
            for hour in 0..<count {
                csv += "\(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(1_577_836_800 + hour * 3600)))),\(1000 + hour),\(hour)\n"
            }
            return csv
        }

        /// One number from `sql`.
        static func count(_ server: ThrowawayPostgres, _ database: String, _ sql: String) throws -> Int {
            Int(try server.psql(database, sql).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }

        @Test func thePipelineRunsOnPostgres() throws {
            let (server, database, url) = try Self.books()
            let scratch = try Scratch()
            let sim = try SimulatorProcess(["--initial-credits", "100", "--initial-usage", "40"])
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 3))
            let out = scratch.path("reports")
            let run = try Executable.creditRecon(
                ["--ledger", url, "--base-url", sim.baseURL, "run", "--plan", plan, "--yes", "--out", out], environment: Self.env)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted()
                == ["balance.svg", "charges.csv", "findings.csv", "periods.csv", "reconciliation.md", "usage.svg", "usage_by_key.csv",
                    "usage_by_model.csv"])
            #expect(try server.psql(database, "SELECT command, outcome FROM credit_recon.runs ORDER BY id")
                == "run|ok\nfetch|ok\ntopup|ok\nfetch|ok\n")
            #expect(try Self.count(server, database, "SELECT count(*) FROM credit_recon.topups WHERE state = 'created'") == 3)
            // Again: nothing is sent twice; then the books verify.
            let again = try Executable.creditRecon(
                ["--ledger", url, "--base-url", sim.baseURL, "run", "--plan", plan, "--yes", "--out", out], environment: Self.env)
            #expect(again.stdout.contains("0 created (0.00 USD), 0 rejected, 0 not sent, 0 blocked, 0 unknown; skipped 3 done"), "\(again.stdout)\(again.stderr)")
            #expect(try sim.state().charges.count == 3)
            let verified = try Executable.creditRecon(["--ledger", url, "verify"])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            // PostgreSQL runs no integrity_check: the line names what its store checked.
            #expect(verified.stdout.contains("journal entries, the append-only triggers in place, no row-level security, and no row the ledger never changes "
                + "counted changed by the server's statistics (which start again when reset or when a table is made again)"), "\(verified.stdout)")
            // Nor says it ran one in --json ("ok" was printed).
            let json = try Executable.creditRecon(["--ledger", url, "verify", "--json"])
            #expect(json.status == 0 && json.stdout.contains(#""integrity_check":"not run""#), "\(json.stdout)")
        }

        /// A command logs in once to open the ledger and learn whether there is one; a
        /// second connection is the writer lock's or the second reader's. (They logged in
        /// once more to ask whether the database held a ledger, and `topup` twice more.)
        @Test func aCommandLogsInOnceToOpenTheLedger() throws {
            let (server, database, url) = try Self.books()
            let samples = Executable.repositoryRoot.appendingPathComponent("samples")
            let imported = try Executable.creditRecon(
                ["--ledger", url, "import", "charges", samples.appendingPathComponent("charges.csv").path])
            #expect(imported.status == 0, "\(imported.stderr)")
            let proxy = FreezingProxy(to: server.port)
            defer { proxy.stop() }
            let relayed = server.url(database).replacingOccurrences(of: ":\(server.port)/", with: ":\(proxy.port)/")
            let scratch = try Scratch()
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 3))
            func logins(_ arguments: [String], exit expected: Int32) throws -> Int {
                let before = proxy.connections
                let result = try Executable.creditRecon(["--ledger", relayed] + arguments, environment: Self.env)
                #expect(result.status == expected, "\(arguments): \(result.stdout)\(result.stderr)")
                return proxy.connections - before
            }
            #expect(try logins(["topup", plan, "--dry-run"], exit: 0) == 1)
            #expect(try logins(["verify"], exit: 0) == 2)
            #expect(try logins(["report", "--out", scratch.path("reports")], exit: 1) == 2)
            // A database without a ledger: one login tells, and nothing is created there.
            let empty = try server.newDatabase()
            let emptyURL = server.url(empty).replacingOccurrences(of: ":\(server.port)/", with: ":\(proxy.port)/")
            let before = proxy.connections
            let missing = try Executable.creditRecon(["--ledger", emptyURL, "verify"])
            #expect(missing.status == 66, "\(missing.stdout)\(missing.stderr)")
            #expect(proxy.connections - before == 1)
            #expect(try server.psql(empty, "SELECT to_regclass('credit_recon.journal') IS NULL") == "t\n")
            // An import into it: the writer lock's login and the ledger's, which makes the
            // tables in the import's transaction (it logged in once more to find no ledger).
            let importing = proxy.connections
            let first = try Executable.creditRecon(
                ["--ledger", emptyURL, "import", "charges", samples.appendingPathComponent("charges.csv").path])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(proxy.connections - importing == 2)
        }

        /// Books copied from SQLite report the same bytes from PostgreSQL, and back.
        @Test func copiedBooksReportTheSameBytesFromEitherStore() throws {
            let (_, _, url) = try Self.books()
            let scratch = try Scratch()
            let sqlite = scratch.path("ledger.sqlite")
            let samples = Executable.repositoryRoot.appendingPathComponent("samples")
            let now = ["CREDIT_RECON_NOW": "2026-11-03T00:00:00Z"]
            for (kind, file) in [("snapshots", "snapshots.csv"), ("charges", "charges.csv")] {
                let imported = try Executable.creditRecon(
                    ["--ledger", sqlite, "import", kind, samples.appendingPathComponent(file).path], environment: now)
                #expect(imported.status == 0, "\(imported.stderr)")
            }
            let copied = try Executable.creditRecon(["--ledger", sqlite, "--json", "ledger", "copy", "--to", url])
            #expect(copied.status == 0, "\(copied.stderr)")
            let back = scratch.path("back.sqlite")
            #expect(try Executable.creditRecon(["--ledger", url, "ledger", "copy", "--to", back]).status == 0)
            var heads: Set<String> = []
            for (name, ledger) in [("sqlite", sqlite), ("postgres", url), ("back", back)] {
                let report = try Executable.creditRecon(
                    ["--ledger", ledger, "report", "--out", scratch.path(name), "--period", "week"], environment: now)
                #expect([0, 1].contains(report.status), "\(report.stderr)")
                // The head line (the first names what each store checked besides the chain).
                heads.insert(try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout.split(separator: "\n").last.map(String.init) ?? "")
            }
            #expect(heads.count == 1, "\(heads)")
            let files = try FileManager.default.contentsOfDirectory(atPath: scratch.path("sqlite")).sorted()
            #expect(files.count == 8)
            for file in files {
                let original = try Data(contentsOf: URL(fileURLWithPath: scratch.path("sqlite/\(file)")))
                #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.path("postgres/\(file)"))) == original, "\(file)")
                #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.path("back/\(file)"))) == original, "\(file)")
            }
            // Not into books that hold entries.
            let refused = try Executable.creditRecon(["--ledger", sqlite, "ledger", "copy", "--to", url])
            #expect(refused.status == 64, "\(refused.stderr)")
            #expect(refused.stderr.contains("already holds"))
        }

        /// A copy that fails leaves the database as it found it, without the ledger's schema:
        /// the copy had made the tables before copying, so a failed (or killed) copy left an
        /// empty ledger there, which `status` read as books with no readings yet (1, not 66).
        @Test func aFailedCopyLeavesTheDatabaseWithoutTheLedger() throws {
            let (server, database, url) = try Self.books()
            let scratch = try Scratch()
            let sqlite = scratch.path("ledger.sqlite")
            let samples = Executable.sampleSnapshots
            #expect(try Executable.creditRecon(["--ledger", sqlite, "import", "snapshots", samples]).status == 0)
            // An entry edited behind the ledger's back: the copy's chain ends elsewhere.
            #expect(try Executable.sqlite3(sqlite, "DROP TRIGGER journal_append_only_update; UPDATE journal SET entry = "
                + "replace(entry, '\"source\":\"import\"', '\"source\":\"api\"') WHERE seq = 40;").status == 0)
            let copy = try Executable.creditRecon(["--ledger", sqlite, "ledger", "copy", "--to", url])
            #expect(copy.status == 74 && copy.stderr.contains("the ledger is damaged"), "\(copy.stderr)")
            #expect(try server.psql(database, "SELECT count(*) FROM pg_namespace WHERE nspname = 'credit_recon'") == "0\n")
            #expect(try Executable.creditRecon(["--ledger", url, "status"]).status == 66)
        }

        /// A database another process's writer is filling (a `ledger copy` to it, a first
        /// import) holds no ledger until that commits: readers say so, 75, naming the writer,
        /// where `status` said to run fetch (probe 122); 66 once no writer is at it.
        @Test func readersOfADatabaseAWriterIsFillingSayToTryAgain() throws {
            let (server, database, url) = try Self.books()
            let writer = try HoldingSession(server, database, [
                "SELECT pg_advisory_lock(\(0x4352_4543), 1)",
            ], applicationName: "credit-recon writer otherhost pid 7")
            defer { writer.release() }
            try #require(writer.waitUntilHolding(), "the writer lock is not held after 60 s")
            for command in [["status"], ["verify"], ["report", "--out", try Scratch().path("reports")], ["status", "--json"]] {
                let result = try Executable.creditRecon(["--ledger", url] + command)
                #expect(result.status == 75, "\(command): \(result.stdout)\(result.stderr)")
                #expect(result.stderr.contains("holds no credit-recon ledger yet: credit-recon process otherhost pid 7 "
                    + "(from 127.0.0.1) is writing to it now (a ledger copy, or a first fetch or import), and its books "
                    + "appear once that commits; try again when it has finished"), "\(command): \(result.stderr)")
                #expect(!result.stderr.contains(server.password))
            }
            writer.release()
            #expect(try Executable.creditRecon(["--ledger", url, "status"]).status == 66)
        }

        /// A writer asks the server to end the session of a command that lost the writer lock
        /// and left its append behind, and says so on stderr, at the command's `--log-level`:
        /// nothing under `error` (the ledger's log line goes through the command's logger).
        @Test func aWriterSaysItEndedASessionLeftBehind() throws {
            let (server, database, url) = try Self.books()
            let scratch = try Scratch()
            #expect(try Executable.creditRecon(
                ["--ledger", url, "import", "snapshots", scratch.write("first.csv", Self.hourlyReadings(2))]).status == 0)
            for (day, level) in [("01", "info"), ("02", "error")] {
                let left = try HoldingSession(server, database, [
                    "BEGIN", "SELECT pg_advisory_xact_lock(\(0x4352_4543), 2)",
                ], idleInTransaction: true, applicationName: "credit-recon ledger otherhost pid 7")
                defer { left.release() }
                try #require(left.waitUntilHolding(), "the append lock is not held after 60 s")
                let file = try scratch.write("\(day).csv", "observed_at,total_credits,total_usage\n2020-02-\(day)T00:00:00Z,2000,10\n")
                let result = try Executable.creditRecon(
                    ["--ledger", url, "--timeout", "1", "--log-level", level, "import", "snapshots", file])
                #expect(result.status == 0, "\(level): \(result.stderr)")
                let warned = result.stderr.contains("asked the server to end session ")
                    && result.stderr.contains(" (credit-recon ledger otherhost pid 7, user postgres, idle in its transaction for ")
                    && result.stderr.contains(": it holds what this writer waits for, left by a credit-recon command that no longer "
                        + "holds the writer lock")
                #expect(warned == (level == "info"), "\(level): \(result.stderr)")
                #expect(!result.stderr.contains(server.password))
            }
        }

        /// `--to` naming the source database under another spelling of its URL (another
        /// host name, another option) is the usage error a path to the source file is (64):
        /// the copy's own writer lock turned it away as "being written by" itself, 75, "try
        /// again", which never helps. The copy's name for itself is the lock's session.
        @Test func aCopyToItsSourceDatabaseUnderAnotherSpellingIs64() throws {
            let (server, _, url) = try Self.books()
            let samples = Executable.sampleSnapshots
            #expect(try Executable.creditRecon(["--ledger", url, "import", "snapshots", samples]).status == 0)
            let spellings = [url.replacingOccurrences(of: "sslmode=disable", with: "sslmode=prefer"), url.replacingOccurrences(of: "@127.0.0.1:", with: "@localhost:")]
            for target in spellings {
                let refused = try Executable.creditRecon(["--ledger", url, "ledger", "copy", "--to", target])
                #expect(refused.status == 64 && refused.stderr.contains("--to names the ledger being copied"), "\(refused.stderr)")
                #expect(!refused.stderr.contains(server.password))
            }
            // Another database of the same server is another ledger: the copy goes there.
            let other = server.url(try server.newDatabase())
            let copied = try Executable.creditRecon(["--ledger", url, "ledger", "copy", "--to", other])
            #expect(copied.status == 0, "\(copied.stderr)")
            #expect(try Executable.creditRecon(["--ledger", url, "verify"]).status == 0)
        }

        /// Two hosts start the same plan at once: one runs, the other is turned away with 75
        /// naming it, and every row is charged once.
        @Test func twoTopUpsOfOnePlanAtOnceChargeEveryRowOnce() throws {
            let (_, _, url) = try Self.books()
            let scratch = try Scratch()
            // A second an answer: the plan takes ten, far longer than the second process may take
            // to start and reach the ledger (at 150 ms it took 1.5 s, and a late start found nothing left).
            let sim = try SimulatorProcess(["--latency-ms", "1000"])
            let rows = 20
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: rows))
            let arguments = ["--ledger", url, "--base-url", sim.baseURL, "topup", plan, "--yes", "--concurrency", "2"]
            let first = try BackgroundCommand(arguments, environment: Self.env, scratch: scratch, tag: "first")
            let second = try BackgroundCommand(arguments, environment: Self.env, scratch: scratch, tag: "second")
            let outcomes = [(first.wait(), first.stderr), (second.wait(), second.stderr)]
            #expect(outcomes.map { $0.0 ?? -1 }.sorted() == [0, 75], "\(outcomes)")
            let refusal = outcomes.first { $0.0 == 75 }?.1 ?? ""
            #expect(refusal.contains("credit-recon process \(ProcessInfo.processInfo.hostName) pid "), "\(refusal)")
            #expect(refusal.contains("try again"))
            #expect(try sim.state().charges.count == rows)
            #expect(try sim.state().chargesBySender.values.allSatisfy { $0 == 1 })
            #expect(try Executable.creditRecon(["--ledger", url, "verify"]).status == 0)
        }

        /// A writer killed with SIGKILL mid-import: its transaction dies with its connection,
        /// nothing of it is kept, and the same command then does the whole job.
        @Test func aWriterKilledMidImportLeavesNothing() throws {
            let (server, database, url) = try Self.books()
            let scratch = try Scratch()
            let csv = Self.hourlyReadings(60_000)
            let file = try scratch.write("snapshots.csv", csv)
            let child = try BackgroundCommand(["--ledger", url, "import", "snapshots", file], environment: [:],
                                              scratch: scratch, tag: "import")
            // The import's write transaction, which holds the append lock (class "CREC", key 2)
            // while it makes the ledger's tables and appends.
            let writing = """
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1129465155 AND objid = 2
                AND objsubid = 2 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """
            #expect(try waitUntil { try Self.count(server, database, writing) > 0 || !child.process.isRunning })
            child.signal(SIGKILL)
            _ = child.wait()
            #expect(child.wasKilledBySignal, "killed mid-import: \(child.stderr)")
            // The server ends the dead client's session, and its locks with it.
            #expect(try waitUntil {
                try Self.count(server, database, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'credit-recon%' "
                    + "AND datname = current_database()") == 0
            })
            // Not even the tables: the first import makes them in its own transaction.
            #expect(try Self.count(server, database, "SELECT count(*) FROM pg_namespace WHERE nspname = 'credit_recon'") == 0)
            let finished = try Executable.creditRecon(["--ledger", url, "import", "snapshots", file])
            #expect(finished.status == 0, "\(finished.stderr)")
            #expect(try Self.count(server, database, "SELECT count(*) FROM credit_recon.snapshots") == 60_000)
            #expect(try Executable.creditRecon(["--ledger", url, "verify"]).status == 0)
        }

        /// A first import that fails on its file (a bad row after thousands of good ones, so
        /// some were appended) leaves the database as it was, without the ledger's tables,
        /// as it leaves no SQLite file; the file mended, the import makes them.
        @Test func aFailedFirstImportLeavesTheDatabaseAsItWas() throws {
            let (server, database, url) = try Self.books()
            let scratch = try Scratch()
            let csv = Self.hourlyReadings(20_000)
            let file = try scratch.write("snapshots.csv", csv + "2030-01-01T00:00:00Z,lots,0\n")
            let failed = try Executable.creditRecon(["--ledger", url, "import", "snapshots", file])
            #expect(failed.status == 65, "\(failed.stderr)")
            #expect(failed.stderr.contains("nothing was written"), "\(failed.stderr)")
            let schemas = "SELECT count(*) FROM pg_namespace WHERE nspname = 'credit_recon'"
            #expect(try Self.count(server, database, schemas) == 0)
            let mended = try scratch.write("snapshots.csv", csv)
            let imported = try Executable.creditRecon(["--ledger", url, "import", "snapshots", mended])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(try Self.count(server, database, "SELECT count(*) FROM credit_recon.snapshots") == 20_000)
        }

        /// The server ends the top-up's ledger session (`pg_terminate_backend`) mid-way: the
        /// top-up stops with 74 naming the lost connection, nothing half-written, and the next
        /// run finishes the plan without charging any row twice.
        @Test func aSessionEndedMidTopUpStopsItAndTheNextRunFinishes() throws {
            let (server, database, url) = try Self.books()
            let scratch = try Scratch()
            // A second an answer: 27 rows left after the third is created take 13 s, far longer
            // than psql needs to end the session (at 150 ms they took 2 s).
            let sim = try SimulatorProcess(["--latency-ms", "1000"])
            let rows = 30
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: rows))
            let arguments = ["--ledger", url, "--base-url", sim.baseURL, "topup", plan, "--yes", "--concurrency", "2"]
            let child = try BackgroundCommand(arguments, environment: Self.env, scratch: scratch, tag: "topup")
            #expect(try waitUntil {
                (try? Self.count(server, database, "SELECT count(*) FROM credit_recon.topups WHERE state = 'created'")) ?? 0 >= 3
            })
            try server.psql(database, """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND application_name LIKE 'credit-recon ledger%'
                """)
            let status = child.wait()
            #expect(status == 74, "\(child.stderr)")
            #expect(child.stderr.contains("connection to the server was lost"), "\(child.stderr)")
            #expect(try Executable.creditRecon(["--ledger", url, "verify"]).status == 0)
            try sim.faults(#"{"latency_ms":0}"#)
            let final = try Executable.creditRecon(arguments, environment: Self.env)
            #expect([0, 1].contains(final.status), "\(final.stderr)")
            #expect(try Self.count(server, database, "SELECT count(*) FROM credit_recon.topups WHERE state = 'requesting'") == 0)
            let done = try Self.count(server, database,
                                      "SELECT count(*) FROM credit_recon.topups WHERE state IN ('created', 'unknown')")
            #expect(done == rows)
            #expect(try sim.state().chargesBySender.values.allSatisfy { $0 == 1 }, "no row charged twice")
            #expect(try Executable.creditRecon(["--ledger", url, "verify"]).status == 0)
        }

        /// With the triggers dropped, an edited reading makes `verify` exit 1 naming it.
        @Test func tamperingBehindTheTriggersIsNamedByVerify() throws {
            let (server, database, url) = try Self.books()
            let samples = Executable.sampleSnapshots
            #expect(try Executable.creditRecon(["--ledger", url, "import", "snapshots", samples]).status == 0)
            #expect(throws: (any Error).self) {
                try server.psql(database, "UPDATE credit_recon.snapshots SET total_usage = 0 WHERE id = 5")
            }
            try server.psql(database, """
                DROP TRIGGER snapshots_append_only ON credit_recon.snapshots;
                UPDATE credit_recon.snapshots SET total_usage = 0 WHERE id = 5
                """)
            let verified = try Executable.creditRecon(["--ledger", url, "verify"])
            #expect(verified.status == 1)
            #expect(verified.stdout.contains("snapshots row 5 differs from what the journal records"), "\(verified.stdout)")
            #expect(verified.stdout.contains("append-only trigger snapshots_append_only missing"))
        }

        /// The journal's tail cut past the triggers, and the rows it made (which would prove the
        /// cut), with `--holds` of a head printed before it: found at the last sound head, but the server counts journal rows deleted, so
        /// the advice takes no proof from it (probe 403: "no entry was cut since it was printed",
        /// beside "journal 5 deleted").
        @Test func aJournalCountedCutIsNoCaseForACopy() throws {
            let (server, database, url) = try Self.books()
            #expect(try Executable.creditRecon(["--ledger", url, "import", "snapshots", Executable.sampleSnapshots]).status == 0)
            let head = try #require(Executable.creditRecon(["--ledger", url, "verify"]).stdout
                .split(separator: "\n").first { $0.hasPrefix("head ") }?.dropFirst("head ".count))
            let charges = Executable.repositoryRoot.appendingPathComponent("samples/charges.csv").path
            #expect(try Executable.creditRecon(["--ledger", url, "import", "charges", charges]).status == 0)
            try server.psql(database, """
                SET session_replication_role = replica;
                CREATE TEMP TABLE cut AS SELECT min(seq) AS seq FROM credit_recon.journal WHERE hash = '\(head)';
                DELETE FROM credit_recon.journal WHERE seq > (SELECT seq FROM cut);
                DELETE FROM credit_recon.charges WHERE seq > (SELECT seq FROM cut);
                DELETE FROM credit_recon.runs WHERE id > (SELECT seq FROM cut);
                """)
            let verified = try Executable.creditRecon(["--ledger", url, "verify", "--holds", String(head)])
            #expect(verified.status == 1 && verified.stdout.contains("journal ") && verified.stdout.contains(" deleted"),
                    "\(verified.stdout)")
            // Said as what may be (a delete rolled back counts too, probe 404), with the copy only
            // on the newest head printed, not on the --holds given.
            #expect(verified.stdout.contains("The server's statistics count journal rows deleted (above): entries may have been "
                + "cut from the journal's end (a delete rolled back counts too), and a copy of what is left would lose any cut "
                + "entry for good. Copy only if the newest head"), "\(verified.stdout)")
            #expect(verified.stdout.contains("otherwise restore the ledger from a backup that holds that head"), "\(verified.stdout)")
            #expect(!verified.stdout.contains("`--holds` finds"), "\(verified.stdout)")
        }

        /// Row-level security hiding the newest entries from the role that verifies: its
        /// advice is to drop the policies and verify again, not to copy or restore (which would
        /// keep only what that role sees), though the hidden rows read as entries cut and rows
        /// added behind the ledger's back (probe 74).
        @Test func rowsHiddenFromTheVerifyingRoleComeFirstInTheAdvice() throws {
            let (server, database, url) = try Self.books()
            let samples = Executable.sampleSnapshots
            #expect(try Executable.creditRecon(["--ledger", url, "import", "snapshots", samples]).status == 0)
            let head = try #require(Executable.creditRecon(["--ledger", url, "verify"]).stdout
                .split(separator: "\n").first { $0.hasPrefix("head ") }?.dropFirst("head ".count))
            let role = "aud_\(database)"
            try server.psql(database, """
                CREATE ROLE \(role) LOGIN PASSWORD 'audit-pass';
                GRANT USAGE ON SCHEMA credit_recon TO \(role);
                GRANT SELECT ON ALL TABLES IN SCHEMA credit_recon TO \(role);
                ALTER TABLE credit_recon.journal ENABLE ROW LEVEL SECURITY;
                CREATE POLICY older ON credit_recon.journal FOR SELECT TO \(role) USING (seq < 100)
                """)
            let auditor = "postgresql://\(role):audit-pass@127.0.0.1:\(server.port)/\(database)?sslmode=disable"
            let verified = try Executable.creditRecon(["--ledger", auditor, "verify", "--holds", String(head)])
            #expect(verified.status == 1, "\(verified.stderr)")
            #expect(verified.stdout.contains("row-level security on the ledger's table journal (policy older)"), "\(verified.stdout)")
            #expect(verified.stdout.contains("what to do: row-level security is on the ledger's tables, so rows this role "
                + "may not see read as missing or cut"), "\(verified.stdout)")
            // The head is hidden, not cut (probe 178: "no entry has that hash … entries were cut").
            #expect(verified.stdout.contains("does NOT hold \(head) among the entries this role may see: row-level security "
                + "on the ledger's tables may hide the entry that has it"), "\(verified.stdout)")
        }

        /// A short ledger password is not scrubbed from the API's answers, which are never
        /// sent it: `0000` took digits out of a total of 100000000, and the fetch was refused
        /// (76) as an answer of the wrong shape (probe 414); nor from what the command prints.
        @Test func aShortLedgerPasswordLeavesTheAPIsAnswersAsTheyCame() throws {
            let (server, database, _) = try Self.books()
            let role = "short_\(getpid())_\(UInt16.random(in: 0...UInt16.max))"
            try server.psql(database, "CREATE ROLE \(role) LOGIN PASSWORD '0000'; ALTER DATABASE \(database) OWNER TO \(role)")
            let url = "postgresql://\(role)@127.0.0.1:\(server.port)/\(database)?sslmode=disable"
            let sim = try SimulatorProcess(["--initial-credits", "100000000", "--initial-usage", "10000"])
            let fetched = try Executable.creditRecon(
                ["--ledger", url, "--base-url", sim.baseURL, "--json", "fetch", "--no-keys", "--no-activity"],
                environment: Self.env.merging(["PGPASSWORD": "0000"]) { $1 })
            #expect([0, 1].contains(fetched.status), "\(fetched.stdout)\(fetched.stderr)")
            let object = try PipelineTests.json(fetched.stdout)
            #expect(object["total_credits"] as? String == "100000000" && object["total_usage"] as? String == "10000",
                    "\(fetched.stdout)")
            // Nor is what it prints scrubbed of a password that short, which it says (probe 416:
            // the import lines of a lost connection lost their amounts' digits).
            #expect(fetched.stderr.contains("the ledger's password has fewer than 8 characters, too few to be told apart from "
                + "other text, so what credit-recon prints is not scrubbed of it"), "\(fetched.stderr)")
            let scratch = try Scratch()
            let plan = try scratch.write("plan.csv", "wallet,chain_id,amount,reference\n0x3A37DFe702393e0FA6c8Bbc2A299E490BBeD2cf3,8453,60000,R-1\n")
            let over = try Executable.creditRecon(
                ["--ledger", url, "topup", plan, "--dry-run", "--max-amount", "100000", "--max-total", "50000"],
                environment: ["PGPASSWORD": "0000"])
            #expect(over.status == 65 && over.stderr.contains("comes to 60000.00 USD, more than --max-total 50000.00 USD"),
                    "\(over.stderr)")
        }

        /// The password, from the URL or PGPASSWORD, shows in no output, log line or error.
        @Test func thePasswordAppearsNowhere() throws {
            let (server, database, url) = try Self.books()
            let scratch = try Scratch()
            let samples = Executable.sampleSnapshots
            let bare = server.url(database, password: false)
            let passwordFile = try scratch.write("password", server.password + "\n")
            chmod(passwordFile, 0o600)
            var outputs: [Executable.Result] = []
            for (arguments, environment) in [
                (["--ledger", url, "--json", "--log-level", "trace", "import", "snapshots", samples], [String: String]()),
                (["--ledger", bare, "--json", "--log-level", "trace", "status"], ["PGPASSWORD": server.password]),
                (["--ledger", bare, "--ledger-password-file", passwordFile, "--log-level", "trace", "verify"], [:]),
                (["--ledger", bare, "--json", "report", "--out", scratch.path("r")], ["PGPASSWORD": server.password]),
                (["--ledger", url, "ledger", "copy", "--to", url], [:]),
            ] {
                outputs.append(try Executable.creditRecon(arguments, environment: environment))
            }
            #expect(outputs.prefix(4).allSatisfy { [0, 1].contains($0.status) }, "\(outputs.map(\.stderr))")
            #expect(outputs[4].status == 64)
            // Refused logins: a wrong password, and none at all.
            let wrong = url.replacingOccurrences(of: server.password, with: "not-the-\(server.password)")
            outputs.append(try Executable.creditRecon(["--ledger", wrong, "status"]))
            outputs.append(try Executable.creditRecon(["--ledger", bare, "--json", "verify"]))
            #expect(outputs[5].status == 74 && outputs[5].stderr.contains("refused the login"), "\(outputs[5].stderr)")
            #expect(outputs[6].status == 74, "\(outputs[6].stderr)")
            // `plan check` names the ledger it checked the plan against, or found missing: it
            // printed the URL as given, password and all.
            let plan = Executable.repositoryRoot.appendingPathComponent("samples/topups.csv").path
            let empty = server.url(try server.newDatabase())
            outputs.append(try Executable.creditRecon(["--ledger", url, "plan", "check", plan]))
            outputs.append(try Executable.creditRecon(["--ledger", empty, "plan", "check", plan]))
            #expect(outputs[7].status == 0 && outputs[7].stdout.contains("against the ledger \(bare):"), "\(outputs[7].stdout)")
            #expect(outputs[8].status == 0 && outputs[8].stdout.contains("no ledger at postgresql://postgres@"), "\(outputs[8].stdout)")
            for output in outputs {
                #expect(!output.stdout.contains(server.password) && !output.stderr.contains(server.password))
            }
            for file in try FileManager.default.contentsOfDirectory(atPath: scratch.path("r")) {
                #expect(!(try String(contentsOfFile: scratch.path("r/\(file)"), encoding: .utf8)).contains(server.password))
            }
            #expect(!(try server.psql(database, "SELECT string_agg(entry, '') FROM credit_recon.journal")).contains(server.password))
        }

        /// `PGSSLMODE` and `PGSSLROOTCERT` are the TLS settings of a URL that gives none, as
        /// for psql and every libpq client; the URL's own win. They were ignored: a host that
        /// sets PGSSLMODE=verify-full for its database connected without checking the
        /// server's certificate.
        @Test func libpqsTLSVariablesAreTheURLsDefaults() throws {
            let (server, database, url) = try Self.books()
            let plain = url.replacingOccurrences(of: "?sslmode=disable", with: "")
            let certificate = server.folder + "/server.crt"
            let samples = Executable.sampleSnapshots
            // verify-full from the environment: the throwaway server's certificate is self-signed.
            let unchecked = try Executable.creditRecon(["--ledger", plain, "status"], environment: ["PGSSLMODE": "verify-full"])
            #expect(unchecked.status == 74, "\(unchecked.stderr)")
            #expect(unchecked.stderr.contains("TLS handshake with 127.0.0.1:\(server.port) failed"), "\(unchecked.stderr)")
            // Named as the variable's: the URL the message prints holds an sslmode never typed (probe 250).
            #expect(unchecked.stderr.contains("sslmode=verify-full came from PGSSLMODE, the URL giving none"), "\(unchecked.stderr)")
            // With the authority that signed it, the connection is made and checked.
            let trusted = try Executable.creditRecon(
                ["--ledger", plain, "import", "snapshots", samples], environment: ["PGSSLMODE": "verify-full", "PGSSLROOTCERT": certificate])
            #expect(trusted.status == 0, "\(trusted.stderr)")
            let stored = try Self.count(server, database, "SELECT count(*) FROM credit_recon.journal")
            #expect(stored > 0)
            // The URL's sslmode wins over the environment's.
            let overridden = try Executable.creditRecon(["--ledger", url, "status"], environment: ["PGSSLMODE": "verify-full"])
            #expect([0, 1].contains(overridden.status), "\(overridden.stderr)")
            // A value libpq does not know, or a file that cannot be read, is a configuration error naming the variable.
            let unknown = try Executable.creditRecon(["--ledger", plain, "status"], environment: ["PGSSLMODE": "sometimes"])
            #expect(unknown.status == 78, "\(unknown.stderr)")
            #expect(unknown.stderr.contains("PGSSLMODE=sometimes is not one of disable, prefer, require, verify-ca, verify-full"),
                    "\(unknown.stderr)")
            let absent = try Executable.creditRecon(
                ["--ledger", plain, "status"], environment: ["PGSSLROOTCERT": server.folder + "/absent.crt"])
            #expect(absent.status == 78, "\(absent.stderr)")
            #expect(absent.stderr.contains("PGSSLROOTCERT=\(server.folder)/absent.crt cannot be read"), "\(absent.stderr)")
            #expect(try Self.count(server, database, "SELECT count(*) FROM credit_recon.journal") == stored)
            // A SQLite ledger reads neither.
            let scratch = try Scratch()
            let file = try Executable.creditRecon(
                ["--ledger", scratch.path("books.sqlite"), "import", "snapshots", samples], environment: ["PGSSLMODE": "sometimes"])
            #expect(file.status == 0, "\(file.stderr)")
        }

        /// A password file others may read works, with one warning (a writer opens the
        /// ledger twice, for its lock and its writes: it warned twice).
        @Test func aPasswordFileOthersCanReadIsWarnedOfOnce() throws {
            let (server, database, _) = try Self.books()
            let scratch = try Scratch()
            let samples = Executable.sampleSnapshots
            let passwordFile = try scratch.write("password", server.password + "\n")
            chmod(passwordFile, 0o644)
            let imported = try Executable.creditRecon(
                ["--ledger", server.url(database, password: false), "--ledger-password-file", passwordFile, "import", "snapshots", samples])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stderr.components(separatedBy: "can be read by other users").count == 2, "\(imported.stderr)")
        }

        /// An import under a label that looks like one the ledger holds is refused once for the
        /// label (64, 78 from the environment), as on SQLite: every row of the file was blamed
        /// for a cell it did not have (65, probe 243). Into an empty database, the rows' own.
        @Test func anImportUnderALookAlikeLabelIsRefusedForTheLabel() throws {
            let (_, _, url) = try Self.books()
            let scratch = try Scratch()
            let samples = Executable.repositoryRoot.appendingPathComponent("samples")
            #expect(try Executable.creditRecon(["--ledger", url, "import", "snapshots", samples.appendingPathComponent("snapshots.csv").path]).status == 0)
            let head = try Executable.creditRecon(["--ledger", url, "verify"]).stdout
            let said = #""DEFAULT" looks like account "default", which the ledger holds"#
            for file in ["snapshots.csv", "charges.csv"] {
                let kind = file == "snapshots.csv" ? "snapshots" : "charges"
                let path = samples.appendingPathComponent(file).path
                let option = try Executable.creditRecon(["--ledger", url, "--account", "DEFAULT", "import", kind, path])
                #expect(option.status == 64 && option.stderr.contains("--account: " + said), "\(option.stderr)")
                let variable = try Executable.creditRecon(["--ledger", url, "import", kind, path], environment: ["CREDIT_RECON_ACCOUNT": "DEFAULT"])
                #expect(variable.status == 78 && variable.stderr.contains("CREDIT_RECON_ACCOUNT: " + said), "\(variable.stderr)")
            }
            #expect(try Executable.creditRecon(["--ledger", url, "verify"]).stdout == head)
            let (_, _, empty) = try Self.books()
            let both = try scratch.write("both.csv", "observed_at,total_credits,total_usage,account\n"
                + "2026-10-01T00:00:00Z,100,10,ops\n2026-10-02T00:00:00Z,100,20,OPS\n")
            let refused = try Executable.creditRecon(["--ledger", empty, "import", "snapshots", both])
            #expect(refused.status == 65 && refused.stderr.contains(#"which an earlier line of this file gives"#), "\(refused.stderr)")
            #expect(try Executable.creditRecon(["--ledger", empty, "status"]).status == 66)
        }
    }
}
