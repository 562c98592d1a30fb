import CreditTypes
import Foundation
import Ledger
@testable import CreditRecon

/// An amount from decimal text (test data only).
func reconMicros(_ text: String) -> Micros {
    do { return try Micros(parsing: text) } catch { fatalError("bad test amount \(text)") }
}

/// An instant from ISO 8601 text (test data only).
func reconTime(_ text: String) -> Timestamp {
    do { return try Timestamp(iso8601: text) } catch { fatalError("bad test time \(text)") }
}

/// A fresh ledger in a temporary folder, with helpers that append the facts a scenario
/// needs, each recorded at the time it happened.
final class ReconcileFixture {
    let directory: TemporaryDirectory
    let ledger: Ledger
    let account: String
    private var planLine: Int64 = 1

    init(account: String = "default") throws {
        directory = try TemporaryDirectory()
        ledger = try Ledger(path: directory.path("ledger.sqlite"))
        self.account = account
    }

    func append(_ fact: Fact, at time: Timestamp) throws {
        let account = self.account
        try ledger.write { writer in _ = try writer.append(fact, account: account, runID: nil, at: time) }
    }

    /// A reading of the running totals.
    func snapshot(_ at: String, credits: String, usage: String) throws {
        let time = reconTime(at)
        try append(.snapshotTaken(SnapshotTaken(
            observedAt: time, totalCredits: reconMicros(credits), totalUsage: reconMicros(usage), source: "api",
            rawBody: "{}")), at: time)
    }

    /// A plan row, sent at `at`; the caller then creates it or records its failure. Its
    /// reference is `reference`, else its key, unless `unreferenced`.
    func plan(_ key: String, amount: String, at: String, reference: String? = nil, memo: String? = nil,
              batch: String = "march", unreferenced: Bool = false) throws {
        planLine += 1
        try append(.topUpPlanned(TopUpPlanned(
            key: key, batch: batch, reference: unreferenced ? nil : reference ?? key,
            wallet: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", chainID: 8453, amount: reconMicros(amount),
            memo: memo, planFile: "plan.csv", planLine: planLine)), at: reconTime(at))
        try append(.chargeRequested(ChargeRequested(key: key, attempt: 1)), at: reconTime(at))
    }

    /// A plan row whose charge the API created at `created`, expiring an hour later unless told.
    func charge(_ id: String, key: String? = nil, amount: String, created: String, expires: String? = nil,
                reference: String? = nil, memo: String? = nil, unreferenced: Bool = false) throws {
        let key = key ?? "key-\(id)"
        try plan(key, amount: amount, at: created, reference: reference, memo: memo, unreferenced: unreferenced)
        let createdAt = reconTime(created)
        try append(.chargeCreated(ChargeCreated(
            key: key, chargeID: id, createdAt: createdAt,
            expiresAt: expires.map(reconTime) ?? createdAt.adding(seconds: 3600), callData: nil, rawBody: "{}")),
            at: createdAt)
    }

    /// A plan row whose request ended `blocked`, `rejected` or `unknown` at `at`.
    func failed(_ key: String, amount: String, state: String, at: String, status: Int64?, message: String,
                memo: String? = nil) throws {
        try plan(key, amount: amount, at: at, memo: memo)
        let failure = ChargeFailed(key: key, httpStatus: status, message: message, rawBody: nil)
        let fact: Fact
        switch state {
        case "blocked": fact = .chargeBlocked(failure)
        case "rejected": fact = .chargeRejected(failure)
        default: fact = .chargeUnknown(failure)
        }
        try append(fact, at: reconTime(at))
    }

    /// A charge made elsewhere, recorded from an export at `recordedAt` (default: its creation).
    func recorded(_ id: String, amount: String, created: String, expires: String? = nil, status: String? = nil,
                  paidAt: String? = nil, memo: String? = nil, recordedAt: String? = nil, reference: String? = nil,
                  wallet: String? = nil) throws {
        try append(.chargeRecorded(ChargeRecorded(
            chargeID: id, amount: reconMicros(amount), wallet: wallet, chainID: 8453, createdAt: reconTime(created),
            expiresAt: expires.map(reconTime), reference: reference, topUpKey: nil, status: status,
            paidAt: paidAt.map(reconTime), memo: memo, origin: "charges.csv:2")),
            at: reconTime(recordedAt ?? created))
    }

    /// An export recording charge `id`, already in the ledger, as paid at `paidAt`.
    func recordedPaid(_ id: String, paidAt: String, recordedAt: String) throws {
        try append(.chargeStatusRecorded(ChargeStatusRecorded(
            chargeID: id, status: "paid", paidAt: reconTime(paidAt), origin: "export.csv:2")), at: reconTime(recordedAt))
    }

    func options(_ change: (inout ReconcileOptions) -> Void = { _ in }) -> ReconcileOptions {
        var options = ReconcileOptions(account: account)
        change(&options)
        return options
    }

    func reconcile(_ change: (inout ReconcileOptions) -> Void = { _ in }) throws -> Reconciliation {
        try Reconciler(options: options(change)).reconcile(ledger)
    }

    /// The golden scenario: ten days of March 2026 with every kind of charge fate.
    ///
    /// - ch_A (25) and ch_B (40) created minutes apart; only the later ch_B was paid.
    /// - ch_C (10) and ch_D (15) both paid in one rise of 25, after a 48-hour gap in readings.
    /// - ch_E (30) paid with a 20 card purchase in one rise of 50; an all-zero reading in between.
    /// - usage goes down by 1 on 03-08.
    /// - web_1 (12.5, recorded from an export, paid 03-08 14:00) pinned to its window, while
    ///   the older API charge ch_F for the same amount expired unpaid.
    /// - blocked, rejected and unknown requests; ch_G still pending at the end.
    func buildGoldenScenario() throws {
        try snapshot("2026-03-01T06:00:00Z", credits: "100", usage: "10")
        try snapshot("2026-03-02T06:00:00Z", credits: "100", usage: "14")
        try charge("ch_A", amount: "25", created: "2026-03-02T10:00:00Z", reference: "inv-001",
                   memo: #"=HYPERLINK("http://evil.example","click")"#)
        try charge("ch_B", amount: "40", created: "2026-03-02T10:05:00Z", reference: "inv-002", memo: "a|b")
        try snapshot("2026-03-03T06:00:00Z", credits: "140", usage: "18.5")
        try charge("ch_C", amount: "10", created: "2026-03-04T09:00:00Z", reference: "inv-003")
        try charge("ch_D", amount: "15", created: "2026-03-04T09:01:00Z", reference: "inv-004",
                   memo: "line one\nline two, with \"quotes\"")
        try snapshot("2026-03-05T06:00:00Z", credits: "165", usage: "27")
        try snapshot("2026-03-06T06:00:00Z", credits: "165", usage: "31.25")
        try failed("inv-005", amount: "100", state: "blocked", at: "2026-03-06T10:00:00Z", status: 410,
                   message: "Coinbase Commerce is no longer available", memo: "+cmd")
        try failed("inv-006", amount: "1", state: "rejected", at: "2026-03-06T10:01:00Z", status: 400,
                   message: "amount must be at least 5")
        try snapshot("2026-03-06T12:00:00Z", credits: "0", usage: "0")
        try charge("ch_E", amount: "30", created: "2026-03-06T15:00:00Z", reference: "inv-007")
        try snapshot("2026-03-07T06:00:00Z", credits: "215", usage: "36")
        try snapshot("2026-03-08T06:00:00Z", credits: "215", usage: "35")
        try charge("ch_F", amount: "12.5", created: "2026-03-08T13:00:00Z", reference: "inv-008")
        try recorded("web_1", amount: "12.5", created: "2026-03-08T13:30:00Z", status: "paid",
                     paidAt: "2026-03-08T14:00:00Z", memo: "@web flow", recordedAt: "2026-03-08T18:00:00Z")
        try snapshot("2026-03-09T06:00:00Z", credits: "227.5", usage: "41.123456")
        try failed("inv-009", amount: "5", state: "unknown", at: "2026-03-09T10:00:00Z", status: nil,
                   message: "the connection was reset after the request was sent")
        try charge("ch_G", amount: "20", created: "2026-03-10T05:30:00Z", reference: "inv-010")
        try snapshot("2026-03-10T06:00:00Z", credits: "227.5", usage: "47")
    }
}

extension ReportText {
    /// What a report file's renderer (`ReportFiles.chargesCSV`, `ReportFiles.markdown`, …)
    /// appends for `books`, kept in memory.
    static func rendered(_ render: (Reconciliation, inout ReportText) -> Void, _ books: Reconciliation) -> ReportText {
        var text = ReportText()
        render(books, &text)
        return text
    }
}
