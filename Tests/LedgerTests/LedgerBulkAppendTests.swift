import CSQLite
import CreditTypes
import Testing
@testable import Ledger

/// The bulk path (`LedgerWriter.append(contentsOf:…)`) must store exactly what appending the
/// same facts one by one stores: the same journal text, hashes and projection rows, so
/// nothing in the ledger depends on which path wrote it.
@Suite("Ledger: bulk append equals appending one by one")
struct LedgerBulkAppendTests {
    static let awkward = ["", "plain", "quote \" back \\ nl \n tab \t nul \u{00}", "é 😀 \u{2028}", "=SUM(A1)"]

    /// Snapshots, recorded charges with and without every optional, a charge that resolves a
    /// plan row (general path) and kinds the bulk path does not write, all mixed.
    static func facts() -> [(fact: Fact, account: String)] {
        var facts: [(fact: Fact, account: String)] = [
            (.topUpPlanned(TopUpPlanned(key: "k1", batch: "b", reference: "r1", wallet: "0xabc", chainID: 8453,
                                        amount: Micros(raw: 5_000_000), memo: nil, planFile: "plan.csv", planLine: 2)), "acct"),
        ]
        for (index, text) in awkward.enumerated() {
            let time = Timestamp(millisecondsSinceEpoch: 1_451_606_400_123 + Int64(index) * 300_000)
            let optional: String? = index.isMultiple(of: 2) ? nil : text
            facts.append((.snapshotTaken(SnapshotTaken(
                observedAt: time, totalCredits: Micros(raw: Int64(index) * 1_000_001), totalUsage: Micros(raw: Int64(index)),
                source: "import", origin: optional, rawBody: optional)), "acct\(text)"))
            facts.append((.chargeRecorded(ChargeRecorded(
                chargeID: "ch-\(index)-\(text)", amount: Micros(raw: 12_340_000 + Int64(index)), wallet: optional,
                chainID: optional == nil ? nil : 137, createdAt: time, expiresAt: optional == nil ? nil : time.adding(seconds: 3600),
                reference: optional, topUpKey: nil, status: optional == nil ? nil : "paid",
                paidAt: optional == nil ? nil : time.adding(seconds: 90), memo: optional, origin: "charges.csv:\(index + 2)")), "acct"))
        }
        facts.append((.chargeRecorded(ChargeRecorded(
            chargeID: "linked", amount: Micros(raw: 5_000_000), wallet: nil, chainID: nil,
            createdAt: Timestamp(millisecondsSinceEpoch: 0), expiresAt: nil, reference: "r1", topUpKey: "k1",
            status: nil, paidAt: nil, memo: nil, origin: nil)), "acct"))
        // More than two multi-row batches of each bulk kind, and a remainder.
        for index in 0..<(2 * BulkAppender.maxBatchRows + 7) {
            let time = Timestamp(millisecondsSinceEpoch: 1_600_000_000_000 + Int64(index) * 1000)
            facts.append((.snapshotTaken(SnapshotTaken(observedAt: time, totalCredits: Micros(raw: Int64(index)),
                                                       totalUsage: .zero, source: "import", origin: "s.csv:\(index)")), "many"))
            facts.append((.chargeRecorded(ChargeRecorded(
                chargeID: "bulk-\(index)", amount: Micros(raw: 1 + Int64(index)), wallet: nil, chainID: nil, createdAt: time,
                expiresAt: nil, reference: nil, topUpKey: nil, status: nil, paidAt: nil, memo: nil, origin: nil)), "many"))
        }
        facts.append((.runStarted(RunStarted(command: "in the middle")), "acct"))
        facts.append((.snapshotTaken(SnapshotTaken(
            observedAt: Timestamp(millisecondsSinceEpoch: 253_402_300_799_999), totalCredits: .zero, totalUsage: .zero,
            source: "api", origin: nil, rawBody: "{\"data\":{}}")), "acct"))
        return facts
    }

    static func contents(_ temp: TemporaryLedger) throws -> [[SQLValue]] {
        let db = try temp.raw()
        var rows: [[SQLValue]] = []
        for sql in ["SELECT seq, kind, entry, prev_hash, hash FROM journal ORDER BY seq",
                    "SELECT * FROM snapshots ORDER BY id", "SELECT * FROM charges ORDER BY seq",
                    "SELECT * FROM topups ORDER BY id", "SELECT * FROM runs ORDER BY id"] {
            let statement = try db.statement(sql)
            rows += try statement.rows { row in (0..<row.columnCount).map { row.value($0) } }
        }
        return rows
    }

    /// Also where the SQLite library allows few parameters per statement (999 in old builds;
    /// 150 here means multi-row inserts of 10 rows).
    @Test(arguments: [nil, 150] as [Int32?])
    func bulkAndOneByOneStoreTheSameBytes(parameterLimit: Int32?) throws {
        let now = Timestamp(millisecondsSinceEpoch: 1_767_225_599_999)
        let facts = Self.facts()
        let single = try TemporaryLedger()
        let bulk = try TemporaryLedger()
        if let parameterLimit {
            try bulk.ledger.withDatabase { db in _ = sqlite3_limit(db.handle, SQLITE_LIMIT_VARIABLE_NUMBER, parameterLimit) }
        }
        for temp in [single, bulk] {
            try temp.ledger.write { writer in
                try writer.append(.runStarted(RunStarted(command: "import")), account: "acct", runID: nil, at: now)
            }
        }
        try single.ledger.write { writer in
            for item in facts { try writer.append(item.fact, account: item.account, runID: 1, at: now) }
        }
        try bulk.ledger.write { writer in
            try writer.append(contentsOf: facts, runID: 1, at: now) { $0 }
            // The writer's head moved on: a later single append chains to the bulk entries.
            try writer.append(.runFinished(RunFinished(runID: 1, outcome: "ok", exitCode: 0)), account: "acct", runID: 1, at: now)
        }
        try single.ledger.write { writer in
            try writer.append(.runFinished(RunFinished(runID: 1, outcome: "ok", exitCode: 0)), account: "acct", runID: 1, at: now)
        }
        let expected = try Self.contents(single)
        #expect(expected.count > facts.count)
        #expect(try Self.contents(bulk) == expected)
        #expect(try bulk.ledger.headHash() == single.ledger.headHash())
        let verified = try bulk.ledger.verify()
        #expect(verified.isSound, "\(verified.problems)")
        let verifiedSingle = try single.ledger.verify()
        #expect(verifiedSingle.isSound, "\(verifiedSingle.problems)")
    }

    /// Texts written ahead (`FactTexts`, as an import's validating thread writes them) give
    /// the same bytes; texts of another batch are never used, only written again.
    @Test func textsWrittenAheadStoreTheSameBytes() throws {
        let now = Timestamp(millisecondsSinceEpoch: 1_767_225_599_999)
        let facts = Self.facts()
        var texts = FactTexts()
        let ahead = facts.map { ($0.fact, $0.account, texts.append($0.fact, account: $0.account)) }
        var other = FactTexts()
        let foreign = facts.map { ($0.fact, $0.account, other.append($0.fact, account: $0.account)) }
        #expect(ahead.filter { $0.2 != nil }.count == facts.count - 2)  // all but the plan row and the run
        #expect(texts.texts(of: foreign[1].2) == nil && texts.texts(of: ahead[1].2) != nil)

        var contents: [[[SQLValue]]] = []
        for variant in 0..<3 {
            let temp = try TemporaryLedger()
            try temp.ledger.write { writer in
                try writer.append(.runStarted(RunStarted(command: "import")), account: "acct", runID: nil, at: now)
                switch variant {
                case 0: try writer.append(contentsOf: facts, runID: 1, at: now) { $0 }
                case 1: try writer.append(contentsOf: ahead, texts: texts, runID: 1, at: now) { $0 }
                default: try writer.append(contentsOf: foreign, texts: texts, runID: 1, at: now) { $0 }
                }
            }
            contents.append(try Self.contents(temp))
            #expect(try temp.ledger.verify().isSound)
        }
        #expect(contents[1] == contents[0])
        #expect(contents[2] == contents[0])
    }

    /// Entries framed and hashed ahead (`FactTexts.chain(from:)`, as an import's validating
    /// thread frames them from the writer's anchor) give the same bytes; and they are only
    /// taken for the entry they were framed for: with any other anchor, or once an entry
    /// of another kind has moved the chain on, the writer frames and hashes them itself.
    @Test(arguments: ["right", "seq", "run", "time", "hash", "mixed"])
    func entriesFramedAheadStoreTheSameBytes(anchoring: String) throws {
        let now = Timestamp(millisecondsSinceEpoch: 1_767_225_599_999)
        let start = Fact.runStarted(RunStarted(command: "import"))
        // The bulk kinds only, or (mixed) every kind after the plan row (written before the
        // run: a charge links to it): the others take the general path.
        let all = Self.facts()
        let before = all[0]
        let facts = anchoring == "mixed" ? Array(all.dropFirst()) : all.filter { fact in
            switch fact.fact {
            case .snapshotTaken: true
            case .chargeRecorded(let charge): charge.topUpKey == nil
            default: false
            }
        }
        let single = try TemporaryLedger()
        try single.ledger.write { writer in
            try writer.append(before.fact, account: before.account, runID: nil, at: now)
            let run = try writer.append(start, account: "acct", runID: nil, at: now)
            for item in facts { try writer.append(item.fact, account: item.account, runID: run, at: now) }
        }
        let bulk = try TemporaryLedger()
        let framed = try bulk.ledger.write { writer -> Int in
            try writer.append(before.fact, account: before.account, runID: nil, at: now)
            let right = writer.anchor(afterStarting: start, account: "acct", at: now)
            var anchor: ChainAnchor? = switch anchoring {
            case "seq": ChainAnchor(seq: right.seq + 1, runID: right.runID, at: right.at, prevHash: right.prevHash)
            case "run": ChainAnchor(seq: right.seq, runID: right.runID + 1, at: right.at, prevHash: right.prevHash)
            case "time": ChainAnchor(seq: right.seq, runID: right.runID, at: now.adding(milliseconds: 1), prevHash: right.prevHash)
            case "hash": ChainAnchor(seq: right.seq, runID: right.runID, at: right.at, prevHash: String(repeating: "0", count: 64))
            default: right
            }
            // In batches of 1000, each framed from where the one before left the chain.
            var batches: [(texts: FactTexts, items: [(Fact, String, FactText?)])] = []
            for chunk in stride(from: 0, to: facts.count, by: 1000) {
                var texts = FactTexts()
                let items = facts[chunk..<min(chunk + 1000, facts.count)].map {
                    ($0.fact, $0.account, texts.append($0.fact, account: $0.account))
                }
                if let from = anchor { anchor = texts.chain(from: from) }
                batches.append((texts, items))
            }
            let run = try writer.append(start, account: "acct", runID: nil, at: now)
            #expect(run == right.runID)
            for batch in batches {
                try writer.append(contentsOf: batch.items, texts: batch.texts, runID: run, at: now) { $0 }
            }
            return writer.entriesFramedAhead
        }
        #expect(try Self.contents(bulk) == Self.contents(single))
        #expect(try bulk.ledger.headHash() == single.ledger.headHash())
        #expect(try bulk.ledger.verify().isSound)
        switch anchoring {
        case "right": #expect(framed == facts.count)
        case "mixed":
            // All but three: the charge that resolves a plan row takes the general path (which
            // writes the entry it was framed as, so the chain holds); the run in the middle was
            // never framed, and the snapshot after it was framed one sequence number too early.
            #expect(framed == facts.count - 3)
        default: #expect(framed == 0)
        }
    }

    @Test func aFailedBulkAppendWritesNothing() throws {
        let temp = try TemporaryLedger()
        let now = Timestamp(millisecondsSinceEpoch: 0)
        let snapshot = SnapshotTaken(observedAt: now, totalCredits: .zero, totalUsage: .zero, source: "import")
        let head = try temp.ledger.headHash()
        // The same (account, observed_at) twice breaks the snapshots' unique key mid-way.
        #expect(throws: (any Error).self) {
            try temp.ledger.write { writer in
                try writer.append(contentsOf: [snapshot, snapshot], runID: nil, at: now) { (.snapshotTaken($0), "acct") }
            }
        }
        #expect(try temp.ledger.headHash() == head)
        #expect(try temp.ledger.read { try $0.journalCount() } == 0)
        // The statements were left clean: the next write works.
        try temp.ledger.write { writer in
            try writer.append(contentsOf: [snapshot], runID: nil, at: now) { (.snapshotTaken($0), "acct") }
        }
        #expect(try temp.ledger.verify().isSound)
    }
}
