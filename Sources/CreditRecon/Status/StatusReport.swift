import CreditTypes
import Ledger

/// `status`: balance, pace of use, runway, open charges, how old the last reading is, and
/// what each key can still spend.
public struct StatusReport: Sendable, Equatable {
    /// The account label.
    public var account: String
    /// The time the status is as of (`--now` or the clock).
    public var now: Timestamp
    /// Balance, pace and runway at the latest trusted reading; `nil` without readings.
    public var runway: Runway?
    /// Charges not yet paid nor expired.
    public var pending = OpenCharges()
    /// Of `pending`, the charges past their expiry and the grace with no reading since.
    public var awaitingReading = OpenCharges()
    /// Requests whose outcome nobody knows.
    public var unknown = OpenCharges()
    /// Requests the API refused with 410 Gone (to be paid through the web flow).
    public var blocked = OpenCharges()
    /// Plan rows stored but never sent (their run stopped first, or could not reach the API).
    public var planned = OpenCharges()
    /// The plans (file, batch, account) of the unknown, blocked and planned rows, which the
    /// advice names its commands by (probe 434: `topup PLAN.csv`, without `--batch` or
    /// `--account`, refused or, past 12 hours, bought again).
    public var unknownPlans: Set<PlanOfRows> = []
    public var blockedPlans: Set<PlanOfRows> = []
    public var plannedPlans: Set<PlanOfRows> = []

    /// A plan's file (`nil` when not known), batch and account.
    public struct PlanOfRows: Sendable, Hashable {
        public let planFile: String?
        public let batch: String
        public let account: String
    }
    /// Charges that expired unpaid in the last `recentDays` (none bought: a top-up that did
    /// not happen), and plan rows the API rejected for what they ask in that time (the row
    /// needs fixing).
    public var expiredCharges: [ChargeLine] = []
    public var rejectedRows: [ChargeLine] = []
    /// Charges recorded as paid in the last `recentDays` whose credits no reading shows
    /// (the report's `paid_charge_unmatched` warnings): paid for, and not credited yet.
    public var paidUnmatched: [Finding] = []
    /// Plan rows bought twice as far as the ledger knows (`reference_paid_twice`), the later
    /// purchase in the last `recentDays`: the import said it and exited 1, the next `status`
    /// said nothing (probe 355).
    public var paidTwice: [Finding] = []
    /// Running totals that went down by a reading of the last `recentDays` (the report's
    /// `credits_decreased` and `usage_decreased`, the account's and its keys'): the `fetch`
    /// that read it exited 1, and the next `status` said nothing.
    public var totalsDecreased: [Finding] = []
    /// Whether a reading taken after each of them was paid, and its grace, could have shown
    /// its credits: another reading will not, and OpenRouter is who to ask.
    public var paidUnmatchedReadSince = false
    /// For the expired charges that may have been paid in place of charges of their amount,
    /// by id, those charges' labels (`Reconciliation.alikeTakenInstead`).
    public var alikeTakenInstead: [String: PaidInPlace] = [:]
    public var expired: OpenCharges { OpenCharges(expiredCharges) }
    /// Top-ups still to be bought (blocked, unknown, never sent) beside a charge recorded
    /// without a plan row that is the same purchase (`Reconciler.possiblePurchases`).
    public var possiblePurchases: [PossiblePurchase] = []

    /// A top-up still to be bought, by its reference (else its key), and the charge that may
    /// be its purchase.
    public struct PossiblePurchase: Sendable, Equatable {
        public var row: String
        public var chargeID: String
        /// The row's account (`import charges` names several accounts' rows at once).
        public var account = ""

        /// What to say of `purchases`, the first `namedAtMost` named; `nil` for none.
        static func text(_ purchases: [PossiblePurchase]) -> String? {
            guard !purchases.isEmpty else { return nil }
            let one = purchases.count == 1
            let named = purchases.prefix(StatusReport.namedAtMost).map { "\($0.chargeID) for \($0.row)" }.joined(separator: ", ")
                + (purchases.count > StatusReport.namedAtMost ? ", …" : "")
            return "\(purchases.count) charge\(one ? "" : "s") recorded without a plan row \(one ? "is" : "are") the "
                // Not "still to be bought": an unknown row's charge may have been made (probe 298).
                + "same purchase\(one ? "" : "s") as \(one ? "a plan row" : "plan rows") still without \(one ? "its" : "their") "
                + "charge (blocked, unknown or never sent: \(TerminalText.printable(named))): if "
                + "\(one ? "it was" : "they were") bought for \(one ? "that row" : "those rows"), link \(one ? "them" : "each") with "
                + "`import charges`, \(one ? "its" : "the charge's") row again with the plan row's reference (`report`'s "
                + "findings.csv names each)"
        }
    }
    public var rejected: OpenCharges { OpenCharges(rejectedRows) }
    /// How many of them an attention line names (by reference, else charge id, else key).
    static let namedAtMost = 5
    /// The account's newest `fetch` or `run`, and its newest `topup`, to end, each when it
    /// failed, or a newer one that never ended and is no writer's at work (killed), the
    /// newest first: `status` needs a person until one of its kind ends well (a revoked key
    /// was seen only once the last reading was a day and a half old, probe 82).
    public var failedRuns: [RunRow] = []
    /// The newest of `failedRuns` (`--json`'s `last_run_failed`).
    public var failedRun: RunRow? { failedRuns.first }
    /// Plan rows the top-up running now has still to send, or whose request it is waiting
    /// on: neither forgotten nor of unknown outcome while it runs.
    public var inFlight = OpenCharges()
    /// The writer at work on the ledger as `status` began, if any.
    public var runningWriter: RunningWriter?
    /// The books' `ledger_damaged` finding, said first: a ledger every writer refuses.
    public var damaged: Finding?
    /// Why whether a writer was at work could not be told (its lock file is another user's),
    /// or `nil`: rows a running top-up is sending then show as unknown or never sent.
    public var writerUnseen: String?
    /// That writer's runs not yet ended, as it announced them (`RunningWriter.runs`),
    /// newest first: a `run` job's stage, then the job.
    public var runningRuns: [RunRow] = []
    /// Every key of the latest `GET /keys` listing, by name then hash, with what it can
    /// still spend; empty when the ledger holds no listing of the account.
    public var keys: [KeyLimitStanding] = []
    /// When that listing was read; `nil` when the ledger holds none.
    public var keysReadAt: Timestamp?
    /// The report's `key_limit_low` findings for that listing's keys.
    public var keyLimitFindings: [Finding] = []
    /// The newest all-zero reading left out of the books, when it is newer than the latest
    /// trusted one (the figures above are then older than the newest reading).
    public var untrustedReadingAt: Timestamp?
    /// The thresholds.
    public var options: StatusOptions
    /// The journal head hash read.
    public var headHash: String
    /// The accounts the ledger holds when `account` is not one of them (a typo in
    /// `--account`, or an account not fetched yet); empty otherwise.
    public var heldAccounts: [String] = []

    /// Milliseconds since the latest trusted reading; `nil` without readings.
    public var ageMilliseconds: Int64? {
        runway.map { now.millisecondsSinceEpoch - $0.observedAt.millisecondsSinceEpoch }
    }

    /// The runway left now, in tenths of days: the balance at the reading, less what the
    /// pace used since it was taken, cut as the runway is (`Runway.tenthsOfDays(after:)`);
    /// the reading's own when it is not older than now; `nil` with nothing used to measure
    /// it by. A week after the last reading, status said 8.3 days where 1.3 were left
    /// (probe 144).
    public var runwayFromNowTenths: Int64? {
        guard let runway, let age = ageMilliseconds else { return nil }
        return runway.tenthsOfDays(after: max(age, 0))
    }

    /// What `status` adds for expired charges that a charge of the same amount may have been
    /// paid in place of (`Reconciliation.alikeTakenInstead`): the readings cannot tell which.
    static func alikeNote(_ expired: [ChargeLine], alike: [String: PaidInPlace]) -> String {
        let pairs = expired.compactMap { line in
            line.chargeID.flatMap { alike[$0] }.map { place in
                (line.label, Reconciler.listed(place.of) + (place.with.isEmpty ? "" : " (with \(Reconciler.listed(place.with)))"))
            }
        }
        guard let first = pairs.first else { return "" }
        let one = pairs.count == 1
        let shown = (["\(first.0) may have been paid in place of \(first.1)"] + pairs.dropFirst().map { "\($0.0) in place of \($0.1)" })
            .prefix(namedAtMost).joined(separator: ", ") + (pairs.count > namedAtMost ? ", and \(pairs.count - namedAtMost) more" : "")
        let sets = expired.contains { line in line.chargeID.flatMap { alike[$0] }.map { $0.of.count + $0.with.count > 1 } ?? false }
        return "; \(shown) (the same amount\(one ? "" : "s")\(sets ? ", alone or added up" : ""), payable in the same window, "
            + "where the older \(sets ? "were" : "was") taken as paid: the readings cannot tell which \(sets ? "were" : "was")), "
            + "so check the Coinbase export before planning \(one ? "it" : "them") again"
    }

    /// `R-1, web-2`, the first `namedAtMost` of `names`, and how many more.
    static func named(_ names: [String]) -> String {
        names.prefix(namedAtMost).joined(separator: ", ") + (names.count > namedAtMost ? ", and \(names.count - namedAtMost) more" : "")
    }

    /// How many days an expired charge or a rejected row needs a person for in `status`: a
    /// week for the nightly job's watcher to see it (after that, the report's
    /// `charge_expired` and `charge_rejected` keep it; `status` has no way to be told it was
    /// dealt with, and one kept for ever kept it at 1 for ever).
    public static let recentDays: Int64 = 7

    /// How many keys `keysNearestLimits` names at most.
    public static let nearestLimitCount = 3

    /// The keys of the listing that are not disabled (a key the API did not say of counts
    /// as enabled, as in the report's `key_limit_low` rule).
    public var enabledKeys: [KeyLimitStanding] { keys.filter { $0.key.disabled != true } }

    /// The enabled keys with a limit, the smallest share of it left first (ties by name,
    /// then hash), at most `nearestLimitCount`; keys without a limit are never near one.
    public var keysNearestLimits: [KeyLimitStanding] {
        let limited = enabledKeys.enumerated().compactMap { entry -> (Int, Int64, KeyLimitStanding)? in
            entry.element.remainingBasisPoints.map { (entry.offset, $0, entry.element) }
        }
        return limited.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(Self.nearestLimitCount).map(\.2)
    }

    /// How far after now a reading may be dated before that needs a person, in
    /// milliseconds: a command run with `--now` starts its clock there again, so the
    /// reading of one run just before is a few milliseconds "after" it.
    static let clockSkew: Int64 = 60_000

    /// The `fetch` that takes a reading of this account: the account named when it is not
    /// the default one, which a plain `fetch` reads; not when the ledger holds other accounts
    /// and not this one (a typo of one of them).
    var fetchCommand: String {
        account == AccountLabel.defaultAccount || !heldAccounts.isEmpty ? "credit-recon fetch" : "credit-recon \(ShellWord.option("--account", account)) fetch"
    }

    /// What needs a person, in words; empty when nothing does.
    public var attention: [String] { attentionItems.map(\.text) }

    /// What needs a person, each with its kind (the report's finding kind where there is
    /// one, `no_readings`, `reading_after_now` or `possible_purchase` where not), for scripts
    /// that act on one and not another (`--json`'s `attention_kinds`, probe 144).
    public var attentionItems: [(kind: String, text: String)] {
        var reasons = damaged.map { [(kind: $0.kind.rawValue, text: $0.message)] } ?? []
        func add(_ kind: String, _ text: String) { reasons.append((kind, text)) }
        let keyReasons = keyLimitFindings.map { (kind: FindingKind.keyLimitLow.rawValue, text: $0.message) }
        guard let runway, let age = ageMilliseconds else {
            // Each name quoted with its own quotes escaped, as the report's refusal quotes them.
            let elsewhere = heldAccounts.isEmpty ? "" : " (the ledger holds no account \(TerminalText.quoted(account)); it holds "
                + heldAccounts.map { TerminalText.quoted($0) }.joined(separator: ", ") + ": check --account)"
            return reasons + [("no_readings", "there are no readings yet: run `\(fetchCommand)`\(elsewhere)")] + chargeReasons + keyReasons
        }
        if let empty = runway.emptyBalanceText {
            add("runway_low", "\(empty): plan a top-up")
        } else if let tenths = runwayFromNowTenths, tenths < options.minRunwayDays * 10 {
            let left = tenths == runway.tenthsOfDays ? "runway \(runway.daysText) days"
                : "runway \(Runway.tenthsText(tenths)) days from now (\(runway.daysText) at the reading of "
                    + "\(runway.observedAt.iso8601), at that pace)"
            add("runway_low", "\(left) is under \(options.minRunwayDays) days: plan a top-up")
        }
        if age < -Self.clockSkew {
            // Both times: "(now)" read as the reading's own date (probe 384).
            add("reading_after_now", "the last reading, of \(runway.observedAt.iso8601), is dated after now, \(now.iso8601): "
                + "check the machine's clock, or --now")
        }
        if let untrusted = untrustedReadingAt {
            add("zero_reading", "the newest reading, at \(untrusted.iso8601), says total_credits 0 and total_usage 0 after non-zero "
                + "readings and is left out (the balance and runway are of the reading of \(runway.observedAt.iso8601)): check that the key `fetch` "
                + "uses is a management key")
        }
        reasons += chargeReasons
        // A newest reading left out (all zeros) shows the job ran: not also "check that the
        // nightly job runs" (probe 144).
        let newest = untrustedReadingAt.map { now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch } ?? age
        if newest > options.maxGapSeconds * 1000 {
            add("snapshot_gap", "the last reading is \(Runway.hoursPast(newest, limitHours: options.maxGapSeconds / 3600)) old, more than "
                + "\(options.maxGapSeconds / 3600) hours: check that the nightly job runs")
        }
        return reasons + keyReasons
    }

    /// The plan of a charge line without a charge: its plan file as the books keep it.
    static func plan(of charge: ChargeLine, _ books: Reconciliation) -> PlanOfRows {
        PlanOfRows(planFile: charge.topUpKey.flatMap { books.chargelessPlanFiles[$0] }, batch: charge.batch ?? "", account: charge.account)
    }

    /// `` `topup PLAN OPTION` `` for the rows of `plans`: that plan's own command when they
    /// are one plan's (`TopUpEngine.planCommand`), else the generic one, said for each plan.
    static func command(for plans: Set<PlanOfRows>, _ option: String) -> String {
        guard plans.count == 1, let plan = plans.first, let file = plan.planFile else {
            return "`topup PLAN.csv\(option.isEmpty ? "" : " " + option)`" + (plans.count > 1 ? " (for each plan, with its --batch and --account)" : "")
        }
        return "`\(TopUpEngine.planCommand(planFile: file, batch: plan.batch, account: plan.account, option))`"
    }

    /// Charges and plan rows whose fate a person must settle (CONTRACT.md § Exit codes: 1),
    /// readings or not.
    /// `import charges` as this account's advice names it (`AccountLabel.command`).
    private var importCharges: String { AccountLabel.command("import charges", account: account, named: false) }

    private var chargeReasons: [(kind: String, text: String)] {
        var reasons: [(kind: String, text: String)] = []
        func add(_ kind: String, _ text: String) { reasons.append((kind, text)) }
        if unknown.count > 0 {
            add("outcome_unknown", "\(unknown.count) charge request\(unknown.count == 1 ? "" : "s") of unknown outcome (\(unknown.amount.centsText) USD): "
                + "check the OpenRouter dashboard, then `\(importCharges)` what was made before \(Self.command(for: unknownPlans, "--retry-unknown")), "
                + "which sends every row still unknown again")
        }
        if blocked.count > 0 {
            add("charge_blocked", "\(blocked.count) top-up\(blocked.count == 1 ? "" : "s") blocked (\(blocked.amount.centsText) USD): buy through "
                + "the web flow and record \(blocked.count == 1 ? "it" : "them") with `\(importCharges)`, giving the row's reference "
                + "(for a row without one, the row/… key `topup` named it by; \(Self.command(for: blockedPlans, "--dry-run")) shows it)")
        }
        if let text = PossiblePurchase.text(possiblePurchases) { add("possible_purchase", text) }
        if expired.count > 0 {
            let one = expired.count == 1
            // Where another charge may have been paid in its place, not said as a fact first
            // (probe 223: "its credits were not bought" of the one that was paid).
            let note = Self.alikeNote(expiredCharges, alike: alikeTakenInstead)
            add("charge_expired", "\(expired.count) charge\(one ? "" : "s") expired \(note.isEmpty ? "unpaid" : "and read as unpaid") in the "
                + "last \(Self.recentDays) days (\(expired.amount.centsText) USD: \(Self.named(expiredCharges.map(\.label)))): "
                + "\(one ? "its" : "their") credits \(note.isEmpty ? "were not bought" : "read as not bought"); plan the row\(one ? "" : "s") "
                + "again (a new reference) if they are still needed, or buy through the web flow and record that charge with "
                + "the row's reference within \(Reconciler.madeAgainWithinMilliseconds / 86_400_000) days of the expiry (the "
                + "way on when the API refuses charges, 410), or, if \(one ? "it was" : "they were") paid, record the "
                + "payment with `\(importCharges)` (charges.csv of `report` lists \(one ? "it" : "them"))" + note)
        }
        if !paidUnmatched.isEmpty {
            let one = paidUnmatched.count == 1
            let amount = paidUnmatched.reduce(Micros.zero) { $0 + ($1.amount ?? .zero) }
            // By charge id, which OpenRouter is asked about, not by reference (probe 299: `INV-1`).
            let ids = paidUnmatched.map { $0.chargeID ?? $0.reference ?? "?" }
            add("paid_charge_unmatched", "\(paidUnmatched.count) charge\(one ? "" : "s") recorded as paid in the last \(Self.recentDays) days "
                + "whose credits no reading shows (\(amount.centsText) USD: \(Self.named(ids))): "
                + (paidUnmatchedReadSince
                    ? "the readings since \(one ? "it was" : "they were") paid would show them; ask OpenRouter about "
                    : "take a reading (`\(fetchCommand)`); if the credits still do not show, ask OpenRouter about ")
                + "\(one ? "the payment" : "the payments"), giving \(one ? "its" : "each one's") charge id (`report`'s findings.csv "
                + "names \(one ? "it" : "them"))")
        }
        for twice in paidTwice { add(FindingKind.referencePaidTwice.rawValue, twice.message) }
        for fall in totalsDecreased { add(fall.kind.rawValue, fall.message) }
        if rejected.count > 0 {
            let one = rejected.count == 1
            add("charge_rejected", "\(rejected.count) top-up row\(one ? "" : "s") rejected by the API in the last \(Self.recentDays) days "
                + "(\(rejected.amount.centsText) USD: \(Self.named(rejectedRows.map(\.label)))): fix \(one ? "it" : "them") in the plan under a new reference; `report`'s "
                + "charges.csv gives the API's reason")
        }
        for run in failedRuns {
            let clears = run.command == "topup" ? "once a `topup` ends well, this goes" : "once a `fetch` or `run` ends well, this goes"
            if run.finishedAt == nil {
                // Or its own last write failed, a full disk (probe 277: sent to look for a kill).
                add("run_failed", "the last `\(run.command)` (run \(run.id), started \(run.startedAt)) never ended: it was killed (a "
                    + "`kill -9`, a timeout, out of memory), its machine stopped, or the write that ends it failed (a full disk, "
                    + "a file-size limit, the connection to a PostgreSQL ledger lost: the command said so); check that what it was doing is done (a "
                    + "top-up's rows left `requesting` read as unknown); \(clears)")
            } else {
                // The summary's own full stop before the `;` went (probe 277: "the disk.; once").
                let summary = (run.summary ?? "no summary was recorded").trimmingCharacters(in: .init(charactersIn: ". "))
                add("run_failed", "the last `\(run.command)` (run \(run.id), started \(run.startedAt)) failed"
                    + "\(run.exitCode.map { " (exit \($0))" } ?? ""): \(summary); \(clears)")
            }
        }
        if planned.count > 0 {
            let one = planned.count == 1
            add("topup_not_sent", "\(planned.count) top-up row\(one ? "" : "s") planned but never sent (\(planned.amount.centsText) USD): the run "
                + "that planned \(one ? "it" : "them") stopped first or could not reach the API; run "
                + (plannedPlans.count == 1 && plannedPlans.first?.planFile != nil
                    ? Self.command(for: plannedPlans, "") : "`credit-recon topup` with the plan (and its --batch and --account)")
                + " again to send \(one ? "it" : "them")")
        }
        return reasons
    }

    /// Exit 1 when the runway is under the threshold, the last reading too old, a key near
    /// its limit, or a top-up unknown, blocked or never sent, else 0. Rows the running
    /// top-up is sending are none of these.
    public var exitStatus: ExitStatus { attention.isEmpty ? .ok : .attention }

    /// Reads the ledger and works out the status at `now`; `progress` hears the reading,
    /// then the reconciling. `held`: the accounts the ledger holds, when the caller has
    /// read them already (else they are read, only if the account has no readings).
    /// `writer`: the writer at work on the ledger, seen before the ledger was read
    /// (`Ledger.runningWriter(at:)`); the rows its run plans or sends are in flight.
    public static func read(
        ledger: Ledger, options: StatusOptions, now: Timestamp, held: [String]? = nil, writer: RunningWriter? = nil,
        writerUnseen: WriterUnseen? = nil, progress: (ReportProgress) -> Void = { _ in }
    ) throws -> StatusReport {
        var reconcile = ReconcileOptions(account: options.account)
        reconcile.maxGapSeconds = options.maxGapSeconds
        reconcile.minRunwayDays = options.minRunwayDays
        reconcile.minKeyRemaining = options.minKeyRemaining
        reconcile.writer = writer
        // The whole history, judged at `now`; the range must reach past any reading. Only
        // the runway, the keys and the charges' fates are used, none of which depends on the
        // periods: a month's are the fewest, so a `--now` far ahead stays within the grid's bound.
        reconcile.period = .month
        // Entries dated up to a minute after `now` are read as now's: a command run with the
        // same --now dates its entries a few milliseconds after it, and the night's reading
        // that showed a charge unpaid was left out, so status called it pending where the
        // report said expired (probe 150). Later ones are a clock off (`reading_after_now`).
        let books = try Reconciler(options: reconcile).reconcile(ledger, asOf: now, lead: Self.clockSkew, progress: progress)
        let asOf = books.asOf
        var report = StatusReport(
            account: options.account, now: now, runway: books.runway, keys: books.keys, keysReadAt: books.keysReadAt,
            keyLimitFindings: books.findings.filter { $0.kind == .keyLimitLow }, options: options,
            headHash: books.headHash)
        if let trusted = books.runway?.observedAt {
            report.untrustedReadingAt = books.findings.filter { $0.kind == .zeroReading && $0.observedAt > trusted }.map(\.observedAt).max()
        }
        if books.runway == nil {
            // Only then: listing the accounts reads every table.
            let accounts = try held ?? ledger.read { try $0.accounts() }
            if !accounts.contains(options.account) { report.heldAccounts = accounts }
        }
        report.writerUnseen = writerUnseen?.reason
        report.damaged = books.ledgerDamaged
        if let writer {
            report.runningWriter = writer
            report.runningRuns = Reconciler.ownRuns(of: writer, among: books.recentRuns)
        }
        let running = Set(report.runningRuns.map(\.id))
        let recent = now.adding(milliseconds: -Self.recentDays * 86_400_000)
        // Expired charges the report says as notes, not warnings: before the account's first
        // reading (their credits, if any, are in the opening balance), or bought again.
        let expiredNotes = Set(books.findings.filter { $0.kind == .chargeExpired && $0.severity < .warning }.compactMap(\.chargeID))
        for charge in books.charges {
            // A row the running top-up planned, or has sent and waits on, or a dead run planned of
            // the plan and batch it sends (`inFlightRuns`). (Not another plan's row in a batch of
            // the same name: this run will never send it, and it was hidden; probe 69.)
            if charge.chargeID == nil, let key = charge.topUpKey, books.inFlightRuns[key] != nil {
                report.inFlight.add(charge.amount)
                continue
            }
            if let purchase = charge.possiblePurchase, let row = charge.reference ?? charge.topUpKey {
                report.possiblePurchases.append(PossiblePurchase(row: row, chargeID: purchase))
            }
            switch charge.state {
            case .pending:
                report.pending.add(charge.amount)
                if charge.awaitingReading { report.awaitingReading.add(charge.amount) }
            case .unknown:
                report.unknown.add(charge.amount)
                report.unknownPlans.insert(Self.plan(of: charge, books))
            case .blocked:
                report.blocked.add(charge.amount)
                report.blockedPlans.insert(Self.plan(of: charge, books))
            case .planned:
                report.planned.add(charge.amount)
                report.plannedPlans.insert(Self.plan(of: charge, books))
            case .expired:
                // For a week from when the books knew it: its export's expiry, else the reading
                // that showed it unpaid (a night without readings may come between).
                if let seen = charge.expiredSeenAt, seen > recent, seen <= asOf, !(charge.chargeID.map(expiredNotes.contains) ?? false) {
                    report.expiredCharges.append(charge)
                }
            case .rejected:
                // Refused for the key or the address: the plan's next run sends it again.
                if charge.refusedForTheRow, charge.createdAt > recent, charge.createdAt <= asOf { report.rejectedRows.append(charge) }
            case .settled: break
            }
        }
        report.paidTwice = books.findings.filter {
            $0.kind == .referencePaidTwice && $0.observedAt > recent && $0.observedAt <= asOf
        }
        report.totalsDecreased = books.findings.filter {
            [.creditsDecreased, .usageDecreased].contains($0.kind) && $0.observedAt > recent && $0.observedAt <= asOf
        }
        // Paid for and not credited: money a person must chase (status said nothing of it).
        report.paidUnmatched = books.findings.filter {
            $0.kind == .paidChargeUnmatched && $0.severity >= .warning && $0.observedAt > recent && $0.observedAt <= asOf
        }
        // As the report's finding says it (probe 318: "take a reading" of charges paid days
        // before the six readings since).
        if let newest = books.runway?.observedAt {
            report.paidUnmatchedReadSince = report.paidUnmatched.allSatisfy {
                $0.observedAt.adding(milliseconds: reconcile.graceSeconds * 1000) <= newest
            }
        }
        let alike = books.alikeTakenInstead.filter { id, _ in report.expiredCharges.contains { $0.chargeID == id } }
        if !alike.isEmpty {
            let others = Set(alike.values.flatMap { $0.of + $0.with })
            var labels: [String: String] = [:]
            for line in books.charges { if let id = line.chargeID, others.contains(id) { labels[id] = line.label } }
            report.alikeTakenInstead = alike.mapValues { place in
                PaidInPlace(of: place.of.map { labels[$0] ?? $0 }, with: place.with.map { labels[$0] ?? $0 })
            }
        }
        // A run that never ended is a dead one unless the writer at work says it is its own.
        // Not judged when that cannot be told: the lock file is another user's, or the writer
        // at work is not believed (its runs are not every run since its first, or it has not
        // said them yet).
        let knownRunning: Set<Int64>? = writerUnseen != nil ? nil : writer == nil ? [] : running.isEmpty ? nil : running
        report.failedRuns = Self.lastRunsIfFailed(books.recentRuns, account: options.account, running: knownRunning)
        return report
    }

    /// The newest of the account's runs to have ended in each of two lanes, the readings'
    /// (`fetch` and `run` jobs) and the top-ups' (`topup` on its own), each when it failed;
    /// the newest first. A top-up that ends well says nothing of the nightly fetch, and hid
    /// its failure (probe 237); nor does a fetch of a top-up. Newest by id, the order runs
    /// start in: their times are the clock's or `--now`'s, and a fetch refused for a clock
    /// behind the books is dated before them (status said nothing of it, probe 83). A `run`
    /// job's stages start after it and end before it: the job, ended, is judged for them (its
    /// outcome is its worst stage's), in the readings' lane.
    ///
    /// With `running` (the runs of the writer at work, none when no writer is), a newer run
    /// of a lane that never ended and is not one of them is returned too: it was killed, or
    /// its machine stopped (a writer of another account at work hid it, probe 84). Without
    /// (that cannot be told), such runs are passed over.
    static func lastRunsIfFailed(_ runs: [RunRow], account: String, running: Set<Int64>?) -> [RunRow] {
        let ours = runs.filter { run in run.account == account && ["fetch", "topup", "run"].contains(run.command) }
            .sorted { $0.id > $1.id }
        let ended = ours.filter { $0.finishedAt != nil }
        // Within one job the times are one clock's: its stages start after it and end before it.
        func job(holding run: RunRow) -> RunRow? {
            guard run.command != "run", let job = ended.first(where: { $0.command == "run" && $0.id < run.id }),
                  let jobStart = try? Timestamp(iso8601: job.startedAt), let jobEnd = job.finishedAt.flatMap({ try? Timestamp(iso8601: $0) }),
                  let start = try? Timestamp(iso8601: run.startedAt), let end = run.finishedAt.flatMap({ try? Timestamp(iso8601: $0) }),
                  jobStart <= start, end <= jobEnd
            else { return nil }
            return job
        }
        // Each ended run with what is judged for it: itself, or the job it is a stage of.
        let judged = ended.map { (run: $0, judged: job(holding: $0) ?? $0) }
        var failed: [RunRow] = []
        for isTopUpLane in [false, true] {
            let lane = judged.filter { ($0.judged.command == "topup") == isTopUpLane }
            let unended = ours.filter { $0.finishedAt == nil && ($0.command == "topup") == isTopUpLane }
            if let running, let killed = unended.first(where: { !running.contains($0.id) }), killed.id > lane.first?.run.id ?? 0 {
                failed.append(killed)
                continue
            }
            if let newest = lane.first?.judged, newest.outcome == "failed" { failed.append(newest) }
        }
        return failed.sorted { $0.id > $1.id }
    }
}
