import CreditTypes
import Foundation
@testable import Ledger
import Testing
@testable import CreditRecon

struct StatusTests {
    @Test func balanceRunwayAndOpenCharges() throws {
        let fixture = try ReconcileFixture()
        try fixture.buildGoldenScenario()
        let report = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-10T07:00:00Z"))
        let runway = try #require(report.runway)
        #expect(runway.balance == reconMicros("180.5"))
        #expect(runway.averageDaily7 == reconMicros("4.071428"))
        #expect(runway.averageDaily30 == reconMicros("4.111111"))
        #expect(runway.daysText == "43.9")
        #expect(report.pending.count == 1)
        #expect(report.pending.amount == reconMicros("20"))
        #expect(report.unknown.count == 1)
        #expect(report.unknown.amount == reconMicros("5"))
        #expect(report.blocked.count == 1)
        #expect(report.blocked.amount == reconMicros("100"))
        #expect(report.ageMilliseconds == 3_600_000)
        // The unknown request and the blocked row each need a person (exit 1), as CONTRACT.md
        // says; `status` exited 0 with them open.
        #expect(report.exitStatus == .attention)
        #expect(report.attention == [
            "1 charge request of unknown outcome (5.00 USD): check the OpenRouter dashboard, then `import charges` what was made "
                + "before `topup plan.csv --batch march --retry-unknown`, which sends every row still unknown again",
            // Each with its plan's own command, its batch given (probe 434: a pasted `topup PLAN.csv …` lacked it);
            // rows of several plans are told to run each with its own (`StatusReport.command(for:_:)`).
            "1 top-up blocked (100.00 USD): buy through the web flow and record it with `import charges`, giving the row's reference "
                + "(for a row without one, the row/… key `topup` named it by; `topup plan.csv --batch march --dry-run` shows it)",
            // A charge that expired unpaid and a row the API rejected, both this week: a top-up
            // that did not happen, which status left out (probe 82).
            // With the way on where the API refuses charges (410): a new plan row is blocked too (probe 254).
            "1 charge expired unpaid in the last 7 days (12.50 USD: inv-008): its credits were not bought; plan the row again (a new "
                + "reference) if they are still needed, or buy through the web flow and record that charge with the row's "
                + "reference within 7 days of the expiry (the way on when the API refuses charges, 410), or, if it was paid, "
                + "record the payment with `import charges` (charges.csv of `report` lists it)",
            // The usage that went down this week, as the fetch that read it said.
            "total_usage went down by 1 between 2026-03-07T06:00:00.000Z and 2026-03-08T06:00:00.000Z; running totals should "
                + "only rise. Ask OpenRouter about a usage correction.",
            "1 top-up row rejected by the API in the last 7 days (1.00 USD: inv-006): fix it in the plan under a new reference; `report`'s "
                + "charges.csv gives the API's reason",
        ])
        #expect(report.lines.contains(
            "open charges: 1 pending (20.00), 1 unknown (5.00), 1 blocked (100.00); 1 expired unpaid in the last 7 days (12.50); "
                + "1 rejected in the last 7 days (1.00)"), "\(report.lines)")
        #expect(report.json.text.contains(#""expired_recently":{"amount":"12.5","count":1}"#), "\(report.json.text)")
        // Each reason's kind, for a script that acts on one and not another (probe 144).
        #expect(report.json.text.contains(
            #""attention_kinds":["outcome_unknown","charge_blocked","charge_expired","usage_decreased","charge_rejected"]"#), "\(report.json.text)")
        #expect(report.json.text.contains(#""runway_days":"43.9""#))
        // Before they happened (a --now in the past), they are not said either.
        let before = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-02-01T07:00:00Z"))
        #expect(before.expired.count == 0 && before.rejected.count == 0, "\(before.lines)")
        // A week on, they are the report's alone: status could not be told they were dealt with.
        let later = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-17T07:00:00Z"))
        #expect(later.expired.count == 0 && later.rejected.count == 0, "\(later.lines)")
    }

    /// A charge recorded as paid whose credits no reading shows is money a person must
    /// chase: status needs attention for a week from its payment, as for an expired one.
    /// It said nothing (the report's paid_charge_unmatched alone). With a reading since its
    /// payment that would have shown them, OpenRouter is asked, not another reading taken
    /// (probe 318); paid after the newest reading, the next reading is asked for first.
    @Test func aPaidChargeWhoseCreditsNoReadingShowsNeedsAttention() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-11-01T00:00:00Z", credits: "100", usage: "0")
        // Named by its charge id, which OpenRouter is asked about, not by its reference (probe 299).
        try fixture.recorded("web-1", amount: "50", created: "2026-11-02T10:00:00Z", status: "paid",
                             paidAt: "2026-11-02T10:05:00Z", reference: "INV-1")
        try fixture.snapshot("2026-11-04T00:00:00Z", credits: "100", usage: "5")
        let report = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-11-04T01:00:00Z"))
        #expect(report.exitStatus == .attention)
        #expect(report.attention == [
            "1 charge recorded as paid in the last 7 days whose credits no reading shows (50.00 USD: web-1): the readings since "
                + "it was paid would show them; ask OpenRouter about the payment, giving its charge id (`report`'s findings.csv "
                + "names it)",
        ])
        #expect(report.lines.contains { $0.hasSuffix("; 1 recorded paid in the last 7 days, credits not shown (50.00)") },
                "\(report.lines)")
        #expect(report.json.text.contains(#""paid_unmatched_recently":{"amount":"50","count":1}"#), "\(report.json.text)")
        try fixture.recorded("web-2", amount: "20", created: "2026-11-04T00:10:00Z", status: "paid", paidAt: "2026-11-04T00:20:00Z")
        let unread = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-11-04T01:00:00Z"))
        #expect(unread.attention == [
            "2 charges recorded as paid in the last 7 days whose credits no reading shows (70.00 USD: web-1, web-2): take a "
                + "reading (`credit-recon fetch`); if the credits still do not show, ask OpenRouter about the payments, giving "
                + "each one's charge id (`report`'s findings.csv names them)",
        ])
        // A week on, the report's alone.
        let later = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-11-12T01:00:00Z"))
        #expect(later.paidUnmatched.isEmpty)
    }

    /// Entries a command dated a few milliseconds after the --now it was given (its clock
    /// moves a millisecond a reading) are read as that --now's by `status --now` the same:
    /// the night's reading showing a charge unpaid was left out, and status called it
    /// pending where the report said expired (probe 150).
    @Test func aReadingAFewMillisecondsAfterNowIsNows() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-11-09T02:15:00Z", credits: "100", usage: "0")
        try fixture.charge("P-03", amount: "20", created: "2026-11-10T02:15:00.100Z", expires: "2026-11-10T03:15:00.100Z")
        try fixture.snapshot("2026-11-11T02:15:00.002Z", credits: "100", usage: "1")
        let report = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-11-11T02:15:00Z"))
        #expect(report.expired.count == 1 && report.pending.count == 0, "\(report.lines)")
        #expect(report.attentionItems.map(\.kind) == ["charge_expired"], "\(report.attention)")
    }

    @Test func attentionUnderTheRunwayThresholdOrWhenStale() throws {
        let fixture = try ReconcileFixture()
        try fixture.buildGoldenScenario()
        var options = StatusOptions(account: "default")
        options.minRunwayDays = 50
        let low = try StatusReport.read(ledger: fixture.ledger, options: options, now: reconTime("2026-03-10T07:00:00Z"))
        #expect(low.exitStatus == .attention)
        // The runway, the unknown request, the blocked row, the expired charge, the usage that
        // went down, the rejected row.
        #expect(low.attention.count == 6, "\(low.attention)")
        #expect(low.attention.first?.hasPrefix("runway ") == true)
        let stale = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-11T18:00:01Z"))
        #expect(stale.exitStatus == .attention)
        // A second past the limit: said so, where it read "36.0 hours old, more than 36".
        #expect(stale.attention.contains { $0.contains("the last reading is 36 hours and 1 second old, more than 36 hours") },
                "\(stale.attention)")
        // The pending charge's hour and grace have passed by then, but no reading since could
        // show its credits: still pending (probe 118).
        #expect(stale.pending.count == 1 && stale.pending.amount == reconMicros("20"))
    }

    /// A ledger every writer refuses as damaged (here its guards gone) is said first, with
    /// what to do: status read it and said nothing (probe 153), the figures of a ledger
    /// that may have been cut or edited shown as sound.
    @Test func aLedgerWritersRefuseIsSaidFirst() throws {
        let fixture = try ReconcileFixture()
        try fixture.buildGoldenScenario()
        let now = reconTime("2026-03-10T07:00:00Z")
        let sound = try StatusReport.read(ledger: fixture.ledger, options: StatusOptions(account: "default"), now: now)
        #expect(sound.damaged == nil && !sound.attentionItems.contains { $0.kind == "ledger_damaged" })
        try Database(path: fixture.ledger.path, create: false).execute("DROP TRIGGER journal_append_only_update")
        let damaged = try StatusReport.read(ledger: fixture.ledger, options: StatusOptions(account: "default"), now: now)
        #expect(damaged.exitStatus == .attention)
        #expect(damaged.attentionItems.first?.kind == "ledger_damaged")
        #expect(damaged.attention.first == "the ledger is damaged, so any write to it is refused (74; a command with nothing to write goes on): append-only "
            + "trigger journal_append_only_update missing, changed or disabled: the journal or the readings can be changed in "
            + "place; these books may not be what it was given: run `credit-recon verify` to see what is and what to do",
            "\(damaged.attention)")
        #expect(damaged.json.text.contains("\"ledger_damaged\""), "\(damaged.json.text)")
        #expect(damaged.attention.count == sound.attention.count + 1)
        // The report says it too, an error whatever its range: a month closed before the
        // damage is no less read from a damaged ledger.
        var options = ReconcileOptions(account: "default")
        options.to = CivilDate(isoText: "2026-03-02")
        let books = try Reconciler(options: options).reconcile(fixture.ledger)
        #expect(books.findings.first?.kind == .ledgerDamaged && books.findings.first?.severity == .error, "\(books.findings)")
        #expect(books.exitStatus == .attention)
    }

    /// A charge past its hour and grace reads as unpaid only once a reading since could show
    /// its credits: paid at 02:21, it read as expired unpaid all morning, until the next
    /// night's reading, and status asked to plan it again (probe 118: how a real double
    /// purchase was made). Pending until then; one its export recorded expired is at once.
    @Test func aChargeIsExpiredUnpaidOnlyOnceAReadingCouldShowItsCredits() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-11-01T02:00:00Z", credits: "100", usage: "0")
        try fixture.charge("ch_1", amount: "100", created: "2026-11-01T02:15:00Z", reference: "daily-2026-11-01")
        try fixture.recorded("web-1", amount: "30", created: "2026-11-01T03:00:00Z", expires: "2026-11-01T04:00:00Z",
                             status: "expired")
        let morning = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-11-01T09:00:00Z"))
        #expect(morning.pending.count == 1 && morning.pending.amount == reconMicros("100"), "\(morning.lines)")
        #expect(morning.expiredCharges.map(\.label) == ["web-1"], "\(morning.lines)")
        // Said as past its expiry, which the next reading tells of (probe 121: "pending" alone
        // read as still payable, after a night without a reading).
        #expect(morning.lines.contains { $0.hasPrefix("open charges: 1 pending (100.00; 1 of them past its expiry (100.00): "
            + "whether paid shows at the next reading, `credit-recon fetch`), 0 unknown") }, "\(morning.lines)")
        #expect(morning.json.text.contains(#""pending_past_expiry":{"amount":"100","count":1}"#), "\(morning.json.text)")
        let early = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-11-01T04:00:00Z"))
        #expect(early.pending.count == 1 && early.awaitingReading.count == 0, "\(early.lines)")
        #expect(early.json.text.contains(#""pending_past_expiry":{"amount":"0","count":0}"#), "\(early.json.text)")
        // The next night's reading shows no rise: now it reads as unpaid.
        try fixture.snapshot("2026-11-02T02:00:00Z", credits: "100", usage: "0")
        let night = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-11-02T02:05:00Z"))
        #expect(night.pending.count == 0, "\(night.lines)")
        #expect(night.expiredCharges.map(\.label) == ["daily-2026-11-01", "web-1"], "\(night.lines)")
        // With a `--now` before that reading, the charge is pending, as it was then; it was
        // counted nowhere, neither pending nor expired (probe 121).
        let past = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-11-01T09:00:00Z"))
        #expect(past.pending.count == 1 && past.awaitingReading.count == 1, "\(past.lines)")
    }

    /// A charge that reads as unpaid is said for a week from the reading that showed it so,
    /// not from its expiry: after eight nights without a reading (the job stopped), the first
    /// reading shows the night's charge unpaid, and status said nothing of it (its expiry was
    /// more than a week before), nor had it while no reading could tell.
    @Test func aChargeReadAsUnpaidAfterAWeekWithoutReadingsIsSaidForAWeekFromThatReading() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-11-01T02:00:00Z", credits: "100", usage: "0")
        try fixture.charge("ch_1", amount: "100", created: "2026-11-01T02:15:00Z", reference: "daily-2026-11-01")
        let options = StatusOptions(account: "default")
        let stale = try StatusReport.read(ledger: fixture.ledger, options: options, now: reconTime("2026-11-08T12:00:00Z"))
        #expect(stale.pending.count == 1 && stale.expiredCharges.isEmpty, "\(stale.lines)")
        try fixture.snapshot("2026-11-09T02:00:00Z", credits: "100", usage: "0")
        let back = try StatusReport.read(ledger: fixture.ledger, options: options, now: reconTime("2026-11-09T03:00:00Z"))
        #expect(back.pending.count == 0, "\(back.lines)")
        #expect(back.expiredCharges.map(\.label) == ["daily-2026-11-01"], "\(back.lines)")
        #expect(back.exitStatus == .attention)
        let week = try StatusReport.read(ledger: fixture.ledger, options: options, now: reconTime("2026-11-16T01:59:00Z"))
        #expect(week.expiredCharges.map(\.label) == ["daily-2026-11-01"], "\(week.lines)")
        let after = try StatusReport.read(ledger: fixture.ledger, options: options, now: reconTime("2026-11-16T02:01:00Z"))
        #expect(after.expiredCharges.isEmpty, "\(after.lines)")
    }

    /// An expired charge that a charge of the same amount may have been paid in place of (the
    /// rise showed one of the two): status names both, and asks to check before planning again.
    @Test func anExpiredChargeThatMayHaveBeenPaidInsteadIsSaidSo() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-11-01T02:00:00Z", credits: "100", usage: "0")
        try fixture.charge("ch_1", amount: "100", created: "2026-11-01T02:15:00Z", reference: "daily-1")
        try fixture.charge("ch_2", amount: "100", created: "2026-11-01T09:00:00Z", reference: "daily-1b")
        try fixture.snapshot("2026-11-02T02:00:00Z", credits: "200", usage: "0")
        let report = try StatusReport.read(ledger: fixture.ledger, options: StatusOptions(account: "default"),
                                           now: reconTime("2026-11-02T03:00:00Z"))
        #expect(report.expiredCharges.map(\.label) == ["daily-1b"], "\(report.lines)")
        #expect(report.lines.joined(separator: "\n").contains("; daily-1b may have been paid in place of daily-1 (the same "
            + "amount, payable in the same window, where the older was taken as paid: the readings cannot tell which was), so "
            + "check the Coinbase export before planning it again"), "\(report.lines)")
        // Two of three alike, beside one rise: each said once, by reference.
        let three = try ReconcileFixture()
        try three.snapshot("2026-11-01T02:00:00Z", credits: "100", usage: "0")
        for (index, created) in ["02:15", "09:00", "10:00"].enumerated() {
            try three.charge("c\(index + 1)", amount: "100", created: "2026-11-01T\(created):00Z", reference: "r-\(index + 1)")
        }
        try three.snapshot("2026-11-02T02:00:00Z", credits: "200", usage: "0")
        let both = try StatusReport.read(ledger: three.ledger, options: StatusOptions(account: "default"),
                                         now: reconTime("2026-11-02T03:00:00Z"))
        #expect(both.lines.joined(separator: "\n").contains("; r-2 may have been paid in place of r-1, r-3 in place of r-1 "
            + "(the same amounts, payable in the same window, where the older was taken as paid: the readings cannot tell which "
            + "was), so check the Coinbase export before planning them again"), "\(both.lines)")
    }

    /// A web checkout recorded without a plan row that expired unpaid needs a person for a
    /// week, unless a later charge of the same purchase was paid: one for one (probe 113: an
    /// abandoned checkout bought a minute later kept status at 1 for the week; probe 114:
    /// one purchase must not excuse two abandoned ones). A later charge still pending, or
    /// to another wallet, makes nothing again; a plan row's expired charge stays for the
    /// week, since its row's next purchase cannot be told from a purchase of its own.
    @Test func anAbandonedCheckoutBoughtSinceNeedsNobody() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-11-14T00:00:00Z", credits: "100", usage: "0")
        // Two rows of one plan for the same purchase; the readings give the rise to A-1, A-2
        // expires unpaid, and is bought through the web flow.
        try fixture.charge("ch_1", amount: "15", created: "2026-11-14T02:00:00Z", reference: "A-1")
        try fixture.charge("ch_2", amount: "15", created: "2026-11-14T02:00:01Z", reference: "A-2")
        try fixture.recorded("web-a2", amount: "15", created: "2026-11-14T04:00:00Z", status: "paid",
                             paidAt: "2026-11-14T04:01:00Z")
        // Two abandoned checkouts, then one bought.
        for (id, minute) in [("web-aa01", "00"), ("web-aa02", "01")] {
            try fixture.recorded(id, amount: "40", created: "2026-11-14T09:\(minute):00Z", expires: "2026-11-14T10:\(minute):00Z",
                                 status: "expired")
        }
        try fixture.recorded("web-aa03", amount: "40", created: "2026-11-14T09:05:00Z", status: "paid",
                             paidAt: "2026-11-14T09:06:00Z")
        // Abandoned, then one to another wallet, and one still pending.
        try fixture.recorded("web-bb01", amount: "25", created: "2026-11-14T11:00:00Z", expires: "2026-11-14T12:00:00Z",
                             status: "expired", wallet: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        try fixture.recorded("web-bb02", amount: "25", created: "2026-11-14T11:10:00Z", status: "paid",
                             paidAt: "2026-11-14T11:11:00Z", wallet: "0x0000000000000000000000000000000000000001")
        try fixture.recorded("web-bb03", amount: "25", created: "2026-11-14T11:20:00Z", expires: "2026-11-15T11:20:00Z",
                             status: "pending")
        try fixture.snapshot("2026-11-15T00:00:00Z", credits: "195", usage: "0")
        let report = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-11-15T01:00:00Z"))
        #expect(report.expiredCharges.map(\.label) == ["A-2", "web-aa02", "web-bb01"], "\(report.lines)")
        #expect(report.exitStatus == .attention)
        // The report says the same, by the same rule: the checkout made again is a note
        // naming the charge that paid for it, where it was a warning to plan it again.
        let books = try fixture.reconcile()
        let expired = books.findings.filter { $0.kind == .chargeExpired }
        #expect(expired.map(\.reference) == ["A-2", "web-aa01", "web-aa02", "web-bb01"], "\(expired.map(\.message))")
        #expect(expired.map(\.severity) == [.warning, .info, .warning, .warning])
        #expect(expired[1].message == "charge web-aa01 for 40 expired unpaid, a checkout recorded without a plan row, and the "
            + "same purchase was made again: charge web-aa03, created 2026-11-14T09:05:00.000Z for the same amount and "
            + "wallet, was paid. Nothing is left to buy.")
        #expect(books.madeAgainBy == ["web-aa01": "web-aa03"])
    }

    /// The status at `now` of a ledger holding `readings` (time, credits, usage).
    static func status(
        of readings: [(String, String, String)], at now: String, options: StatusOptions = StatusOptions(account: "default")
    ) throws -> StatusReport {
        let fixture = try ReconcileFixture()
        for (time, credits, usage) in readings { try fixture.snapshot(time, credits: credits, usage: usage) }
        return try StatusReport.read(ledger: fixture.ledger, options: options, now: reconTime(now))
    }

    /// `status` reads the whole history up to `--now`; one far ahead (2300, which `--now`
    /// allows) is no reason to refuse with the report's period bound and options `status`
    /// does not have. Its averages name the history they had when it is short.
    @Test func aFarFutureNowIsStillAStatus() throws {
        let report = try Self.status(
            of: [("2026-03-07T00:00:00Z", "100", "10"), ("2026-03-09T12:00:00Z", "100", "15")], at: "2300-01-01T00:00:00Z")
        #expect(report.runway?.daysText == "42.5")
        #expect(report.exitStatus == .attention)  // the last reading is centuries old
        #expect(report.lines.contains("use per day: 2.00 over the 2.5 days of readings"),
                "\(report.lines)")
    }

    /// Across a gap older than a month both averages are taken from the same two readings:
    /// said once (probe 281: the same figure twice, over the same 36.0 days).
    @Test func oneSpanForBothAveragesIsSaidOnce() throws {
        let report = try Self.status(
            of: [("2026-03-01T00:00:00Z", "1000", "0"), ("2026-04-06T00:00:00Z", "1000", "72")], at: "2026-04-06T01:00:00Z")
        #expect(report.lines.contains("use per day: 2.00 over the last 36.0 days (no reading between 7 and 36.0 days before "
            + "the latest)"), "\(report.lines)")
    }

    /// The averages are said to the cent, not to the micro-dollar a division leaves
    /// (`use per day: 21.232324`); `--json` keeps them exact.
    @Test func theAveragesArePrintedToTheCent() throws {
        let report = try Self.status(
            of: [("2026-03-01T00:00:00Z", "1000", "0"), ("2026-03-04T00:00:00Z", "1000", "64.04")], at: "2026-03-04T01:00:00Z")
        #expect(report.runway?.averageDaily7 == Micros(raw: 21_346_666))
        #expect(report.lines.contains("use per day: 21.35 over the 3.0 days of readings"), "\(report.lines)")
        #expect(report.json.text.contains("\"average_daily_use_7d\":\"21.346666\""), "\(report.json.text)")
    }

    /// A running total that went down by a reading of the last week needs a person, as the
    /// fetch that read it said (exit 1); the next status said nothing. Older than a week, it
    /// is the report's alone.
    @Test func aTotalThatWentDownThisWeekNeedsAPerson() throws {
        let readings = [("2026-03-01T00:00:00Z", "100", "10"), ("2026-03-02T00:00:00Z", "100", "12"),
                        ("2026-03-03T00:00:00Z", "90", "11"), ("2026-03-04T00:00:00Z", "90", "13")]
        let report = try Self.status(of: readings, at: "2026-03-04T01:00:00Z")
        #expect(report.attentionItems.map(\.kind) == ["credits_decreased", "usage_decreased"], "\(report.attention)")
        #expect(report.attention.last == "total_usage went down by 1 between 2026-03-02T00:00:00.000Z and "
            + "2026-03-03T00:00:00.000Z; running totals should only rise. Ask OpenRouter about a usage correction.")
        #expect(report.exitStatus == .attention)
        let weekLater = try Self.status(of: readings + [("2026-03-10T12:00:00Z", "90", "20")], at: "2026-03-10T13:00:00Z")
        #expect(weekLater.attention.isEmpty, "\(weekLater.attention)")
    }

    /// A charge that expired before the account's first reading is the report's note (its
    /// credits, if any, are in the opening balance), not a top-up for status to chase: status
    /// said `charge_expired` (exit 1) of what the report said as info. One after the first
    /// reading is still said.
    @Test func aChargeExpiredBeforeTheFirstReadingIsNoAttention() throws {
        let fixture = try ReconcileFixture()
        try fixture.recorded("web-early", amount: "20", created: "2026-03-01T00:00:00Z", expires: "2026-03-01T01:00:00Z",
                             status: "expired", recordedAt: "2026-03-03T00:00:00Z")
        try fixture.snapshot("2026-03-02T00:00:00Z", credits: "100", usage: "10")
        try fixture.snapshot("2026-03-03T00:00:00Z", credits: "100", usage: "11")
        let books = try fixture.reconcile { $0.from = CivilDate(year: 2026, month: 3, day: 1); $0.to = CivilDate(year: 2026, month: 4, day: 1) }
        #expect(books.findings.filter { $0.kind == .chargeExpired }.map(\.severity) == [.info])
        let report = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-03T01:00:00Z"))
        #expect(report.expired.count == 0 && report.attention.isEmpty, "\(report.attention)")
        try fixture.recorded("web-late", amount: "30", created: "2026-03-02T12:00:00Z", expires: "2026-03-02T13:00:00Z",
                             status: "expired", recordedAt: "2026-03-03T00:30:00Z")
        let later = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-03T01:00:00Z"))
        #expect(later.attentionItems.map(\.kind) == ["charge_expired"] && later.expiredCharges.map(\.label) == ["web-late"],
                "\(later.attention)")
    }

    /// An attention line names at most five, then how many more.
    @Test func namesAreCutAtFive() {
        #expect(StatusReport.named(["a", "b"]) == "a, b")
        #expect(StatusReport.named(["a", "b", "c", "d", "e", "f", "g"]) == "a, b, c, d, e, and 2 more")
    }

    /// The account's newest fetch or run to end failed (a revoked key, 77): status needs a
    /// person until one ends well; so does a failed topup, until a topup ends well. It said nothing until the last reading was a day
    /// and a half old (probe 82). Another account's failure, or an import's, is not this.
    @Test func aFailedLastRunNeedsAPersonUntilOneEndsWell() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-03-01T00:00:00Z", credits: "100", usage: "10")
        func run(_ command: String, account: String = "default", at time: String, outcome: String, exit: Int64) throws {
            let at = reconTime(time)
            try fixture.ledger.write { writer in
                let id = try writer.append(.runStarted(RunStarted(command: command)), account: account, runID: nil, at: at)
                // Its own full stop: said once before the `;` (probe 277: "the disk.; once").
                _ = try writer.append(.runFinished(RunFinished(runID: id, outcome: outcome, exitCode: exit, summary: "GET /key failed: 401.")),
                                      account: account, runID: id, at: at.adding(seconds: 5))
            }
        }
        func status() throws -> StatusReport {
            try StatusReport.read(ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-01T06:00:00Z"))
        }
        try run("fetch", at: "2026-03-01T02:00:00Z", outcome: "failed", exit: 77)
        try run("fetch", account: "other", at: "2026-03-01T02:10:00Z", outcome: "ok", exit: 0)
        try run("import", at: "2026-03-01T02:20:00Z", outcome: "ok", exit: 0)
        let failed = try status()
        #expect(failed.exitStatus == .attention)
        #expect(failed.attention.contains { $0.hasPrefix("the last `fetch` (run ") && $0.hasSuffix(", started 2026-03-01T02:00:00.000Z) "
            + "failed (exit 77): GET /key failed: 401; once a `fetch` or `run` ends well, this goes") }, "\(failed.attention)")
        #expect(failed.json.text.contains(#""last_run_failed":{"command":"fetch","#), "\(failed.json.text)")
        // A top-up that ends well says nothing of the fetch; it hid its failure (probe 237).
        // One that fails is said beside it, the newest first.
        try run("topup", at: "2026-03-01T02:30:00Z", outcome: "attention", exit: 1)
        #expect(try status().failedRuns.map(\.command) == ["fetch"])
        try run("topup", at: "2026-03-01T02:40:00Z", outcome: "failed", exit: 69)
        let both = try status()
        #expect(both.failedRuns.map(\.command) == ["topup", "fetch"], "\(both.attention)")
        #expect(both.attention.contains { $0.hasPrefix("the last `topup` (run ") && $0.hasSuffix("once a `topup` ends well, this goes") },
                "\(both.attention)")
        #expect(both.json.text.contains(#""last_run_failed":{"command":"topup","#), "\(both.json.text)")
        try run("topup", at: "2026-03-01T02:50:00Z", outcome: "ok", exit: 0)
        try run("run", at: "2026-03-01T03:00:00Z", outcome: "attention", exit: 1)
        let mended = try status()
        #expect(mended.failedRun == nil && !mended.attention.contains { $0.contains("failed") }, "\(mended.attention)")
        #expect(mended.json.text.contains(#""last_run_failed":null"#))
        // A fetch refused for a clock behind the books is dated before them, yet it is the
        // newest: runs are judged in the order they started, not by their dates (probe 83).
        try run("fetch", at: "2026-02-15T00:00:00Z", outcome: "failed", exit: 78)
        #expect(try status().failedRun?.exitCode == 78)
        // A run that never ended (killed) needs a person too, unless a writer is at work.
        try run("run", at: "2026-03-01T04:00:00Z", outcome: "ok", exit: 0)
        let killedAt = reconTime("2026-03-01T05:00:00Z")
        try fixture.ledger.write { writer in
            _ = try writer.append(.runStarted(RunStarted(command: "topup")), account: "default", runID: nil, at: killedAt)
        }
        let killed = try status()
        #expect(killed.attention.contains { $0.hasPrefix("the last `topup` (run ") && $0.contains(") never ended: it was killed")
                && $0.contains("the connection to a PostgreSQL ledger lost") },
                "\(killed.attention)")
        let atWork = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-01T06:00:00Z"),
            writer: RunningWriter(holder: "process 4242"))
        #expect(atWork.failedRun == nil, "\(atWork.attention)")
        // A writer of another account at work, whose runs are believed (every run since its
        // first): the killed top-up is still said (it was hidden, probe 84).
        let other = try fixture.ledger.write { writer in
            try writer.append(.runStarted(RunStarted(command: "fetch")), account: "other", runID: nil, at: reconTime("2026-03-01T05:30:00Z"))
        }
        let otherAtWork = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-01T06:00:00Z"),
            writer: RunningWriter(holder: "process 4242", runs: [other]))
        #expect(otherAtWork.failedRun?.command == "topup" && otherAtWork.failedRun?.finishedAt == nil, "\(otherAtWork.attention)")
    }

    /// Overdrawn with nothing used lately: no pace to divide by, but no runway either
    /// (requests fail until credits are bought), so it needs attention.
    @Test func anOverdrawnAccountHasNoRunwayEvenUnused() throws {
        let report = try Self.status(
            of: [("2026-03-07T00:00:00Z", "60", "100"), ("2026-03-08T00:00:00Z", "60", "100")], at: "2026-03-08T01:00:00Z")
        #expect(report.runway?.daysText == "0.0")
        #expect(report.exitStatus == .attention)
        #expect(report.attention.first?.hasPrefix("the balance is overdrawn: -40 USD") == true, "\(report.attention)")
    }

    /// Nothing left and nothing used: 0.0 days and attention, as overdrawn (it was "n/a",
    /// exit 0).
    @Test func anEmptyAccountHasNoRunwayEvenUnused() throws {
        let report = try Self.status(
            of: [("2026-03-07T00:00:00Z", "100", "100"), ("2026-03-08T00:00:00Z", "100", "100")], at: "2026-03-08T01:00:00Z")
        #expect(report.runway?.daysText == "0.0")
        #expect(report.exitStatus == .attention)
    }

    /// Readings that show no use have no runway to give: said so, not `n/a days` (probe 67).
    @Test func noUseIsSaidAsNoRunwayToMeasure() throws {
        let report = try Self.status(
            of: [("2026-03-07T00:00:00Z", "100", "10"), ("2026-03-08T00:00:00Z", "100", "10")], at: "2026-03-08T01:00:00Z")
        #expect(report.runway?.daysText == "n/a")
        #expect(report.lines.contains("runway n/a: no use to measure (threshold 7 days)"), "\(report.lines)")
        // Use of under a micro-dollar a day is use: a pace of one, and a runway (it said
        // "no use to measure" of 0.000007 USD used in 30 days, probe 245).
        let tiny = try Self.status(
            of: [("2026-03-01T00:00:00Z", "100", "10"), ("2026-03-31T00:00:00Z", "100", "10.000007")], at: "2026-03-31T01:00:00Z")
        #expect(tiny.runway?.averageDaily30 == Micros(raw: 1))
        // The runway is of the pace itself, 7 micro-dollars in 30 days: 89.999993 · 30 / 0.000007.
        #expect(tiny.runway?.daysText == "385714255.7", "\(tiny.lines)")
        #expect(!tiny.lines.contains { $0.contains("no use to measure") }, "\(tiny.lines)")
        #expect(tiny.lines.contains { $0.hasPrefix("use per day: under 0.01 over the last 30.0 days") }, "\(tiny.lines)")
        #expect(report.exitStatus == .ok)
    }

    /// The newest reading all zeros (a key that lost its management rights): left out of
    /// the books, and said, with the time of the figures shown; it was only "the last
    /// reading is 36.0 hours old", of the trusted one, or nothing at all.
    @Test func anAllZeroNewestReadingIsSaid() throws {
        let report = try Self.status(
            of: [("2026-03-07T00:00:00Z", "100", "10"), ("2026-03-08T00:00:00Z", "100", "12"), ("2026-03-08T06:00:00Z", "0", "0")],
            at: "2026-03-08T07:00:00Z")
        #expect(report.runway?.observedAt == reconTime("2026-03-08T00:00:00Z"))
        #expect(report.attention == [
            "the newest reading, at 2026-03-08T06:00:00.000Z, says total_credits 0 and total_usage 0 after non-zero readings and "
                + "is left out (the balance and runway are of the reading of 2026-03-08T00:00:00.000Z): check that the key `fetch` uses is a management key",
        ], "\(report.attention)")
        #expect(report.exitStatus == .attention)
        let later = try Self.status(
            of: [("2026-03-07T00:00:00Z", "100", "10"), ("2026-03-08T00:00:00Z", "0", "0"), ("2026-03-08T06:00:00Z", "100", "12")],
            at: "2026-03-08T07:00:00Z")
        #expect(later.attention.isEmpty, "a zero reading older than the newest trusted one is the report's: \(later.attention)")
        // Two days after the last trusted reading, with a zero one since: the job ran, so the
        // zero reading alone is said, not "check that the nightly job runs" (probe 144).
        let zeroSince = try Self.status(
            of: [("2026-03-07T00:00:00Z", "100", "10"), ("2026-03-08T00:00:00Z", "100", "12"), ("2026-03-10T00:00:00Z", "0", "0")],
            at: "2026-03-10T01:00:00Z")
        #expect(zeroSince.attention.count == 1 && zeroSince.attention.first?.hasPrefix("the newest reading, at 2026-03-10") == true,
                "\(zeroSince.attention)")
    }

    /// The runway counts down as the last reading ages: a week after a reading with 8.3
    /// days left, 1.3 are left at that pace, which is under the threshold. Status said 8.3,
    /// exit 0 but for the stale reading (probe 144).
    @Test func theRunwayCountsDownFromTheLastReading() throws {
        let fresh = try Self.status(of: [("2026-03-01T00:00:00Z", "100", "0"), ("2026-03-02T00:00:00Z", "100", "10")],
                                    at: "2026-03-02T00:00:00Z")
        #expect(fresh.runway?.daysText == "9.0" && fresh.runwayFromNowTenths == 90)
        #expect(fresh.lines.contains("runway 9.0 days (threshold 7 days)"), "\(fresh.lines)")
        // Cut from the exact figure, never promising a tenth too many: an hour on, 8.958 is 8.9
        // (the age cut first said 9.0, and a threshold of 9 went unsaid; probe 148).
        let hour = try Self.status(of: [("2026-03-01T00:00:00Z", "100", "0"), ("2026-03-02T00:00:00Z", "100", "10")],
                                   at: "2026-03-02T01:00:00Z", options: { var o = StatusOptions(account: "default"); o.minRunwayDays = 9; return o }())
        #expect(hour.runwayFromNowTenths == 89 && hour.attention.first?.hasPrefix("runway 8.9 days from now") == true,
                "\(hour.attention)")
        var options = StatusOptions(account: "default")
        options.maxGapSeconds = 200 * 3600
        let aged = try Self.status(of: [("2026-03-01T00:00:00Z", "100", "0"), ("2026-03-02T00:00:00Z", "100", "10")],
                                   at: "2026-03-04T12:00:00Z", options: options)
        #expect(aged.runwayFromNowTenths == 65)
        #expect(aged.lines.contains("runway 9.0 days at the reading, 6.5 days from now at that pace (threshold 7 days)"),
                "\(aged.lines)")
        #expect(aged.attention == ["runway 6.5 days from now (9.0 at the reading of 2026-03-02T00:00:00.000Z, at that pace) is "
            + "under 7 days: plan a top-up"], "\(aged.attention)")
        #expect(aged.json.text.contains(#""runway_days_from_now":"6.5""#) && aged.json.text.contains(#""max_gap_hours":200"#))
        #expect(aged.json.text.contains(#""attention_kinds":["runway_low"]"#), "\(aged.json.text)")
    }

    /// An empty or overdrawn account needs a person whatever `--min-runway-days`: with 0 it
    /// exited 0 (probe 188), and under a threshold it said only "runway 0.0 days".
    @Test func anOverdrawnAccountNeedsAttentionWhateverTheThreshold() throws {
        var options = StatusOptions(account: "default")
        options.minRunwayDays = 0
        let overdrawn = try Self.status(of: [("2026-03-01T00:00:00Z", "100", "90"), ("2026-03-02T00:00:00Z", "100", "108.46")],
                                        at: "2026-03-02T00:00:00Z", options: options)
        #expect(overdrawn.attention == ["the balance is overdrawn: -8.46 USD at the reading of 2026-03-02T00:00:00.000Z, so the "
            + "account's requests are refused: plan a top-up"], "\(overdrawn.attention)")
        #expect(overdrawn.exitStatus == .attention)
        #expect(overdrawn.json.text.contains(#""attention_kinds":["runway_low"]"#), "\(overdrawn.json.text)")
        let empty = try Self.status(of: [("2026-03-01T00:00:00Z", "100", "50"), ("2026-03-02T00:00:00Z", "100", "100")],
                                    at: "2026-03-02T00:00:00Z")
        #expect(empty.attention.count == 1 && empty.attention.first?.hasPrefix("the balance is empty: 0 USD") == true,
                "\(empty.attention)")
    }

    /// A `run` job at work is named as the job, then the stage it is at: the stage alone
    /// (`fetch`) read as a fetch started by hand (probe 144).
    @Test func aRunJobAtWorkIsNamedWithItsStage() throws {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-03-01T06:00:00Z", credits: "100", usage: "0")
        let start = reconTime("2026-03-02T02:00:00Z")
        let (job, stage) = try fixture.ledger.write { writer -> (Int64, Int64) in
            let job = try writer.append(.runStarted(RunStarted(command: "run")), account: "default", runID: nil, at: start)
            let stage = try writer.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil,
                                          at: start.adding(milliseconds: 1))
            return (job, stage)
        }
        let report = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-02T02:00:05Z"),
            writer: RunningWriter(holder: "process 4242", runs: [job, stage]))
        #expect(report.lines.contains("a writer is at work on the ledger: process 4242, run \(job) (run, started "
            + "2026-03-02T02:00:00.000Z), at its fetch (run \(stage))"), "\(report.lines)")
        #expect(report.json.text.contains(#""command":"run","holder":"process 4242","run_id":\#(job),"stage":{"command":"fetch","run_id":\#(stage)}"#),
                "\(report.json.text)")
    }

    /// While a top-up runs, the rows its run planned and has not sent yet, and the one whose
    /// request it is waiting on, are being sent: not "never sent" nor "unknown", and no reason
    /// for exit 1 (a monitor polling `status` in the cron window was told to run `topup`
    /// again). Only the runs the writer says are its own count, and only when that holds up
    /// (every run since its first): another unfinished run is a crashed one, whose request is
    /// still unknown (probe 68: with a fetch at work, a crashed top-up's rows were "being
    /// sent", exit 0), and rows an earlier run planned of another plan stay never sent, even in a
    /// batch of the same name (probe 69: another plan's rows were hidden); of the plan it
    /// sends, they are its, in flight (probe 426).
    /// Once the run has ended, its rows are judged as before.
    @Test func rowsTheRunningTopUpIsSendingAreInFlight() throws {
        let (fixture, running) = try Self.topUpAtWork()
        let ledger = fixture.ledger
        let now = reconTime("2026-03-02T08:30:00Z")
        let options = StatusOptions(account: "default")
        let writer = RunningWriter(holder: "process 4242", runs: [running])

        let seen = try StatusReport.read(ledger: ledger, options: options, now: now, writer: writer)
        #expect(seen.inFlight == OpenCharges(count: 3, amount: reconMicros("54")), "its rows, and the dead run's of its plan")
        #expect(seen.unknown == OpenCharges(count: 1, amount: reconMicros("5")), "the dead run's request")
        #expect(seen.planned == OpenCharges(count: 2, amount: reconMicros("16")), "the dead run's rows of another plan or batch")
        #expect(seen.runningRuns.map(\.id) == [running])
        // The dead run's request, its rows never sent, and the dead run itself, which never ended.
        #expect(seen.attention.count == 3 && seen.attention[0].hasPrefix("1 charge request of unknown outcome (5.00 USD)"), "\(seen.attention)")
        #expect(seen.attention.contains { $0.hasPrefix("the last `topup` (run \(running - 6), started 2026-03-02T07:00:00.000Z) never ended") },
                "\(seen.attention)")
        #expect(seen.lines.contains("open charges: 0 pending (0.00), 1 unknown (5.00), 0 blocked (0.00); 2 planned, not sent (16.00); "
            + "3 being sent by the running top-up (54.00)"), "\(seen.lines)")
        #expect(seen.lines.contains("a writer is at work on the ledger: process 4242, run \(running) (topup, started 2026-03-02T08:00:00.000Z)"),
                "\(seen.lines)")
        let json = seen.json.text
        #expect(json.contains(#""in_flight":{"amount":"54","count":3}"#), "\(json)")
        #expect(json.contains(#""running_writer":{"command":"topup","holder":"process 4242","run_id":\#(running),"stage":null,"started_at":"2026-03-02T08:00:00.000Z"}"#), "\(json)")

        // No writer at work, one that has said no run of its own (a fetch that has not started
        // its run, an import), or an announcement that does not hold up (a lock file written
        // by hand: a crashed run that later runs followed, or a run that is not there): every
        // unfinished run is judged as a crashed one.
        let dead = running - 6
        for writer in [nil, RunningWriter(holder: "process 4243"), RunningWriter(holder: "process 4243", runs: [dead]),
                       RunningWriter(holder: "process 4243", runs: [running, running + 1])] {
            let unseen = try StatusReport.read(ledger: ledger, options: options, now: now, writer: writer)
            #expect(unseen.inFlight.count == 0 && unseen.unknown.count == 2 && unseen.planned.count == 4)
            #expect(unseen.exitStatus == .attention)
        }

        // Whether a writer is at work cannot be told: said, with the rows judged as without one.
        let unseen = try StatusReport.read(
            ledger: ledger, options: options, now: now, writerUnseen: WriterUnseen(reason: "cannot read the lock file l.lock: denied"))
        #expect(unseen.inFlight.count == 0 && unseen.unknown.count == 2 && unseen.exitStatus == .attention)
        #expect(unseen.lines.contains("whether a writer is at work cannot be told (cannot read the lock file l.lock: denied): rows "
            + "a running top-up is sending show here as unknown or never sent"), "\(unseen.lines)")
        #expect(unseen.json.text.contains(#""running_writer_unseen":"cannot read the lock file l.lock: denied""#))

        // The writer's run has ended: as before.
        try ledger.write { writer in
            _ = try writer.append(.runFinished(RunFinished(runID: running, outcome: "failed", exitCode: 75, summary: "stopped")),
                                  account: "default", runID: nil, at: now)
        }
        let ended = try StatusReport.read(ledger: ledger, options: options, now: now, writer: writer)
        #expect(ended.inFlight.count == 0 && ended.unknown.count == 2 && ended.planned.count == 4 && ended.runningRuns.isEmpty)
        #expect(ended.lines.contains("a writer is at work on the ledger: process 4242"), "\(ended.lines)")
    }

    /// A report read while a top-up is at work says the rows it has planned or is sending as
    /// notes, in flight (probe 410: `outcome_unknown` errors and `topup_not_sent` warnings,
    /// exit 1, with advice to record or send again what was being sent); a dead run's rows,
    /// and every row once no writer is at work, as before.
    @Test func aReportDuringATopUpSaysItsRowsAreInFlight() throws {
        let (fixture, running) = try Self.topUpAtWork()
        var options = ReconcileOptions(account: "default")
        let asOf = reconTime("2026-03-02T08:30:00Z")
        func kinds(_ books: Reconciliation) -> [String: String] {
            Dictionary(books.findings.compactMap { finding in
                guard finding.kind == .outcomeUnknown || finding.kind == .topUpNotSent, let row = finding.reference else { return nil }
                return (row, "\(finding.kind.rawValue) \(finding.severity.rawValue)")
            }, uniquingKeysWith: { first, _ in first })
        }
        let alone = kinds(try Reconciler(options: options).reconcile(fixture.ledger, asOf: asOf))
        #expect(alone["sending"] == "outcome_unknown error" && alone["queued"] == "topup_not_sent warning", "\(alone)")
        options.writer = RunningWriter(holder: "process 4242", runs: [running])
        let books = try Reconciler(options: options).reconcile(fixture.ledger, asOf: asOf)
        let seen = kinds(books)
        #expect(seen["sending"] == "outcome_unknown info" && seen["queued"] == "topup_not_sent info", "\(seen)")
        #expect(seen["old"] == "outcome_unknown error" && seen["resumed"] == "topup_not_sent warning", "the dead run's: \(seen)")
        #expect(seen["left"] == "topup_not_sent info", "the dead run's row of the plan the writer sends: \(seen)")
        #expect(books.inFlightRuns == ["sending": running, "queued": running, "left": running])
        let sending = books.findings.first { $0.reference == "sending" }?.message
        #expect(sending == "sending (20) is being sent by run \(running), process 4242, which was at work as the ledger was read: "
            + "nothing to do yet; a report after that run ends says how it went.")
        let lines = Dictionary(books.charges.compactMap { line in line.topUpKey.map { ($0, line) } }, uniquingKeysWith: { a, _ in a })
        #expect(lines["queued"]?.state == .planned && lines["sending"]?.state == .unknown)
        #expect(lines["queued"]?.error == "waiting to be sent by run \(running), process 4242, at work as the ledger was read")
        // A writer whose announcement does not hold up (a run that is not there) is not believed.
        options.writer = RunningWriter(holder: "process 4243", runs: [running, running + 1])
        #expect(kinds(try Reconciler(options: options).reconcile(fixture.ledger, asOf: asOf))["sending"] == "outcome_unknown error")
    }

    /// A ledger with a top-up run that died (a request sent, rows planned in batches `march`
    /// and `april`) and one at work (`running`: `sending` sent, `queued` not yet).
    static func topUpAtWork() throws -> (fixture: ReconcileFixture, running: Int64) {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-03-01T06:00:00Z", credits: "100", usage: "10")
        try fixture.snapshot("2026-03-02T06:00:00Z", credits: "100", usage: "11")
        let ledger = fixture.ledger
        func row(_ key: String, _ amount: String, batch: String = "march", plan: String = "plan.csv") -> Fact {
            .topUpPlanned(TopUpPlanned(
                key: key, batch: batch, reference: key, wallet: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", chainID: 8453,
                amount: reconMicros(amount), memo: nil, planFile: plan, planLine: 2))
        }
        let morning = reconTime("2026-03-02T07:00:00Z")
        let running = try ledger.write { writer -> Int64 in
            let dead = try writer.append(.runStarted(RunStarted(command: "topup")), account: "default", runID: nil, at: morning)
            _ = try writer.append(row("old", "5"), account: "default", runID: dead, at: morning)
            // Another plan's row in a batch of the same name, and one of the plan the running
            // top-up sends again: its to send (probe 426).
            _ = try writer.append(row("resumed", "7", plan: "other.csv"), account: "default", runID: dead, at: morning)
            _ = try writer.append(row("left", "4"), account: "default", runID: dead, at: morning)
            _ = try writer.append(row("stale", "9", batch: "april"), account: "default", runID: dead, at: morning)
            _ = try writer.append(.chargeRequested(ChargeRequested(key: "old", attempt: 1)), account: "default", runID: dead, at: morning)
            let later = morning.adding(seconds: 3600)
            let running = try writer.append(.runStarted(RunStarted(command: "topup")), account: "default", runID: nil, at: later)
            for (key, amount) in [("sending", "20"), ("queued", "30")] {
                _ = try writer.append(row(key, amount), account: "default", runID: running, at: later)
            }
            _ = try writer.append(.chargeRequested(ChargeRequested(key: "sending", attempt: 1)), account: "default", runID: running, at: later)
            return running
        }
        return (fixture, running)
    }

    /// The command an advice gives for rows of one plan is that plan's own; for rows of
    /// several, or of a plan whose file is not known, the generic one.
    @Test func theAdvicesCommandIsTheRowsPlans() {
        let one = StatusReport.PlanOfRows(planFile: "nov.csv", batch: "bee", account: "ops")
        #expect(StatusReport.command(for: [one], "--retry-unknown") == "`credit-recon --account ops topup nov.csv --batch bee --retry-unknown`")
        #expect(StatusReport.command(for: [one], "") == "`credit-recon --account ops topup nov.csv --batch bee`")
        let two: Set = [one, StatusReport.PlanOfRows(planFile: "dec.csv", batch: "dec", account: "default")]
        #expect(StatusReport.command(for: two, "--dry-run") == "`topup PLAN.csv --dry-run` (for each plan, with its --batch and --account)")
        #expect(StatusReport.command(for: [StatusReport.PlanOfRows(planFile: nil, batch: "x", account: "default")], "--dry-run")
            == "`topup PLAN.csv --dry-run`")
    }

    @Test func noReadingsNeedAttention() throws {
        let fixture = try ReconcileFixture()
        let report = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-10T07:00:00Z"))
        #expect(report.runway == nil)
        #expect(report.exitStatus == .attention)
        #expect(report.lines.contains("no readings yet"))
        #expect(report.attention == ["there are no readings yet: run `credit-recon fetch`"], "an empty ledger holds no other account")
    }

    /// An account the ledger does not hold, beside one it does (a typo in `--account`): the
    /// attention line names the accounts it holds.
    @Test func anAccountTheLedgerDoesNotHoldNamesTheOnesItDoes() throws {
        let fixture = try ReconcileFixture()
        try fixture.buildGoldenScenario()
        let typo = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "defualt"), now: reconTime("2026-03-10T07:00:00Z"))
        #expect(typo.exitStatus == .attention)
        #expect(typo.attention == ["there are no readings yet: run `credit-recon fetch` (the ledger holds no account "
            + #""defualt"; it holds "default": check --account)"#])
        let held = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-10T07:00:00Z"))
        #expect(held.heldAccounts.isEmpty)
        // A name with quotes in it is quoted with them escaped, as the report's refusal does
        // (probe 135: `"a"b"`).
        let quoted = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: #"a"b"#), now: reconTime("2026-03-10T07:00:00Z"))
        #expect(quoted.attention.first?.hasSuffix(#"(the ledger holds no account "a\"b"; it holds "default": check --account)"#) == true,
                "\(quoted.attention)")
        // An apostrophe as it is (probe 319: `"\'-ops"`, which is not the label), a direction
        // override as `?`.
        let apostrophe = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "'-ops\u{202e}"), now: reconTime("2026-03-10T07:00:00Z"))
        #expect(apostrophe.attention.first?.hasSuffix(#"(the ledger holds no account "'-ops?"; it holds "default": check --account)"#)
                == true, "\(apostrophe.attention)")
    }
}

/// `status` per key (issue 18): what each enabled key can still spend, the keys nearest
/// their limits, and `key_limit_low` as a reason for attention.
struct StatusKeyTests {
    private func key(
        _ hash: String, name: String?, disabled: Bool? = false, usage: String = "1", limit: String? = nil,
        remaining: String? = nil, reset: String? = nil
    ) -> KeyReading {
        KeyReading(
            hash: hash, name: name, label: "sk-or-v1-\(hash.prefix(3))...secret", disabled: disabled,
            usage: reconMicros(usage), byokUsage: nil, limit: limit.map(reconMicros),
            limitRemaining: remaining.map(reconMicros), limitReset: reset, createdAt: nil)
    }

    /// What a key can spend is never below zero (a key over its limit, an overdrawn
    /// account: it said "can spend -5.00 USD"), nothing for a disabled key, and a remainder
    /// the API gives without a limit is not a limit.
    @Test func whatAKeyCanSpendIsNeverBelowZero() {
        let balance = reconMicros("40")
        #expect(KeyLimitStanding(key: key("a", name: "over", limit: "10", remaining: "-5"), balance: balance).spendable == .zero)
        #expect(KeyLimitStanding(key: key("b", name: "off", disabled: true), balance: balance).spendable == .zero)
        #expect(KeyLimitStanding(key: key("c", name: "odd", remaining: "3"), balance: balance).spendable == balance)
        #expect(KeyLimitStanding(key: key("d", name: "ok", limit: "10", remaining: "6"), balance: balance).spendable == reconMicros("6"))
        #expect(KeyLimitStanding(key: key("e", name: "ok"), balance: reconMicros("-2")).spendable == .zero)
    }

    /// Balance 40 at the last reading; five keys read an hour later.
    private func fixtureWithKeys() throws -> ReconcileFixture {
        let fixture = try ReconcileFixture()
        try fixture.snapshot("2026-03-09T06:00:00Z", credits: "50", usage: "5")
        try fixture.snapshot("2026-03-10T06:00:00Z", credits: "50", usage: "10")
        let keys = [
            key("ccc333ccc333", name: "ci", limit: "20", remaining: "7"),
            key("aaa111aaa111", name: "batch", limit: "50", remaining: "2", reset: "monthly"),
            key("bbb222bbb222", name: "chat"),
            key("ddd444ddd444", name: "old", disabled: true, limit: "10", remaining: "0.5"),
            key("eee555eee555", name: nil, limit: "100", remaining: "60"),
        ]
        try fixture.append(.keysRead(KeysRead(
            observedAt: reconTime("2026-03-10T06:00:01Z"), keys: keys, rawBodies: [#"{"data":[]}"#])),
            at: reconTime("2026-03-10T06:00:01Z"))
        return fixture
    }

    private let now = reconTime("2026-03-10T07:00:00Z")

    @Test func eachEnabledKeyCanSpendTheSmallerOfTheBalanceAndItsLimitRemaining() throws {
        let fixture = try fixtureWithKeys()
        let report = try StatusReport.read(ledger: fixture.ledger, options: StatusOptions(account: "default"), now: now)
        #expect(report.keysReadAt == reconTime("2026-03-10T06:00:01Z"))
        #expect(report.keys.count == 5)
        #expect(report.enabledKeys.map { $0.key.name } == ["batch", "chat", "ci", nil])
        #expect(report.enabledKeys.map(\.spendable) == ["2", "40", "7", "40"].map(reconMicros))
        #expect(report.keysNearestLimits.map(\.key.hash) == ["aaa111aaa111", "ccc333ccc333", "eee555eee555"])
        let lines = report.lines
        #expect(lines.contains("keys listed at 2026-03-10T06:00:01.000Z: 4 enabled, 1 disabled; "
            + "each can spend the smaller of the balance and what is left of its limit"))
        #expect(lines.contains(#"  "batch" aaa111aa can spend 2.00 USD (2.00 left of its 50.00 limit, resets monthly)"#))
        #expect(lines.contains(#"  "chat" bbb222bb can spend 40.00 USD (no limit)"#))
        #expect(lines.contains("  eee555ee can spend 40.00 USD (60.00 left of its 100.00 limit)"))
        #expect(lines.contains(#"nearest their limits: "batch" aaa111aa 4.00 % left, "ci" ccc333cc 35.00 % left, eee555ee 60.00 % left"#))
        #expect(!lines.joined().contains("\"old\""), "disabled keys are not listed")
        // The key's label (a masked form of the key) is never printed.
        #expect(!lines.joined().contains("secret") && !report.json.text.contains("secret"))
    }

    /// A status as of a time before the last reading (a clock set back, or --now) says so
    /// and needs a person; it printed "(-713.9 hours old)" and exited 0.
    @Test func aReadingDatedAfterNowIsSaidAndNeedsAttention() throws {
        let fixture = try fixtureWithKeys()
        let earlier = reconTime("2026-03-10T05:00:00Z")
        let report = try StatusReport.read(ledger: fixture.ledger, options: StatusOptions(account: "default"), now: earlier)
        #expect(report.lines.contains { $0.hasSuffix("(dated 1.0 hours after now)") }, "\(report.lines)")
        #expect(report.lines.contains(
            "needs attention: the last reading, of 2026-03-10T06:00:00.000Z, is dated after now, 2026-03-10T05:00:00.000Z: check "
                + "the machine's clock, or --now"))
        #expect(report.exitStatus == .attention)
        // Under an hour ahead, in minutes: it was "0.0 hours after now" (probe 384).
        let close = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-10T05:58:30Z"))
        #expect(close.lines.contains { $0.hasSuffix("(dated 1.5 minutes after now)") }, "\(close.lines)")
        // 59.98 minutes ahead, which would read "60.0 minutes", is said in hours (probe 388).
        let hour = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-10T05:00:01.200Z"))
        #expect(hour.lines.contains { $0.hasSuffix("(dated 1.0 hours after now)") }, "\(hour.lines)")
        #expect(close.exitStatus == .attention)
        // A reading a moment after now (the run before, with the same --now) is not.
        let moment = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-10T06:00:00.000Z").adding(seconds: -1))
        #expect(moment.lines.contains { $0.hasSuffix("(0.0 hours old)") }, "\(moment.lines)")
        #expect(!moment.attention.contains { $0.contains("after now") })
    }

    @Test func aKeyNearItsLimitNeedsAttention() throws {
        let fixture = try fixtureWithKeys()
        let report = try StatusReport.read(ledger: fixture.ledger, options: StatusOptions(account: "default"), now: now)
        // batch: 2 left is under 5 USD and under 10 % of 50; ci (7 of 20) and the unnamed key are not.
        #expect(report.keyLimitFindings.map(\.reference) == ["batch"])
        #expect(report.exitStatus == .attention)
        #expect(report.lines.contains { $0.hasPrefix(#"needs attention: key "batch" aaa111aa has 2 USD left of its 50 limit"#) })

        var stricter = StatusOptions(account: "default")
        stricter.minKeyRemaining = reconMicros("7.000001")
        let strict = try StatusReport.read(ledger: fixture.ledger, options: stricter, now: now)
        #expect(strict.keyLimitFindings.map(\.reference) == ["batch", "ci"])

        var onlyTheShare = StatusOptions(account: "default")
        onlyTheShare.minKeyRemaining = .zero
        let share = try StatusReport.read(ledger: fixture.ledger, options: onlyTheShare, now: now)
        #expect(share.keyLimitFindings.map(\.reference) == ["batch"])
    }

    @Test func theJSONHasEveryKeyWithExactAmounts() throws {
        let fixture = try fixtureWithKeys()
        let report = try StatusReport.read(ledger: fixture.ledger, options: StatusOptions(account: "default"), now: now)
        guard case .object(let members) = report.json, case .array(let keys)? = members["keys"],
              case .object(let batch)? = keys.first
        else {
            Issue.record("not the expected shape: \(report.json.text)")
            return
        }
        #expect(keys.count == 5)
        #expect(batch["name"] == .string("batch"))
        #expect(batch["spendable"] == .string("2"))
        #expect(batch["limit"] == .string("50"))
        #expect(batch["limit_remaining"] == .string("2"))
        #expect(batch["remaining_basis_points"] == .int(400))
        #expect(members["keys_read_at"] == .string("2026-03-10T06:00:01.000Z"))
        #expect(members["min_key_remaining"] == .string("5"))
        #expect(members["nearest_limits"] == .array(["aaa111aaa111", "ccc333ccc333", "eee555eee555"].map(JSONOutput.string)))
    }

    @Test func withoutKeyReadingsStatusSaysHowToGetThem() throws {
        let fixture = try ReconcileFixture()
        try fixture.buildGoldenScenario()
        let report = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-10T07:00:00Z"))
        #expect(report.keys.isEmpty && report.keysReadAt == nil)
        #expect(report.lines.contains("keys: none read yet; `credit-recon fetch` reads them (GET /keys) unless --no-keys is given"))
        #expect(!report.attention.contains { $0.contains("keys") }, "no key reading is no reason for attention: \(report.attention)")
        #expect(report.json.text.contains(#""keys":[]"#))
    }

    @Test func keyNamesCannotDriveTheTerminal() {
        let named = key("fff666fff666", name: "evil\u{1B}[2J\u{202E}name")
        #expect(named.shown == #""evil?[2J?name" fff666ff"#)
        // A name past 80 characters is cut (5,000 filled the screen twice, probe 245).
        let long = key("aaa111aaa111", name: String(repeating: "A", count: 5000))
        #expect(long.shown == "\"" + String(repeating: "A", count: 79) + "…\" aaa111aa")
        #expect(key("bbb", name: String(repeating: "B", count: 80)).shown.count == 80 + 2 + 4)
        // Its own quotes and backslashes escaped: where a name ends can be seen (probe 388).
        #expect(key("ccc333ccc333", name: #"q"uo\te"#).shown == #""q\"uo\\te" ccc333cc"#)
        #expect(StatusReport.percentText(basisPoints: 5) == "0.05 %")
        #expect(StatusReport.percentText(basisPoints: 10_000) == "100.00 %")
        #expect(StatusReport.percentText(basisPoints: -250) == "-2.50 %")
    }

    @Test func minKeyRemainingIsParsedExactlyAndNeverNegative() throws {
        #expect(try ReconcileOptions.amount("5", option: "--min-key-remaining") == reconMicros("5"))
        #expect(try ReconcileOptions.amount("0", option: "--min-key-remaining") == .zero)
        #expect(try ReconcileOptions.amount("2.000001", option: "--min-key-remaining") == Micros(raw: 2_000_001))
        for bad in ["-1", "abc", "", "1.0000001", "1e3", "5 USD", "+5", "-0"] {
            let error = try #require(throws: ReconcileError.self) { try ReconcileOptions.amount(bad, option: "--min-key-remaining") }
            #expect(error.exitStatus == .usage)
            #expect(error.message.hasPrefix("--min-key-remaining: \"\(bad)\""), "\(error.message)")
        }
        // A sign is refused as one: "+5" and "-0" were taken as 5 and 0 (probe 380).
        let signed = try #require(throws: ReconcileError.self) { try ReconcileOptions.amount("+5", option: "--min-key-remaining") }
        #expect(signed.message == "--min-key-remaining: \"+5\" has a sign; write a plain number of USD that is not negative, e.g. 5")
    }
}

/// `status` without a named account on a ledger of several.
struct AccountsStatusTests {
    @Test func everyAccountTheLedgerHoldsGetsABlock() throws {
        let fixture = try ReconcileFixture()
        try fixture.buildGoldenScenario()
        let time = reconTime("2026-03-10T06:30:00Z")
        try fixture.ledger.write { writer in
            _ = try writer.append(.snapshotTaken(SnapshotTaken(
                observedAt: time, totalCredits: reconMicros("3"), totalUsage: reconMicros("0"), source: "api",
                rawBody: "{}")), account: "ops", runID: nil, at: time)
        }
        var heard: [ReportProgress] = []
        let every = try AccountsStatus.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-10T07:00:00Z")
        ) { heard.append($0) }
        #expect(every.reports.map(\.account) == ["default", "ops"])
        // The progress line names each account's place while it reads and reconciles.
        let (readings, charges) = try fixture.ledger.read {
            (try $0.snapshots(account: "default").count, try $0.charges(account: "default").count)
        }
        #expect(heard.map(\.step) == [
            .reading, .reconciling(readings: readings, charges: charges), .reading, .reconciling(readings: 1, charges: 0),
        ])
        #expect(heard.map(\.place?.account) == ["default", "default", "ops", "ops"])
        #expect(heard.allSatisfy { $0.place?.of == 2 })
        // The golden scenario's unknown request and blocked row need a person; ops has none.
        #expect(every.reports.map(\.exitStatus) == [.attention, .ok])
        #expect(every.exitStatus == .attention)
        let lines = every.lines
        #expect(lines.first == "account default, as of 2026-03-10T07:00:00.000Z")
        #expect(lines.contains("") && lines.contains("account ops, as of 2026-03-10T07:00:00.000Z"))
        #expect(every.json.text.hasPrefix(#"{"accounts":[{"#))

        // One account needing a person makes the whole status need one.
        let later = try AccountsStatus.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-11T18:00:01Z"))
        #expect(later.exitStatus == .attention)
    }

    @Test func aLedgerOfOneAccountPrintsThatAccountAsStatusAlwaysDid() throws {
        let fixture = try ReconcileFixture(account: "ops")
        try fixture.buildGoldenScenario()
        let now = reconTime("2026-03-10T07:00:00Z")
        var heard: [ReportProgress] = []
        let every = try AccountsStatus.read(ledger: fixture.ledger, options: StatusOptions(account: "default"), now: now) {
            heard.append($0)
        }
        #expect(heard.count == 2 && heard.allSatisfy { $0.place == nil }, "one account: no place to tell")
        let alone = try StatusReport.read(ledger: fixture.ledger, options: StatusOptions(account: "ops"), now: now)
        #expect(every.reports == [alone])
        #expect(every.json == alone.json)
        #expect(every.lines == alone.lines)
    }

    @Test func anEmptyLedgerShowsTheDefaultAccount() throws {
        let fixture = try ReconcileFixture()
        let every = try AccountsStatus.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-10T07:00:00Z"))
        #expect(every.reports.map(\.account) == ["default"])
        #expect(every.exitStatus == .attention)
    }
}
