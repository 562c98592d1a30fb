import CreditTypes
import Foundation
import Testing
@testable import Ledger

/// The stored format is a promise to every ledger already written: the same facts give the
/// same journal entries, hashes and projection rows, byte for byte, build after build.
/// `Fixtures/stored-format.txt` was written by the build before the ledger's rewrite into
/// one path; set `WRITE_STORED_FORMAT=1` to write it anew only when the format changes on
/// purpose (with a migration for existing ledgers), or to add new kinds' lines (then
/// `git diff` must show only added lines).
@Suite("Stored format: the same facts give the same bytes as ledgers already written")
struct StoredFormatTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/stored-format.txt")

    /// Strings that test the canonical text's escaping.
    static let awkward = [
        "plain", "quote \" back \\ slash /", "nl \n cr \r tab \t ff \u{0C} bs \u{08}", "bell \u{07} esc \u{1B} del \u{7F}",
        "é ü ß 😀 中文", "nul \u{00} inside", "",
    ]

    /// Every kind, awkward texts, several accounts and runs, and a bulk of readings and
    /// recorded charges appended in one call.
    static func facts() -> [(fact: Fact, account: String, runID: Int64?)] {
        var facts: [(Fact, String, Int64?)] = lifecycle().map { ($0, "default", 1) }
        for (offset, text) in awkward.enumerated() {
            let at = t0.adding(seconds: Int64(3600 * (offset + 1)))
            facts.append((.snapshotTaken(SnapshotTaken(
                observedAt: at, totalCredits: Micros(raw: 1_000_000 * Int64(offset + 1) + 7), totalUsage: Micros(raw: -1),
                source: "import", origin: text, rawBody: offset % 2 == 0 ? nil : text)), "acct \(text)", nil))
            facts.append((.chargeRecorded(ChargeRecorded(
                chargeID: "web \(offset) \(text)", amount: Micros(raw: Int64(offset) * 123_456 + 1), wallet: offset % 2 == 0 ? nil : text,
                chainID: offset % 3 == 0 ? nil : 137, createdAt: at, expiresAt: offset % 2 == 0 ? nil : at.adding(seconds: 60),
                reference: text, topUpKey: nil, status: offset % 2 == 0 ? nil : "paid", paidAt: nil, memo: text,
                origin: "charges.csv:\(offset)")), "default", 1))
        }
        facts.append((.runStarted(RunStarted(command: "import \u{1}\(awkward[1])")), "other", nil))
        facts.append((.runFinished(RunFinished(runID: Int64(facts.count), outcome: "failed", exitCode: 74, summary: awkward[2])),
                      "other", Int64(facts.count)))
        facts.append((.snapshotTaken(SnapshotTaken(
            observedAt: Timestamp(millisecondsSinceEpoch: -86_400_001), totalCredits: Micros(raw: Int64.max),
            totalUsage: Micros(raw: Int64.min), source: "api", origin: nil, rawBody: nil)), "default", nil))
        return facts
    }

    static func statusFacts() -> [Fact] {
        [
            .topUpPlanned(TopUpPlanned(key: "ref-9", batch: "b", reference: "ref-9",
                                       wallet: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", chainID: 137,
                                       amount: usd("9.99"), memo: nil, planFile: "p.csv", planLine: 9)),
            .chargeRequested(ChargeRequested(key: "ref-9", attempt: 1)),
            .chargeCreated(ChargeCreated(key: "ref-9", chargeID: "ch_9", createdAt: t0.adding(seconds: 300),
                                         expiresAt: t0.adding(seconds: 3900), callData: nil, rawBody: "{}")),
            .chargeStatusRecorded(ChargeStatusRecorded(chargeID: "ch_9", status: "pending", paidAt: nil, origin: "export.csv:2")),
            .chargeStatusRecorded(ChargeStatusRecorded(
                chargeID: "ch_9", status: "paid", paidAt: t0.adding(seconds: 400), origin: awkward[1])),
        ]
    }

    static func bulk() -> [(fact: Fact, account: String)] {
        (0..<300).map { index in
            let at = t0.adding(seconds: 86_400 * 30 + Int64(index) * 61)
            if index % 3 == 0 {
                return (.chargeRecorded(ChargeRecorded(
                    chargeID: "bulk-\(index)", amount: Micros(raw: Int64(index) * 1_000_001), wallet: "0xabc",
                    chainID: 8453, createdAt: at, expiresAt: at.adding(seconds: 3600), reference: nil, topUpKey: nil,
                    status: "paid", paidAt: at.adding(seconds: 5), memo: index % 2 == 0 ? nil : "m\(index)",
                    origin: "bulk.csv:\(index)")), "default")
            }
            return (.snapshotTaken(SnapshotTaken(
                observedAt: at, totalCredits: Micros(raw: 5_000_000 + Int64(index)), totalUsage: Micros(raw: Int64(index) * 999),
                source: "import", origin: "bulk.csv:\(index)")), index % 5 == 0 ? "second" : "default")
        }
    }

    /// Writes the facts and dumps the journal and every projection table as text.
    static func dump() throws -> String {
        let temp = try TemporaryLedger()
        try temp.ledger.write { writer in
            for (offset, item) in facts().enumerated() {
                try writer.append(item.fact, account: item.account, runID: item.runID, at: t0.adding(milliseconds: Int64(offset * 7)))
            }
        }
        try temp.ledger.write { writer in
            try writer.append(contentsOf: bulk(), runID: 1, at: t0.adding(seconds: 99)) { ($0.fact, $0.account) }
        }
        // Added with key readings and activity days: after everything above, so its lines
        // come after the ones ledgers already written hold.
        try temp.ledger.write { writer in
            for (offset, fact) in usageFacts(texts: awkward).enumerated() {
                try writer.append(fact, account: offset % 2 == 0 ? "default" : awkward[4], runID: nil,
                                  at: t0.adding(seconds: 200 + Int64(offset)))
            }
        }
        // Added with charge.status: a charge created through the API, then two exports' word
        // on it (its rows come after the ones ledgers already written hold).
        try temp.ledger.write { writer in
            for (offset, fact) in statusFacts().enumerated() {
                try writer.append(fact, account: "default", runID: nil, at: t0.adding(seconds: 300 + Int64(offset)))
            }
        }
        // Added with charge.linked: a blocked row's charge, recorded without its reference,
        // then linked to it.
        try temp.ledger.write { writer in
            for (offset, fact) in linkedCharge().enumerated() {
                try writer.append(fact, account: "default", runID: nil, at: t0.adding(seconds: 400 + Int64(offset)))
            }
        }
        let db = try temp.raw()
        var out = ""
        for table in ["journal", "runs", "snapshots", "topups", "charges", "key_listings", "key_readings", "activity_days",
                      "activity_rows"] {
            out += "== \(table)\n"
            let rows = try db.statement("SELECT * FROM \(table) ORDER BY rowid").rows { row in
                (0..<row.columnCount).map { column -> String in
                    switch row.value(column) {
                    case .null: return "NULL"
                    case .integer(let number): return String(number)
                    case .text(let text): return text.debugDescription
                    }
                }.joined(separator: " | ")
            }
            for row in rows { out += row + "\n" }
        }
        return out
    }

    @Test func theSameFactsGiveTheSameStoredBytes() throws {
        try Self.expect(try Self.dump(), asIn: Self.fixture)
    }

    /// A new ledger is made with the tables, indexes and triggers of the ledgers already
    /// written: `Fixtures/stored-schema-sqlite.txt` is what the sqlite3 shell printed of a
    /// ledger made by b3a7e93, the build before the readers' indexes were declared apart
    /// from their tables, with the three triggers migration v8 adds to every ledger.
    @Test func aNewLedgerHasTheSchemaOfTheLedgersAlreadyWritten() throws {
        let temp = try TemporaryLedger()
        let schema = try temp.raw().statement(
            "SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || coalesce(sql, '(automatic)') FROM sqlite_master ORDER BY type, name"
        ).rows { $0.text(0) + "\n" }
        try Self.expect(schema.joined(), asIn: Self.fixtures.appendingPathComponent("stored-schema-sqlite.txt"))
    }

    static let fixtures = fixture.deletingLastPathComponent()

    /// Expects `text` to be `fixture`'s, after writing it there first under `WRITE_STORED_FORMAT=1`.
    static func expect(_ text: String, asIn fixture: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if ProcessInfo.processInfo.environment["WRITE_STORED_FORMAT"] == "1" {
            try text.write(to: fixture, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: fixture, encoding: .utf8)
        #expect(text == expected, sourceLocation: sourceLocation)
    }
}
