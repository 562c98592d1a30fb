import CreditTypes
import Ledger
import OpenRouterAPI

/// `fetch`: checks with `GET /key` that the key is a management key, reads the running
/// totals from `GET /credits` and stores them as a snapshot, then a reading of every key
/// (`GET /keys`) and each completed UTC day of activity of the API's window that the
/// ledger does not hold yet (`GET /activity`), inside a run, under the writer lock; reports
/// findings about what it read.
///
/// Each call after the snapshot is a step of its own: when one fails, what was stored
/// before it stays, the run ends `failed`, and the error names the call (`FetchCallFailed`).
public struct FetchStage: Sendable {
    /// What to read besides the snapshot.
    public struct Options: Sendable {
        /// Read every key (`GET /keys`); off for a key that may not list them.
        public var readKeys: Bool
        /// Read the days of activity not yet stored (`GET /activity`).
        public var readActivity: Bool
        /// An enabled key of the listing with less than this left of its limit (or under
        /// 10 % of it) is a `key_limit_low` finding, the report's rule.
        public var minKeyRemaining: Micros

        public init(
            readKeys: Bool = true, readActivity: Bool = true, minKeyRemaining: Micros = ReconcileOptions.defaultMinKeyRemaining
        ) {
            self.readKeys = readKeys
            self.readActivity = readActivity
            self.minKeyRemaining = minKeyRemaining
        }
    }

    /// What a fetch did.
    public struct Outcome: Sendable {
        /// The reading, as stored.
        public let snapshot: SnapshotTaken
        /// The key listing, as stored; `nil` when skipped (`--no-keys`).
        public let keys: KeysRead?
        /// The days of activity stored by this fetch, oldest first; `nil` when skipped
        /// (`--no-activity`).
        public let activityDays: [ActivityDay]?
        /// Days already stored that were compared with the API's answer.
        public let activityDaysChecked: Int
        /// The days of those the API answered otherwise, read again and stored beside the
        /// earlier reading, oldest first.
        public let activityDaysReadAgain: [ActivityDay]
        /// The day before today by this machine's clock, when the API, whose clock had not
        /// passed midnight UTC, did not answer it yet: the next fetch stores it.
        public var activityDayNotYet: CivilDate? = nil
        /// The days after the newest one stored that left the API's window before a fetch
        /// stored them, found by this fetch: an `activity_lost` warning unless the readings
        /// show no use across any of them, when this alone says so (probe 425: nothing did).
        public var activityDaysGone: DaysGone? = nil

        /// Days of activity gone unread, `idle` of them with no use across them.
        public struct DaysGone: Sendable {
            public let first: CivilDate
            public let last: CivilDate
            public let count: Int
            public let idle: Int
        }
        /// The run that recorded it.
        public let runID: Int64
        /// Findings about the reading; non-empty means exit 1.
        public let findings: [Finding]
        /// The account.
        public let account: String
        /// The journal head after the run.
        public let headHash: String

        /// `0` when nothing needs a person, `1` with findings.
        public var exitStatus: ExitStatus { findings.isEmpty ? .ok : .attention }
    }

    /// The API's window of activity: this many completed UTC days before today.
    static let activityWindowDays: Int64 = 30

    /// The command's context (ledger, account, clock, API options).
    public let context: CommandContext

    /// What to read besides the snapshot.
    public let options: Options

    /// The caller already holds the writer lock (the `run` command).
    public let lockHeld: Bool

    /// The command's SIGINT/SIGTERM when the caller traps them (the `run` command); `nil`:
    /// the stage traps them itself.
    public let interruption: Interruption?

    /// Hears each call before it is made, in words (`GET /activity?date=2026-11-03, day 3
    /// of 30 to store`), for the progress line.
    public let progress: @Sendable (String) -> Void

    /// A fetch for the command in `context`.
    public init(
        context: CommandContext, options: Options = Options(), lockHeld: Bool = false, interruption: Interruption? = nil,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.context = context
        self.options = options
        self.lockHeld = lockHeld
        self.interruption = interruption
        self.progress = progress
    }

    /// Takes the lock, calls the API with a client built from the context, and records the run.
    /// SIGINT or SIGTERM ends it early: no new call, the one on the wire is finished and
    /// stored, and the run ends `failed` with exit 75 (`FetchStopped`).
    public func run() async throws -> Outcome {
        try context.checkBaseURL()
        let key = try context.managementKey()
        let client = OpenRouterClient(configuration: ClientConfiguration(
            baseURL: try context.keyBaseURL(), managementKey: key, timeout: context.timeout,
            maxRetryTime: context.maxRetryTime, userAgent: CreditReconVersion.userAgent, logger: context.logger))
        do {
            let outcome = try await Interruption.trapping(interruption, logger: context.logger) { interruption in
                interruption.onSignal { _ in client.interrupt() }
                return try await run(client: client, interruption: interruption)
            }
            await client.shutdown()
            return outcome
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Shows the call about to go out on the progress line, unless a signal came: then it
    /// is not sent (probe 77 saw "day 4 of 30" drawn for a day never asked for).
    private func showing(_ call: String, _ interruption: Interruption?) {
        if interruption?.signal == nil { progress(call) }
    }

    /// The stage with a given client (tests pass one pointed at the simulator); a call the
    /// client did not send after `interruption` was raised ends the run as stopped.
    public func run(client: OpenRouterClient, interruption: Interruption? = nil) async throws -> Outcome {
        let lock = lockHeld ? nil : try context.lockWriter()
        defer { withExtendedLifetime(lock) {} }
        let started = context.now()
        // A label looking like one the ledger holds is refused before the key goes out
        // (probe 305: `fetch --account Default` asked GET /key first), as are books that
        // would refuse to keep what the API answers.
        // A signal as it waits for another session's lock, before anything is sent or stored,
        // stops it there (probe 453: it waited the lock out).
        let stopped = "no reading was stored; run fetch again"
        let existing = try Interruption.givingUpLockWaits(on: interruption, outcome: stopped) { opened in
            let existing = try context.existingLedgerForAccount(opened: opened)
            try existing?.checkWritable()
            return existing
        }
        // The key is checked before the ledger is opened: a key that is not a management key
        // leaves nothing behind, not even a run. A call that fails is recorded as a failed run.
        var keyFailure: APIError?
        var isManagementKey = true
        var answeredAt: Timestamp?
        do throws(APIError) {
            showing("GET /key", interruption)
            let metadata = try await client.getKeyMetadata()
            isManagementKey = metadata.isManagementKey
            answeredAt = metadata.answeredAt
        } catch {
            keyFailure = error
        }
        // Stopped before any call went out (a signal before the stage began): nothing to
        // record, so no run, and no ledger made for one (probe 78).
        if let keyFailure, let stopped = Self.stopped(keyFailure, at: "GET /key", kept: .nothing, by: interruption) { throw stopped }
        guard isManagementKey else { throw Self.notManagementKey }
        if keyFailure == nil, !context.clock.isFixed, let unchecked = try ClockCheck.check(context.now(), against: answeredAt, for: .readings) {
            context.logger.warning("\(unchecked)")
        }
        // The clock agrees with the API's: readings dated by it are on time.
        let clockAgrees = keyFailure == nil && !context.clock.isFixed && answeredAt != nil
        let account = context.account
        let (ledger, runID) = try Interruption.givingUpLockWaits(on: interruption, outcome: stopped) { opened in
            let ledger = try existing ?? context.openLedger()
            opened(ledger)
            return (ledger, try ledger.write { writer in
                try writer.append(.runStarted(RunStarted(command: "fetch")), account: account, runID: nil, at: started)
            })
        }
        var run = FetchRun(ledger: ledger, account: account, runID: runID)
        // Whatever ends the run from here on is recorded as its failure: a run left open
        // would be no news to `report`, night after night.
        do {
            let reading: CreditsReading
            do throws(APIError) {
                if let keyFailure { throw keyFailure }
                showing("GET /credits", interruption)
                reading = try await client.getCredits()
            } catch {
                let call = keyFailure == nil ? "GET /credits" : "GET /key"
                let failure: any ExitCoded = Self.stopped(error, at: call, kept: .nothing, by: interruption)
                    ?? FetchCallFailed(call: call, kept: .nothing, error: error)
                try run.finish(failed: failure, at: context.now())
                throw failure
            }
            let observedAt = context.now()
            let snapshot = SnapshotTaken(
                observedAt: observedAt, totalCredits: reading.totalCredits, totalUsage: reading.totalUsage,
                source: "api", rawBody: reading.rawBody)
            // Every reading is kept, even a suspicious one: the reconciliation decides what to
            // believe, and the raw body lets a person check.
            var readingLeftOut = false
            try ledger.write { writer in
                let held = try writer.reader.snapshots(account: account)
                if let ahead = try Self.checkReadingTime(
                    observedAt, account: account, held: held, fixed: context.clock.isFixed, clockChecked: clockAgrees),
                   let newest = held.last {
                    run.findings.append(Finding(
                        .warning, .readingAhead, at: observedAt, account: account, reference: newest.observedAt.iso8601,
                        message: ahead))
                }
                // Within the minute `reading_ahead` allows two clocks too: the report says a fall
                // to a reading dated after this one wherever it is (probe 367: 59 s, exit 0).
                run.findings += Self.fallsToTheReadingAhead(snapshot, held: held, account: account)
                let earlier = held
                    .filter { $0.observedAt <= observedAt }
                    .map { (credits: $0.totalCredits, usage: $0.totalUsage) }
                let checked = SnapshotCheck.findings(for: snapshot, earlier: earlier, account: account)
                readingLeftOut = checked.contains { $0.kind == .zeroReading }
                run.findings += checked
                try writer.append(.snapshotTaken(snapshot), account: account, runID: runID, at: observedAt)
            }
            run.summary.append("snapshot total_credits \(snapshot.totalCredits) total_usage \(snapshot.totalUsage)")
            run.kept.snapshotAt = observedAt

            var keys: KeysRead?
            if options.readKeys {
                showing("GET /keys", interruption)
                let clockChecked = !context.clock.isFixed
                let listing = try await step("GET /keys", run, interruption) { () async throws(APIError) in
                    let listing = KeysRead(try await client.listKeys(), observedAt: context.now())
                    try Self.checkHashes(listing)
                    if clockChecked { try Self.checkCreationTimes(listing) }
                    return listing
                }
                try ledger.write { writer in
                    try Self.checkListingTime(listing.observedAt, account: account, reader: writer.reader)
                    // Left out of the books with the reading it goes with (a zero reading): its
                    // keys are not measured either, so a key "going down" that night is not said.
                    if !readingLeftOut {
                        run.findings += Self.decreases(in: listing, account: account, earlier: try writer.reader.keyReadings(account: account))
                    }
                    _ = try writer.append(.keysRead(listing), account: account, runID: runID, at: listing.observedAt)
                }
                // Said on every fetch while it lasts, as an overdrawn balance is: a nightly
                // `fetch` alone exited 0 of a spent key that `status` called 1 (probe 378).
                run.findings += Reconciler.keyLimitFindings(
                    listing.keys, readAt: listing.observedAt, account: account, minKeyRemaining: options.minKeyRemaining)
                keys = listing
                run.summary.append("keys \(listing.keys.count)")
                run.kept.keyReadings = true
            }

            var activity: ActivityRead?
            if options.readActivity {
                activity = try await readActivity(client: client, into: &run, interruption: interruption)
            }

            try run.finish(at: context.now())
            return Outcome(
                snapshot: snapshot, keys: keys, activityDays: activity?.stored, activityDaysChecked: activity?.checked ?? 0,
                activityDaysReadAgain: activity?.readAgain ?? [], activityDayNotYet: activity?.notYet, activityDaysGone: activity?.gone, runID: runID, findings: run.findings, account: account,
                headHash: try ledger.headHash())
        } catch {
            if !(error is FetchCallFailed), !(error is FetchStopped), !(error is APIError) {
                let recorded = (try? run.finish(failed: error, at: context.now())) != nil
                // What was stored before a write that failed is said (a lost writer lock ends `run`
                // as it is, `RunStage` telling it by its type).
                if !run.kept.isEmpty, (error as? LedgerError)?.isWriterLockLost != true {
                    throw FetchStoreFailed(kept: run.kept, error: error, runRecorded: recorded)
                }
            }
            throw error
        }
    }

    /// The keys whose running usage `listing` shows lower than their latest earlier
    /// reading: warnings, as a running total going down is for the account's.
    static func decreases(in listing: KeysRead, account: String, earlier: [KeyReadingRow]) -> [Finding] {
        var latest: [String: (at: Timestamp, usage: Micros)] = [:]
        for row in earlier where row.observedAt < listing.observedAt {
            if let held = latest[row.key.hash], row.observedAt < held.at { continue }
            latest[row.key.hash] = (row.observedAt, row.key.usage)
        }
        return listing.keys.compactMap { key in
            guard let before = latest[key.hash], key.usage < before.usage else { return nil }
            return .keyUsageDecreased(key, by: key.usage - before.usage, at: listing.observedAt, account: account)
        }
    }

    /// Refuses a reading dated more than a minute before the account's newest one (a clock
    /// set back, or a --now before the books, would store today's totals dated before a
    /// later reading, out of order for good: the books would show use going down; a minute
    /// is two machines' clocks, not that), or at the very moment of one (a fixed --now
    /// given to fetch after fetch: it was the store's UNIQUE constraint, exit 70). 78 each.
    /// Dated by --now (`fixed`), a reading at or before the newest is refused: no other
    /// machine's clock is the reason, and `run` then `fetch` at one --now stored the
    /// fetch's newer totals a millisecond before the run's reading (use went down by what
    /// was used between them, probe 129).
    ///
    /// Dated by a clock that agrees with the API's (`clockChecked`: its `Date` read, within
    /// `ClockCheck.tolerance`), a reading before the newest is no clock set back: that newest
    /// one was dated ahead (an import's local times read as UTC, another host's clock), and
    /// every fetch was refused until the clock passed it, a day of readings lost (probe 260).
    /// It is stored at its own time, and the warning to log returned.
    @discardableResult
    static func checkReadingTime(
        _ observedAt: Timestamp, account: String, held: [SnapshotRow], fixed: Bool, clockChecked: Bool = false
    ) throws -> String? {
        if fixed, let newest = held.last?.observedAt, observedAt <= newest {
            throw UsageError.config(
                "--now dates this reading \(observedAt.iso8601), \(observedAt == newest ? "the moment of" : "before") the "
                    + "newest reading of account \(account), taken at \(newest.iso8601): a reading is the account's totals "
                    + "as they are now, and dated \(observedAt == newest ? "with" : "before") it, the books would show use "
                    + "going down. Give a --now after \(newest.iso8601). Nothing was stored but the run, recorded as failed")
        }
        var aheadOfThisOne: String?
        if let newest = held.last?.observedAt, observedAt.millisecondsSinceEpoch < newest.millisecondsSinceEpoch - 60_000 {
            let later = held.count - held.partitioningIndex { $0.observedAt > observedAt }
            aheadOfThisOne = "the ledger holds \(later == 1 ? "a reading" : "\(later) readings") of account \(account) dated "
                + "after this one (\(observedAt.iso8601)), the newest at \(newest.iso8601), though this machine's clock "
                + "agrees with the API's (its Date header): \(later == 1 ? "it was" : "they were") dated ahead (a file's "
                + "local times imported as UTC, or another host's clock). This reading is stored at the time it was read; "
                + "`report` says where a running total then goes down (credits_decreased, usage_decreased)"
        }
        if aheadOfThisOne != nil, !clockChecked, let newest = held.last?.observedAt {
            throw UsageError.config(
                "this machine's clock (or --now) says \(observedAt.iso8601), before the newest reading of account "
                    + "\(account), taken at \(newest.iso8601): a reading stored now would be dated before it for good, and "
                    + "the books would show use going down. Set the clock right (or give a later --now) and fetch again. "
                    + "Nothing was stored but the run, recorded as failed")
        }
        if held.contains(where: { $0.observedAt == observedAt }) {
            throw UsageError.config(
                "the ledger already holds a reading of account \(account) taken at \(observedAt.iso8601), the time this "
                    + "one was read at (--now, or this machine's clock): two readings cannot share a moment. Give a later "
                    + "--now (or fetch again). Nothing was stored but the run, recorded as failed")
        }
        return aheadOfThisOne
    }

    /// What the running totals do from `reading` to the first reading dated after it (one
    /// dated ahead, `checkReadingTime`, or by less than its minute), said as the report says it between them
    /// (`credits_decreased`, `usage_decreased`), so that the fetch storing it exits 1: it
    /// said so in a log line alone, exit 0 and no finding (probe 361). All-zero readings,
    /// left out of the books, are passed over.
    static func fallsToTheReadingAhead(_ reading: SnapshotTaken, held: [SnapshotRow], account: String) -> [Finding] {
        let isZero = { (credits: Micros, usage: Micros) in credits == .zero && usage == .zero }
        // `held` is in time order: the readings after this one are found by halving, not by
        // reading every one of a long history on each fetch.
        let after = held[held.partitioningIndex { $0.observedAt > reading.observedAt }...]
        guard !isZero(reading.totalCredits, reading.totalUsage),
              let ahead = after.first(where: { !isZero($0.totalCredits, $0.totalUsage) })
        else { return [] }
        let between = "between this reading (\(reading.observedAt.iso8601)) and the one dated ahead of it "
            + "(\(ahead.observedAt.iso8601)), taken before it: the report says the fall at that reading, from whichever "
            + "reading comes just before it then. Set right the clock of the host that took it, or the times of the file it "
            + "was imported from"
        var findings: [Finding] = []
        let credits = ahead.totalCredits - reading.totalCredits, usage = ahead.totalUsage - reading.totalUsage
        if credits < .zero {
            findings.append(Finding(
                .warning, .creditsDecreased, at: ahead.observedAt, account: account, amount: credits,
                message: "total_credits goes down by \(credits.magnitude.decimalText) \(between)"))
        }
        if usage < .zero {
            findings.append(Finding(
                .warning, .usageDecreased, at: ahead.observedAt, account: account, amount: usage,
                message: "total_usage goes down by \(usage.magnitude.decimalText) \(between)"))
        }
        return findings
    }

    /// Refuses a key with no hash, or with the one the reports give the use no key
    /// explains: `usage_by_key.csv` had two `unattributed` rows in a period, and a script
    /// summing that row summed a key's use with it (probe 154).
    static func checkHashes(_ listing: KeysRead) throws(APIError) {
        for key in listing.keys where key.hash.isEmpty || key.hash == KeyPeriodUsage.unattributedHash {
            throw .malformedResponse(
                reason: key.hash.isEmpty
                    ? "GET /keys lists a key with an empty hash, which names no key"
                    : "GET /keys lists a key whose hash is \"\(key.hash)\", the name the reports give the use no key explains; "
                        + "a key's hash is the API's digest of it",
                rawBody: nil)
        }
    }

    /// Refuses (76) a listing that says a key was made after the listing was read, by more
    /// than the clocks may differ (this machine's clock was checked against the API's): a key
    /// made after the account's previous reading brings its whole usage into the books, as
    /// spent since. Asked only of a listing dated by the clock, not by --now (a backfill
    /// dated deliberately earlier).
    static func checkCreationTimes(_ listing: KeysRead) throws(APIError) {
        let latest = listing.observedAt.millisecondsSinceEpoch + ClockCheck.tolerance
        for key in listing.keys {
            guard let created = key.createdAt, created.millisecondsSinceEpoch > latest else { continue }
            throw .malformedResponse(
                reason: "GET /keys lists key \(key.hash.prefix(8)) as created at \(created.iso8601), after the listing was read "
                    + "(\(listing.observedAt.iso8601)); a key cannot be listed before it is made",
                rawBody: nil)
        }
    }

    /// Refuses a key listing taken at the very moment of one the ledger holds for the
    /// account (a --now given twice, two hosts at once): two listings cannot say two things
    /// of one moment, and the ledger keeps one an instant (78, like a clock set back).
    static func checkListingTime(_ time: Timestamp, account: String, reader: LedgerReader) throws {
        guard try reader.keyListings(account: account).contains(where: { $0.observedAt == time }) else { return }
        throw UsageError.config(
            "the ledger already holds a key listing of account \(account) taken at \(time.iso8601), the time this one was "
                + "read at (--now, or this machine's clock): two listings cannot share a moment. Give a later --now (or "
                + "fetch again) to store the keys; the snapshot was stored")
    }

    /// Stores every completed UTC day of the API's window that the ledger does not hold
    /// (one `GET /activity?date=` each, oldest first, each committed as it comes), then
    /// compares the days it already held with the API's answer for the whole window. A day
    /// answered otherwise is read again on its own (`GET /activity?date=`) and, when that
    /// answer differs too, stored beside the earlier reading, which stays: it is said once.
    private func readActivity(
        client: OpenRouterClient, into run: inout FetchRun, interruption: Interruption?
    ) async throws -> ActivityRead {
        let edges = Self.windowEdges(at: context.now())
        let today = edges.today, window = edges.window
        let held = try run.ledger.read { try $0.activity(account: run.account) }
        let heldDates = Set(held.days.map(\.date))
        var missing: [CivilDate] = []
        var date = window.lowerBound
        while date <= window.upperBound {
            if !heldDates.contains(date) { missing.append(date) }
            date = date.adding(days: 1)
        }
        var read = ActivityRead()
        var notAnswered: Set<CivilDate> = []
        for (index, day) in missing.enumerated() {
            showing("GET /activity?date=\(day.isoText), day \(index + 1) of \(missing.count) to store", interruption)
            guard let fact = try await readDay(day, client: client, run: run, interruption: interruption,
                                               mayBeOutside: edges.uncertain.contains(day)) else {
                notAnswered.insert(day)
                continue
            }
            try run.store([fact])
            read.stored.append(fact)
        }
        // The days after the newest one stored that left the window since: lost for good,
        // said by the fetch that finds them gone (probe 209: only `report` said so, and a
        // nightly `fetch` exited 0). The oldest day asked near midnight may have left it as
        // it was asked.
        let kept = notAnswered.contains(window.lowerBound) ? window.lowerBound.adding(days: 1) : window.lowerBound
        if let newest = heldDates.max(), newest.adding(days: 1) < kept {
            let first = newest.adding(days: 1), last = kept.adding(days: -1)
            let count = last.daysSinceEpoch - first.daysSinceEpoch + 1
            // A day the readings show no use across lost no use by model: the report's note,
            // not a warning that it is lost for good (probe 388). Said only when a day may
            // have had use, the readings around the days read as the report reads them.
            let around = try run.ledger.read { reader in
                try reader.snapshots(
                    account: run.account, around: Timestamp(millisecondsSinceEpoch: first.daysSinceEpoch * 86_400_000),
                    Timestamp(millisecondsSinceEpoch: (last.daysSinceEpoch + 1) * 86_400_000))
            }
            var untrusted: [Finding] = []
            let trusted = Reconciler(options: ReconcileOptions(account: run.account)).trustedReadings(around, findings: &untrusted).trusted
            let idle = (first.daysSinceEpoch...last.daysSinceEpoch).count { Reconciler.idleAcross(day: $0, trusted) != nil }
            read.gone = Outcome.DaysGone(first: first, last: last, count: Int(count), idle: idle)
            if idle < count {
                run.findings.append(Finding(
                    .warning, .activityLost, at: context.now(), account: run.account, reference: first.isoText,
                    message: "the activity of \(first.isoText)\(count == 1 ? "" : " to \(last.isoText)") (UTC, \(count) "
                        + "day\(count == 1 ? "" : "s")) left GET /activity's 30-day window before a fetch stored it; what was "
                        + "used on which model \(count == 1 ? "that day" : "those days") is lost for good"
                        + (idle == 0 ? "" : " (\(idle) of them with no use across them in the readings: nothing was lost on those)")
                        + ". Check that the nightly fetch runs: the API keeps the last 30 completed days only."))
            }
        }
        if notAnswered.contains(window.upperBound) { read.notYet = window.upperBound }
        // A day the API may have let go of as this fetch asked is not compared with its answer.
        let toCheck = held.days.filter { window.contains($0.date) && !edges.uncertain.contains($0.date) }
        read.checked = toCheck.count
        if !toCheck.isEmpty {
            read.readAgain = try await checkHeldDays(
                toCheck, lines: held.lines, today: today, client: client, into: &run, interruption: interruption)
        }
        run.summary.append("activity \(read.stored.count) new days, \(toCheck.count) checked"
            + (read.readAgain.isEmpty ? "" : ", \(read.readAgain.count) read again")
            + (read.notYet.map { ", \($0.isoText) not yet answered" } ?? ""))
        return read
    }

    /// The completed UTC days of the API's window as this machine's clock at `now` puts it,
    /// and those of them the API's clock, up to `ClockCheck.tolerance` off, may put on the
    /// other side of the window's edge: within that span of midnight UTC and a minute, the day about to
    /// leave or about to join it, and after midnight the day that may not have left yet
    /// (asked too, so that a clock a little ahead loses no day the API still holds).
    static func windowEdges(at now: Timestamp) -> (today: CivilDate, window: ClosedRange<CivilDate>, uncertain: Set<CivilDate>) {
        let today = now.utcDate
        let dayMilliseconds: Int64 = 86_400_000
        let intoDay = ((now.millisecondsSinceEpoch % dayMilliseconds) + dayMilliseconds) % dayMilliseconds
        let oldest = today.adding(days: -activityWindowDays), newest = today.adding(days: -1)
        // A minute more than the clock check allows, for the time the fetch's calls before
        // take (a skew of 5 minutes to the millisecond passed the check, then fell outside).
        let margin = ClockCheck.tolerance + 60_000
        if intoDay < margin {
            return (today, oldest.adding(days: -1)...newest, [oldest.adding(days: -1), newest])
        }
        if intoDay >= dayMilliseconds - margin {
            return (today, oldest...newest, [oldest])
        }
        return (today, oldest...newest, [])
    }

    /// Compares `days`, held, with the API's answer for the whole window (one `GET
    /// /activity`); reads each day answered otherwise again on its own, and stores those
    /// whose own answer differs too, beside the earlier reading. Returns them.
    private func checkHeldDays(
        _ days: [ActivityDayRow], lines: [ActivityLineRow], today: CivilDate, client: OpenRouterClient,
        into run: inout FetchRun, interruption: Interruption?
    ) async throws -> [ActivityDay] {
        showing("GET /activity, to check the \(days.count) days already stored", interruption)
        let answered = try await step("GET /activity", run, interruption) { () async throws(APIError) in
            let reading = try await client.getActivity()
            // A day not yet begun has no use (a day of the window's asked for alone
            // must be that day; this answer spans the window).
            if let stray = reading.rows.first(where: { $0.date > today }) {
                throw .malformedResponse(
                    reason: "GET /activity answered a row for \(stray.date.isoText), a day after today (\(today.isoText), UTC)",
                    rawBody: reading.rawBody)
            }
            return Dictionary(grouping: reading.rows) { $0.date }.mapValues { $0.map(ActivityLine.init) }
        }
        let ids = Set(days.map(\.id))
        var kept = Dictionary(uniqueKeysWithValues: days.map { ($0.date, [ActivityLine]()) })
        for row in lines where ids.contains(row.dayID) { kept[row.date, default: []].append(row.line) }
        let changed = ActivityCheck.changedDays(stored: kept, answered: answered)
        var readAgain: [ActivityDay] = []
        var findings: [Finding] = []
        for (index, day) in changed.enumerated() {
            showing("GET /activity?date=\(day.isoText), day \(index + 1) of \(changed.count) answered otherwise", interruption)
            let held = kept[day] ?? []
            // Never nil: a day the API may have let go of is not checked.
            guard let fact = try await readDay(day, client: client, run: run, interruption: interruption) else { continue }
            let storedAgain = !ActivityCheck.same(held, fact.lines)
            if storedAgain { readAgain.append(fact) }
            findings.append(ActivityCheck.finding(
                date: day, kept: held, now: storedAgain ? fact.lines : answered[day] ?? [], storedAgain: storedAgain,
                at: fact.observedAt, account: run.account))
        }
        // Stored together with what they say, once every day is read: one stored before a
        // later call failed was never said, since the next fetch compared with it (probe
        // 139). A fetch that fails or stops first stores none; the next reads them again.
        try run.store(readAgain)
        run.findings += findings
        return readAgain
    }

    /// Reads one day (`GET /activity?date=`), dated now; `nil` when the day `mayBeOutside`
    /// the API's window (`windowEdges`) and the API refuses it as such (400).
    private func readDay(
        _ day: CivilDate, client: OpenRouterClient, run: FetchRun, interruption: Interruption?, mayBeOutside: Bool = false
    ) async throws -> ActivityDay? {
        let answer = try await step("GET /activity?date=\(day.isoText)", run, interruption) { () async throws(APIError) -> ActivityReading? in
            mayBeOutside ? try await client.getActivity(dayAtTheWindowsEdge: day) : try await client.getActivity(date: day)
        }
        guard let reading = answer else { return nil }
        return ActivityDay(date: day, observedAt: context.now(), lines: reading.rows.map(ActivityLine.init), rawBody: reading.rawBody)
    }

    /// Runs one call after the snapshot; when it fails, the run ends `failed` and the error
    /// names the call.
    private func step<T>(
        _ call: String, _ run: FetchRun, _ interruption: Interruption?, _ body: () async throws(APIError) -> T
    ) async throws -> T {
        do throws(APIError) {
            return try await body()
        } catch {
            let failure: any ExitCoded = Self.stopped(error, at: call, kept: run.kept, by: interruption)
                ?? FetchCallFailed(call: call, kept: run.kept, error: error) as any ExitCoded
            try run.finish(failed: failure, at: context.now())
            throw failure
        }
    }

    /// The stop a call's failure stands for: the client gave up without sending it because
    /// a signal was received.
    private static func stopped(_ error: APIError, at call: String, kept: FetchKept, by interruption: Interruption?) -> FetchStopped? {
        guard case .notSent = error, let signal = interruption?.signal else { return nil }
        return FetchStopped(signal: signal, call: call, kept: kept)
    }
}

/// One fetch's run in the ledger: its facts, each committed as it comes, the findings, and
/// the summary its `run.finished` entry keeps.
private struct FetchRun {
    let ledger: Ledger
    let account: String
    let runID: Int64
    var findings: [Finding] = []
    var summary: [String] = []
    /// What is stored so far.
    var kept = FetchKept.nothing

    func store(_ fact: Fact, at time: Timestamp) throws {
        try ledger.write { writer in _ = try writer.append(fact, account: account, runID: runID, at: time) }
    }

    /// Stores days of activity in one write, and counts them among what is kept.
    mutating func store(_ days: [ActivityDay]) throws {
        guard !days.isEmpty else { return }
        try ledger.write { writer in
            for day in days { _ = try writer.append(.activityDay(day), account: account, runID: runID, at: day.observedAt) }
        }
        kept.activityDays += days.map(\.date)
    }

    /// Ends the run `ok`, or `attention` with findings.
    func finish(at time: Timestamp) throws {
        var text = summary.joined(separator: "; ")
        for finding in findings { text += "; \(finding.kind.rawValue): \(finding.message)" }
        try store(.runFinished(RunFinished(
            runID: runID, outcome: findings.isEmpty ? "ok" : "attention", exitCode: findings.isEmpty ? 0 : 1,
            summary: text)), at: time)
    }

    /// Ends the run `failed` with `error`'s exit code and sentence.
    func finish(failed error: any Error, at time: Timestamp) throws {
        try store(.runFinished(RunFinished(
            runID: runID, outcome: "failed", exitCode: Int64(ExitStatus(for: error).rawValue),
            summary: (error as? any ExitCoded)?.description ?? ExitStatus.message(for: error))),
            at: time)
    }
}

extension FetchStage {
    /// What `fetch` says, and exits 78 with, when `GET /key` answers that the key is not a
    /// management key. Nothing in it comes from the key or the answer (the API's label for a
    /// key is a part of the key).
    static let notManagementKey = UsageError.config(
        "the key in OPENROUTER_API_KEY (or --api-key-file) is not a management key, and fetch needs one: only a "
            + "management key can read the account's running totals (GET /credits; an ordinary key is answered with "
            + "zeros that would look like real books), every key's use (GET /keys) and the daily activity "
            + "(GET /activity). Create one under OpenRouter's settings → Management API keys and set "
            + "OPENROUTER_API_KEY to it (keep ordinary keys for inference and OPENROUTER_BEARER). Nothing was stored.")
}

extension FetchStage.Outcome {
    /// The `--json` summary: exact totals as decimal text strings; `keys` and `activity`
    /// are `null` when skipped.
    public var json: JSONOutput {
        .object([
            "account": .string(account),
            "observed_at": .string(snapshot.observedAt.iso8601),
            "total_credits": .string(snapshot.totalCredits.decimalText),
            "total_usage": .string(snapshot.totalUsage.decimalText),
            "balance": .string((snapshot.totalCredits - snapshot.totalUsage).decimalText),
            "keys": keys.map { listing in
                .object([
                    "observed_at": .string(listing.observedAt.iso8601), "count": .int(Int64(listing.keys.count)),
                    "disabled": .int(Int64(listing.keys.count { $0.disabled == true })),
                ])
            } ?? .null,
            "activity": activityDays.map { days in
                .object([
                    "days_stored": .array(days.map { .string($0.date.isoText) }),
                    "days_checked": .int(Int64(activityDaysChecked)),
                    "days_read_again": .array(activityDaysReadAgain.map { .string($0.date.isoText) }),
                    "day_not_yet_answered": activityDayNotYet.map { .string($0.isoText) } ?? .null,
                    "days_gone_unread": activityDaysGone.map { gone in
                        .object(["from": .string(gone.first.isoText), "to": .string(gone.last.isoText),
                                 "days": .int(Int64(gone.count)), "with_no_use": .int(Int64(gone.idle))])
                    } ?? .null,
                ])
            } ?? .null,
            "run_id": .int(runID),
            "head_hash": .string(headHash),
            "exit_code": .int(Int64(exitStatus.rawValue)),
            "findings": .array(findings.map { finding in
                .object([
                    "kind": .string(finding.kind.rawValue), "severity": .string(finding.severity.rawValue),
                    "message": .string(finding.message), "reference": finding.reference.map(JSONOutput.string) ?? .null,
                    "amount": finding.amount.map { .string($0.decimalText) } ?? .null,
                ])
            }),
        ])
    }

    /// The lines printed for people.
    public var text: String {
        var lines = [
            "snapshot \(snapshot.observedAt.iso8601) account \(account): "
                + "total_credits \(snapshot.totalCredits), total_usage \(snapshot.totalUsage), "
                + "balance \(snapshot.totalCredits - snapshot.totalUsage)",
        ]
        if let keys {
            lines.append("keys: \(keys.keys.count) read (\(keys.keys.count { $0.disabled == true }) disabled)")
        } else {
            lines.append("keys: not read (--no-keys)")
        }
        if let days = activityDays {
            let stored = days.isEmpty ? "no new day stored"
                : days.count == 1 ? "1 day stored (\(days[0].date.isoText))"
                : "\(days.count) days stored (\(days[0].date.isoText) to \(days[days.count - 1].date.isoText))"
            let again = activityDaysReadAgain.map(\.date.isoText)
            lines.append("activity: \(stored), \(activityDaysChecked) stored days checked against the API"
                + (again.isEmpty ? "" : ", \(again.count) of them read again and stored anew (\(again.joined(separator: ", ")))")
                + (activityDayNotYet.map { "; \($0.isoText) is not in the API's window yet (its clock has not passed midnight UTC), the next fetch stores it" } ?? "")
                // With use on any of them, the activity_lost warning says it.
                + (activityDaysGone.flatMap { gone in
                    gone.idle < gone.count ? nil
                        : "; \(gone.first.isoText)\(gone.count == 1 ? "" : " to \(gone.last.isoText)") (\(gone.count) "
                            + "day\(gone.count == 1 ? "" : "s")) left the API's window before a fetch stored "
                            + "\(gone.count == 1 ? "it" : "them"), with no use across \(gone.count == 1 ? "it" : "them") in the "
                            + "readings: nothing was lost"
                } ?? ""))
        } else {
            lines.append("activity: not read (--no-activity)")
        }
        lines.append("ledger head \(headHash)")
        for finding in findings { lines.append("\(finding.severity.rawValue): \(finding.message)") }
        // The account label's direction override as `?` (probe 267: printed as it was), and
        // each line one line: a key's name quoted in a finding wrote lines of its own (probe 380).
        return lines.map(TerminalText.oneLine).joined(separator: "\n")
    }
}
