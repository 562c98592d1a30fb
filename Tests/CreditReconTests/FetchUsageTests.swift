import Synchronization
import AsyncWait
import CreditTypes
import Foundation
@testable import Ledger
import Logging
import OpenRouterAPI
import OpenRouterSimulator
import Testing

@testable import CreditRecon

/// `fetch` after the snapshot: a reading of every key, then each completed UTC day of the
/// API's window that the ledger does not hold (CONTRACT.md § Usage attribution), against
/// the simulator on its own clock.
@Suite struct FetchUsageTests {
    /// 06:00 UTC on 2026-03-15: the window is 2026-02-13 … 2026-03-14.
    static let now = Timestamp(millisecondsSinceEpoch: 1_773_554_400_000)

    static func at(_ text: String) -> Timestamp {
        do { return try Timestamp(iso8601: text) } catch { fatalError("bad test time \(text)") }
    }

    static func usd(_ text: String) -> Micros {
        do { return try Micros(parsing: text) } catch { fatalError("bad test amount \(text)") }
    }

    func context(_ directory: TemporaryDirectory, server: SimulatorServer, now: Timestamp = now) -> CommandContext {
        CommandContext(
            ledgerPath: directory.path("ledger.sqlite"), baseURL: server.baseURL, account: "ops",
            timeout: .seconds(5), maxRetryTime: .seconds(1), json: false, logger: Logger(label: "test"),
            clock: CommandClock(start: now), environment: ["OPENROUTER_API_KEY": "sim-management-key"])
    }

    func fetch(
        _ directory: TemporaryDirectory, _ server: SimulatorServer, now: Timestamp = now,
        options: FetchStage.Options = FetchStage.Options()
    ) async throws -> FetchStage.Outcome {
        try await server.setClock(now)
        return try await FetchStage(context: context(directory, server: server, now: now), options: options).run()
    }

    /// Three keys (one with a limit, one disabled) and use on keys and models over the
    /// month, on the simulator's clock.
    func withUsage(_ body: (SimulatorServer, _ keys: [String]) async throws -> Void) async throws {
        // Bought before it was used: an account that used more than it bought is overdrawn.
        var options = SimulatorOptions()
        options.initialCredits = Self.usd("100")
        let server = try await SimulatorServer.start(options)
        do {
            let team = try await server.createKey(name: "team", limit: Self.usd("50"))
            let batch = try await server.createKey(name: "batch")
            let old = try await server.createKey(name: "old")
            try await server.setClock(Self.at("2026-03-01T10:00:00Z"))
            try await server.use(Self.usd("2.000001"), key: batch.hash, model: "openai/gpt-4.1", provider: "OpenAI")
            try await server.setClock(Self.at("2026-03-14T12:00:00Z"))
            try await server.use(Self.usd("1.25"), key: team.hash, model: "openai/gpt-4.1", provider: "OpenAI")
            try await server.use(Self.usd("0.5"), model: "anthropic/claude-sonnet-4", provider: "Anthropic")
            try await server.disableKey(hash: old.hash)
            try await body(server, [team.hash, batch.hash, old.hash])
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    /// A nearly spent key is said by the fetch that reads it (probe 378: `fetch` exited 0 of
    /// a spent key that `status` and `report` called 1), by the report's rule: enabled keys
    /// with a limit only, under `minKeyRemaining` or under 10 % of the limit.
    @Test func aNearlySpentKeyIsAFindingOfTheFetchThatReadsIt() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, keys in
            // "team" has 48.75 of its 50 left: not low by the default 5 USD.
            #expect(try await fetch(directory, server).findings.isEmpty)
            let spent = try await server.createKey(name: "spent", limit: Self.usd("10"))
            try await server.use(Self.usd("9.5"), key: spent.hash, model: "openai/gpt-4.1", provider: "OpenAI")
            let gone = try await server.createKey(name: "gone", limit: Self.usd("1"))
            try await server.disableKey(hash: gone.hash)
            let outcome = try await fetch(
                directory, server, now: Self.now.adding(seconds: 3600),
                options: FetchStage.Options(readActivity: false, minKeyRemaining: Self.usd("49")))
            #expect(outcome.exitStatus == .attention)
            let low = outcome.findings.filter { $0.kind == .keyLimitLow }
            #expect(low.map(\.reference) == ["team", "spent"])
            #expect(low.allSatisfy { $0.severity == .warning })
            #expect(low.first?.message.hasPrefix("key \"team\" \(keys[0].prefix(8)) has 48.75 USD left of its 50 limit") == true, "\(low)")
            #expect(low.last?.amount == Self.usd("0.5"))
            #expect(outcome.text.contains("warning: key \"spent\" \(spent.hash.prefix(8)) has 0.5 USD left of its 10 limit"), "\(outcome.text)")
        }
    }

    @Test func theFirstFetchReadsEveryKeyAndBackfillsThirtyDays() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, keys in
            let outcome = try await fetch(directory, server)
            #expect(outcome.exitStatus == .ok)
            // /key, /credits, two pages of /keys (the second empty), one /activity per day.
            #expect(await server.apiRequestCount() == 1 + 1 + 2 + 30)
            #expect(outcome.keys?.keys.count == 3)
            #expect(outcome.activityDays?.count == 30)
            #expect(outcome.activityDays?.first?.date.isoText == "2026-02-13")
            #expect(outcome.activityDays?.last?.date.isoText == "2026-03-14")
            #expect(outcome.activityDaysChecked == 0)

            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            let readings = try ledger.read { try $0.keyReadings(account: "ops") }
            let byHash = Dictionary(uniqueKeysWithValues: readings.map { ($0.key.hash, $0.key) })
            #expect(byHash[keys[0]]?.usage == Self.usd("1.25"))
            #expect(byHash[keys[0]]?.limit == Self.usd("50"))
            #expect(byHash[keys[0]]?.limitRemaining == Self.usd("48.75"))
            #expect(byHash[keys[1]]?.usage == Self.usd("2.000001"))
            #expect(byHash[keys[1]]?.limit == nil)
            #expect(byHash[keys[2]]?.disabled == true && byHash[keys[0]]?.disabled == false)
            #expect(byHash[keys[0]]?.name == "team")
            #expect(readings.allSatisfy { $0.listingID == readings[0].listingID })

            let days = try ledger.read { try $0.activityDays(account: "ops") }
            #expect(days.count == 30 && days.allSatisfy { $0.apiKeyHash == nil && $0.runID == outcome.runID })
            let lines = try ledger.read {
                try $0.activityLines(account: "ops", from: CivilDate(isoText: "2026-02-13")!, through: CivilDate(isoText: "2026-03-14")!)
            }
            #expect(lines.map(\.date.isoText) == ["2026-03-01", "2026-03-14", "2026-03-14"])
            #expect(ActivityLine.total(lines.map(\.line)) == Self.usd("3.750001"))
            #expect(Set(lines.filter { $0.date.isoText == "2026-03-14" }.map(\.line.model))
                == ["openai/gpt-4.1", "anthropic/claude-sonnet-4"])

            let run = try ledger.read { try $0.runs() }.first
            #expect(run?.outcome == "ok" && run?.summary?.contains("keys 3; activity 30 new days, 0 checked") == true)
            #expect(try ledger.verify().isSound)

            let printed = try ExactJSON(parsing: outcome.json.text)
            #expect(try printed["keys"]?["count"] == ExactJSON(parsing: "3"))
            #expect(try printed["keys"]?["disabled"] == ExactJSON(parsing: "1"))
            #expect(outcome.text.contains("keys: 3 read (1 disabled)"))
            #expect(outcome.text.contains("activity: 30 days stored (2026-02-13 to 2026-03-14)"))
        }
    }

    /// Nights missed inside the window are backfilled on the next run; the days already
    /// held are compared with one `GET /activity`, not read again one by one.
    @Test func aLaterFetchStoresOnlyTheMissingDaysAndChecksTheOthers() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, _ in
            _ = try await fetch(directory, server)
            let before = await server.apiRequestCount()
            let later = try await fetch(directory, server, now: Self.now.adding(seconds: 3 * 86_400))
            #expect(later.exitStatus == .ok, "\(later.findings)")
            #expect(later.activityDays?.map(\.date.isoText) == ["2026-03-15", "2026-03-16", "2026-03-17"])
            #expect(later.activityDaysChecked == 27)
            #expect(await server.apiRequestCount() - before == 1 + 1 + 2 + 3 + 1)

            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            #expect(try ledger.read { try $0.activityDays(account: "ops") }.count == 33)
            #expect(try ledger.read { try $0.keyListings(account: "ops") }.count == 2)
            #expect(try ledger.verify().isSound)
        }
    }

    /// Days after the newest one stored that left the API's window before a fetch read them
    /// are lost for good: the fetch that finds them gone says so (a warning, exit 1) once;
    /// it said nothing, and only `report` told of them (probe 209).
    @Test func daysThatLeftTheWindowUnreadAreSaidByTheFetchThatFindsThemGone() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, _ in
            _ = try await fetch(directory, server)
            // Use in the days lost: the readings around them show it.
            try await server.setClock(Self.at("2026-03-17T12:00:00Z"))
            try await server.use(Self.usd("0.25"), model: "openai/gpt-4.1", provider: "OpenAI")
            // The newest day stored is 2026-03-14; 35 days on, the window begins 2026-03-20.
            let later = try await fetch(directory, server, now: Self.now.adding(seconds: 35 * 86_400))
            #expect(later.exitStatus == .attention)
            #expect(later.findings.map(\.kind) == [.activityLost], "\(later.findings)")
            #expect(later.findings.first?.severity == .warning)
            #expect(later.findings.first?.reference == "2026-03-15")
            #expect(later.findings.first?.message == "the activity of 2026-03-15 to 2026-03-19 (UTC, 5 days) left GET "
                + "/activity's 30-day window before a fetch stored it; what was used on which model those days is lost for "
                + "good. Check that the nightly fetch runs: the API keeps the last 30 completed days only.")
            #expect(later.activityDays?.count == 30)
            // Said once: the next fetch finds its newest day stored in the window.
            let next = try await fetch(directory, server, now: Self.now.adding(seconds: 36 * 86_400))
            #expect(next.findings.isEmpty, "\(next.findings)")
        }
    }

    /// Days the readings show no use across lost no use by model: the fetch that finds them
    /// gone warns of nothing (the report notes them), where it said they were lost for good
    /// and exited 1 (probe 388), but says they left the window (probe 425: said nowhere, a
    /// script reading `--json` never learnt of them); of a run of days some of which may have
    /// had use, it says how many had none.
    @Test func daysWithNoUseThatLeftTheWindowAreNoWarningOfTheFetch() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, _ in
            _ = try await fetch(directory, server)
            _ = try await fetch(directory, server, now: Self.now.adding(seconds: 86_400), options: FetchStage.Options(readKeys: false))
            // Nothing used from then on: the newest day stored is 2026-03-15, 40 days on 03-16 … 03-24 are gone.
            let idle = try await fetch(directory, server, now: Self.now.adding(seconds: 40 * 86_400), options: FetchStage.Options(readKeys: false))
            #expect(idle.findings.isEmpty, "\(idle.findings)")
            #expect(idle.exitStatus == .ok)
            let gone = try #require(idle.activityDaysGone)
            #expect(gone.first.isoText == "2026-03-16" && gone.last.isoText == "2026-03-24" && gone.count == 9 && gone.idle == 9)
            #expect(idle.text.contains("; 2026-03-16 to 2026-03-24 (9 days) left the API's window before a fetch stored them, "
                + "with no use across them in the readings: nothing was lost"), "\(idle.text)")
            #expect(idle.json.text.contains(#""days_gone_unread":{"days":9,"from":"2026-03-16","to":"2026-03-24","with_no_use":9}"#),
                    "\(idle.json.text)")
            // A reading on 04-29 (no activity read), use on 04-30: of the next days lost, 04-24 …
            // 04-28 lie between readings with the same total_usage, 04-29 … 05-03 do not.
            _ = try await fetch(directory, server, now: Self.now.adding(seconds: 45 * 86_400),
                                options: FetchStage.Options(readKeys: false, readActivity: false))
            try await server.setClock(Self.at("2026-04-30T12:00:00Z"))
            try await server.use(Self.usd("0.25"), model: "openai/gpt-4.1", provider: "OpenAI")
            let used = try await fetch(directory, server, now: Self.now.adding(seconds: 80 * 86_400), options: FetchStage.Options(readKeys: false))
            let lost = try #require(used.findings.first { $0.kind == .activityLost })
            #expect(lost.severity == .warning)
            #expect(used.activityDaysGone?.count == 10 && used.activityDaysGone?.idle == 5)
            #expect(!used.text.contains("before a fetch stored them, with no use across them"), "\(used.text)")
            #expect(lost.message.hasPrefix("the activity of 2026-04-24 to 2026-05-03 (UTC, 10 days) left GET /activity's 30-day "
                + "window before a fetch stored it; what was used on which model those days is lost for good (5 of them with no "
                + "use across them in the readings: nothing was lost on those). Check"), "\(lost.message)")
        }
    }

    /// A stored day the API now answers differently is read again and stored beside the
    /// earlier reading, never over it: said once, with both totals, and the next fetch
    /// compares the day with the new reading (it was said on every fetch for 30 days, and
    /// the new answer was never kept). The report uses the newer reading and notes it.
    @Test func aStoredDayThatChangedIsStoredAgainBesideTheEarlierReadingAndSaidOnce() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, _ in
            _ = try await fetch(directory, server)
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            let day = CivilDate(isoText: "2026-03-14")!
            let stored = try ledger.read { try $0.activityLines(account: "ops", from: day, through: day) }
            try await server.setClock(Self.at("2026-03-14T20:00:00Z"))
            try await server.use(Self.usd("0.75"), model: "openai/gpt-4.1", provider: "OpenAI")

            let before = await server.apiRequestCount()
            let later = try await fetch(directory, server, now: Self.now.adding(seconds: 3600))
            #expect(await server.apiRequestCount() - before == 1 + 1 + 2 + 1 + 1, "the day read again on its own")
            #expect(later.exitStatus == .attention)
            #expect(later.activityDays?.isEmpty == true)
            #expect(later.activityDaysReadAgain.map(\.date) == [day])
            #expect(later.findings.map(\.kind) == [.activityRevised])
            let finding = later.findings.first
            #expect(finding?.reference == "2026-03-14")
            #expect(finding?.amount == Self.usd("0.75"))
            #expect(finding?.message.contains("totalling 2.5 USD") == true && finding?.message.contains("totalling 1.75 USD") == true,
                    "\(finding?.message ?? "")")
            #expect(finding?.message.contains("stored beside the earlier one") == true, "\(finding?.message ?? "")")
            #expect(later.text.contains("1 of them read again and stored anew (2026-03-14)"), "\(later.text)")
            let printed = try ExactJSON(parsing: later.json.text)
            #expect(printed["activity"]?["days_read_again"] == (try ExactJSON(parsing: #"["2026-03-14"]"#)))
            guard case .object(let object) = later.json, case .array(let findings)? = object["findings"],
                  case .object(let first)? = findings.first else {
                Issue.record("no finding in \(later.json.text)")
                return
            }
            #expect(first["kind"] == .string("activity_revised") && first["amount"] == .string("0.75"))

            // Both readings are kept: the earlier one's lines untouched, the day's now the new one.
            let readings = try ledger.read { try $0.activityDays(account: "ops") }.filter { $0.date == day }
            #expect(readings.count == 2)
            let lines = try ledger.read { try $0.activityLines(account: "ops", from: day, through: day) }
            #expect(lines.filter { $0.dayID == readings[0].id } == stored)
            let activity = try ledger.read { try $0.activity(account: "ops") }
            #expect(activity.days.count == 30 && activity.days.last?.id == readings[1].id)
            #expect(ActivityLine.total(activity.lines.filter { $0.date == day }.map(\.line)) == Self.usd("2.5"))
            #expect(activity.readAgain.map(\.reading.id) == [readings[1].id])
            #expect(try ledger.read { try $0.runs() }.first?.outcome == "attention")
            #expect(try ledger.verify().isSound)

            // Said once: the next fetch finds the day as the API answers it.
            let next = try await fetch(directory, server, now: Self.now.adding(seconds: 7200))
            #expect(next.exitStatus == .ok, "\(next.findings)")
            #expect(next.activityDaysReadAgain.isEmpty && next.activityDaysChecked == 30)

            var options = ReconcileOptions(account: "ops")
            options.from = CivilDate(isoText: "2026-03-01")
            let books = try Reconciler(options: options).reconcile(ledger)
            let revised = books.findings.filter { $0.kind == .activityRevised }
            #expect(revised.map(\.severity) == [.info] && revised.first?.amount == Self.usd("0.75"))
            // Dated the day it revises, so the report of that day's period lists it.
            #expect(revised.first?.observedAt == Self.at("2026-03-14T00:00:00Z"))
            #expect(revised.first?.message.contains("was read again at 2026-03-15T07:00:00.004Z: GET /activity answered 2 rows "
                + "totalling 2.5 USD, where the reading of 2026-03-15T06:00:00.033Z held 2 rows totalling 1.75 USD") == true, "\(revised.first?.message ?? "")")
            #expect(ActivityLine.total(books.activity.filter { $0.date == day }.map(\.line)) == Self.usd("2.5"))
        }
    }

    /// Days read again are stored together, with what the fetch says of them, once every
    /// one is read: a fetch stopped between two re-reads stores neither, and the next reads
    /// both again and says both. One was stored before the stop and never said, since the
    /// next fetch compared the day with it (probe 139).
    @Test func daysReadAgainAreStoredOnlyWithWhatIsSaidOfThem() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, _ in
            _ = try await fetch(directory, server)
            try await server.setClock(Self.at("2026-03-13T20:00:00Z"))
            try await server.use(Self.usd("0.5"), model: "openai/gpt-4.1", provider: "OpenAI")
            try await server.setClock(Self.at("2026-03-14T20:00:00Z"))
            try await server.use(Self.usd("0.75"), model: "openai/gpt-4.1", provider: "OpenAI")
            let later = Self.now.adding(seconds: 3600)
            try await server.setClock(later)
            let interruption = Interruption()
            let stage = FetchStage(context: context(directory, server: server, now: later), interruption: interruption) { text in
                if text.contains("day 2 of 2 answered otherwise") { interruption.raise("SIGTERM") }
            }
            let stopped = await #expect(throws: FetchStopped.self) { try await stage.run() }
            #expect(stopped?.call == "GET /activity?date=2026-03-14")
            #expect(stopped?.description.contains("1 day of activity") == false, "\(stopped?.description ?? "")")
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            #expect(try ledger.read { try $0.activity(account: "ops") }.readAgain.isEmpty)

            let next = try await fetch(directory, server, now: later.adding(seconds: 60))
            #expect(next.activityDaysReadAgain.map(\.date.isoText) == ["2026-03-13", "2026-03-14"])
            #expect(next.findings.map(\.kind) == [.activityRevised, .activityRevised])
            #expect(try ledger.read { try $0.activity(account: "ops") }.readAgain.count == 2)
            #expect(try ledger.verify().isSound)
        }
    }

    @Test func keysAndActivityCanBeSkipped() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, _ in
            let outcome = try await fetch(directory, server, options: FetchStage.Options(readKeys: false, readActivity: false))
            #expect(outcome.exitStatus == .ok)
            #expect(await server.apiRequestCount() == 2, "only GET /key and GET /credits")
            #expect(outcome.keys == nil && outcome.activityDays == nil)
            let printed = try ExactJSON(parsing: outcome.json.text)
            #expect(printed["keys"] == .null && printed["activity"] == .null)
            #expect(outcome.text.contains("keys: not read (--no-keys)"))
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            #expect(try ledger.read { try $0.keyListings(account: "ops") }.isEmpty)
            #expect(try ledger.read { try $0.activityDays(account: "ops") }.isEmpty)

            // A minute later: two fetches read within one millisecond of the same clock
            // would be two readings at the same time.
            let keysOnly = try await fetch(
                directory, server, now: Self.now.adding(seconds: 60), options: FetchStage.Options(readKeys: true, readActivity: false))
            #expect(keysOnly.keys?.keys.count == 3 && keysOnly.activityDays == nil)
        }
    }

    /// A call after the snapshot that fails keeps what was stored before it, ends the run
    /// `failed` naming the call, and the next fetch reads what is missing. (Here the API's
    /// clock is two days behind ours, so it refuses the last two days we ask for.)
    @Test func aFailedActivityCallKeepsWhatWasStoredAndTheNextFetchCompletesIt() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, _ in
            try await server.setClock(Self.now)
            let ahead = Self.now.adding(seconds: 2 * 86_400)
            let failure = await #expect(throws: FetchCallFailed.self) {
                try await FetchStage(context: context(directory, server: server, now: ahead)).run()
            }
            #expect(failure?.call == "GET /activity?date=2026-03-15")
            // A 400 to a read: an answer this tool cannot use (76), naming the clock; not "findings" (1).
            #expect(failure.map { ExitStatus(for: $0) } == .protocol)
            #expect(failure?.description.contains("check this machine's clock") == true)
            #expect(failure?.description.contains("the snapshot, the key readings, 28 days of activity") == true,
                    "\(failure?.description ?? "")")
            // And for a script, under --json (probe 405: only the sentence said it).
            #expect(failure?.failureDetails["failed_call"] == .string("GET /activity?date=2026-03-15"))
            #expect(failure?.kept.snapshotAt == ahead.adding(milliseconds: 1) && failure?.kept.keyReadings == true)
            #expect(failure?.kept.activityDays.first?.isoText == "2026-02-15" && failure?.kept.activityDays.count == 28)
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            #expect(try ledger.read { try $0.snapshots(account: "ops") }.count == 1)
            #expect(try ledger.read { try $0.keyListings(account: "ops") }.count == 1)
            #expect(try ledger.read { try $0.activityDays(account: "ops") }.count == 28)
            let run = try ledger.read { try $0.runs() }.first
            #expect(run?.outcome == "failed" && run?.summary?.hasPrefix("GET /activity?date=2026-03-15 failed") == true)

            // The API's clock put right (ours stays: a reading dated before the one stored is refused).
            let next = try await fetch(directory, server, now: ahead.adding(seconds: 60))
            #expect(next.activityDays?.map(\.date.isoText) == ["2026-03-15", "2026-03-16"])
            #expect(next.activityDaysChecked == 28)
            #expect(try ledger.read { try $0.activityDays(account: "ops") }.count == 30)
            #expect(try ledger.verify().isSound)
        }
    }

    /// Near midnight UTC the window's edges depend on whose clock: ours a few minutes
    /// ahead of the API's, yesterday is not answered yet (400) and the day before the
    /// window's oldest is still held. The fetch failed (76) on yesterday and never asked for
    /// the oldest, which `report` then called lost for good (probe 245); now the oldest is
    /// stored and yesterday is said as not answered yet, for the next fetch to store.
    @Test func aClockAFewMinutesAheadAtMidnightLosesNoDayAndFailsNot() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, _ in
            try await server.setClock(Self.at("2026-03-14T23:58:00Z"))
            let outcome = try await FetchStage(context: context(directory, server: server, now: Self.at("2026-03-15T00:01:00Z"))).run()
            #expect(outcome.exitStatus == .ok, "\(outcome.findings)")
            #expect(outcome.activityDays?.first?.date.isoText == "2026-02-12")
            #expect(outcome.activityDays?.last?.date.isoText == "2026-03-13")
            #expect(outcome.activityDays?.count == 30)
            #expect(outcome.activityDayNotYet?.isoText == "2026-03-14")
            #expect(outcome.text.contains("2026-03-14 is not in the API's window yet (its clock has not passed midnight UTC), "
                + "the next fetch stores it"), "\(outcome.text)")
            // The nightly job's fetch line says it too (probe 249).
            #expect(RunStage.describe(outcome).contains("; 2026-03-14 not in the API's window yet (its clock has not passed "
                + "midnight UTC), the next fetch stores it"), "\(RunStage.describe(outcome))")
            // The next night stores it, with the API's clock and ours agreeing.
            let next = try await fetch(directory, server, now: Self.at("2026-03-16T06:00:00Z"))
            #expect(next.exitStatus == .ok, "\(next.findings)")
            #expect(next.activityDays?.map(\.date.isoText) == ["2026-03-14", "2026-03-15"])
            #expect(next.activityDayNotYet == nil)
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            #expect(try ledger.read { try $0.activityDays(account: "ops") }.count == 32)
        }
    }

    /// Ours a few minutes behind the API's at midnight: the window's oldest day has left
    /// the API's window as it was asked (400): no failure, and not compared with the
    /// window's answer, where it is missing; a day the ledger did not hold before it is
    /// said lost, as it is.
    @Test func aClockAFewMinutesBehindAtMidnightTakesTheOldestDayAsGone() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, _ in
            // The ledger holds 2026-02-12 … 2026-03-13.
            _ = try await fetch(directory, server, now: Self.at("2026-03-14T06:00:00Z"))
            try await server.setClock(Self.at("2026-04-14T00:02:00Z"))
            let behind = try await FetchStage(context: context(directory, server: server, now: Self.at("2026-04-13T23:58:00Z"))).run()
            #expect(behind.exitStatus == .attention)
            // 2026-03-13 is held; 2026-03-14, the oldest of this window, left the API's as it was asked.
            #expect(behind.findings.map(\.kind) == [.activityLost], "\(behind.findings)")
            #expect(behind.findings.first?.reference == "2026-03-14")
            #expect(behind.activityDays?.first?.date.isoText == "2026-03-15")
            #expect(behind.activityDays?.last?.date.isoText == "2026-04-12")
            #expect(behind.activityDaysChecked == 0)
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            #expect(try ledger.read { try $0.runs() }.first?.outcome == "attention")
        }
    }

    /// Far from midnight a 400 for a day of the window is the API refusing it: 76, naming
    /// the clock, as before.
    @Test func theWindowsEdgesAreUncertainOnlyNearMidnight() {
        let noon = FetchStage.windowEdges(at: Self.at("2026-03-15T12:00:00Z"))
        #expect(noon.window == CivilDate(isoText: "2026-02-13")!...CivilDate(isoText: "2026-03-14")!)
        #expect(noon.uncertain.isEmpty)
        let after = FetchStage.windowEdges(at: Self.at("2026-03-15T00:05:59.999Z"))
        #expect(after.window == CivilDate(isoText: "2026-02-12")!...CivilDate(isoText: "2026-03-14")!)
        #expect(after.uncertain == [CivilDate(isoText: "2026-02-12")!, CivilDate(isoText: "2026-03-14")!])
        #expect(FetchStage.windowEdges(at: Self.at("2026-03-15T00:06:00Z")).uncertain.isEmpty)
        let before = FetchStage.windowEdges(at: Self.at("2026-03-15T23:54:00Z"))
        #expect(before.window == CivilDate(isoText: "2026-02-13")!...CivilDate(isoText: "2026-03-14")!)
        #expect(before.uncertain == [CivilDate(isoText: "2026-02-13")!])
        #expect(FetchStage.windowEdges(at: Self.at("2026-03-15T23:53:59.999Z")).uncertain.isEmpty)
    }

    /// A signal while a day's call is on the wire: that call is finished and stored, no call
    /// goes out after it, and the progress line draws none (it drew "day 4 of 30" for a day
    /// never asked for, probe 77). Each call takes 300 ms at the simulator, and the signal
    /// comes once a call has reached it after the third day was drawn.
    @Test func noCallIsDrawnAfterASignal() async throws {
        let directory = try TemporaryDirectory()
        var options = SimulatorOptions()
        options.latencyMilliseconds = 300
        let server = try await SimulatorServer.start(options)
        try await server.setClock(Self.now)
        let interruption = Interruption()
        let drawn = Mutex<[(text: String, afterSignal: Bool)]>([])
        let raising = Mutex<Task<Void, Never>?>(nil)
        let stage = FetchStage(context: context(directory, server: server), interruption: interruption) { text in
            drawn.withLock { $0.append((text, interruption.signal != nil)) }
            guard text.contains(", day 3 of ") else { return }
            raising.withLock {
                $0 = Task {
                    let before = await server.apiRequestCount()
                    _ = await waitUntil { await server.apiRequestCount() > before }
                    interruption.raise("SIGTERM")
                }
            }
        }
        let stopped = await #expect(throws: FetchStopped.self) { try await stage.run() }
        await raising.withLock { $0 }?.value
        await server.shutdown()
        #expect(stopped?.signal == "SIGTERM")
        let after = drawn.withLock { $0 }.filter(\.afterSignal).map(\.text)
        #expect(after.isEmpty, "drawn after the signal: \(after)")
        #expect(drawn.withLock { $0 }.contains { $0.text.contains(", day 3 of ") })
    }

    /// A signal before the fetch began (a writing command traps from its start): no call
    /// goes out, and nothing is recorded, not even a run, so no ledger is made for one (it
    /// made one and recorded a stopped run, probe 78).
    @Test func aFetchSignalledBeforeItBeganMakesNoLedger() async throws {
        let directory = try TemporaryDirectory()
        let server = try await SimulatorServer.start(SimulatorOptions())
        try await server.setClock(Self.now)
        let interruption = Interruption()
        interruption.raise("SIGTERM")
        let stopped = await #expect(throws: FetchStopped.self) {
            try await FetchStage(context: context(directory, server: server), interruption: interruption).run()
        }
        let requests = await server.apiRequestCount()
        await server.shutdown()
        #expect(stopped?.call == "GET /key")
        #expect(stopped?.description == "stopped by SIGTERM at GET /key, which was not read (no request is sent after the "
            + "signal): no reading was stored; run fetch again")
        #expect(requests == 0)
        #expect(!FileManager.default.fileExists(atPath: directory.path("ledger.sqlite")))
    }

    /// The whole window's answer with use on a day that has not begun here (the API's clock,
    /// or its answer, wrong): refused (76), as a day's own answer holding another day is;
    /// it was left out of the check without a word (probe 61).
    @Test func aWindowAnswerWithADayNotYetBegunIsRefused() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, _ in
            _ = try await fetch(directory, server)
            try await server.setClock(Self.at("2026-03-16T12:00:00Z"))
            try await server.use(Self.usd("99"), model: "openai/gpt-4.1", provider: "OpenAI")
            try await server.setClock(Self.at("2026-03-17T06:00:00Z"))
            let failure = await #expect(throws: FetchCallFailed.self) {
                try await FetchStage(context: context(directory, server: server, now: Self.now.adding(seconds: 3600))).run()
            }
            #expect(failure?.call == "GET /activity")
            #expect(failure.map { ExitStatus(for: $0) } == .protocol)
            #expect(failure?.description.contains("answered a row for 2026-03-16, a day after today (2026-03-15, UTC)") == true,
                    "\(failure?.description ?? "")")
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            #expect(try ledger.read { try $0.activityDays(account: "ops") }.count == 30)
        }
    }

    /// Storing what a call read can fail too (here the database refuses the key listing,
    /// by a unique index made behind the ledger's back: a trigger of its own would be
    /// refused before the run began): the run still ends `failed` with the error, so
    /// `report` names it. It was left started, with no outcome, and no `run_failed` finding
    /// ever came of it.
    @Test func aRunWhoseStoringFailsEndsFailed() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, _ in
            _ = try await fetch(directory, server)
            let path = directory.path("ledger.sqlite")
            let raw = try Database(path: path, create: false)
            try raw.execute("CREATE UNIQUE INDEX one_listing ON key_listings(account)")
            await #expect(throws: (any Error).self) { _ = try await fetch(directory, server, now: Self.now.adding(seconds: 3600)) }
            let ledger = try Ledger(path: path)
            let last = try ledger.read { try $0.runs() }.max { $0.id < $1.id }
            #expect(last?.outcome == "failed" && last?.summary?.contains("(UNIQUE constraint failed: key_listings.account): its tables "
                + "hold rows its journal does not make") == true, "\(String(describing: last))")
            #expect(last?.exitCode != nil)
        }
    }

    /// A clock set back (or a --now before the books) stored today's totals dated before
    /// the newest reading, for good: the books then showed a false `usage_decreased`. It is
    /// refused (78) with nothing stored but the failed run; dated by --now, so is one 30 s
    /// before it (`run`, then `fetch` at one --now, probe 129).
    @Test func aReadingDatedBeforeTheNewestIsRefused() async throws {
        let directory = try TemporaryDirectory()
        try await withUsage { server, _ in
            _ = try await fetch(directory, server, options: FetchStage.Options(readKeys: false, readActivity: false))
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            let early = await #expect(throws: UsageError.self) {
                _ = try await fetch(directory, server, now: Self.now.adding(seconds: -86_400),
                                    options: FetchStage.Options(readKeys: false, readActivity: false))
            }
            #expect(early?.exitStatus == .config)
            #expect(early?.message.hasPrefix("--now dates this reading 2026-03-14T06:00:00.001Z, before the newest reading "
                + "of account ops, taken at 2026-03-15T06:00:00.001Z") == true, "\(String(describing: early))")
            #expect(try ledger.read { try $0.snapshots(account: "ops") }.count == 1)
            #expect(try ledger.read { try $0.runs() }.max { $0.id < $1.id }?.outcome == "failed")
            let skewed = await #expect(throws: UsageError.self) {
                _ = try await fetch(directory, server, now: Self.now.adding(seconds: -30),
                                    options: FetchStage.Options(readKeys: false, readActivity: false))
            }
            #expect(skewed?.exitStatus == .config)
            #expect(try ledger.read { try $0.snapshots(account: "ops") }.count == 1)
            // (This machine's clock a minute off: `checkReadingTime`'s own test.)
        }
    }

    @Test func aFailedCallKeepsItsExitCodeAndNamesTheCall() {
        let failure = FetchCallFailed(call: "GET /keys", kept: FetchKept(snapshotAt: Self.now), error: .server(status: 503, message: "down"))
        #expect(failure.exitStatus == .unavailable)
        #expect(ExitStatus.message(for: failure).hasPrefix("GET /keys failed: the API kept failing (HTTP 503: down)"))
        #expect(failure.description.contains("What was stored before it (the snapshot) stays"))
        #expect(FetchCallFailed(call: "GET /activity", kept: .nothing, error: .malformedResponse(reason: "x", rawBody: nil))
            .exitStatus == .protocol)
    }

    /// Rows in another order are the same day; an extra, missing or changed row is not.
    @Test func theCheckComparesADaysRowsAsAMultiset() {
        let day = CivilDate(isoText: "2026-03-14")!
        func line(_ model: String, _ usage: String, requests: Int64? = 1) -> ActivityLine {
            ActivityLine(model: model, modelPermaslug: nil, endpointID: nil, provider: nil, usage: Self.usd(usage),
                         byokUsage: nil, requests: requests, promptTokens: nil, completionTokens: nil, reasoningTokens: nil,
                         cachedTokens: nil)
        }
        let kept = [line("a", "1"), line("b", "2")]
        func check(_ answered: [ActivityLine]) -> Finding? {
            guard ActivityCheck.changedDays(stored: [day: kept], answered: [day: answered]) == [day] else { return nil }
            return ActivityCheck.finding(date: day, kept: kept, now: answered, storedAgain: true, at: Self.now, account: "ops")
        }
        #expect(check([line("b", "2"), line("a", "1")]) == nil)
        #expect(check([line("a", "1"), line("b", "2"), line("b", "2")])?.amount == Self.usd("2"))
        #expect(check([line("a", "1")])?.amount == Self.usd("-2"))
        let sameTotal = check([line("a", "1"), line("b", "2", requests: 2)])
        #expect(sameTotal?.amount == .zero)
        // The same total both ways: what changed is said (it read "1 row totalling 1.25 USD … stored 1
        // row totalling 1.25 USD", probe 61).
        #expect(sameTotal?.message.contains("for that day (a row for b now says requests 2 where the ledger has requests 1);")
            == true, "\(sameTotal?.message ?? "")")
        #expect(check([line("a", "1"), line("c", "2")])?.message
            .contains("(a row for b now says model c where the ledger has model b)") == true)
        #expect(check([line("a", "1")])?.message.contains("now says") == false, "no row of its own: nothing to compare")
        #expect(ActivityCheck.changedDays(stored: [day: []], answered: [:]).isEmpty)
        // The window's answer differs and the day's own does not: nothing is stored, and it
        // says so (and stays a mismatch, not a revision).
        let disagreeing = ActivityCheck.finding(
            date: day, kept: kept, now: [line("a", "1")], storedAgain: false, at: Self.now, account: "ops")
        #expect(disagreeing.kind == .activityMismatch && disagreeing.severity == .warning)
        #expect(disagreeing.message.contains("GET /activity?date=2026-03-14 still answers the stored rows, so nothing was stored"))
    }

    /// A key listing at the very moment of one the ledger holds (a --now given twice
    /// landed on one millisecond) is a clear refusal (78), not a UNIQUE constraint's SQL
    /// and exit 70; a listing at another moment is stored.
    @Test func aKeyListingAtTheMomentOfAnotherIsRefused() throws {
        let directory = try TemporaryDirectory()
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        try ledger.write { writer in
            _ = try writer.append(.keysRead(KeysRead(observedAt: Self.now, keys: [], rawBodies: ["{}"])), account: "ops",
                                  runID: nil, at: Self.now)
        }
        let refusal = #expect(throws: UsageError.self) {
            try ledger.read { try FetchStage.checkListingTime(Self.now, account: "ops", reader: $0) }
        }
        #expect(refusal.map { ExitStatus(for: $0) } == .config)
        #expect(String(describing: refusal).contains("two listings cannot share a moment"))
        try ledger.read { try FetchStage.checkListingTime(Self.now.adding(milliseconds: 1), account: "ops", reader: $0) }
        try ledger.read { try FetchStage.checkListingTime(Self.now, account: "other", reader: $0) }
    }

    /// This machine's clock more than five minutes from the API's (the `Date` of its
    /// answer to `GET /key`) is refused (78) before anything is dated by it: a reading
    /// dated a day ahead made every later fetch refuse (`checkReadingTime`) for that day.
    @Test func aClockFarFromTheAPIsIsRefused() throws {
        let api = Self.now
        #expect(try ClockCheck.check(api.adding(milliseconds: 300_000), against: api, for: .readings) == nil)
        #expect(try ClockCheck.check(api.adding(milliseconds: -300_000), against: api, for: .readings) == nil)
        let ahead = #expect(throws: UsageError.self) {
            try ClockCheck.check(api.adding(milliseconds: 86_400_000 + 7_260_000), against: api, for: .readings)
        }
        #expect(ahead.map { ExitStatus(for: $0) } == .config)
        let said = ahead?.message ?? ""
        #expect(said.contains("the clock is 26.0 hours ahead"), "\(said)")
        #expect(said.contains("(its Date header)") && said.contains("give --now") && said.hasSuffix("nothing was stored"), "\(said)")
        // No Date it can read: nothing refused, but the unchecked clock is said (it was silent).
        let unchecked = try ClockCheck.check(api, against: nil, for: .readings)
        #expect(unchecked?.contains("this machine's clock was not checked") == true, "\(unchecked ?? "")")
        let behind = #expect(throws: UsageError.self) { try ClockCheck.check(api.adding(milliseconds: -300_001), against: api, for: .readings) }
        #expect(behind?.message.contains("the clock is 0.1 hours behind") == true, "\(String(describing: behind))")
    }

    /// `--now` fixes the clock, and only then is it not checked against the API's.
    @Test func onlyNowFixesTheClock() {
        #expect(!CommandClock().isFixed)
        #expect(CommandClock(start: Self.now).isFixed)
    }

    /// A fixed clock reads its start first and one millisecond more each time after, in
    /// every copy, however long the command takes: the same commands record the same
    /// times (it ran on at the real pace, and two backfills of one file ended in two head
    /// hashes, probe 128).
    @Test func aFixedClockMovesAMillisecondAReading() {
        let clock = CommandClock(start: Self.now)
        let copy = clock
        #expect(clock.now() == Self.now)
        #expect(copy.now() == Self.now.adding(milliseconds: 1))
        #expect(clock.now() == Self.now.adding(milliseconds: 2))
    }

    /// A reading at the very moment of one the ledger holds (a fixed --now given to fetch
    /// after fetch) is a clear refusal (78): it was a UNIQUE constraint's SQL and exit 70.
    /// A minute before the newest is allowed (two machines' clocks); more is refused.
    @Test func aReadingAtTheMomentOfAnotherIsRefused() throws {
        let directory = try TemporaryDirectory()
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        try ledger.write { writer in
            _ = try writer.append(.snapshotTaken(SnapshotTaken(
                observedAt: Self.now, totalCredits: Self.usd("10"), totalUsage: Self.usd("1"), source: "api", rawBody: "{}")),
                account: "ops", runID: nil, at: Self.now)
        }
        let held = try ledger.read { try $0.snapshots(account: "ops") }
        let same = #expect(throws: UsageError.self) { try FetchStage.checkReadingTime(Self.now, account: "ops", held: held, fixed: false) }
        #expect(same.map { ExitStatus(for: $0) } == .config)
        #expect(String(describing: same).contains("two readings cannot share a moment"), "\(String(describing: same))")
        let behind = #expect(throws: UsageError.self) {
            try FetchStage.checkReadingTime(Self.now.adding(milliseconds: -60_001), account: "ops", held: held, fixed: false)
        }
        #expect(String(describing: behind).contains("before the newest reading of account ops"))
        try FetchStage.checkReadingTime(Self.now.adding(milliseconds: 1), account: "ops", held: held, fixed: false)
        try FetchStage.checkReadingTime(Self.now.adding(milliseconds: -60_000), account: "ops", held: held, fixed: false)
        // Dated by --now, no clock's error excuses a reading a millisecond before the newest
        // (`run`, then `fetch` at the same --now, probe 129), or at its moment.
        for offset: Int64 in [-1, 0] {
            let early = #expect(throws: UsageError.self) {
                try FetchStage.checkReadingTime(Self.now.adding(milliseconds: offset), account: "ops", held: held, fixed: true)
            }
            #expect(early.map { ExitStatus(for: $0) } == .config)
            #expect(String(describing: early).contains("Give a --now after 2026-03-15T06:00:00.000Z"), "\(String(describing: early))")
        }
        try FetchStage.checkReadingTime(Self.now.adding(milliseconds: 1), account: "ops", held: held, fixed: true)
        // By a clock that agrees with the API's, a reading before the newest is stored, the
        // newest said as dated ahead: every fetch was refused until the clock passed a
        // reading imported a day ahead (probe 260). The same moment is still refused.
        let day: Int64 = 86_400_000
        let note = try FetchStage.checkReadingTime(
            Self.now.adding(milliseconds: -day), account: "ops", held: held, fixed: false, clockChecked: true)
        #expect(note?.hasPrefix("the ledger holds a reading of account ops dated after this one (2026-03-14T06:00:00.000Z), "
            + "the newest at 2026-03-15T06:00:00.000Z, though this machine's clock agrees with the API's") == true, "\(note ?? "")")
        #expect(try FetchStage.checkReadingTime(
            Self.now.adding(milliseconds: 1), account: "ops", held: held, fixed: false, clockChecked: true) == nil)
        #expect(throws: UsageError.self) {
            try FetchStage.checkReadingTime(Self.now, account: "ops", held: held, fixed: false, clockChecked: true)
        }
        #expect(throws: UsageError.self) {
            try FetchStage.checkReadingTime(Self.now.adding(milliseconds: -day), account: "ops", held: held, fixed: true, clockChecked: false)
        }
    }

    /// A listing that says a key was made after the listing was read (beyond the clocks'
    /// tolerance) is refused: such a key brought its whole usage into the books as spent
    /// since the last reading, and the account's use did not (probe 80 F3).
    @Test func aKeyMadeAfterItsListingIsRefused() {
        func listing(createdAfter milliseconds: Int64) -> KeysRead {
            KeysRead(observedAt: Self.now, keys: [
                KeyReading(hash: "0123456789abcdef", name: "new", label: nil, disabled: false, usage: Self.usd("3"), byokUsage: nil,
                           limit: nil, limitRemaining: nil, limitReset: nil, createdAt: Self.now.adding(milliseconds: milliseconds)),
            ], rawBodies: ["{}"])
        }
        #expect(throws: Never.self) { try FetchStage.checkCreationTimes(listing(createdAfter: -86_400_000)) }
        #expect(throws: Never.self) { try FetchStage.checkCreationTimes(listing(createdAfter: ClockCheck.tolerance)) }
        let late = #expect(throws: APIError.self) { try FetchStage.checkCreationTimes(listing(createdAfter: ClockCheck.tolerance + 1)) }
        #expect(late.map { FetchCallFailed(call: "GET /keys", kept: FetchKept(snapshotAt: Self.now), error: $0).exitStatus.rawValue } == 76)
        #expect(late.map(String.init(describing:))?.contains(
            "GET /keys lists key 01234567 as created at 2026-03-15T06:05:00.001Z, after the listing was read (2026-03-15T06:00:00.000Z); "
                + "a key cannot be listed before it is made") == true, "\(String(describing: late))")
    }

    /// A key whose hash is the reports' name for the use no key explains, or empty, is
    /// refused: `usage_by_key.csv` had two `unattributed` rows in a period (probe 154).
    @Test func aKeyNamedLikeTheUnattributedRowIsRefused() {
        func listing(_ hash: String) -> KeysRead {
            KeysRead(observedAt: Self.now, keys: [
                KeyReading(hash: hash, name: "sneaky", label: nil, disabled: false, usage: Self.usd("3"), byokUsage: nil,
                           limit: nil, limitRemaining: nil, limitReset: nil, createdAt: nil),
            ], rawBodies: ["{}"])
        }
        #expect(throws: Never.self) { try FetchStage.checkHashes(listing("Unattributed2")) }
        for (hash, said) in [("unattributed", "a key whose hash is \"unattributed\", the name the reports give the use no key explains"),
                             ("", "a key with an empty hash")] {
            let refused = #expect(throws: APIError.self) { try FetchStage.checkHashes(listing(hash)) }
            #expect(refused.map { FetchCallFailed(call: "GET /keys", kept: FetchKept(snapshotAt: Self.now), error: $0).exitStatus.rawValue } == 76)
            #expect(refused.map(String.init(describing:))?.contains(said) == true, "\(String(describing: refused))")
        }
    }

    /// A key whose running usage is lower than at its latest earlier reading is a warning
    /// of `fetch` (exit 1), as the account's total going down is; it was found only by a
    /// later report.
    @Test func aKeysUsageGoingDownIsAWarningOfTheFetch() {
        func key(_ hash: String, _ usage: String) -> KeyReading {
            KeyReading(hash: hash, name: hash.uppercased(), label: nil, disabled: false, usage: Self.usd(usage), byokUsage: nil,
                       limit: nil, limitRemaining: nil, limitReset: nil, createdAt: nil)
        }
        let earlier = [
            KeyReadingRow(listingID: 1, account: "ops", observedAt: Self.now.adding(seconds: -7200), key: key("a", "9")),
            KeyReadingRow(listingID: 2, account: "ops", observedAt: Self.now.adding(seconds: -3600), key: key("a", "6.17")),
            KeyReadingRow(listingID: 2, account: "ops", observedAt: Self.now.adding(seconds: -3600), key: key("b", "2")),
        ]
        let listing = KeysRead(observedAt: Self.now, keys: [key("a", "1"), key("b", "2.5"), key("c", "0")], rawBodies: ["{}"])
        let findings = FetchStage.decreases(in: listing, account: "ops", earlier: earlier)
        #expect(findings.map(\.kind) == [.usageDecreased])
        #expect(findings.first?.amount == Self.usd("-5.17"))
        #expect(findings.first?.reference == "a")
        #expect(findings.first?.severity == .warning)
        #expect(findings.first?.message.contains("key \"A\" a's usage went down by 5.17 USD, to 1") == true)
    }
}
