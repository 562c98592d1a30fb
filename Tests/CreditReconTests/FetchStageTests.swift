import CreditTypes
import Foundation
import Ledger
import Logging
import OpenRouterAPI
import OpenRouterSimulator
import Synchronization
import Testing

@testable import CreditRecon

/// `fetch` against the simulator: snapshot in a run, findings, failures recorded.
@Suite struct FetchStageTests {
    func context(_ directory: TemporaryDirectory, server: SimulatorServer, key: String = "sim-management-key",
                 clock: CommandClock = CommandClock()) -> CommandContext {
        CommandContext(
            ledgerPath: directory.path("ledger.sqlite"), baseURL: server.baseURL, account: "ops",
            timeout: .seconds(5), maxRetryTime: .seconds(1), json: false, logger: Logger(label: "test"),
            clock: clock, environment: ["OPENROUTER_API_KEY": key])
    }

    func withSim(_ configure: (inout SimulatorOptions) -> Void, _ body: (SimulatorServer) async throws -> Void) async throws {
        var options = SimulatorOptions()
        configure(&options)
        let server = try await SimulatorServer.start(options)
        do { try await body(server) } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    @Test func storesAnExactSnapshotInARun() async throws {
        let directory = try TemporaryDirectory()
        try await withSim({
            $0.initialCredits = try! Micros(parsing: "1234.567891")
            $0.initialUsage = try! Micros(parsing: "1000.000009")
        }) { server in
            let outcome = try await FetchStage(context: context(directory, server: server)).run()
            #expect(outcome.exitStatus == .ok)
            // What `fetch --json` prints, read back: the totals are exact decimal strings.
            let printed = try ExactJSON(parsing: outcome.json.text)
            #expect(printed["total_credits"] == .string("1234.567891"))
            #expect(printed["total_usage"] == .string("1000.000009"))
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            let snapshots = try ledger.read { try $0.snapshots(account: "ops") }
            #expect(snapshots.count == 1)
            #expect(snapshots.first?.totalCredits == Micros(raw: 1_234_567_891))
            #expect(snapshots.first?.source == "api")
            #expect(snapshots.first?.runID == outcome.runID)
            let runs = try ledger.read { try $0.runs() }
            #expect(runs.first?.command == "fetch" && runs.first?.outcome == "ok")
        }
    }

    /// The account label's direction override is printed as `?` in fetch's lines, as every
    /// report prints it (probe 267: `account x<U+202E>y` as it was).
    @Test func anAccountsDirectionOverrideIsPrintedAsAQuestionMark() async throws {
        let directory = try TemporaryDirectory()
        try await withSim({ _ in }) { server in
            var context = context(directory, server: server)
            context.account = "x\u{202E}y"
            let outcome = try await FetchStage(context: context).run()
            #expect(outcome.text.contains(" account x?y: ") && !outcome.text.unicodeScalars.contains("\u{202E}"), "\(outcome.text)")
        }
    }

    /// A reading imported dated ahead of this machine's clock (which agrees with the API's)
    /// no longer stops every fetch until the clock passes it (probe 260: 78 for a day): the
    /// fetch's reading is stored at its own time, and the one dated ahead is said: a
    /// `reading_ahead` finding, and the usage going down from this reading to it, which the
    /// report says, when it does (probes 361 and 363: a warning in the log alone, exit 0),
    /// also within the minute `reading_ahead` leaves to two clocks (probe 367: 59 s, exit 0).
    @Test(arguments: [true, false], [Int64(20 * 3_600_000), 30_000])
    func aReadingImportedAheadOfTheClockDoesNotStopTheFetch(usageFalls: Bool, aheadBy: Int64) async throws {
        let directory = try TemporaryDirectory()
        try await withSim({ $0.initialCredits = Micros(raw: 100_000_000); $0.initialUsage = Micros(raw: usageFalls ? 40_000_000 : 0) }) { server in
            let ahead = Timestamp.now().adding(milliseconds: aheadBy)
            let file = try directory.write("ahead.csv", "observed_at,total_credits,total_usage\n\(ahead.iso8601),1000,1\n")
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            _ = try SnapshotImport(path: file, defaultAccount: "ops").run(ledger: ledger, now: .now())
            let said = InterruptionTests.Said()
            var context = context(directory, server: server)
            context.logger = Logger(label: "test") { _ in said }
            let outcome = try await FetchStage(context: context).run()
            #expect(outcome.runID > 0)
            let readings = try ledger.read { try $0.snapshots(account: "ops") }
            #expect(readings.count == 2 && readings.last?.observedAt == ahead, "\(readings.map(\.observedAt))")
            // A finding, exit 1 as `status` says it (`reading_after_now`), not a log line alone
            // (probe 363). Credits rise from 100 to the 1000 dated ahead, said by no finding;
            // usage falls from 40 to 1, said as the report says it.
            let beyondTheMinute = aheadBy > 60_000
            #expect(outcome.findings.map(\.kind) == (beyondTheMinute ? [.readingAhead] : []) + (usageFalls ? [.usageDecreased] : []),
                    "\(outcome.findings)")
            #expect(outcome.exitStatus == (beyondTheMinute || usageFalls ? .attention : .ok))
            if beyondTheMinute {
                let dated = outcome.findings.first
                #expect(dated?.message.hasPrefix("the ledger holds a reading of account ops dated after this one") == true
                    && dated?.message.contains("the newest at \(ahead.iso8601)") == true && dated?.reference == ahead.iso8601,
                        "\(outcome.findings)")
            }
            if usageFalls {
                let fall = outcome.findings.last
                #expect(fall?.amount == Micros(raw: -39_000_000) && fall?.observedAt == ahead)
                #expect(fall?.message.hasPrefix("total_usage goes down by 39 between this reading (") == true, "\(outcome.findings)")
            }
        }
    }

    /// The progress line hears each call before it is made: every day of activity not yet
    /// stored with its place among them, and on the next fetch the check of those days.
    /// Both clocks are set inside one UTC day: on the real clock, a run across midnight had
    /// a new day to store on the second fetch (the official CI of 8a791ee, at 00:00 UTC).
    @Test func progressNamesEachCall() async throws {
        let directory = try TemporaryDirectory()
        try await withSim({ _ in }) { server in
            let morning = try Timestamp(iso8601: "2026-11-10T09:00:00Z"), noon = morning.adding(seconds: 3 * 3600)
            try await server.setClock(morning)
            let heard = Mutex<[String]>([])
            let first = try await FetchStage(context: context(directory, server: server, clock: CommandClock(start: morning))) { text in
                heard.withLock { $0.append(text) }
            }.run()
            let days = try #require(first.activityDays)
            #expect(days.count == 30)
            #expect(heard.withLock { $0 } == ["GET /key", "GET /credits", "GET /keys"] + days.enumerated().map {
                "GET /activity?date=\($0.element.date.isoText), day \($0.offset + 1) of 30 to store"
            })
            heard.withLock { $0.removeAll() }
            try await server.setClock(noon)
            _ = try await FetchStage(context: context(directory, server: server, clock: CommandClock(start: noon))) { text in
                heard.withLock { $0.append(text) }
            }.run()
            #expect(heard.withLock { $0 } == ["GET /key", "GET /credits", "GET /keys", "GET /activity, to check the 30 days already stored"])
        }
    }

    /// The lock comes first: while another writer holds it, a fetch is turned away (75)
    /// before it creates the ledger or asks the API anything.
    @Test func aHeldWriterLockTurnsTheFetchAwayBeforeAnythingElse() async throws {
        let directory = try TemporaryDirectory()
        // Another writer's lock as the kernel sees it: a flock on the lock file that no lock of
        // this process took (one of its own would be told apart, as this very process's).
        let other = open(directory.path("ledger.sqlite.lock"), O_RDWR | O_CREAT, 0o600)
        try #require(other >= 0 && flock(other, LOCK_EX | LOCK_NB) == 0)
        defer { close(other) }
        try await withSim({ _ in }) { server in
            let error = await #expect(throws: LedgerError.self) {
                try await FetchStage(context: context(directory, server: server)).run()
            }
            #expect(error.map { ExitStatus(for: $0) } == .tempFail)
            #expect(!FileManager.default.fileExists(atPath: directory.path("ledger.sqlite")))
            #expect(await server.apiRequestCount() == 0)
        }
    }

    /// A management key that reads all-zero totals after real ones (production has been seen
    /// to do that): a finding, the reading kept.
    @Test func findingsWhenTotalsGoDownOrReadZero() async throws {
        let directory = try TemporaryDirectory()
        try await withSim({ $0.initialCredits = Micros(raw: 50_000_000) }) { server in
            _ = try await FetchStage(context: context(directory, server: server)).run()
        }
        try await withSim({ _ in }) { zeros in
            let zero = try await FetchStage(context: context(directory, server: zeros)).run()
            #expect(zero.findings.map(\.kind) == [.zeroReading])
            #expect(zero.exitStatus == .attention)
            // GET /key said it is a management key: the message does not blame its rights.
            #expect(zero.findings.first?.message.contains("though GET /key says the key is a management key") == true)
            #expect(zero.findings.first?.message.contains("without management rights") == false)
        }
        try await withSim({ $0.initialCredits = Micros(raw: 50_000_000) }) { server in
            // Kept in the ledger (nothing is lost), and later readings compare with the last trusted one.
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            #expect(try ledger.read { try $0.snapshots(account: "ops") }.count == 2)
            let after = try await FetchStage(context: context(directory, server: server)).run()
            #expect(after.findings.isEmpty)
            #expect(try ledger.verify().isSound)
        }
        let earlier = [(credits: Micros(raw: 10), usage: Micros(raw: 5))]
        let lower = SnapshotTaken(observedAt: Timestamp.now(), totalCredits: Micros(raw: 9), totalUsage: Micros(raw: 4), source: "api")
        #expect(SnapshotCheck.findings(for: lower, earlier: earlier, account: "a").map(\.kind) == [.creditsDecreased, .usageDecreased])
    }

    /// A reading that used more than was bought is an overdrawn balance: `fetch` said
    /// nothing and exited 0, so a nightly `fetch` alone never heard it (probe 208: credits
    /// 100, usage 250). Empty (0) is no finding: a new account reads zeros.
    @Test func anOverdrawnReadingIsAFinding() throws {
        func reading(_ credits: Int64, _ usage: Int64) -> SnapshotTaken {
            SnapshotTaken(observedAt: Timestamp.now(), totalCredits: Micros(raw: credits * 1_000_000),
                          totalUsage: Micros(raw: usage * 1_000_000), source: "api")
        }
        let overdrawn = SnapshotCheck.findings(for: reading(100, 250), earlier: [], account: "a")
        #expect(overdrawn.map(\.kind) == [.runwayLow])
        #expect(overdrawn.first?.severity == .warning)
        #expect(overdrawn.first?.amount == Micros(raw: -150_000_000))
        #expect(overdrawn.first?.message.hasPrefix("the balance is overdrawn: total_usage 250") == true, "\(overdrawn)")
        #expect(overdrawn.first?.message.contains("-150.00 USD, so the account's requests are refused: plan a top-up") == true)
        // Beside a decrease, and on every fetch while it lasts.
        let earlier = [(credits: Micros(raw: 100_000_000), usage: Micros(raw: 260_000_000))]
        #expect(SnapshotCheck.findings(for: reading(100, 250), earlier: earlier, account: "a").map(\.kind) == [.runwayLow, .usageDecreased])
        #expect(SnapshotCheck.findings(for: reading(100, 270), earlier: earlier, account: "a").map(\.kind) == [.runwayLow])
        #expect(SnapshotCheck.findings(for: reading(0, 0), earlier: [], account: "a").isEmpty)
        #expect(SnapshotCheck.findings(for: reading(100, 100), earlier: [], account: "a").isEmpty)
    }

    /// A zero reading's night leaves its key listing out of the books with it, so a key
    /// listed lower that night is not said to go down (it was: a `key_usage_decreased`
    /// warning beside the zero reading, for a listing no report measures).
    @Test func aZeroReadingsNightSaysNoKeyWentDown() async throws {
        let directory = try TemporaryDirectory()
        let state = directory.path("sim.json")
        try await withSim({ $0.initialCredits = Micros(raw: 50_000_000); $0.statePath = state }) { server in
            let key = try await server.createKey(name: "ci")
            try await server.use(Micros(raw: 5_000_000), key: key.hash)
            _ = try await FetchStage(context: context(directory, server: server)).run()
        }
        // The account answers zeros, and the key a lower usage, as a lying night could.
        let held = try String(contentsOfFile: state, encoding: .utf8)
        let zeroed = held.replacingOccurrences(of: #""total_credits":"50""#, with: #""total_credits":"0""#)
            .replacingOccurrences(of: #""total_usage":"5""#, with: #""total_usage":"0""#)
            .replacingOccurrences(of: #""usage":"5""#, with: #""usage":"3""#)
        #expect(zeroed.contains(#""total_credits":"0""#) && zeroed.contains(#""usage":"3""#), "\(held)")
        try zeroed.write(toFile: state, atomically: true, encoding: .utf8)
        try await withSim({ $0.statePath = state }) { server in
            let zero = try await FetchStage(context: context(directory, server: server)).run()
            #expect(zero.findings.map(\.kind) == [.zeroReading])
            #expect(zero.keys?.keys.map(\.usage) == [Micros(raw: 3_000_000)])
        }
    }

    /// `GET /key` comes first: a key that is not a management key (the command line's
    /// inference key, or one created on the account) exits 78 with a message saying a
    /// management key is needed and why; nothing is stored, not even a run, and `/credits`
    /// is never asked (it would answer zeros).
    @Test(arguments: ["sim-inference-key", "created"])
    func anOrdinaryKeyExits78AndStoresNothing(key: String) async throws {
        let directory = try TemporaryDirectory()
        try await withSim({ $0.initialCredits = Micros(raw: 50_000_000) }) { server in
            let ordinary = key == "created" ? try await server.createKey(name: "ci").key : key
            let refused = await #expect(throws: UsageError.self) {
                try await FetchStage(context: context(directory, server: server, key: ordinary)).run()
            }
            #expect(refused.map { ExitStatus(for: $0) } == .config)
            let message = refused.map { ExitStatus.message(for: $0) } ?? ""
            #expect(message.contains("not a management key") && message.contains("GET /credits"), "\(message)")
            #expect(message.contains("Nothing was stored") && !message.contains(ordinary))
            #expect(!FileManager.default.fileExists(atPath: directory.path("ledger.sqlite")))
            #expect(await server.apiRequestCount() == 1, "only GET /key was asked")

            // On books that exist, nothing is added either: the head hash stays.
            let first = try await FetchStage(context: context(directory, server: server)).run()
            await #expect(throws: UsageError.self) {
                try await FetchStage(context: context(directory, server: server, key: ordinary)).run()
            }
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            #expect(try ledger.headHash() == first.headHash)
            #expect(try ledger.read { try $0.runs() }.count == 1)
        }
    }

    /// A reading dated before the newest one is refused (78) inside the run, which is
    /// recorded as failed: the message says so (probe 67: it said "nothing was stored",
    /// and the head hash had moved).
    @Test func aClockBehindTheBooksIsAFailedRunAndSaysSo() async throws {
        let directory = try TemporaryDirectory()
        try await withSim({ _ in }) { server in
            _ = try await FetchStage(context: context(directory, server: server)).run()
            let behind = context(directory, server: server, clock: CommandClock(start: Timestamp.now().adding(seconds: -3600)))
            let refused = await #expect(throws: UsageError.self) { try await FetchStage(context: behind).run() }
            #expect(refused.map { ExitStatus(for: $0) } == .config)
            let message = refused.map { ExitStatus.message(for: $0) } ?? ""
            #expect(message.hasSuffix("Nothing was stored but the run, recorded as failed"), "\(message)")
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            let runs = try ledger.read { try $0.runs() }
            #expect(runs.count == 2 && runs.first?.outcome == "failed" && runs.first?.exitCode == 78)
            #expect(try ledger.read { try $0.snapshots(account: "ops") }.count == 1)
        }
    }

    @Test func aKeyCheckThatCannotBeDoneIsAFailedRun() async throws {
        let directory = try TemporaryDirectory()
        try await withSim({ $0.failRate = 1 }) { server in
            let error = await #expect(throws: FetchCallFailed.self) {
                try await FetchStage(context: context(directory, server: server)).run()
            }
            #expect(error?.exitStatus == .unavailable)
            // The call is named (a failed GET /key or GET /credits said only "the API answered HTTP 500").
            #expect(error?.description.hasPrefix("GET /key failed: ") == true, "\(String(describing: error))")
            #expect(error?.description.hasSuffix("Nothing was stored but the run, recorded as failed") == true)
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            let runs = try ledger.read { try $0.runs() }
            #expect(runs.first?.outcome == "failed" && runs.first?.exitCode == 69)
            #expect(try ledger.read { try $0.snapshots(account: "ops") }.isEmpty)
        }
    }

    @Test func refusedKeyIsRecordedAndMapsTo77() async throws {
        let directory = try TemporaryDirectory()
        try await withSim({ _ in }) { server in
            do {
                _ = try await FetchStage(context: context(directory, server: server, key: "wrong-key-0")).run()
                Issue.record("must throw")
            } catch let error as FetchCallFailed {
                #expect(error.exitStatus == .noPermission)
                #expect(error.call == "GET /key")
            }
            let runs = try Ledger(path: directory.path("ledger.sqlite")).read { try $0.runs() }
            #expect(runs.first?.outcome == "failed" && runs.first?.exitCode == 77)
        }
    }

    @Test func exitCodesOfAPIErrors() {
        #expect(APIError.server(status: 503, message: "").exitStatus == .unavailable)
        #expect(APIError.notSent(reason: "").exitStatus == .unavailable)
        #expect(APIError.timedOut(reason: "").exitStatus == .unavailable)
        #expect(APIError.rateLimited(retryAfter: nil, message: "").exitStatus == .tempFail)
        #expect(APIError.malformedResponse(reason: "", rawBody: nil).exitStatus == .protocol)
        #expect(APIError.beyondRange(reason: "", rawBody: nil).exitStatus == .protocol)
        #expect(APIError.forbidden(message: "").exitStatus == .noPermission)
    }
}
