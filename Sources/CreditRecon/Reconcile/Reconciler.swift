import CreditTypes
import Ledger

/// Turns the ledger's readings and charges into periods, charge fates and findings
/// (DESIGN.md § Reconciliation).
///
/// Rises and falls come from consecutive trusted readings, each in the period of its
/// later reading, so period sums equal boundary differences and
/// `opening + purchased − used = closing` holds; it is still checked for every period,
/// and a failure is an error finding, never patched. Matching and charge fates are worked
/// out over the whole history, so narrowing `--from`/`--to` never changes a charge's fate.
public struct Reconciler: Sendable {
    /// What to reconcile and the thresholds.
    public let options: ReconcileOptions

    /// A reconciler with `options`.
    public init(options: ReconcileOptions) { self.options = options }

    /// Reads the ledger as of one state and reconciles it.
    ///
    /// - Parameters:
    ///   - asOf: the time charges are judged at (pending or expired); `nil` means the newest
    ///     journal entry's time, which keeps reports independent of the clock.
    ///   - lead: how long after `asOf` the newest entry may be and still count as `asOf`'s
    ///     (it is then the time judged at, `Reconciliation.asOf`): a command given one
    ///     `--now` dates its entries a few milliseconds after it (`status`, probe 150).
    ///   - progress: hears the reading start, then the reconciling.
    public func reconcile(
        _ ledger: Ledger, asOf: Timestamp? = nil, lead: Int64 = 0, progress: (ReportProgress) -> Void = { _ in }
    ) throws -> Reconciliation {
        let calendar = try PeriodCalendar(timeZone: options.timeZone)
        progress(ReportProgress(.reading))
        let input = try readBooks(ledger)
        progress(ReportProgress(.reconciling(readings: input.snapshots.count, charges: input.charges.count)))
        let judged = asOf.map { given in
            input.newest.flatMap { $0 > given && $0.millisecondsSinceEpoch - given.millisecondsSinceEpoch <= lead ? $0 : nil }
                ?? given
        }
        return try reconcile(input, calendar: calendar, asOf: judged ?? input.newest ?? Timestamp(millisecondsSinceEpoch: 0))
    }

    /// What the ledger holds for the account, read in one transaction.
    struct Input: Sendable {
        var snapshots: [SnapshotRow]
        var charges: [LedgerReader.ChargeRecord]
        /// The recorded charges voided, out of every reckoning (`ChargeVoided`).
        var voided: [LedgerReader.ChargeRecord] = []
        var chargeless: [LedgerReader.ChargelessTopUp]
        var failedRuns: [RunRow] = []
        /// The ledger's newest runs, of any account, newest first.
        var recentRuns: [RunRow] = []
        /// The rows of the writer at work (`options.writer`).
        var rowsAtWork = RowsAtWork()
        /// Every listing of the account's keys, in time order, and their keys by listing.
        var keyListings: [KeyListingRow] = []
        var keyReadings: [KeyReadingRow] = []
        /// The account's stored activity (the whole account's, not one key's): each day as
        /// last read, its lines, and the days read again.
        var activity = StoredActivity.none
        var newest: Timestamp?
        var headHash: String
        /// `Ledger.damageSigns()`.
        var damage: [String] = []
    }

    /// How many of the ledger's newest runs are read (`Reconciliation.recentRuns`): a
    /// writer's own runs, a `run` job's and its stages', are never more.
    static let recentRunCount: Int64 = 16

    /// Reads the books: everything reconciling needs from the ledger, as of one state.
    ///
    /// This is the only step that knows how the ledger is read; every later step works on
    /// the `Input` it returns. The charges are read alongside the rest (the ledger may read
    /// them on another core).
    func readBooks(_ ledger: Ledger) throws -> Input {
        let account = options.account
        let writer = options.writer
        var (input, charges) = try ledger.read({ reader in
            var input = Input(
                snapshots: try reader.snapshots(account: account),
                charges: [],
                chargeless: try reader.chargelessTopUps(account: account),
                failedRuns: try reader.failedRuns(account: account),
                recentRuns: try reader.runs(limit: Self.recentRunCount),
                keyListings: try reader.keyListings(account: account),
                keyReadings: try reader.keyReadings(account: account),
                activity: try reader.activity(account: account),
                newest: try reader.newestJournalTime(),
                headHash: try reader.head().hash)
            input.rowsAtWork = try RowsAtWork(writer: writer, among: input.recentRuns, reader: reader)
            return input
        }, alongside: { reader in try reader.charges(account: account) })
        // A voided charge is out of the books: only its finding says it was there. (Most
        // books have none: their million charges are kept as read, not copied.)
        if charges.contains(where: { $0.status == "void" }) {
            input.voided = charges.filter { $0.status == "void" }
            charges.removeAll { $0.status == "void" }
        }
        input.charges = charges
        // The report stamped the head hash of a ledger whose guards were gone, or cut, on
        // books that said nothing of it (probe 153).
        input.damage = try ledger.damageSigns()
        return input
    }

    /// Reconciles what `readBooks` read, step by step; the steps live in the
    /// `Reconciler+…` files and `PeriodGrid`.
    ///
    /// Findings are collected in the same order the steps run (readings, matching, charges,
    /// then the whole-range checks); the report sorts them, and ties keep this order.
    func reconcile(_ input: Input, calendar: PeriodCalendar, asOf: Timestamp) throws -> Reconciliation {
        var findings: [Finding] = []

        // Readings: which to believe, and what moved between consecutive ones.
        let readings = trustedReadings(input.snapshots, findings: &findings)
        let steps = readingSteps(between: readings.trusted, findings: &findings)

        // Charges: matched to rises of credits over the whole history, then each one's state.
        let matcher = ChargeMatcher(options: options)
        let increases = creditIncreases(in: steps)
        let matched = matchCharges(input.charges, to: increases, matcher: matcher, findings: &findings)
        var alike: [String: PaidInPlace] = [:], madeAgain: [String: String] = [:]
        let inFlight = inFlightRuns(input)
        var lines = chargeLines(
            input, matcher: matcher, matched: matched, increases: increases, inFlight: inFlight, asOf: asOf,
            trusted: readings.trusted, findings: &findings, alikeByCharge: &alike, madeAgainBy: &madeAgain)

        // Periods: the range, and the books of each period in it.
        let range = try periodRange(input, calendar: calendar, asOf: asOf)
        var grid = try PeriodGrid(from: range.from, to: range.to, kind: options.period, calendar: calendar)
        try Self.checkExactRange(input, account: options.account, steps: steps, from: grid.periods.first?.startInstant ?? grid.rangeEnd, to: grid.rangeEnd, range: range)
        grid.addMovements(steps, explained: matched.explained)
        grid.addBalances(readings.trusted)
        grid.addCharges(lines)

        // Findings about the whole range; the runway as of its end, at the last reading the
        // range holds (a month-close report showed today's balance beside its closing one).
        let runway = Runway.at(Array(readings.trusted.prefix { $0.observedAt < grid.rangeEnd }))
        findings += runwayFindings(runway)
        findings += overdraftFindings(readings.trusted, before: grid.rangeEnd)
        findings += failedRunFindings(input.failedRuns)
        findings += voidedChargeFindings(input.voided)
        findings += balanceCheckFindings(grid.periods)

        // Where the usage went: by key per period, the activity's bounds, lost days, limits.
        let listings = Self.rangesByListing(input.keyReadings)
        var dayTotals: [Int64: DayTotal] = [:]
        for day in input.activity.days { dayTotals[day.date.daysSinceEpoch] = DayTotal() }
        for row in input.activity.lines { dayTotals[row.date.daysSinceEpoch, default: DayTotal()].add(row.line.usage) }
        let firstRead = (input.activity.days.map(\.observedAt) + input.activity.readAgain.map(\.earlier.observedAt)).min()
        let storedDays = Set(dayTotals.keys)
        let lostDays = Self.daysLostToWindow(firstReading: input.snapshots.first?.observedAt, storedDays: storedDays, asOf: asOf)
        let keyUsage = attributeUsage(
            input, listings: listings, trusted: readings.trusted, untrusted: readings.untrusted, grid: grid,
            lostDays: Set(lostDays), findings: &findings)
        findings += activityBoundFindings(readings.trusted, dayTotals: dayTotals)
        findings += activityRevisedFindings(input.activity.readAgain)
        findings += activityLostFindings(lostDays, storedDays: storedDays, trusted: readings.trusted, firstRead: firstRead)
        let standing = keyStanding(input, listings: listings, trusted: readings.trusted, grid: grid)
        findings += keyLimitFindings(standing.keys.map(\.key), readAt: standing.readAt)

        // Only what falls in the range is reported; damage of the ledger, whatever the range.
        let damaged = input.damage.isEmpty ? [] : [Finding(
            .error, .ledgerDamaged, at: asOf, account: options.account,
            message: "the ledger is damaged, so any write to it is refused (74; a command with nothing to write goes on): \(input.damage.joined(separator: "; ")); "
                + "these books may not be what it was given: run `credit-recon verify` to see what is and what to do")]
        let scopedFindings = damaged + scope(findings, to: &grid)
        scope(&lines, to: grid)
        var earliest: [String: KeyReadingRow] = [:]
        for row in input.keyReadings where row.observedAt <= asOf {
            if let held = earliest[row.key.hash], held.observedAt <= row.observedAt { continue }
            earliest[row.key.hash] = row
        }
        let everyKey = earliest.values.sorted { a, b in
            a.observedAt != b.observedAt ? a.observedAt < b.observedAt : a.key.hash < b.key.hash
        }.map(\.key)

        var books = Reconciliation(
            account: options.account, asOf: asOf, headHash: input.headHash, timeZone: calendar.identifier,
            period: options.period, from: range.from, to: range.to, periods: grid.periods, charges: lines,
            findings: scopedFindings, runway: runway,
            trustedReadings: readings.trusted.reduce(0) { grid.contains($1.observedAt) ? $0 + 1 : $0 },
            untrustedReadings: readings.untrusted.reduce(0) { grid.contains($1.observedAt) ? $0 + 1 : $0 },
            keyUsage: keyUsage, keys: standing.keys, keysReadAt: standing.readAt, everyKey: everyKey,
            firstKeysReadAt: input.keyListings.first?.observedAt,
            activity: scopedActivity(input.activity.lines, from: range.from, to: range.to),
            activityOfPeriods: input.activity.lines.filter { grid.contains(Self.dayEnd($0.date)) }, recentRuns: input.recentRuns,
            inFlightRuns: inFlight, alikeTakenInstead: alike, madeAgainBy: madeAgain)
        books.chargelessPlanFiles = Dictionary(input.chargeless.map { ($0.key, $0.planFile) }, uniquingKeysWith: { first, _ in first })
        // By the day lost, not by when it left the API's window: a day of the range that left
        // it after the range ended went uncounted (probe 327).
        books.activityLostDays = findings.count { finding in
            finding.kind == .activityLost
                && finding.reference.flatMap(CivilDate.init(isoText:)).map { $0 >= range.from && $0 < range.to } == true
        }
        return books
    }

    /// `items.sorted(by: order)`, the same permutation, without moving the big values
    /// about: the indices are sorted (the same algorithm on the same comparisons gives the
    /// same order), and input that is already in order, as charges read oldest first
    /// mostly are, is returned as it is.
    static func sorted<T>(_ items: [T], by order: (T, T) -> Bool) -> [T] {
        items.withUnsafeBufferPointer { buffer in
            var inOrder = true
            for index in buffer.indices.dropFirst() where order(buffer[index], buffer[index - 1]) {
                inOrder = false
                break
            }
            if inOrder { return items }
            let permutation = Array(buffer.indices).sorted { order(buffer[$0], buffer[$1]) }
            return permutation.map { buffer[$0] }
        }
    }
}

