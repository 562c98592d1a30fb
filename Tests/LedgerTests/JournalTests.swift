import CreditTypes
import Foundation
import Testing
@testable import Ledger

@Suite("Journal: canonical JSON, hash chain, replay, tampering")
struct JournalTests {
    @Test func chainHashIsSHA256OfPreviousHashThenEntry() {
        // printf '%s' "$(printf '0%.0s' {1..64}){\"a\":1}" | sha256sum
        #expect(JournalEntry.chainHash(previous: JournalEntry.genesisHash, entryText: #"{"a":1}"#)
            == "fc6cee09194dd2578bd7664604fcb72a539066fd34544cea0009c43eb6cdc289")
    }

    @Test func canonicalJSONSortsKeysAndEscapesMinimally() throws {
        let value = JSONValue.object([
            "b": .int(-12), "a": .string("quote \" back \\ nl \n tab \t bell \u{07} é 😀"),
            "c": .array([.null, .bool(true), .object([:])]),
        ])
        #expect(value.canonicalText
            == #"{"a":"quote \" back \\ nl \n tab \t bell \u0007 é 😀","b":-12,"c":[null,true,{}]}"#)
        #expect(try JSONValue.parse(value.canonicalText) == value)
    }

    @Test func everyFactSurvivesTheRoundTrip() throws {
        for (offset, fact) in lifecycle().enumerated() {
            let entry = JournalEntry(seq: Int64(offset + 1), recordedAt: t0, account: "acct|1", runID: 7, fact: fact)
            let decoded = try JournalEntry.decode(text: entry.canonicalText, seq: entry.seq)
            #expect(decoded == entry, "\(fact.kind)")
        }
    }

    @Test func entriesChainFromGenesis() throws {
        let temp = try TemporaryLedger()
        try temp.ledger.appendAll(lifecycle())
        let rows = try temp.raw().statement("SELECT seq, entry, prev_hash, hash FROM journal ORDER BY seq")
            .rows { ($0.int64(0), $0.text(1), $0.text(2), $0.text(3)) }
        #expect(rows.count == lifecycle().count)
        var previous = JournalEntry.genesisHash
        for (seq, entry, prev, hash) in rows {
            #expect(prev == previous, "entry \(seq)")
            #expect(hash == JournalEntry.chainHash(previous: prev, entryText: entry))
            previous = hash
        }
        #expect(try temp.ledger.headHash() == previous)
    }

    @Test func projectionsFollowTheFacts() throws {
        let temp = try TemporaryLedger()
        try temp.ledger.appendAll(lifecycle())
        let db = try temp.raw()
        #expect(try db.scalarText("SELECT state FROM topups WHERE key = 'ref-1'") == "created")
        #expect(try db.scalarText("SELECT state FROM topups WHERE key = 'ref-2'") == "recorded")
        #expect(try db.scalarText("SELECT charge_id FROM topups WHERE key = 'ref-2'") == "web_1")
        #expect(try db.scalarInt("SELECT amount FROM charges WHERE charge_id = 'ch_1'") == 25_000_000)
        #expect(try db.scalarText("SELECT outcome FROM runs WHERE id = 1") == "attention")
    }

    @Test func aSoundLedgerVerifies() throws {
        let temp = try TemporaryLedger()
        try temp.ledger.appendAll(lifecycle())
        let report = try temp.ledger.verify()
        #expect(report.isSound, "\(report.problems)")
        #expect(report.entries == Int64(lifecycle().count))
        #expect(report.headHash == (try temp.ledger.headHash()))
        #expect(report.integrity == "ok")
    }

    @Test func anEmptyLedgerVerifies() throws {
        let temp = try TemporaryLedger()
        let report = try temp.ledger.verify()
        #expect(report.isSound)
        #expect(report.headHash == JournalEntry.genesisHash)
    }

    /// Each edit is what someone with the sqlite3 shell could do after dropping the triggers.
    @Test(arguments: [
        ("UPDATE snapshots SET total_credits = total_credits + 1", "snapshots row 2 differs"),
        ("DELETE FROM snapshots", "snapshots row 2 is missing"),
        ("UPDATE charges SET amount = 1 WHERE charge_id = 'ch_1'", #"charges row "ch_1" differs"#),
        ("UPDATE topups SET state = 'created' WHERE key = 'ref-2'", #"topups row "ref-2" differs"#),
        ("INSERT INTO runs (id, account, command, started_at) VALUES (99, 'x', 'y', 'z')", "runs row 99 is not in the journal"),
        ("UPDATE journal SET entry = replace(entry, '100000000', '900000000') WHERE seq = 2", "journal entry 2: its hash does not match"),
        ("DELETE FROM journal WHERE seq = 3", "journal entry 4: expected entry 3"),
        ("DELETE FROM journal WHERE seq = (SELECT max(seq) FROM journal)", "runs row 1 differs"),
        ("UPDATE journal SET prev_hash = (SELECT hash FROM journal WHERE seq = 1) WHERE seq = 4", "journal entry 4: prev_hash does not match"),
    ])
    func tamperingIsCaughtAndNamed(sql: String, expected: String) throws {
        let temp = try TemporaryLedger()
        try temp.ledger.appendAll(lifecycle())
        let db = try temp.raw()
        try db.execute("""
            DROP TRIGGER journal_append_only_update; DROP TRIGGER journal_append_only_delete;
            DROP TRIGGER snapshots_append_only_update; DROP TRIGGER snapshots_append_only_delete;
            PRAGMA foreign_keys = OFF;
            """)
        try db.execute(sql)
        let report = try temp.ledger.verify()
        #expect(!report.isSound)
        #expect(report.problems.first?.contains(expected) == true, "\(report.problems)")
    }

    @Test func swappedEntriesAreCaught() throws {
        let temp = try TemporaryLedger()
        try temp.ledger.appendAll(lifecycle())
        let db = try temp.raw()
        try db.execute("DROP TRIGGER journal_append_only_update")
        // Swap the content of entries 6 and 7 while keeping their hashes where they were.
        try db.execute("""
            UPDATE journal SET entry = CASE seq WHEN 6 THEN (SELECT entry FROM journal WHERE seq = 7)
                                                 ELSE (SELECT entry FROM journal WHERE seq = 6) END
            WHERE seq IN (6, 7)
            """)
        let report = try temp.ledger.verify()
        #expect(report.problems.first?.hasPrefix("journal entry 6:") == true, "\(report.problems)")
    }
}
