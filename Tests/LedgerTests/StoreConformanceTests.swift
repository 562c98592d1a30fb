import AsyncWait
import CreditTypes
import Dispatch
import Foundation
import Testing
@testable import Ledger

/// What every store under `Ledger` must do, written against the ledger's interface only,
/// so a new store is done when it passes these (run for each of `Stores.all`).
@Suite("Store conformance: append, rollback, append-only, replay, tampering, readers, the writer lock", .threadOfItsOwn)
struct StoreConformanceTests {
    /// Readings and recorded charges, many more than one batch, for the large appends.
    static func bulk(_ count: Int, from start: Timestamp = t0) -> [(fact: Fact, account: String)] {
        (0..<count).map { index in
            let at = start.adding(seconds: Int64(index) * 60)
            if index % 4 == 3 {
                return (.chargeRecorded(ChargeRecorded(
                    chargeID: "bulk-\(index)", amount: Micros(raw: Int64(index) + 1), wallet: nil, chainID: 8453,
                    createdAt: at, expiresAt: nil, reference: nil, topUpKey: nil, status: "paid", paidAt: at,
                    memo: nil, origin: "bulk.csv:\(index)")), "default")
            }
            return (.snapshotTaken(SnapshotTaken(
                observedAt: at, totalCredits: Micros(raw: 1_000_000 + Int64(index)), totalUsage: Micros(raw: Int64(index)),
                source: "import", origin: "bulk.csv:\(index)")), "default")
        }
    }

    @Test(arguments: Stores.all)
    func factsBecomeTypedRows(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        let (ref1, ref2, charges, runs) = try store.ledger.read { reader in
            (try reader.topUp(key: "ref-1"), try reader.topUp(key: "ref-2"), try reader.charges(account: "default"),
             try reader.runs())
        }
        #expect(ref1?.state == "created")
        #expect(ref2?.state == "recorded")
        #expect(ref2?.chargeID == "web_1")
        #expect(charges.map(\.chargeID) == ["ch_1", "web_1"])
        #expect(charges.first?.amount == usd("25"))
        #expect(charges.first?.wallet == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        #expect(runs.first?.outcome == "attention")
    }

    /// Charges created at one moment are read in the order the ledger recorded them, not by
    /// their ids (random ones: of a plan's two rows of one amount, the second took the first's
    /// payment, probe 129), in either store.
    @Test(arguments: Stores.all)
    func chargesOfOneMomentAreReadInTheOrderRecorded(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll([.runStarted(RunStarted(command: "import charges"))] + ["zz", "aa", "mm"].map { id in
            .chargeRecorded(ChargeRecorded(
                chargeID: id, amount: usd("25"), wallet: nil, chainID: 8453, createdAt: t0, expiresAt: nil, reference: nil,
                topUpKey: nil, status: nil, paidAt: nil, memo: nil, origin: "charges.csv:2"))
        })
        #expect(try store.ledger.read { try $0.charges(account: "default") }.map(\.chargeID) == ["zz", "aa", "mm"])
    }

    /// A run that never ended although a later one did was killed (one writer at a time):
    /// it is a failed run to the readers, as one that ended `failed` is. It was never
    /// reported. The newest run without an end may still be running, and is not.
    @Test(arguments: Stores.all)
    func aRunThatNeverEndedBeforeALaterOneIsFailed(store: String) throws {
        let store = try Stores.make(store)
        let first = Int64(lifecycle().count + 1)
        try store.ledger.appendAll(lifecycle() + [
            .runStarted(RunStarted(command: "import charges")),  // killed
            .runStarted(RunStarted(command: "run")),  // a job still running: its stages end before it does
            .runStarted(RunStarted(command: "fetch")),
            .runFinished(RunFinished(runID: first + 2, outcome: "ok", exitCode: 0)),
            .runStarted(RunStarted(command: "topup")),  // still running
        ])
        let failed = try store.ledger.read { try $0.failedRuns(account: "default") }
        #expect(failed.map(\.id) == [first] && failed.first?.outcome == nil, "\(failed)")
        // The next job: the one before was killed (its top-up stage is found once a later run ends).
        try store.ledger.appendAll([.runStarted(RunStarted(command: "run"))])
        #expect(try store.ledger.read { try $0.failedRuns(account: "default") }.map(\.id) == [first, first + 1])
    }

    /// The charges recorded with a reference that resolved no plan row, which `topup` asks
    /// for before it sends a row with that reference: of the account asked, not linked.
    @Test(arguments: Stores.all)
    func unlinkedChargesAreFoundByReference(store: String) throws {
        let store = try Stores.make(store)
        func recorded(_ id: String, _ reference: String) -> Fact {
            .chargeRecorded(ChargeRecorded(
                chargeID: id, amount: usd("7"), wallet: nil, chainID: 8453, createdAt: t0, expiresAt: nil, reference: reference,
                topUpKey: nil, status: "paid", paidAt: nil, memo: nil, origin: "charges.csv:2"))
        }
        try store.ledger.appendAll(lifecycle() + [recorded("web_7", "R7"), recorded("web_8", "R8")])
        try store.ledger.appendAll([recorded("web_9", "R7")], account: "other")
        let found = try store.ledger.read { try $0.unlinkedCharges(account: "default", references: ["R7", "ref-2", "nothing"]) }
        #expect(found.map(\.chargeID) == ["web_7"], "web_1 carries ref-2 but resolved it; web_9 is another account's")
        let anyAccount = try store.ledger.read { try $0.unlinkedCharges(account: nil, references: ["R7", "ref-2"]) }
        #expect(anyAccount.map(\.chargeID) == ["web_7", "web_9"] && anyAccount.last?.account == "other", "every account's")
        // Every reference of an account's top-ups and charges, once each, in byte order.
        let references = try store.ledger.read { try $0.references(account: "default") }
        #expect(references == references.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, "\(references)")
        #expect(Set(references).isSuperset(of: ["R7", "R8", "ref-2"]) && Set(references).count == references.count, "\(references)")
        #expect(try store.ledger.read { try $0.references(account: "other") } == ["R7"])
        #expect(try store.ledger.read { try $0.references(account: "nobody") }.isEmpty)
    }

    /// The charges of the given accounts created at the given instants, which an import asks
    /// for to find an id it holds in other letter case: to the millisecond, of those accounts.
    @Test(arguments: Stores.all)
    func chargesAreFoundByAccountAndCreationTime(store: String) throws {
        let store = try Stores.make(store)
        func recorded(_ id: String, at time: Timestamp) -> Fact {
            .chargeRecorded(ChargeRecorded(
                chargeID: id, amount: usd("7"), wallet: nil, chainID: nil, createdAt: time, expiresAt: nil, reference: nil,
                topUpKey: nil, status: "paid", paidAt: nil, memo: nil, origin: "charges.csv:2"))
        }
        // Days after the lifecycle's charges, which are of t0.
        let ta = t0.adding(milliseconds: 3 * 86_400_000), tb = ta.adding(milliseconds: 1)
        try store.ledger.appendAll(lifecycle() + [recorded("web-c1", at: ta), recorded("web-c2", at: tb)])
        try store.ledger.appendAll([recorded("web-c3", at: ta)], account: "other")
        func found(_ accounts: [String], _ times: [Timestamp]) throws -> [String] {
            try store.ledger.read { try $0.charges(accounts: accounts, createdAt: times) }.map(\.chargeID).sorted()
        }
        #expect(try found(["default"], [ta]) == ["web-c1"])
        #expect(try found(["default", "other"], [ta, tb]) == ["web-c1", "web-c2", "web-c3"])
        #expect(try found(["other"], [tb]).isEmpty && found([], [ta]).isEmpty && found(["default"], []).isEmpty)
    }

    /// The charges recorded from the given wallets, of the given amounts, that are no plan
    /// row's and were not recorded as expired, which `topup` asks for before it sends a row
    /// making their purchase: of every account, in the order recorded.
    @Test(arguments: Stores.all)
    func unlinkedChargesAreFoundByPurchase(store: String) throws {
        let store = try Stores.make(store)
        let a = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", b = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
        func recorded(_ id: String, _ wallet: String?, status: String?, key: String? = nil) -> Fact {
            .chargeRecorded(ChargeRecorded(
                chargeID: id, amount: usd("7"), wallet: wallet, chainID: nil, createdAt: t0, expiresAt: nil, reference: nil,
                topUpKey: key, status: status, paidAt: nil, memo: nil, origin: "charges.csv:2"))
        }
        try store.ledger.appendAll(lifecycle() + [
            recorded("web_w1", a, status: "paid"), recorded("web_w2", a, status: "expired"), recorded("web_w3", b, status: "paid"),
            recorded("web_w4", nil, status: "paid"),
            .topUpPlanned(TopUpPlanned(key: "ref-3", batch: "b", reference: "ref-3", wallet: a, chainID: 1, amount: usd("7"),
                                       memo: nil, planFile: "p.csv", planLine: 4)),
            .chargeRequested(ChargeRequested(key: "ref-3", attempt: 1)),
            .chargeBlocked(ChargeFailed(key: "ref-3", httpStatus: 410, message: "gone", rawBody: "{}")),
            recorded("web_w5", a, status: "paid", key: "ref-3"),
        ])
        try store.ledger.appendAll([recorded("web_w6", a, status: nil)], account: "other")
        func found(_ wallets: Set<String>, _ amounts: [String]) throws -> [String] {
            try store.ledger.read { try $0.unlinkedCharges(wallets: wallets, amounts: Set(amounts.map(usd))) }.map(\.chargeID)
        }
        #expect(try found([a], ["7"]) == ["web_w1", "web_w6"])
        #expect(try found([b, a], ["7", "8"]) == ["web_w1", "web_w3", "web_w6"])
        #expect(try found([a], ["7.000001", "8"]).isEmpty)
        #expect(try found([a.lowercased()], ["7"]).isEmpty)
        #expect(try found([], ["7"]).isEmpty && found([a], []).isEmpty)
    }

    /// `ledger copy` goes only into an empty, guarded ledger: a target whose journal is
    /// empty but whose `runs` holds a stray row failed half-way (a raw unique-key error, 70,
    /// or, past the copied ids, a committed copy that did not verify), and one without its
    /// triggers took books that could then be edited in place. Both are refused, nothing written.
    @Test(arguments: Stores.all)
    func aCopyGoesOnlyIntoAnEmptyGuardedLedger(store: String) throws {
        let source = try TemporaryLedger()
        try source.ledger.appendAll(lifecycle())
        let target = try Stores.make(store)
        try target.execute("INSERT INTO runs (id, account, command, started_at) VALUES (1, 'x', 'stray', '2026-01-01T00:00:00.000Z')")
        let stray = #expect(throws: LedgerError.self) { _ = try source.ledger.copy(into: target.ledger) }
        #expect(String(describing: stray).contains("is no empty ledger: its journal is empty, but runs holds rows written "
            + "outside credit-recon"), "\(String(describing: stray))")
        // A row of its runs is never deleted once migration v8 guards them (probe 293).
        #expect(throws: (any Error).self) { try target.execute("DELETE FROM runs") }
        try target.undoMigrationV8()
        try target.execute("DELETE FROM runs")
        try target.dropAppendOnlyTriggers()
        let unguarded = #expect(throws: LedgerError.self) { _ = try source.ledger.copy(into: target.ledger) }
        #expect(String(describing: unguarded).contains("missing, changed or disabled, so the copy could be edited in place"),
                "\(String(describing: unguarded))")
        #expect(try target.ledger.headHash() == JournalEntry.genesisHash)
        #expect(try target.ledger.read { try $0.runs() }.isEmpty)
    }

    /// An export's word on a charge the API created (`charge.status`) is kept on its row,
    /// replayed by `verify` like every change; one for a charge the ledger does not hold is
    /// refused with nothing written, and a row changed behind the ledger's back is named.
    @Test(arguments: Stores.all)
    func anExportsStatusIsKeptOnTheAPIsCharge(store: String) throws {
        let store = try Stores.make(store)
        let paid = ChargeStatusRecorded(chargeID: "ch_1", status: "paid", paidAt: t0.adding(seconds: 90), origin: "export.csv:2")
        try store.ledger.appendAll(lifecycle() + [
            .chargeStatusRecorded(ChargeStatusRecorded(chargeID: "ch_1", status: "pending", paidAt: nil, origin: "export.csv:2")),
            .chargeStatusRecorded(paid),
        ])
        let charge = try store.ledger.read { try $0.charges(account: "default") }.first { $0.chargeID == "ch_1" }
        #expect(charge?.status == "paid" && charge?.paidAt == t0.adding(seconds: 90) && charge?.origin == "api")
        #expect(try store.ledger.verify().isSound)
        let head = try store.ledger.headHash()
        let refused = #expect(throws: LedgerError.self) {
            try store.ledger.appendAll([.chargeStatusRecorded(ChargeStatusRecorded(
                chargeID: "ch_none", status: "paid", paidAt: nil, origin: nil))])
        }
        #expect(String(describing: refused).contains("expected charge ch_none to be recorded paid"), "\(String(describing: refused))")
        #expect(try store.ledger.headHash() == head)
        try store.execute("UPDATE charges SET status = 'expired', paid_at = NULL WHERE charge_id = 'ch_1'")
        #expect(try store.ledger.verify().problems.first?.contains(#"charges row "ch_1" differs"#) == true)
    }

    /// A charge recorded without its plan row's reference and linked to the row later
    /// (`charge.linked`) carries the row's reference and key, and the row is `recorded` with
    /// it, replayed by `verify` like every change. A link to a charge that has a plan row
    /// or a reference already, or to a row that has its charge, is refused with nothing
    /// written; a link changed behind the ledger's back is named.
    @Test(arguments: Stores.all)
    func aChargeRecordedWithoutItsReferenceIsLinkedToItsRowLater(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle() + linkedCharge().dropLast())
        #expect(try store.ledger.read { try $0.topUp(key: "ref-3") }?.state == "blocked")
        try store.ledger.appendAll(Array(linkedCharge().suffix(1)))
        let charge = try store.ledger.read { try $0.charges(ids: ["web_3"]) }.first
        #expect(charge?.reference == "ref-3" && charge?.topUpKey == "ref-3" && charge?.status == "paid", "\(String(describing: charge))")
        let topUp = try store.ledger.read { try $0.topUp(key: "ref-3") }
        #expect(topUp?.state == "recorded" && topUp?.chargeID == "web_3", "\(String(describing: topUp))")
        #expect(try store.ledger.verify().isSound)
        let head = try store.ledger.headHash()
        let refusals: [(ChargeLinked, String)] = [
            // Linked already; a charge the API created; a charge recorded with its row.
            (ChargeLinked(chargeID: "web_3", reference: "ref-3", topUpKey: "ref-3", origin: nil), "expected charge web_3 to be linked"),
            (ChargeLinked(chargeID: "ch_1", reference: "ref-1", topUpKey: "ref-1", origin: nil), "expected charge ch_1 to be linked"),
            (ChargeLinked(chargeID: "web_1", reference: "ref-2", topUpKey: "ref-2", origin: nil), "expected charge web_1 to be linked"),
        ]
        for (link, expected) in refusals {
            let refused = #expect(throws: LedgerError.self) { try store.ledger.appendAll([.chargeLinked(link)]) }
            #expect(String(describing: refused).contains(expected), "\(String(describing: refused))")
        }
        // A charge without a plan row, linked to one that has its charge: refused whole.
        try store.ledger.appendAll([.chargeRecorded(ChargeRecorded(
            chargeID: "web_4", amount: usd("25"), wallet: nil, chainID: nil, createdAt: t0, expiresAt: nil, reference: nil,
            topUpKey: nil, status: nil, paidAt: nil, memo: nil, origin: "export.csv:3"))])
        let afterRecord = try store.ledger.headHash()
        let refused = #expect(throws: LedgerError.self) {
            try store.ledger.appendAll([.chargeLinked(ChargeLinked(chargeID: "web_4", reference: "ref-1", topUpKey: "ref-1", origin: nil))])
        }
        #expect(String(describing: refused).contains("expected top-up ref-1 to be recorded"), "\(String(describing: refused))")
        #expect(try store.ledger.headHash() == afterRecord && afterRecord != head)
        #expect(try store.ledger.read { try $0.charges(ids: ["web_4"]) }.first?.topUpKey == nil)
        // A charge recorded under a reference that named no row keeps it; the books read the
        // plan row's, as for every charge that carries one out.
        try store.ledger.appendAll([
            .topUpPlanned(TopUpPlanned(key: "ref-5", batch: "b", reference: "ref-5", wallet: "0xde709f2102306220921060314715629080e2fb77",
                                       chainID: 137, amount: usd("5"), memo: nil, planFile: "p.csv", planLine: 6)),
            .chargeRequested(ChargeRequested(key: "ref-5", attempt: 1)),
            .chargeBlocked(ChargeFailed(key: "ref-5", httpStatus: 410, message: "gone", rawBody: "{}")),
            .chargeRecorded(ChargeRecorded(chargeID: "web_5", amount: usd("5"), wallet: nil, chainID: 137, createdAt: t0, expiresAt: nil,
                                           reference: "ref-S", topUpKey: nil, status: "paid", paidAt: nil, memo: nil, origin: "e.csv:2")),
            .chargeLinked(ChargeLinked(chargeID: "web_5", reference: "ref-5", topUpKey: "ref-5", origin: "e.csv:2")),
        ])
        #expect(try store.ledger.read { try $0.charges(ids: ["web_5"]) }.first?.reference == "ref-S")
        let read = try store.ledger.read { try $0.charges(account: "default") }.first { $0.chargeID == "web_5" }
        #expect(read?.reference == "ref-5" && read?.batch == "b", "\(String(describing: read))")
        #expect(try store.ledger.verify().isSound)
        try store.execute("UPDATE charges SET reference = NULL WHERE charge_id = 'web_3'")
        #expect(try store.ledger.verify().problems.first?.contains(#"charges row "web_3" differs"#) == true)
    }

    /// A recorded charge voided (`charge.voided`) is kept as `void` under an id no charge
    /// has, its reason as its memo, and its id is free: the right record takes it. Readers
    /// that look for a plan row's purchase leave it out; `verify` replays it. A charge the
    /// API created, one that carries out a plan row, one voided already and one the ledger
    /// does not hold are refused with nothing written (probe 168: a wrong record stayed in
    /// the books for good).
    @Test(arguments: Stores.all)
    func aVoidedChargeIsKeptOutOfTheWayAndItsIdIsFree(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle() + linkedCharge())
        func recorded(_ amount: String) -> Fact {
            .chargeRecorded(ChargeRecorded(
                chargeID: "web_9", amount: usd(amount), wallet: "0xde709f2102306220921060314715629080e2fb77", chainID: 137,
                createdAt: t0, expiresAt: nil, reference: "late-9", topUpKey: nil, status: "paid", paidAt: nil, memo: "m",
                origin: "export.csv:2"))
        }
        try store.ledger.appendAll([recorded("5000")])
        #expect(try store.ledger.read { try $0.unlinkedCharges(account: "default", references: ["late-9"]) }.count == 1)
        try store.ledger.appendAll([.chargeVoided(ChargeVoided(chargeID: "web_9", reason: "cents, not USD"))])
        let entry = try store.ledger.read { try $0.head() }.seq
        #expect(try store.ledger.read { try $0.charges(ids: ["web_9"]) }.isEmpty)
        let kept = try store.ledger.read { try $0.charges(account: "default") }.first { $0.chargeID.hasPrefix("web_9 ") }
        #expect(kept?.chargeID == "web_9 (voided by entry \(entry))" && kept?.status == "void" && kept?.memo == "cents, not USD",
                "\(String(describing: kept))")
        #expect(ChargeVoided.parse(voidedID: kept?.chargeID ?? "").map { "\($0.chargeID) \($0.seq)" } == "web_9 \(entry)")
        #expect(try store.ledger.read { try $0.unlinkedCharges(account: "default", references: ["late-9"]) }.isEmpty)
        #expect(try store.ledger.read {
            try $0.unlinkedCharges(wallets: ["0xde709f2102306220921060314715629080e2fb77"], amounts: [usd("5000")])
        }.isEmpty)
        #expect(!(try store.ledger.read { try $0.references(account: "default") }.contains("late-9")))
        try store.ledger.appendAll([recorded("50")])
        #expect(try store.ledger.read { try $0.charges(ids: ["web_9"]) }.first?.amount == usd("50"))
        #expect(try store.ledger.verify().isSound)

        let head = try store.ledger.headHash()
        for (id, expected) in [("ch_1", "expected charge ch_1 to be voided"), ("web_3", "expected charge web_3 to be voided"),
                               ("web_none", "expected charge web_none to be voided"),
                               ("web_9 (voided by entry \(entry))", "expected charge web_9 (voided by entry \(entry)) to be voided")] {
            let refused = #expect(throws: LedgerError.self) {
                try store.ledger.appendAll([.chargeVoided(ChargeVoided(chargeID: id, reason: "no"))])
            }
            #expect(String(describing: refused).contains(expected), "\(String(describing: refused))")
        }
        #expect(try store.ledger.headHash() == head)
        try store.execute("UPDATE charges SET memo = 'other' WHERE charge_id = 'web_9 (voided by entry \(entry))'")
        #expect(try store.ledger.verify().problems.first?.contains("web_9 (voided by entry \(entry))") == true)
    }

    /// Top-ups left without a charge come back with the time of the entry that left them so,
    /// read from the journal; created and recorded ones do not come back.
    @Test(arguments: Stores.all)
    func topUpsWithoutAChargeComeBackWithTheTimeTheyStopped(store: String) throws {
        let store = try Stores.make(store)
        let rejected: [Fact] = [
            .topUpPlanned(TopUpPlanned(key: "ref-3", batch: "b2", reference: nil,
                                       wallet: "0xde709f2102306220921060314715629080e2fb77", chainID: 137,
                                       amount: usd("7.5"), memo: "third", planFile: "p.csv", planLine: 4)),
            .chargeRequested(ChargeRequested(key: "ref-3", attempt: 1)),
            .chargeRejected(ChargeFailed(key: "ref-3", httpStatus: 400, message: "bad wallet", rawBody: "{}")),
        ]
        try store.ledger.appendAll(lifecycle() + rejected)
        let found = try store.ledger.read { try $0.chargelessTopUps(account: "default") }
        #expect(found == [LedgerReader.ChargelessTopUp(
            key: "ref-3", account: "default", batch: "b2", reference: nil,
            wallet: "0xde709f2102306220921060314715629080e2fb77", chainID: 137, amount: usd("7.5"), memo: "third",
            state: "rejected", httpStatus: 400, error: "bad wallet", runID: 1, planFile: "p.csv",
            updatedAt: t0.adding(milliseconds: Int64(lifecycle().count + 2)))])
        #expect(try store.ledger.read { try $0.chargelessTopUps(account: "other") }.isEmpty)
    }

    /// The top-ups that may have been charged since a time come back, of every account and
    /// batch, with the time of the entry that left them so, in the order they were planned:
    /// created, requesting and unknown ones, with a reference or without; not rejected ones,
    /// or those last changed before.
    @Test(arguments: Stores.all)
    func chargedTopUpsComeBackSinceATime(store: String) throws {
        let store = try Stores.make(store)
        func planned(_ key: String, batch: String, line: Int64, reference: String? = nil) -> Fact {
            .topUpPlanned(TopUpPlanned(key: key, batch: batch, reference: reference,
                                       wallet: "0xde709f2102306220921060314715629080e2fb77", chainID: 137,
                                       amount: usd("7.5"), memo: nil, planFile: "\(batch).csv", planLine: line))
        }
        func created(_ key: String) -> Fact {
            .chargeCreated(ChargeCreated(key: key, chargeID: "ch_\(key)", createdAt: t0, expiresAt: t0.adding(seconds: 3600),
                                         callData: nil, rawBody: "{}"))
        }
        func requested(_ key: String) -> Fact { .chargeRequested(ChargeRequested(key: key, attempt: 1)) }
        let facts: [Fact] = lifecycle() + [
            planned("old", batch: "b2", line: 2), requested("old"), created("old"),
            planned("u1", batch: "b2", line: 3), requested("u1"), created("u1"),
            planned("u2", batch: "b2", line: 4), requested("u2"),
            planned("u3", batch: "b2", line: 5), requested("u3"),
            .chargeRejected(ChargeFailed(key: "u3", httpStatus: 400, message: "bad wallet", rawBody: "{}")),
            planned("u4", batch: "b3", line: 2), requested("u4"), created("u4"),
            planned("r1", batch: "b2", line: 6, reference: "r1"), requested("r1"), created("r1"),
        ]
        try store.ledger.appendAll(facts)
        try store.ledger.write { writer in
            for (offset, fact) in [planned("o1", batch: "b2", line: 2), requested("o1"), created("o1")].enumerated() {
                try writer.append(fact, account: "other", runID: 1, at: t0.adding(seconds: 60 + Int64(offset)))
            }
        }
        let oldCreated = Int64(lifecycle().count + 2)
        let found = try store.ledger.read { try $0.topUps(since: t0.adding(milliseconds: oldCreated + 1)) }
        #expect(found.map(\.topUp.key) == ["u1", "u2", "u4", "r1", "o1"])
        #expect(found.map(\.boughtAt) == [t0.adding(milliseconds: oldCreated + 3), t0.adding(milliseconds: oldCreated + 5),
                                           t0.adding(milliseconds: oldCreated + 11), t0.adding(milliseconds: oldCreated + 14),
                                           t0.adding(seconds: 62)])
        #expect(found.map(\.topUp.state) == ["created", "requesting", "created", "created", "created"])
        #expect(found.first?.topUp.chargeID == "ch_u1" && found[3].topUp.reference == "r1" && found.last?.topUp.account == "other")
        #expect(try store.ledger.read { try $0.topUps(since: t0.adding(seconds: 61)) }.map(\.topUp.key) == ["o1"])
        #expect(try store.ledger.read { try $0.topUps(since: t0.adding(seconds: 63)) }.isEmpty)
        // Made on a clock an hour behind the API's: as recent as its charge's created_at.
        try store.ledger.write { writer in
            let behind: [Fact] = [
                planned("late", batch: "b4", line: 2), requested("late"),
                .chargeCreated(ChargeCreated(key: "late", chargeID: "ch_late", createdAt: t0.adding(seconds: 3600 + 70),
                                             expiresAt: t0.adding(seconds: 7200), callData: nil, rawBody: "{}")),
            ]
            for (offset, fact) in behind.enumerated() {
                try writer.append(fact, account: "default", runID: 1, at: t0.adding(seconds: 70 + Int64(offset)))
            }
        }
        let late = try store.ledger.read { try $0.topUps(since: t0.adding(seconds: 3600)) }
        #expect(late.map(\.topUp.key) == ["late"] && late.first?.boughtAt == t0.adding(seconds: 3670), "\(late)")
        // Its charge recorded as expired: it bought nothing.
        try store.ledger.appendAll([.chargeStatusRecorded(ChargeStatusRecorded(chargeID: "ch_late", status: "expired", paidAt: nil,
                                                                               origin: "charges.csv:2"))])
        #expect(try store.ledger.read { try $0.topUps(since: t0.adding(seconds: 3600)) }.isEmpty)
        // Blocked, bought through the web flow, and recorded a week later: as recent as its
        // charge's created_at, not as its recording.
        try store.ledger.write { writer in
            let blocked: [Fact] = [
                planned("web", batch: "b5", line: 2), requested("web"),
                .chargeBlocked(ChargeFailed(key: "web", httpStatus: 410, message: "gone", rawBody: "{}")),
            ]
            for (offset, fact) in blocked.enumerated() {
                try writer.append(fact, account: "default", runID: 1, at: t0.adding(seconds: 80 + Int64(offset)))
            }
            try writer.append(.chargeRecorded(ChargeRecorded(
                chargeID: "web_b5", amount: usd("7.5"), wallet: nil, chainID: 137, createdAt: t0.adding(seconds: 90), expiresAt: nil,
                reference: nil, topUpKey: "web", status: "paid", paidAt: nil, memo: nil, origin: "charges.csv:2")),
                account: "default", runID: nil, at: t0.adding(seconds: 7 * 86_400))
        }
        #expect(try store.ledger.read { try $0.topUp(key: "web") }?.state == "recorded")
        #expect(try store.ledger.read { try $0.topUps(since: t0.adding(seconds: 3600)) }.isEmpty)
        let web = try store.ledger.read { try $0.topUps(since: t0.adding(seconds: 85)) }.filter { $0.topUp.key == "web" }
        #expect(web.map(\.boughtAt) == [t0.adding(seconds: 90)], "\(web)")
        // The batches a run planned or sent, of each account, once each (what a top-up at work
        // is sending); a row's run comes back with it.
        let batches = try store.ledger.read { try $0.topUpBatches(runs: [1]) }
        #expect(batches.count == Set(batches).count, "\(batches)")
        #expect(Set(batches).isSuperset(of: ["b2", "b3", "b4", "b5"].map {
            LedgerReader.RunBatch(account: "default", batch: $0, planFile: "\($0).csv", runID: 1)
        } + [LedgerReader.RunBatch(account: "other", batch: "b2", planFile: "b2.csv", runID: 1)]), "\(batches)")
        #expect(try store.ledger.read { try $0.topUpBatches(runs: [2]) }.isEmpty)
        #expect(try store.ledger.read { try $0.topUpBatches(runs: []) }.isEmpty)
        #expect(try store.ledger.read { try $0.topUp(key: "web") }?.runID == 1)
    }

    @Test(arguments: Stores.all)
    func theJournalChainsFromGenesis(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        try store.ledger.write { try $0.append(contentsOf: Self.bulk(3000, from: t0.adding(seconds: 86_400)), runID: 1, at: t0) { $0 } }
        let rows = try store.ledger.store.read { transaction in
            var all: [(seq: Int64, text: String, prev: String, hash: String)] = []
            try transaction.scanJournal(batchSize: 1000) { batch in
                for row in batch.rows {
                    func text(_ range: Range<Int>) -> String { String(decoding: batch.bytes[range], as: UTF8.self) }
                    all.append((row.seq, text(row.text), text(row.prevHash), text(row.hash)))
                }
                return true
            }
            return all
        }
        #expect(rows.map(\.seq) == Array(1...Int64(lifecycle().count + 3000)))
        var previous = JournalEntry.genesisHash
        for row in rows {
            #expect(row.prev == previous, "entry \(row.seq)")
            #expect(row.hash == JournalEntry.chainHash(previous: row.prev, entryText: row.text), "entry \(row.seq)")
            previous = row.hash
        }
        #expect(try store.ledger.headHash() == previous)
    }

    @Test(arguments: Stores.all)
    func aWriteThatThrowsLeavesNothing(store: String) throws {
        struct Boom: Error {}
        let store = try Stores.make(store)
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        let before = try store.ledger.headHash()
        // Thrown after a single append, and after a large append still being written.
        for appendMany in [false, true] {
            #expect(throws: Boom.self) {
                try store.ledger.write { writer in
                    if appendMany {
                        try writer.append(contentsOf: Self.bulk(5000, from: t0.adding(seconds: 3600)), runID: 1, at: t0) { $0 }
                    } else {
                        try writer.append(.snapshotTaken(SnapshotTaken(
                            observedAt: t0.adding(seconds: 9), totalCredits: usd("1"), totalUsage: usd("0"), source: "api")),
                            account: "default", runID: nil, at: t0)
                    }
                    throw Boom()
                }
            }
            #expect(try store.ledger.headHash() == before)
            #expect(try store.ledger.read { try $0.journalCount() } == 2)
            #expect(try store.ledger.read { try $0.snapshots(account: nil).count } == 1)
        }
        #expect(try store.ledger.verify().isSound)
    }

    @Test(arguments: Stores.all)
    func aRowTheTablesRefuseRollsBackTheWholeTransaction(store: String) throws {
        struct Boom: Error {}
        let store = try Stores.make(store)
        let snapshot = SnapshotTaken(observedAt: t0, totalCredits: usd("1"), totalUsage: usd("0"), source: "api")
        // The same account and time twice: appended one by one, then in one large append,
        // where the second copy comes thousands of rows later. One by one, the write also
        // throws its own error before a store that hears of a refusal only at its next
        // statement (PostgreSQL) has heard of it: rolled back all the same, and the
        // connection left out of that transaction for the writes after it.
        for throwsFirst in [false, true] {
            #expect(throws: (any Error).self) {
                try store.ledger.write { writer in
                    try writer.append(.snapshotTaken(snapshot), account: "a", runID: nil, at: t0)
                    try writer.append(.snapshotTaken(snapshot), account: "a", runID: nil, at: t0)
                    if throwsFirst { throw Boom() }
                }
            }
        }
        // The second copy in the last batch, and in the second of several: the batches after
        // the refused one are already on their way and fail only because it failed, so
        // the error must still be the refusal.
        for second in [4001, 1500] {
            var facts = Self.bulk(4000, from: t0.adding(seconds: 60))
            facts.insert((.snapshotTaken(snapshot), "default"), at: 10)
            facts.insert((.snapshotTaken(snapshot), "default"), at: second)
            let error = #expect(throws: (any Error).self) {
                try store.ledger.write { try $0.append(contentsOf: facts, runID: nil, at: t0) { $0 } }
            }
            #expect(error.map { "\($0)".lowercased().contains("unique") } == true, "\(String(describing: error))")
        }
        #expect(try store.ledger.read { try $0.journalCount() } == 0)
        #expect(try store.ledger.headHash() == JournalEntry.genesisHash)
        // Nothing was left half-done: the next write goes through.
        try store.ledger.write { try $0.append(contentsOf: [(Fact.snapshotTaken(snapshot), "a")], runID: nil, at: t0) { $0 } }
        #expect(try store.ledger.verify().isSound)
    }

    @Test(arguments: Stores.all.flatMap { store in [
        "UPDATE journal SET kind = 'x' WHERE seq = 1",
        "DELETE FROM journal WHERE seq = 1",
        "UPDATE snapshots SET total_credits = 0",
        "DELETE FROM snapshots",
        "UPDATE key_readings SET usage = 0",
        "DELETE FROM key_listings",
        "UPDATE activity_days SET date = '2000-01-01'",
        "DELETE FROM activity_rows",
    ].map { (store, $0) } })
    func theJournalAndReadingsRefuseChanges(store: String, sql: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle().dropLast() + usageFacts() + lifecycle().suffix(1))
        #expect {
            try store.execute(sql)
        } throws: { error in
            String(describing: error).contains("append-only")
        }
    }

    @Test(arguments: Stores.all)
    func theReplayEqualsTheProjections(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        try store.ledger.write {
            try $0.append(contentsOf: Self.bulk(5000, from: t0.adding(seconds: 86_400)), runID: 1, at: t0.adding(seconds: 1)) { $0 }
        }
        let report = try store.ledger.verify()
        #expect(report.isSound, "\(report.problems)")
        #expect(report.entries == Int64(lifecycle().count + 5000))
        #expect(report.headHash == (try store.ledger.headHash()))
        #expect(report.integrity == "ok")
    }

    /// `status` asks whether a writer is at work without taking its lock: the writer's
    /// holder while it holds it, nothing before or after, and a writer starting meanwhile
    /// is not refused because of the question.
    @Test(arguments: Stores.all)
    func aRunningWriterIsSeenWithoutTakingItsLock(store: String) throws {
        let store = try Stores.make(store)
        #expect(try Ledger.runningWriter(at: store.location) == nil)
        do {
            let lock = try Ledger.lockWriter(at: store.location)
            let seen = try #require(try Ledger.runningWriter(at: store.location))
            let pid = ProcessInfo.processInfo.processIdentifier
            if case .file = store.location {
                #expect(seen.holder == "process \(pid)")
            } else {
                #expect(seen.holder?.hasSuffix(" pid \(pid)") == true || seen.holder?.contains(" pid \(pid) ") == true,
                        "\(String(describing: seen.holder))")
            }
            #expect(try Ledger.runningWriter(at: store.location) == seen, "asking twice changes nothing")
            #expect(seen.runs.isEmpty)
            // The runs it starts, once committed, are named as its own: a `run` job's, then a stage's.
            let job = try store.ledger.write { try $0.append(.runStarted(RunStarted(command: "run")), account: "a", runID: nil, at: t0) }
            let stage = try store.ledger.write {
                try $0.append(.runStarted(RunStarted(command: "topup")), account: "a", runID: nil, at: t0.adding(seconds: 1))
            }
            #expect(try Ledger.runningWriter(at: store.location)?.runs == [job, stage])
            #expect(try Ledger.runningWriter(at: store.location)?.holder == seen.holder)
            // Asked of an open ledger, on its own connection (a report's), the same answer.
            #expect(try store.ledger.runningWriter() == Ledger.runningWriter(at: store.location))
            withExtendedLifetime(lock) {}
        }
        #expect(try Ledger.runningWriter(at: store.location) == nil)
        #expect(try store.ledger.runningWriter() == nil)
        let again = try Ledger.lockWriter(at: store.location)
        #expect(try Ledger.runningWriter(at: store.location)?.runs == [], "the last writer's runs are not the next one's")
        withExtendedLifetime(again) {}
    }

    @Test(arguments: Stores.all)
    func anEmptyLedgerVerifies(store: String) throws {
        let report = try Stores.make(store).ledger.verify()
        #expect(report.isSound)
        #expect(report.headHash == JournalEntry.genesisHash)
    }

    /// Each edit is what someone with the database's shell could do after dropping the
    /// triggers; `verify` names what was touched.
    @Test(arguments: Stores.all.flatMap { store in [
        ("UPDATE snapshots SET total_credits = total_credits + 1", "snapshots row 2 differs"),
        ("DELETE FROM snapshots", "snapshots row 2 is missing"),
        ("UPDATE charges SET amount = 1 WHERE charge_id = 'ch_1'", #"charges row "ch_1" differs"#),
        ("UPDATE topups SET state = 'created' WHERE key = 'ref-2'", #"topups row "ref-2" differs"#),
        ("INSERT INTO runs (id, account, command, started_at) VALUES (99, 'x', 'y', 'z')", "runs row 99 is not in the journal"),
        ("UPDATE journal SET entry = replace(entry, '100000000', '900000000') WHERE seq = 2", "journal entry 2: its hash does not match"),
        ("DELETE FROM journal WHERE seq = 3", "journal entry 4: expected entry 3"),
        ("DELETE FROM journal WHERE seq = (SELECT max(seq) FROM journal)", "runs row 1 differs"),
        ("UPDATE journal SET seq = 9223372036854775807 WHERE seq = (SELECT max(seq) FROM journal)",
         "journal entry 9223372036854775807: expected entry"),
        ("UPDATE journal SET prev_hash = (SELECT hash FROM journal WHERE seq = 1) WHERE seq = 4", "journal entry 4: prev_hash does not match"),
        ("UPDATE journal SET prev_hash = (SELECT hash FROM journal WHERE seq = 1) WHERE seq = 1",
         "journal entry 1: prev_hash is not the 64 zeros the first entry's must be"),
        ("UPDATE journal SET entry = (SELECT entry FROM journal WHERE seq = 7) WHERE seq = 6", "journal entry 6:"),
        // Key readings and activity days (entries 10 to 14, before the run ends).
        ("UPDATE key_readings SET usage = usage + 1", #"key_readings row (10, "hash-0 plain") differs"#),
        ("DELETE FROM key_listings WHERE id = 11", "key_listings row 11 is missing: the journal records it (journal entry 11)"),
        ("UPDATE activity_days SET date = '2026-09-18' WHERE id = 12", "activity_days row 12 differs"),
        ("DELETE FROM activity_rows WHERE day_id = 14", "activity_rows row (14, 0) is missing"),
        ("INSERT INTO activity_rows (day_id, line, account, date, model, usage) VALUES (13, 0, 'default', '2026-09-19', 'x', 1)",
         "activity_rows row (13, 0) is not in the journal"),
    ].map { (store, $0.0, $0.1) } })
    func tamperingIsCaughtAndNamed(store: String, sql: String, expected: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle().dropLast() + usageFacts() + lifecycle().suffix(1))
        try store.dropAppendOnlyTriggers()
        try store.execute(sql)
        let report = try store.ledger.verify()
        #expect(!report.isSound)
        // A row keyed past the journal's head is said first as that (rows of entries cut, or forged).
        let past = report.problems.first?.hasPrefix("the tables hold rows of entries up to ") == true
        #expect(report.problems.dropFirst(past ? 1 : 0).first?.contains(expected) == true, "\(report.problems)")
        #expect(past == (report.rowsPastHead != nil) && past == sql.contains("VALUES (99,"), "\(report.problems)")
    }

    /// A top-up goes planned → requesting → one answer, and takes a charge once: a second
    /// request of a row with a request under way or with its charge, an answer to no
    /// request, a recorded charge linked to a row that has one, are refused as a damaged
    /// ledger (74), and nothing is written. (The top-up engine never writes them; a ledger
    /// whose `topups` rows were edited could make it.)
    @Test(arguments: Stores.all.flatMap { store in [
        (store, [Fact.chargeRequested(ChargeRequested(key: "ref-1", attempt: 2))], "ref-1 to be requested, but no such top-up without its charge"),
        (store, [.chargeCreated(ChargeCreated(key: "ref-2", chargeID: "ch_2", createdAt: t0, expiresAt: t0.adding(seconds: 3600),
                                              callData: "{}", rawBody: "{}"))], "ref-2 to be created, but no such top-up with a request under way"),
        (store, [.chargeUnknown(ChargeFailed(key: "ref-1", httpStatus: nil, message: "?", rawBody: nil))],
         "ref-1 to become unknown, but no such top-up with a request under way"),
        (store, [.chargeRecorded(ChargeRecorded(chargeID: "web_2", amount: usd("25"), wallet: nil, chainID: 8453, createdAt: t0,
                                                expiresAt: nil, reference: "ref-1", topUpKey: "ref-1", status: "paid", paidAt: nil,
                                                memo: nil, origin: "charges.csv:3"))], "ref-1 to be recorded, but no such top-up without its charge"),
    ] })
    func aTopUpTakesOneChargeAndAnswersOnlyARequest(store: String, facts: [Fact], expected: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        let head = try store.ledger.headHash()
        let detail = #expect(throws: LedgerError.self) { try store.ledger.appendAll(facts) }
        guard case .malformedEntry(let text)? = detail else {
            Issue.record("not a damaged ledger: \(String(describing: detail))")
            return
        }
        #expect(text.contains("expected top-up \(expected)"), "\(text)")
        #expect(try store.ledger.headHash() == head)
    }

    /// A charge recorded for a plan row (a web-flow purchase after a blocked request) shows
    /// the row's memo when the export gave it none, and its own when it did: the memo was
    /// gone from every report once `import charges` resolved the row.
    @Test(arguments: Stores.all)
    func aChargeRecordedForAPlanRowKeepsTheRowsMemo(store: String) throws {
        let store = try Stores.make(store)
        func planned(_ key: String) -> [Fact] {
            [.topUpPlanned(TopUpPlanned(key: key, batch: "b", reference: key, wallet: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                                        chainID: 8453, amount: usd("5"), memo: "Research budget", planFile: "p.csv", planLine: 4)),
             .chargeRequested(ChargeRequested(key: key, attempt: 1)),
             .chargeBlocked(ChargeFailed(key: key, httpStatus: 410, message: "gone", rawBody: "{}"))]
        }
        func recorded(_ id: String, for key: String, memo: String?) -> Fact {
            .chargeRecorded(ChargeRecorded(chargeID: id, amount: usd("5"), wallet: nil, chainID: 8453, createdAt: t0,
                                           expiresAt: nil, reference: key, topUpKey: key, status: "paid", paidAt: nil,
                                           memo: memo, origin: "charges.csv:4"))
        }
        try store.ledger.appendAll(lifecycle() + planned("ref-3") + planned("ref-4")
            + [recorded("web_3", for: "ref-3", memo: nil), recorded("web_4", for: "ref-4", memo: "paid by card")])
        let memos = Dictionary(uniqueKeysWithValues: try store.ledger.read { try $0.charges(account: "default") }.map { ($0.chargeID, $0.memo) })
        #expect(memos["web_3"] == "Research budget")
        #expect(memos["web_4"] == "paid by card")
        #expect(memos["web_1"] == .some(nil))
        #expect(try store.ledger.verify().isSound)
    }

    /// A charged top-up's row set back to `planned` behind the ledger's back (no trigger
    /// guards the top-ups, whose states change) is not requested again: the journal entry
    /// that last changed the row says `charge.created`. The next `topup` charged the row a
    /// second time, and `verify` then found the ledger sound. So is a blocked row whose
    /// charge was recorded, set back to `blocked`, not linked to a second charge.
    @Test(arguments: Stores.all.flatMap { store in [
        (store, "UPDATE topups SET state = 'planned', charge_id = NULL WHERE key = 'ref-1'",
         Fact.chargeRequested(ChargeRequested(key: "ref-1", attempt: 2)), "ref-1 to be requested"),
        (store, "UPDATE topups SET state = 'blocked', charge_id = NULL WHERE key = 'ref-2'",
         .chargeRecorded(ChargeRecorded(chargeID: "web_2", amount: usd("10"), wallet: nil, chainID: 1, createdAt: t0,
                                        expiresAt: nil, reference: "ref-2", topUpKey: "ref-2", status: "paid", paidAt: nil,
                                        memo: nil, origin: "charges.csv:3")), "ref-2 to be recorded"),
    ] })
    func aTopUpSetBackBehindTheLedgersBackTakesNoSecondCharge(store: String, sql: String, fact: Fact, expected: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        try store.execute(sql)
        let head = try store.ledger.headHash()
        let error = #expect(throws: LedgerError.self) { try store.ledger.appendAll([fact]) }
        guard case .malformedEntry(let detail)? = error else {
            Issue.record("not a damaged ledger: \(String(describing: error))")
            return
        }
        #expect(detail.contains("expected top-up \(expected), but no such top-up without its charge")
            && detail.hasSuffix("in the state its journal entries give it"), "\(detail)")
        #expect(try store.ledger.headHash() == head)
        let report = try store.ledger.verify()
        #expect(report.problems.first?.contains("topups row \"\(expected.prefix { $0 != " " })\" differs") == true, "\(report.problems)")
    }

    /// Every broken entry is named, not only the first: after one the chain is still
    /// checked, each entry against the stored one before it. The last sound head is the
    /// one before the first break.
    @Test(arguments: Stores.all)
    func everyBrokenEntryIsNamed(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        let before = try store.ledger.read { try $0.head() }
        try store.dropAppendOnlyTriggers()
        try store.execute("UPDATE journal SET entry = replace(entry, '100000000', '900000000') WHERE seq = 2")
        try store.execute("DELETE FROM journal WHERE seq = 5")
        try store.execute("UPDATE journal SET prev_hash = (SELECT hash FROM journal WHERE seq = 1) WHERE seq = 7")
        let report = try store.ledger.verify()
        // Then the triggers dropped.
        #expect(Array(report.problems.prefix(3)) == [
            "journal entry 2: its hash does not match its content: the entry was edited",
            "journal entry 6: expected entry 5 here; entries are missing or out of order",
            "journal entry 7: prev_hash does not match entry 6's hash: an entry was changed, removed or swapped",
        ], "\(report.problems)")
        #expect(report.entries == 1)
        #expect(report.headHash.count == 64 && report.headHash != before.hash && report.headHash != JournalEntry.genesisHash)
        #expect(!report.stoppedAtLimit)
        // Cut at the limit, the report says there may be more (it did not).
        let cut = try store.ledger.verify(limit: 2)
        #expect(cut.problems.filter { $0.hasPrefix("journal entry") }.count == 2 && cut.stoppedAtLimit)
    }

    /// A link broken between entries N and N+1 (N+1's `prev_hash` no longer N's hash) does
    /// not tell which of the two was changed: entry N may have been edited and its hash
    /// computed again, so the last sound head is entry N-1's (probe 317: the edited entry's
    /// head was called the newest state the ledger proves). Within a batch of the check, and
    /// as the first entry of the next one.
    @Test(arguments: Stores.all.flatMap { store in [(store, 4), (store, 16_385)] as [(String, Int64)] })
    func aBrokenLinkLeavesTheEntryBeforeItUnproven(store: String, next: Int64) throws {
        let (report, proven) = try Self.verified(
            store, after: "UPDATE journal SET prev_hash = (SELECT hash FROM journal WHERE seq = 1) WHERE seq = \(next)", proving: next - 2)
        #expect(report.problems.first == "journal entry \(next): prev_hash does not match entry \(next - 1)'s hash: an entry was "
            + "changed, removed or swapped", "\(report.problems)")
        #expect(report.entries == next - 2 && report.headHash == proven)
    }

    /// `verify` of a ledger of 17,000 entries (a batch of the check and part of the next)
    /// after `sql`, run with the append-only triggers dropped, and the hash of entry `proving`
    /// as it was before.
    static func verified(_ store: String, after sql: String, proving: Int64) throws -> (report: VerifyReport, hash: String?) {
        let store = try Stores.make(store)
        try store.ledger.write { try $0.append(contentsOf: bulk(17_000), runID: nil, at: t0) { $0 } }
        let proven = try store.ledger.store.read { try $0.entryHash(seq: proving) }
        try store.dropAppendOnlyTriggers()
        try store.execute(sql)
        return (try store.ledger.verify(), proven)
    }

    /// A gap is a broken link too: with entry N removed, nothing proves entry N-1, which may
    /// have been edited and its hash computed again (probe 387: such an entry, the one after
    /// it removed, was called the last sound head, and `--holds` found its forged hash
    /// there). Within a batch of the check, and as the first entry of the next one.
    @Test(arguments: Stores.all.flatMap { store in [(store, 4), (store, 16_385)] as [(String, Int64)] })
    func anEntryRemovedLeavesTheEntryBeforeItUnproven(store: String, removed: Int64) throws {
        let (report, proven) = try Self.verified(store, after: "DELETE FROM journal WHERE seq = \(removed)", proving: removed - 2)
        #expect(report.problems.first == "journal entry \(removed + 1): expected entry \(removed) here; entries are missing or "
            + "out of order", "\(report.problems)")
        #expect(report.entries == removed - 2 && report.headHash == proven)
    }

    /// Triggers dropped are a finding of their own, after the chain's findings (which name
    /// what was changed while they were gone).
    @Test(arguments: Stores.all)
    func droppedTriggersAreNamedAfterWhatWasChanged(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        #expect(try store.ledger.verify().isSound)
        try store.dropAppendOnlyTriggers()
        let report = try store.ledger.verify()
        #expect(report.problems.count == 1, "\(report.problems)")
        #expect(report.problems.last?.hasPrefix("append-only triggers journal_append_only") == true, "\(report.problems)")
        #expect(report.problems.last?.hasSuffix("activity_rows_append_only_delete missing, changed or disabled: "
            + "the journal or the readings can be changed in place") == true
            || report.problems.last?.hasSuffix("activity_rows_no_truncate missing, changed or disabled: "
                + "the journal or the readings can be changed in place") == true, "\(report.problems)")
        // The database's own check passed: its field holds only its verdict.
        #expect(report.integrity == "ok")
        try store.execute("UPDATE snapshots SET total_usage = total_usage + 1 WHERE id = 2")
        let tampered = try store.ledger.verify()
        #expect(tampered.problems.first?.contains("snapshots row 2 differs") == true, "\(tampered.problems)")
        // PostgreSQL's statistics count the row changed past the guards too.
        let postgres = store.ledger.path.hasPrefix("postgresql://")
        #expect(tampered.problems.count == (postgres ? 3 : 2), "\(tampered.problems)")
        #expect(!postgres || tampered.problems.last?.contains("changed: snapshots 1 updated (since") == true, "\(tampered.problems)")
    }

    /// The rows of runs, top-ups and charges, which the ledger changes but never deletes, are
    /// guarded from deleting (and in PostgreSQL from `TRUNCATE`, which no statistics count):
    /// emptied behind the ledger's back, the next `topup` bought every plan row again, exit 0
    /// (probe 293). With those triggers gone, a writer refuses the ledger as damaged.
    @Test(arguments: Stores.all)
    func rowsOfRunsTopUpsAndChargesAreNeverDeleted(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        let head = try store.ledger.headHash()
        let postgres = store is PostgresUnderTest
        for table in Schema.keptTables {
            #expect(throws: (any Error).self) { try store.execute("DELETE FROM \(table)") }
            if postgres { #expect(throws: (any Error).self) { try store.execute("TRUNCATE \(table) CASCADE") } }
        }
        #expect(throws: (any Error).self) { try store.execute(postgres ? "TRUNCATE topups, charges" : "DELETE FROM charges WHERE seq > 0") }
        #expect(try store.ledger.verify().isSound)
        try store.execute(postgres ? "DROP TRIGGER charges_kept_delete ON charges" : "DROP TRIGGER charges_kept_delete")
        let writer = try store.openAnother()
        let refused = #expect(throws: LedgerError.self) { try writer.appendAll(usageFacts()) }
        #expect(String(describing: refused).contains("trigger charges_kept_delete missing, changed or disabled: rows of runs, "
            + "top-ups and charges can be deleted, and a top-up then buys again what they recorded"), "\(String(describing: refused))")
        #expect(try writer.headHash() == head)
        let report = try store.ledger.verify()
        #expect(!report.isSound && report.problems.contains { $0.hasPrefix("trigger charges_kept_delete missing") }, "\(report.problems)")
    }

    /// A writer asks for the guards before its first write: without them, entries were cut
    /// from the journal's end with the rows they made, and `topup` bought again what they
    /// had bought, the chain as sound as before (probe 153). Refused as damaged, with
    /// nothing written.
    @Test(arguments: Stores.all)
    func aWriterRefusesALedgerWhoseGuardsAreGone(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        let head = try store.ledger.headHash()
        try store.dropAppendOnlyTriggers()
        let writer = try store.openAnother()
        let refused = #expect(throws: LedgerError.self) { try writer.appendAll(usageFacts()) }
        guard case .malformedEntry(let text)? = refused else {
            Issue.record("not a damaged ledger: \(String(describing: refused))")
            return
        }
        #expect(text.hasPrefix("append-only triggers journal_append_only"), "\(text)")
        #expect(text.hasSuffix("missing, changed or disabled: the journal or the readings can be changed in place; nothing was written"),
                "\(text)")
        #expect(try writer.headHash() == head)
    }

    /// A projection row the journal did not make (left behind by entries cut from the
    /// journal's end, or written behind the ledger's back) refuses the entry whose row it
    /// takes the place of: damage (74), not this tool's fault (70, "UNIQUE constraint
    /// failed: runs.id", probe 153), and nothing is written.
    @Test(arguments: Stores.all)
    func aRowTheJournalDidNotMakeIsDamage(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        let head = try store.ledger.read { try $0.head() }
        try store.execute("INSERT INTO runs (id, account, command, started_at) VALUES (\(head.seq + 1), 'default', 'fetch', 'x')")
        let refused = #expect(throws: LedgerError.self) {
            try store.ledger.write { _ = try $0.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil, at: t0) }
        }
        guard case .malformedEntry(let text)? = refused else {
            Issue.record("not a damaged ledger: \(String(describing: refused))")
            return
        }
        #expect(text.hasPrefix("a row of entry \(head.seq + 1) was refused ("), "\(text)")
        #expect(text.hasSuffix("): its tables hold rows its journal does not make (entries cut from the journal's end, or rows "
            + "written behind the ledger's back), or a key, check or index someone added to them refuses it (`verify` names "
            + "such a table); nothing was written"), "\(text)")
        #expect(try store.ledger.read { try $0.head() } == head)
    }

    /// A row refused by an index someone added to a table is damage, said as such (74), in
    /// either store: PostgreSQL's refusal came as it answered the batch, and was a "ledger
    /// error" (70, probe 377).
    @Test(arguments: Stores.all)
    func aRowRefusedByAnIndexSomeoneAddedIsDamage(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        let head = try store.ledger.read { try $0.head() }
        try store.execute("CREATE UNIQUE INDEX mine ON snapshots (account)")
        let refused = #expect(throws: LedgerError.self) {
            try store.openAnother().write { try $0.append(contentsOf: Self.bulk(2), runID: nil, at: t0) { $0 } }
        }
        guard case .malformedEntry(let text)? = refused else {
            Issue.record("not a damaged ledger: \(String(describing: refused))")
            return
        }
        #expect(text.contains(" was refused (") && text.hasSuffix("or a key, check or index someone added to them refuses it "
            + "(`verify` names such a table); nothing was written"), "\(text)")
        #expect(try store.ledger.read { try $0.head() } == head)
    }

    /// A projection row past the journal's head that no new row collides with (entries cut
    /// from the journal's end, their rows left) refuses a writer's first write: it was read
    /// as what the journal holds (`import charges`: "3 already in the ledger", probe 158).
    @Test(arguments: Stores.all)
    func aRowPastTheHeadRefusesTheFirstWrite(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        let head = try store.ledger.read { try $0.head() }
        try store.execute("INSERT INTO runs (id, account, command, started_at) VALUES (\(head.seq + 50), 'default', 'fetch', 'x')")
        let writer = try store.openAnother()
        let refused = #expect(throws: LedgerError.self) { try writer.appendAll(usageFacts()) }
        guard case .malformedEntry(let text)? = refused else {
            Issue.record("not a damaged ledger: \(String(describing: refused))")
            return
        }
        #expect(text == "its tables hold rows of entries up to \(head.seq + 50), past its newest entry (\(head.seq)): entries were "
            + "cut from the journal's end, or rows written behind the ledger's back; nothing was written", "\(text)")
        #expect(try writer.read { try $0.head() } == head)
    }

    /// A trigger or rule the ledger did not make on its tables can make appends "succeed"
    /// and store nothing (`RAISE(IGNORE)`, `DO INSTEAD NOTHING`): `verify` names it, and it
    /// said the ledger was sound.
    @Test(arguments: Stores.all)
    func aForeignTriggerOrRuleIsNamed(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        #expect(try store.ledger.verify().isSound)
        try store.execute(store.ledger.path.hasPrefix("postgresql://")
            ? "CREATE RULE swallow AS ON INSERT TO snapshots DO INSTEAD NOTHING"
            : "CREATE TRIGGER swallow BEFORE INSERT ON snapshots BEGIN SELECT RAISE(IGNORE); END")
        let report = try store.ledger.verify()
        #expect(report.problems == ["trigger or rule the ledger did not make on its tables: snapshots.swallow; one can drop or "
            + "change what is written"], "\(report.problems)")
        // Undone with the store's own statements: SQLite has no rules.
        #expect(report.undoInPlace == (store.ledger.path.hasPrefix("postgresql://") ? ["DROP TRIGGER", "DROP RULE"] : ["DROP TRIGGER"]))
    }

    /// A PostgreSQL ledger table set UNLOGGED is emptied by the server at a crash and left out
    /// of replicas: `verify` names it, a writer refuses it (74) and a copy will not go into it;
    /// `verify` said sound, and after a crash blamed rows "added behind the ledger's back"
    /// (probe 373).
    @Test func anUnloggedTableIsNamedAndRefused() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        try store.execute("ALTER TABLE journal SET UNLOGGED")
        let report = try store.ledger.verify()
        #expect(report.problems == ["the ledger's table journal is set UNLOGGED, which the ledger never does: the server empties "
            + "an unlogged table when it recovers from a crash, and leaves it out of replicas and of backups made from its log; "
            + "ALTER TABLE … SET LOGGED it (as the tables' owner)"], "\(report.problems)")
        #expect(report.undoInPlace == ["ALTER TABLE … SET LOGGED"] && report.journalIsSound)
        let refused = #expect(throws: LedgerError.self) {
            try store.openAnother().write { try $0.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil, at: t0) }
        }
        #expect(refused.map { "\($0)" }?.contains("is set UNLOGGED") == true, "\(String(describing: refused))")
        try store.execute("ALTER TABLE journal SET LOGGED")
        #expect(try store.ledger.verify().isSound)
        // Its record of migrations too: emptied by a crash, it read as edited away (probe 375).
        try store.execute("ALTER TABLE schema_migrations SET UNLOGGED")
        #expect(try store.ledger.verify().problems.first?.hasPrefix("the ledger's table schema_migrations is set UNLOGGED") == true)
    }

    /// A trigger or rule on a table that is not the ledger's (another application's, beside
    /// it) is none of the ledger's business: it was named as one "on its tables".
    @Test(arguments: Stores.all)
    func aTriggerOnAnotherTableIsNotTheLedgers(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        try store.execute(store.ledger.path.hasPrefix("postgresql://")
            ? "CREATE TABLE foo (x integer); CREATE RULE zz AS ON INSERT TO foo DO INSTEAD NOTHING"
            : "CREATE TABLE foo (x INTEGER); CREATE TRIGGER zz BEFORE INSERT ON foo BEGIN SELECT RAISE(IGNORE); END")
        let report = try store.ledger.verify()
        #expect(report.isSound, "\(report.problems)")
    }

    /// A copy from a ledger whose stored entries are not what its chain records is refused,
    /// nothing written, naming the entry and saying once what to do (the detail had its own
    /// "run credit-recon verify" before the damaged ledger's advice): an entry missing, or a
    /// stored hash changed (not its entry), where the chain recomputed from the entries
    /// still ended at the stored head and the copy said "the same chain" of a source
    /// `verify` finds broken.
    @Test(arguments: Stores.all, [
        ("DELETE FROM journal WHERE seq = 2", "journal entry 3 follows entry 1: entries are missing"),
        ("UPDATE journal SET hash = 'f' || substr(hash, 2) WHERE seq = 2",
         "journal entry 3's prev_hash is not the hash stored with entry 2: the stored hashes were changed outside credit-recon"),
    ])
    func aCopyOfADamagedLedgerIsRefusedAdvisingOnce(store: String, damage: (sql: String, said: String)) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        try store.dropAppendOnlyTriggers()
        try store.execute(damage.sql)
        #expect(try !store.ledger.verify().isSound)
        let target = try TemporaryLedger()
        let error = #expect(throws: LedgerError.self) { _ = try store.ledger.copy(into: target.ledger) }
        let text = error.map { String(describing: $0) } ?? ""
        #expect(text.contains(damage.said), "\(text)")
        #expect(text.components(separatedBy: "credit-recon verify").count == 2, "\(text)")
        #expect(try target.ledger.read { try $0.journalCount() } == 0)
    }

    /// Such a trigger or rule on the journal: a write that appended entries finds them
    /// missing before it commits and fails, instead of reporting a head it did not store
    /// (its projection rows, which were stored, go with the rollback).
    @Test(arguments: Stores.all)
    func aWriteWhoseEntriesTheJournalDidNotKeepFails(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        let head = try store.ledger.headHash()
        try store.execute(store.ledger.path.hasPrefix("postgresql://")
            ? "CREATE RULE swallow AS ON INSERT TO journal DO INSTEAD NOTHING"
            : "CREATE TRIGGER swallow BEFORE INSERT ON journal BEGIN SELECT RAISE(IGNORE); END")
        // Facts no projection checks against the journal (a top-up's request is checked
        // against the entry that last changed its row, and would fail there first).
        let error = #expect(throws: LedgerError.self) { try store.ledger.appendAll(usageFacts()) }
        if case .malformedEntry(let detail)? = error {
            #expect(detail.contains("the journal did not keep the entries this write appended"), "\(detail)")
        } else {
            Issue.record("not malformedEntry: \(String(describing: error))")
        }
        #expect(try store.ledger.headHash() == head)
        #expect(try store.ledger.read { try $0.journalCount() } == 2)
        #expect(try store.ledger.read { try $0.charges(account: "default") }.isEmpty)
    }

    /// A projection table dropped behind the ledger's back: `verify` names it, still checks
    /// the chain and the other tables, and says how to build it again, which `ledger copy`
    /// does; readers say the ledger is damaged. Without the journal's table, nothing is left
    /// to replay.
    @Test(arguments: Stores.all)
    func aDroppedTableIsNamedAndBuiltAgainFromTheJournal(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        let head = try store.ledger.headHash()
        try store.execute("DROP TABLE charges")
        try store.execute("UPDATE runs SET command = 'x' WHERE id = 1")
        let report = try store.ledger.verify()
        #expect(report.problems.first?.hasPrefix("table charges missing: the ledger's tables were changed outside "
            + "credit-recon, so the journal cannot be compared with it; `credit-recon --ledger ") == true, "\(report.problems)")
        #expect(report.problems.first?.hasSuffix(" ledger copy --to NEW` builds every table again from the journal, "
            + "in a new ledger, and checks its chain") == true, "\(report.problems)")
        #expect(report.problems.dropFirst().first?.contains("runs row 1 differs") == true, "the other tables are still compared")
        #expect(report.headHash == head)
        #expect(report.entries == Int64(lifecycle().count))
        let unread = #expect(throws: LedgerError.self) { _ = try store.ledger.read { try $0.charges(account: "default") } }
        if case .malformedEntry(let detail)? = unread {
            #expect(detail.contains("charges"), "\(detail)")
        } else {
            Issue.record("not malformedEntry: \(String(describing: unread))")
        }
        let rebuilt = try TemporaryLedger()
        #expect(try store.ledger.copy(into: rebuilt.ledger).headHash == head)
        #expect(try rebuilt.ledger.read { try $0.charges(account: "default") }.map(\.chargeID) == ["ch_1", "web_1"])

        try store.dropAppendOnlyTriggers()
        try store.execute("DROP TABLE journal")
        let lost = try store.ledger.verify()
        #expect(lost.problems.first == "the journal table is missing: the ledger has lost its entries, which every "
            + "other table is built from; restore the ledger from a backup", "\(lost.problems)")
    }

    /// A column dropped behind the ledger's back: readers say the ledger is damaged (74),
    /// naming the column (and in SQLite its table), as for a dropped table; they had failed
    /// with SQLite's raw "no such column: c.memo" and its statement (70).
    @Test(arguments: Stores.all)
    func aDroppedColumnIsADamagedLedger(store: String) throws {
        let store = try Stores.make(store)
        let detail = try Self.damage(after: "ALTER TABLE charges DROP COLUMN memo", to: store, holding: lifecycle()) {
            _ = try store.ledger.read { try $0.charges(account: "default") }
        }
        let expected = store.ledger.path.hasPrefix("postgresql://") ? "one of its tables lacks a column" : "its table charges lacks its column memo"
        #expect(detail?.hasPrefix(expected) == true, "\(detail ?? "")")
        #expect(detail?.contains("memo") == true, "\(detail ?? "")")
    }

    /// Tables made again otherwise than the migrations make them, each behind the ledger's
    /// back with its rows as they were: `verify` names the table, and compares the others.
    /// It had said the ledger was sound.
    @Test(arguments: [
        ("ALTER TABLE charges ADD COLUMN note TEXT", "has column note; its CREATE TABLE is not the migrations'"),
        ("CREATE UNIQUE INDEX charges_by_wallet ON charges (charge_id, wallet)",
         "has unique index ON charges (charge_id, wallet), which can refuse a row"),
        // Not unique, but able to refuse a row: partial, or on an expression that can fail (probe 366).
        ("CREATE INDEX charges_by_wallet ON charges (wallet) WHERE amount > 0",
         "has index ON charges (wallet) WHERE amount > 0, which can refuse a row"),
        ("CREATE INDEX charges_by_wallet ON charges (abs(amount))", "has index ON charges (abs(amount)), which can refuse a row"),
        ("DROP INDEX charges_by_created", "lacks index ON charges (account, created_at)"),
        ("""
        PRAGMA foreign_keys = OFF;
        ALTER TABLE charges RENAME TO old_charges;
        CREATE TABLE charges (charge_id TEXT, seq INTEGER, account TEXT, origin TEXT, topup_key TEXT, reference TEXT,
            wallet TEXT, chain_id INTEGER, amount INTEGER, created_at TEXT, expires_at TEXT, status TEXT, paid_at TEXT,
            memo TEXT, call_data TEXT, raw_body TEXT, source TEXT, run_id INTEGER);
        INSERT INTO charges SELECT * FROM old_charges;
        DROP TABLE old_charges;
        CREATE INDEX charges_by_created ON charges (account, created_at);
        """, "its CREATE TABLE is not the migrations' (its columns, keys or checks); lacks index ON charges (charge_id) WHERE"),
    ])
    func aTableMadeAgainOtherwiseIsNamed(sql: String, differs: String) throws {
        let store = try SQLiteUnderTest()
        try store.ledger.appendAll(lifecycle())
        try store.execute(sql)
        try store.execute("UPDATE runs SET command = 'x' WHERE id = 1")
        let report = try store.ledger.verify()
        #expect(report.problems.first?.hasPrefix("table charges is not as credit-recon makes it (its columns, keys, "
            + "constraints or indexes were changed outside credit-recon), so the journal is not compared with it") == true,
                "\(report.problems)")
        #expect(report.problems.dropFirst().first?.contains("runs row 1 differs") == true, "\(report.problems)")
        #expect(report.problems.first?.contains(" (\(differs)") == true, "\(report.problems)")
        // The table made again lost migration v8's trigger with the old one: said too.
        let remade = sql.contains("RENAME TO")
        #expect(report.problems.count == (remade ? 3 : 2), "\(report.problems)")
        #expect(!remade || report.problems.last?.hasPrefix("trigger charges_kept_delete missing, changed or disabled: rows of "
            + "runs, top-ups and charges can be deleted") == true, "\(report.problems)")
    }

    /// PostgreSQL's tables with a column added, retyped, made nullable or given another
    /// collation behind the ledger's back: `verify` names the table and compares the
    /// others. An added column failed the comparison (70, "unequal number of entries in row
    /// expressions"); the others were compared by value and said sound (probe 173).
    @Test(arguments: [
        "ALTER TABLE charges ADD COLUMN evil TEXT",
        "ALTER TABLE charges ALTER COLUMN amount TYPE numeric",
        "ALTER TABLE charges ALTER COLUMN account DROP NOT NULL",
        #"ALTER TABLE charges ALTER COLUMN memo TYPE text COLLATE "POSIX""#,
        "ALTER TABLE charges DROP COLUMN call_data",
        // The journal's too (probe 176: a collation changed failed verify with 70, the rest said sound).
        #"ALTER TABLE journal ALTER COLUMN kind TYPE text COLLATE "POSIX""#,
        "ALTER TABLE journal ADD COLUMN extra text",
        "ALTER TABLE journal ALTER COLUMN entry TYPE varchar",
        "ALTER TABLE journal ALTER COLUMN kind DROP NOT NULL",
        // Its entries cannot be read then (probe 178: 74, "lacks a column … run verify").
        "ALTER TABLE journal RENAME COLUMN kind TO kind_x",
    ])
    func aPostgreSQLTableWhoseColumnsWereChangedIsNamed(sql: String) throws {
        let store = try Stores.make("postgresql")
        try store.ledger.appendAll(lifecycle())
        try store.execute(sql)
        try store.execute("SET session_replication_role = replica; UPDATE runs SET command = 'x' WHERE id = 1")
        let table = sql.split(separator: " ")[2]
        let report = try store.ledger.verify()
        let said = sql.contains("RENAME") ? ", and its entries cannot be read as it now stands"
            : table == "journal" ? "; its entries are still checked and replayed" : ", so the journal is not compared with it"
        #expect(report.problems.first?.hasPrefix("table \(table) is not as credit-recon makes it (its columns, keys, "
            + "constraints or indexes were changed outside credit-recon)\(said)") == true, "\(report.problems)")
        #expect(report.problems.contains { $0.contains("runs row 1 differs") } != sql.contains("RENAME"), "\(report.problems)")
        #expect(report.journalIsSound == !sql.contains("RENAME"))
    }

    /// PostgreSQL's tables with a key, a check, a reference or an index dropped, added or
    /// changed behind the ledger's back: `verify` names the table, as it does SQLite's, and
    /// what differs. It compared their columns alone: migration v9 recorded without its
    /// index, or a table's key dropped, was a sound ledger (probe 362).
    @Test(arguments: [
        ("CREATE UNIQUE INDEX charges_by_wallet ON charges (charge_id, wallet)", "charges",
         "has unique index USING btree (charge_id, wallet), which can refuse a row"),
        ("CREATE INDEX charges_by_wallet ON charges (wallet) WHERE amount > 0", "charges",
         "has index USING btree (wallet) WHERE (amount > 0), which can refuse a row"),
        ("CREATE INDEX charges_by_wallet ON charges ((1 / amount))", "charges", "has index USING btree (((1 / amount))), which can refuse a row"),
        ("DROP INDEX charges_by_time", "charges", "lacks index USING btree (account, created_at, seq)"),
        ("DROP INDEX charges_by_time; CREATE INDEX charges_by_time ON charges (account, created_at, charge_id)", "charges",
         "lacks index USING btree (account, created_at, seq)"),
        ("DROP INDEX journal_by_time", "journal", "lacks index USING btree (split_part("),
        ("ALTER TABLE snapshots DROP CONSTRAINT snapshots_account_observed_at_key", "snapshots",
         "lacks constraint UNIQUE (account, observed_at); lacks unique index USING btree (account, observed_at)"),
        ("ALTER TABLE topups DROP CONSTRAINT topups_amount_check", "topups", "lacks constraint CHECK ((amount > 0))"),
        ("ALTER TABLE topups DROP CONSTRAINT topups_amount_check; ALTER TABLE topups ADD CONSTRAINT topups_amount_check CHECK (amount >= 0)",
         "topups", "has constraint CHECK ((amount >= 0)), which can refuse a row; lacks constraint CHECK ((amount > 0))"),
        ("ALTER TABLE charges DROP CONSTRAINT charges_topup_key_fkey", "charges",
         "lacks constraint FOREIGN KEY (topup_key) REFERENCES topups(key)"),
        ("ALTER TABLE key_readings DROP CONSTRAINT key_readings_pkey", "key_readings",
         "lacks constraint PRIMARY KEY (listing_id, key_hash); lacks unique index USING btree (listing_id, key_hash)"),
    ])
    func aPostgreSQLTableWhoseKeysOrIndexesWereChangedIsNamed(sql: String, table: String, differs: String) throws {
        let store = try Stores.make("postgresql")
        try store.ledger.appendAll(lifecycle())
        #expect(try store.ledger.verify().isSound)
        try store.execute(sql)
        let report = try store.ledger.verify()
        #expect(report.problems.first?.hasPrefix("table \(table) is not as credit-recon makes it (its columns, keys, "
            + "constraints or indexes were changed outside credit-recon)") == true, "\(report.problems)")
        #expect(!report.isSound)
        // What differs, in words (probe 366: said nowhere).
        #expect(report.problems.first?.contains(" (\(differs)") == true, "\(report.problems)")
    }

    /// A definition quoted from the catalog is cut at 300 characters, saying how long it
    /// was: whoever changed the table wrote it (probe 371: a 5 MB expression on one line).
    @Test(arguments: Stores.all)
    func aLongDefinitionIsCutWhereVerifyQuotesIt(store name: String) throws {
        let store = try Stores.make(name)
        try store.ledger.appendAll(lifecycle())
        try store.execute("CREATE UNIQUE INDEX long ON charges (account, ('\(String(repeating: "B", count: 100_000))' || charge_id))")
        let problem = try store.ledger.verify().problems.first ?? ""
        #expect(problem.contains("BBBB… (cut: ") && problem.contains(" characters in all), which can refuse a row)"),
                "\(problem.prefix(600))")
        #expect(problem.count < 2_000, "\(problem.count) characters")
    }

    /// An index of one's own that refuses no row (a database administrator's, for queries
    /// of their own), or an index or constraint of the ledger's renamed, changes nothing the
    /// ledger relies on: the ledger is sound, and a row edited beside it is named as such. It
    /// was "not as credit-recon makes it", exit 1, and the table's rows went uncompared
    /// (probe 364).
    @Test(arguments: Stores.all.flatMap { store -> [(String, String)] in
        let own = ["CREATE INDEX mine ON charges (wallet)", "CREATE INDEX mine ON charges (account, created_at)"]
        let renamed = store == "sqlite" ? [] : [
            "ALTER INDEX charges_by_time RENAME TO mine",
            "ALTER TABLE topups RENAME CONSTRAINT topups_amount_check TO mine",
            "ALTER TABLE charges RENAME CONSTRAINT charges_charge_id_key TO mine",
        ]
        let unkept = store == "sqlite" ? [] : [
            // Its storage, or an index the server does not keep up (a build that failed), is no change (probe 373).
            "ALTER INDEX snapshots_account_observed_at_key SET (fillfactor = 50)",
            "ALTER INDEX charges_by_time SET (fillfactor = 90)",
            "CREATE UNIQUE INDEX mine ON charges (charge_id, amount); "
                + "UPDATE pg_index SET indisready = false, indisvalid = false WHERE indexrelid = 'credit_recon.mine'::regclass",
        ]
        return (own + renamed + unkept).map { (store, $0) }
    })
    func anIndexOfOnesOwnOrARenamedOneChangesNothing(store name: String, sql: String) throws {
        let store = try Stores.make(name)
        try store.ledger.appendAll(lifecycle())
        try store.execute(sql)
        let sound = try store.ledger.verify()
        #expect(sound.isSound, "\(sound.problems)")
        try store.execute("UPDATE charges SET amount = amount * 10 WHERE charge_id = 'ch_1'")
        let report = try store.ledger.verify()
        #expect(report.problems.count == 1 && report.problems.first?.hasPrefix("charges row \"ch_1\" differs from what the journal records")
            == true, "\(report.problems)")
    }

    /// An entry chained correctly behind the ledger's back whose row the tables cannot hold
    /// (a second reading for the same account and time), followed by thousands more (more
    /// than a batch of the journal's scan): the replay names that entry, though its row was
    /// written in a batch with others, and the chain after it is checked to its end.
    @Test(arguments: Stores.all)
    func anEntryWhoseRowTheTablesRefuseIsNamed(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        let seq = try Self.chainBehindTheLedgersBack(lifecycle()[1], seq: Int64(lifecycle().count + 1), into: store)
        try store.ledger.write {
            try $0.append(contentsOf: Self.bulk(9000, from: t0.adding(seconds: 86_400)), runID: nil, at: t0) { $0 }
        }
        let report = try store.ledger.verify()
        #expect(report.problems.first?.hasPrefix("journal entry \(seq): cannot be replayed") == true, "\(report.problems)")
        #expect(report.problems.count == 1, "\(report.problems)")
    }

    /// An entry chained correctly behind the ledger's back that names a run no entry
    /// started: the live tables' foreign key would refuse its row, and the replay, whose
    /// tables have none, refuses it by its own check, naming the entry.
    @Test(arguments: Stores.all)
    func anEntryOfARunNeverStartedIsNamed(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        let reading = SnapshotTaken(observedAt: t0.adding(seconds: 7 * 86_400), totalCredits: usd("9"), totalUsage: usd("1"), source: "api")
        let seq = try Self.chainBehindTheLedgersBack(
            .snapshotTaken(reading), seq: Int64(lifecycle().count + 1), runID: 9999, into: store)
        let report = try store.ledger.verify()
        #expect(report.problems.first?.hasPrefix("journal entry \(seq): cannot be replayed") == true, "\(report.problems)")
        #expect(report.problems.first?.contains("run 9999") == true, "\(report.problems)")
    }

    /// The replay's tables are the projections without foreign keys (the replay checks the
    /// runs its rows name itself), in either store's spelling of them, with migration v6's
    /// index in place of v2's.
    @Test func theReplaysTablesHaveNoForeignKeys() {
        #expect(Schema.withoutReferences("run_id INTEGER REFERENCES runs(id),\n  day_id BIGINT NOT NULL REFERENCES s.days (id))")
            == "run_id INTEGER,\n  day_id BIGINT NOT NULL)")
        #expect(Schema.chargeTables(in: "replay").contains("REFERENCES"))
        #expect(!Schema.projectionTables(in: "replay").contains("REFERENCES"))
        #expect(!PostgresSchema.projectionTables(in: "pg_temp").joined().contains("REFERENCES"))
        #expect(Schema.projectionTables(in: "replay").split(separator: "\n").count
            == (Schema.chargeTables(in: "replay") + "\n" + Schema.usageTables(in: "replay") + "\n"
                + Schema.activityReadingsIndex(in: "replay")).split(separator: "\n").count)
    }

    /// The same for a row written at once rather than held for a batch (an activity day,
    /// one per account, day and moment): the entry being replayed is named, and the chain
    /// after it checked to its end.
    @Test(arguments: Stores.all)
    func anEntryWhoseUnbatchedRowTheTablesRefuseIsNamed(store: String) throws {
        let store = try Stores.make(store)
        let facts = lifecycle().dropLast() + usageFacts() + lifecycle().suffix(1)
        try store.ledger.appendAll(Array(facts))
        let seq = try Self.chainBehindTheLedgersBack(usageFacts()[2], seq: Int64(facts.count + 1), into: store)
        try store.ledger.write {
            try $0.append(contentsOf: Self.bulk(9000, from: t0.adding(seconds: 86_400)), runID: nil, at: t0) { $0 }
        }
        let report = try store.ledger.verify()
        #expect(report.problems.first?.hasPrefix("journal entry \(seq): cannot be replayed") == true, "\(report.problems)")
        #expect(report.problems.count == 1, "\(report.problems)")
    }

    /// An entry written again in other JSON, its hash and every later one's recomputed (as
    /// someone with the database's shell and `sha256sum` could): it decodes to the same
    /// fact, but it is not canonical, and the readers refuse it; `verify` names it. It had
    /// said the ledger was sound.
    @Test(arguments: Stores.all.flatMap { store in [(store, "spaced"), (store, "reordered")] })
    func aReencodedEntryIsNamed(store: String, how: String) throws {
        func edit(_ text: String) -> String {
            if how == "spaced" { return text.replacingOccurrences(of: #"{"account":"#, with: #"{ "account": "#) }
            // `"seq"` first instead of last.
            guard let range = text.range(of: #","seq":"#) else { return text }
            return #"{"seq":"# + String(text[range.upperBound...].dropLast()) + ","
                + String(text.dropFirst()[..<range.lowerBound]) + "}"
        }
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        #expect(try store.ledger.verify().isSound)
        try store.dropAppendOnlyTriggers()
        try Self.rewriteAndRechain(entry: 3, of: store, edit)
        let report = try store.ledger.verify()
        #expect(report.problems.first?.hasPrefix("journal entry 3: its text is not canonical JSON") == true,
                "\(how): \(report.problems)")
        #expect(report.entries == 2)
    }

    /// Replaces entry `seq`'s text by `edit` of it, and chains it and every later entry
    /// again, with SQL of its own.
    static func rewriteAndRechain(entry seq: Int64, of store: any StoreUnderTest, _ edit: (String) -> String) throws {
        let rows = try store.ledger.store.read { transaction in
            var all: [(seq: Int64, text: String)] = []
            try transaction.scanJournal(batchSize: 1000) { batch in
                for row in batch.rows { all.append((row.seq, String(decoding: batch.bytes[row.text], as: UTF8.self))) }
                return true
            }
            return all
        }
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        var previous = JournalEntry.genesisHash
        for row in rows {
            let text = row.seq == seq ? edit(row.text) : row.text
            if row.seq == seq { #expect(text != row.text) }
            let hash = JournalEntry.chainHash(previous: previous, entryText: text)
            if row.seq >= seq {
                try store.execute("UPDATE journal SET entry = \(quoted(text)), prev_hash = \(quoted(previous)), "
                    + "hash = \(quoted(hash)) WHERE seq = \(row.seq)")
            }
            previous = hash
        }
    }

    /// Appends `fact` as journal entry `seq`, chained onto the head, with SQL of its own (as
    /// someone with the database's shell would) rather than through the ledger, so no
    /// projection row is written; its seq.
    static func chainBehindTheLedgersBack(
        _ fact: Fact, seq: Int64, runID: Int64? = nil, into store: any StoreUnderTest
    ) throws -> Int64 {
        let entry = JournalEntry(seq: seq, recordedAt: t0, account: "default", runID: runID, fact: fact)
        let previous = try store.ledger.headHash()
        let text = entry.canonicalText
        let hash = JournalEntry.chainHash(previous: previous, entryText: text)
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        try store.execute("INSERT INTO journal (seq, kind, entry, prev_hash, hash) VALUES (\(seq), \(quoted(fact.kind)), "
            + "\(quoted(text)), \(quoted(previous)), \(quoted(hash)))")
        return seq
    }

    /// The newest journal time is the latest time any entry was recorded at, which need not
    /// be the last entry's (clocks of several hosts), and a quote in an account does not
    /// hide it.
    @Test(arguments: Stores.all)
    func theNewestJournalTimeIsTheLatestEntrysTime(store: String) throws {
        let store = try Stores.make(store)
        #expect(try store.ledger.read { try $0.newestJournalTime() } == nil)
        let reading = SnapshotTaken(observedAt: t0, totalCredits: usd("1"), totalUsage: usd("0"), source: "api")
        try store.ledger.write { writer in
            try writer.append(.snapshotTaken(reading), account: #"a "quoted","at":"9999" one"#, runID: nil, at: t0.adding(seconds: 61))
            try writer.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil, at: t0)
        }
        #expect(try store.ledger.read { try $0.newestJournalTime() } == t0.adding(seconds: 61))
        // Read again at the same head, as `report --all-accounts` does for each account, it is
        // the same; an entry written and rolled back is not in it, though read while written.
        #expect(try store.ledger.read { try $0.newestJournalTime() } == t0.adding(seconds: 61))
        struct RolledBack: Error {}
        #expect(throws: RolledBack.self) {
            try store.ledger.write { writer in
                try writer.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil, at: t0.adding(seconds: 3600))
                #expect(try writer.reader.newestJournalTime() == t0.adding(seconds: 3600))
                throw RolledBack()
            }
        }
        #expect(try store.ledger.write { try $0.reader.newestJournalTime() } == t0.adding(seconds: 61))
        #expect(try store.ledger.read { try $0.newestJournalTime() } == t0.adding(seconds: 61))
    }

    /// A charge comes with the batch of the plan row it carries out, whichever account
    /// planned that row; a charge that carries out none has no batch.
    @Test(arguments: Stores.all)
    func aChargeCarriesItsPlanRowsBatch(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle())
        let planned = TopUpPlanned(key: "elsewhere-1", batch: "other batch", reference: "elsewhere-1",
                                   wallet: "0xde709f2102306220921060314715629080e2fb77", chainID: 1,
                                   amount: usd("5"), memo: nil, planFile: "q.csv", planLine: 2)
        func recorded(_ id: String, key: String?) -> ChargeRecorded {
            ChargeRecorded(chargeID: id, amount: usd("5"), wallet: nil, chainID: 1, createdAt: t0.adding(seconds: 120),
                           expiresAt: nil, reference: nil, topUpKey: key, status: "paid", paidAt: nil, memo: nil, origin: "c.csv:2")
        }
        try store.ledger.write { writer in
            try writer.append(.topUpPlanned(planned), account: "other", runID: nil, at: t0)
            try writer.append(.chargeRecorded(recorded("web_8", key: "elsewhere-1")), account: "default", runID: nil, at: t0)
            try writer.append(.chargeRecorded(recorded("web_9", key: nil)), account: "default", runID: nil, at: t0)
        }
        let charges = try store.ledger.read { try $0.charges(account: "default") }
        #expect(charges.map(\.chargeID) == ["ch_1", "web_1", "web_8", "web_9"])
        #expect(charges.map(\.batch) == ["b", "b", "other batch", nil])
        #expect(charges.map(\.account) == ["default", "default", "default", "default"])
    }

    /// The record of applied migrations edited away: opening the ledger says it is damaged
    /// instead of applying a migration again over its own tables.
    @Test(arguments: Stores.all)
    func aMigrationRecordEditedAwayIsDamage(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        let first = "v1: journal, runs, snapshots, top-ups, charges"
        for (sql, expected) in [
            ("DELETE FROM schema_migrations WHERE name LIKE 'v1%'", "schema_migrations lacks \(first) though it records v"),
            ("DELETE FROM schema_migrations", "schema_migrations records no migration though the journal exists"),
        ] {
            try store.execute(sql)
            #expect {
                _ = try store.openAnother()
            } throws: { error in
                guard case LedgerError.malformedEntry(let detail)? = error as? LedgerError else { return false }
                return detail.hasPrefix(expected) && detail.hasSuffix("(edited outside credit-recon)")
            }
        }
    }

    /// The record of a migration edited away while what it made is there (its tables, or
    /// entries only a ledger past it holds): opening the ledger says it is damaged, and
    /// changes nothing. The newest migration had been applied again, and `verify` had said
    /// the ledger was sound; v2 failed on its own tables.
    @Test(arguments: Stores.all.flatMap { store in [
        (store, "DELETE FROM schema_migrations WHERE name LIKE 'v4%' OR name LIKE 'v5%' OR name LIKE 'v6%' OR name LIKE 'v7%'",
         "v4: charge.status entries though the journal holds charge.status entries"),
        (store, "DELETE FROM schema_migrations WHERE name LIKE 'v5%' OR name LIKE 'v6%' OR name LIKE 'v7%'",
         "v5: charge.linked entries though the journal holds charge.linked entries"),
        (store, "DELETE FROM schema_migrations WHERE name LIKE 'v6%' OR name LIKE 'v7%'",
         "v6: activity days read again though activity_days_by_reading exists"),
        (store, "DELETE FROM schema_migrations WHERE name LIKE 'v7%'",
         "v7: charge.voided entries though charges_voided exists"),
        (store, "DELETE FROM schema_migrations WHERE name NOT LIKE 'v1%'", "v2: key readings, activity days though key_listings exists"),
        (store, "DELETE FROM schema_migrations WHERE name LIKE 'v8%'",
         "v8: runs, top-ups and charges never deleted though its trigger runs_kept_delete exists"),
    ] })
    func aMigrationRecordEditedAwayBesideWhatItMadeIsDamage(store: String, sql: String, expected: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle() + [
            .chargeStatusRecorded(ChargeStatusRecorded(chargeID: "ch_1", status: "paid", paidAt: t0, origin: "export.csv:2")),
        ] + linkedCharge() + [
            .chargeRecorded(ChargeRecorded(chargeID: "web_8", amount: usd("8"), wallet: nil, chainID: nil, createdAt: t0, expiresAt: nil,
                                           reference: nil, topUpKey: nil, status: nil, paidAt: nil, memo: nil, origin: "e.csv:2")),
            .chargeVoided(ChargeVoided(chargeID: "web_8", reason: "never paid")),
        ])
        try sql.contains("v8") ? store.undoMigrationsAfterV8() : store.undoMigrationV8()
        try store.execute(sql)
        #expect {
            _ = try store.openAnother()
        } throws: { error in
            guard case LedgerError.malformedEntry(let detail)? = error as? LedgerError else { return false }
            return detail == "schema_migrations lacks \(expected) (edited outside credit-recon)"
        }
        // Nothing was applied again: the record is as it was left.
        #expect { _ = try store.openAnother() } throws: { $0 is LedgerError }
    }

    /// The accounts a ledger holds: of every table, once each, in byte order.
    @Test(arguments: Stores.all)
    func theAccountsHeldAreListedOnce(store: String) throws {
        let store = try Stores.make(store)
        #expect(try store.ledger.read { try $0.accounts() } == [])
        try store.ledger.appendAll(lifecycle())
        let reading = SnapshotTaken(observedAt: t0, totalCredits: usd("1"), totalUsage: usd("0"), source: "api")
        try store.ledger.write { _ = try $0.append(.snapshotTaken(reading), account: "Ops", runID: nil, at: t0) }
        try store.ledger.write { _ = try $0.append(.snapshotTaken(reading), account: "ops", runID: nil, at: t0) }
        #expect(try store.ledger.read { try $0.accounts() } == ["Ops", "default", "ops"])
        // A run names its account while it has not ended ok (a fetch that failed before its
        // snapshot); an import that ended ok with rows of other accounts only does not.
        for (account, outcome) in [("importer", "ok"), ("failing", "failed"), ("running", nil)] as [(String, String?)] {
            try store.ledger.write { writer in
                let run = try writer.append(.runStarted(RunStarted(command: "import snapshots")), account: account, runID: nil, at: t0)
                if let outcome {
                    _ = try writer.append(
                        .runFinished(RunFinished(runID: run, outcome: outcome, exitCode: outcome == "ok" ? 0 : 69, summary: nil)),
                        account: account, runID: run, at: t0)
                }
            }
        }
        #expect(try store.ledger.read { try $0.accounts() } == ["Ops", "default", "failing", "ops", "running"])
    }

    /// An import asks, a batch at a time, which of its rows the ledger already holds.
    @Test(arguments: Stores.all)
    func anImportFindsTheRowsAlreadyHeld(store: String) throws {
        let store = try Stores.make(store)
        let facts = Self.bulk(100)
        try store.ledger.write { try $0.append(contentsOf: facts, runID: nil, at: t0) { $0 } }
        let (snapshots, charges) = try store.ledger.read { reader in
            (try reader.snapshots(
                account: "default", at: [t0, t0.adding(seconds: 60), t0.adding(seconds: 7), t0.adding(seconds: 180), t0]),
             try reader.charges(ids: ["bulk-3", "bulk-7", "nope", "bulk-4"]))
        }
        // Each held once, in time order, though asked for twice; 180 s is a charge's time.
        #expect(snapshots.map(\.observedAt) == [t0, t0.adding(seconds: 60)])
        #expect(Set(charges.map(\.chargeID)) == ["bulk-3", "bulk-7"])
        #expect(try store.ledger.read { try $0.snapshots(account: "other", at: [t0]) }.isEmpty)
    }

    /// An import asks for the readings around a batch's times: those within them, and the
    /// one on each side, to compare its own with (readings every 60 s but every fourth).
    @Test(arguments: Stores.all)
    func anImportFindsTheReadingsAroundABatch(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.write { try $0.append(contentsOf: Self.bulk(12), runID: nil, at: t0) { $0 } }
        func around(_ from: Int64, _ to: Int64, account: String = "default") throws -> [Int64] {
            try store.ledger.read { try $0.snapshots(account: account, around: t0.adding(seconds: from), t0.adding(seconds: to)) }
                .map { ($0.observedAt.millisecondsSinceEpoch - t0.millisecondsSinceEpoch) / 1000 }
        }
        #expect(try around(100, 250) == [60, 120, 240, 300])
        #expect(try around(120, 120) == [60, 120, 240])
        #expect(try around(-1000, -500) == [0])
        #expect(try around(5000, 6000) == [600])
        #expect(try around(0, 660) == [0, 60, 120, 240, 300, 360, 480, 540, 600])
        #expect(try around(0, 660, account: "other").isEmpty)
    }

    /// A reader sees the last committed state at once while a writer holds its transaction
    /// open, and the writer's facts once it commits.
    @Test(arguments: Stores.all)
    func readersNeitherWaitForNorSeeAnOpenWrite(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        let committed = try store.ledger.headHash()
        let writer = try store.openAnother()
        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let writing = BackgroundWork { () -> Result<Void, any Error> in
            Result {
                try writer.write { writer in
                    try writer.append(contentsOf: Self.bulk(3000, from: t0.adding(seconds: 10)), runID: nil, at: t0) { $0 }
                    _ = try writer.reader.journalCount()  // everything written, not committed
                    inside.signal()
                    release.wait()
                }
            }
        }
        #expect(inside.wait(timeout: .now() + 60) == .success)
        // Read while the write is open: the committed head, without waiting for the writer.
        #expect(try store.ledger.headHash() == committed)
        #expect(try store.ledger.read { try $0.journalCount() } == 2)
        release.signal()
        try writing.wait().get()
        #expect(try store.ledger.read { try $0.journalCount() } == 3002)
        #expect(try store.ledger.headHash() != committed)
    }

    /// One writer at a time: a second writer lock on the same ledger is refused at once,
    /// naming the holder, and granted again once the first is released. (The second lock
    /// is taken in this process: a store must refuse it all the same, as a `flock` on a
    /// second open file description or an advisory lock on a second session does, naming
    /// the holder and telling it apart as this very process.)
    @Test(arguments: Stores.all)
    func aSecondWriterLockIsRefusedAtOnceUntilTheFirstIsReleased(store: String) throws {
        let store = try Stores.make(store)
        var first: LedgerWriterLock? = try Ledger.lockWriter(at: store.location)
        let clock = ContinuousClock()
        let asked = clock.now
        #expect {
            _ = try Ledger.lockWriter(at: store.location)
        } throws: { error in
            guard case .writerBusy(_, let holder, heldHere: true, _)? = error as? LedgerError else { return false }
            return holder == store.lockHolder && String(describing: error).contains("this very credit-recon process")
        }
        #expect(clock.now - asked < .seconds(5), "refused at once, not after waiting for the holder")
        // The lock keeps other writers out, not the holder: it writes and reads as usual.
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        #expect(try store.ledger.read { try $0.journalCount() } == 2)
        withExtendedLifetime(first) {}
        first = nil
        let second = try Ledger.lockWriter(at: store.location)
        withExtendedLifetime(second) {}
    }

    /// Key listings and days of activity come back as they were appended, every optional
    /// field kept absent or present, and the replay equals them.
    @Test(arguments: Stores.all)
    func keyReadingsAndActivityDaysBecomeTypedRows(store: String) throws {
        let store = try Stores.make(store)
        let facts = usageFacts(texts: ["plain", "quote \" and é", "third"])
        try store.ledger.appendAll(lifecycle() + facts)
        guard case .keysRead(let listing) = facts[0], case .activityDay(let day) = facts[2],
              case .activityDay(let empty) = facts[3] else {
            Issue.record("fixture changed")
            return
        }
        let (listings, readings, days, lines) = try store.ledger.read { reader in
            (try reader.keyListings(account: "default"), try reader.keyReadings(account: "default"),
             try reader.activityDays(account: "default"),
             try reader.activityLines(account: "default", from: empty.date, through: day.date))
        }
        let first = Int64(lifecycle().count + 1)
        #expect(listings.map(\.id) == [first, first + 1])
        #expect(listings.map(\.keyCount) == [3, 0])
        #expect(listings.map(\.pageCount) == [4, 1])
        #expect(listings.first?.observedAt == t0 && listings.first?.runID == 1)
        #expect(readings.map(\.key) == listing.keys.sorted { $0.hash.utf8.lexicographicallyPrecedes($1.hash.utf8) })
        #expect(readings.allSatisfy { $0.listingID == first && $0.observedAt == t0 })
        #expect(days.map(\.date) == [empty.date, day.date, day.date])
        #expect(days.map(\.apiKeyHash) == [nil, nil, listing.keys[0].hash])
        #expect(days.map(\.lineCount) == [0, 3, 1])
        #expect(lines.filter { $0.dayID == first + 2 }.map(\.line) == day.lines)
        #expect(lines.filter { $0.dayID == first + 2 }.map(\.index) == [0, 1, 2])
        #expect(lines.count == 4)
        #expect(try store.ledger.read { try $0.keyListings(account: "other") }.isEmpty)
        let report = try store.ledger.verify()
        #expect(report.isSound, "\(report.problems)")
    }

    /// A day of activity read again is stored beside the earlier reading (migration v6):
    /// both are kept, the newest is the day's, the replay equals them, and two readings of
    /// one day at one moment are refused.
    @Test(arguments: Stores.all)
    func aDayReadAgainIsStoredBesideTheEarlierReading(store: String) throws {
        let store = try Stores.make(store)
        let facts = usageFacts(texts: ["plain", "second"])
        guard case .activityDay(let day) = facts[2] else {
            Issue.record("fixture changed")
            return
        }
        var again = day
        again.observedAt = t0.adding(seconds: 86_400)
        again.lines = Array(day.lines.prefix(1))
        again.rawBody = #"{"data":["again"]}"#
        try store.ledger.appendAll(lifecycle() + facts + [.activityDay(again)])
        let first = Int64(lifecycle().count + 1)
        let activity = try store.ledger.read { try $0.activity(account: "default") }
        #expect(activity.days.map(\.id) == [first + 3, first + 5], "the day before, then the day as read again")
        #expect(activity.lines.map(\.dayID) == [first + 5] && activity.lines.map(\.line) == again.lines)
        #expect(activity.readAgain.map(\.reading.id) == [first + 5] && activity.readAgain.map(\.earlier.id) == [first + 2])
        #expect(activity.readAgain.first?.usage == Micros(raw: 250_000))
        #expect(activity.readAgain.first?.earlierUsage == Micros(raw: 500_001))
        let report = try store.ledger.verify()
        #expect(report.isSound, "\(report.problems)")

        let head = try store.ledger.headHash()
        #expect(throws: (any Error).self) {
            try store.ledger.write { writer in
                _ = try writer.append(.activityDay(again), account: "default", runID: 1, at: again.observedAt)
            }
        }
        #expect(try store.ledger.headHash() == head)
    }

    /// A text holding a NUL (an API may send `\u0000` in a key's name) is stored up to it,
    /// as SQLite stores a bound C string and PostgreSQL's text cannot hold one: both stores
    /// keep the same rows, and the replay (which cuts the same way) equals them.
    @Test(arguments: Stores.all)
    func aTextWithANULIsStoredUpToIt(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle() + usageFacts(texts: ["before\0after"]))
        let (readings, lines) = try store.ledger.read { reader in
            (try reader.keyReadings(account: "default"),
             try reader.activityLines(account: "default", from: CivilDate(year: 2026, month: 9, day: 1)!,
                                      through: CivilDate(year: 2026, month: 9, day: 30)!))
        }
        #expect(readings.map(\.key.name) == ["before"])
        #expect(readings.map(\.key.hash) == ["hash-0 before"])
        #expect(Set(lines.map(\.line.model)) == ["openai/before"])
        let report = try store.ledger.verify()
        #expect(report.isSound, "\(report.problems)")
    }

    /// A newest entry edited behind the ledger's back so that the chain cannot go on from
    /// it (a hash of 64 characters but more bytes, whose bytes would shift every later
    /// hash; a number with no room after it) stops the next write before anything is
    /// written, as a damaged ledger (74), instead of a corrupt chain or a crash. Asked
    /// first without writing (`checkWritable`, which `fetch` asks before the API), the
    /// ledger is refused for the same.
    @Test(arguments: Stores.all.flatMap { store in [
        (store, "UPDATE journal SET hash = substr(hash, 1, 63) || 'é' WHERE seq = 2", "its hash is not 64 hex digits"),
        (store, "UPDATE journal SET hash = upper(hash) WHERE seq = 2", "its hash is not 64 hex digits"),
        (store, "UPDATE journal SET seq = 9223372036854775807 WHERE seq = 2", "its number is out of range"),
        // Its text edited, its hash left: the next write chained onto it, and topup sent its
        // charges (probe 138).
        (store, "UPDATE journal SET entry = replace(entry, '\"at\":\"2026', '\"at\":\"2027') WHERE seq = 2",
         "its newest entry (seq 2) does not hash to the hash stored with it"),
    ] })
    func aHeadThatCannotBeChainedOntoStopsTheNextWrite(store: String, sql: String, expected: String) throws {
        let store = try Stores.make(store)
        var count: Int64 = 0
        var asked: LedgerError?
        let detail = try Self.damage(after: sql, to: store, holding: Array(lifecycle().prefix(2))) {
            count = try store.ledger.read { try $0.journalCount() }
            asked = #expect(throws: LedgerError.self) { try store.ledger.checkWritable() }
            try store.ledger.appendAll(Array(lifecycle().dropFirst(2)))
        }
        #expect(detail?.contains(expected) == true, "\(detail ?? "")")
        #expect(asked.map(String.init(describing:)) == detail.map { String(describing: LedgerError.malformedEntry($0)) })
        #expect(try store.ledger.read { try $0.journalCount() } == count)
    }

    /// An amount written behind the ledger's back beyond the largest any input may give
    /// is read back as a damaged ledger (74), never handed to the books' sums, where it
    /// overflowed and crashed `report`.
    @Test(arguments: Stores.all.flatMap { store in [
        (store, "UPDATE snapshots SET total_credits = 9223372036854775807", "snapshot"),
        (store, "UPDATE charges SET amount = -9223372036854775807 WHERE charge_id = 'web_1'", "charge web_1"),
        (store, "UPDATE topups SET amount = 1000000000000001", "a row"),
    ] })
    func anAmountBeyondAnyInputIsADamagedLedger(store: String, sql: String, what: String) throws {
        let store = try Stores.make(store)
        let detail = try Self.damage(after: sql, to: store, holding: lifecycle()) {
            try store.ledger.read { reader in
                _ = try reader.snapshots(account: "default")
                _ = try reader.charges(account: "default")
                _ = try reader.chargelessTopUps(account: "default")
                _ = try reader.allTopUps()
            }
        }
        #expect(detail.map { $0.contains(what) && $0.contains("beyond the largest amount any input may give") } == true,
                "\(detail ?? "")")
    }

    /// The detail of the damaged ledger (`.malformedEntry`) `body` meets once `sql` has
    /// changed `store`, holding `facts`, behind the ledger's back (triggers dropped); `nil`,
    /// with an issue recorded, when it meets anything else.
    static func damage(
        after sql: String, to store: any StoreUnderTest, holding facts: [Fact],
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) throws -> String? {
        try store.ledger.appendAll(facts)
        try store.dropAppendOnlyTriggers()
        try store.execute(sql)
        let error = #expect(throws: LedgerError.self, sourceLocation: sourceLocation) { try body() }
        guard case .malformedEntry(let detail)? = error else {
            Issue.record("not a damaged ledger: \(String(describing: error))", sourceLocation: sourceLocation)
            return nil
        }
        return detail
    }

    /// A day is stored once per account and scope: a second copy rolls the write back.
    /// `verify` tells how far it has got: the entries checked after each batch, in order,
    /// up to every entry, then the comparison once, last.
    @Test(arguments: Stores.all)
    func verifyTellsHowFarItHasGot(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.write { try $0.append(contentsOf: Self.bulk(40_000), runID: nil, at: t0) { $0 } }
        var heard: [VerifyProgress] = []
        let report = try store.ledger.verify { heard.append($0) }
        #expect(report.isSound && report.entries == 40_000)
        let counts = heard.compactMap { event -> Int64? in
            if case .checked(let entries) = event { return entries }
            return nil
        }
        #expect(counts == [16_384, 32_768, 40_000])
        #expect(heard.last == .comparing)
        #expect(heard.filter { $0 == .comparing }.count == 1)
    }

    /// A ledger that needs a migration is migrated only while no other process's writer is
    /// at work (75, naming the migration), and by this process's own writer, holding the
    /// lock, at once. A reading command (`status`) migrated it under an older build's fetch,
    /// which went on appending to a ledger it would refuse (probe 141).
    @Test(arguments: Stores.all)
    func aMigrationWaitsUntilNoOtherWriterIsAtWork(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        try store.execute("DROP INDEX activity_days_by_reading")
        try store.execute("DROP INDEX charges_voided")
        try store.undoMigrationV8()
        try store.execute("DELETE FROM schema_migrations WHERE name LIKE 'v6:%' OR name LIKE 'v7:%'")
        let release = try store.holdWriterLockElsewhere()
        let refused = #expect(throws: LedgerError.self) { _ = try store.openAnother() }
        if case .writerBusy(_, _, heldHere: false, _)? = refused {} else { Issue.record("not writerBusy: \(String(describing: refused))") }
        #expect(refused.map { String(describing: $0) }?.contains(
            #"the ledger needs migration "v6: activity days read again", "v7: charge.voided entries", "#
                + #""v8: runs, top-ups and charges never deleted", "#
                + (store is PostgresUnderTest ? #""v9: charges by time, then sequence", "# : "")
                + "applied while no writer is at work") == true,
                "\(String(describing: refused))")
        release()
        let lock = try Ledger.lockWriter(at: store.location)
        _ = try store.openAnother()  // this process's own writer: migrated under its lock
        withExtendedLifetime(lock) {}
        let report = try Ledger(checking: store.location).verify()
        #expect(report.isSound, "\(report.problems)")
    }

    /// `verify` writes nothing to the ledger it checks, not even a migration: a ledger an
    /// earlier build left, lacking only migrations it can be read without (an index, the
    /// mark of entry kinds it holds none of), is checked as it is and names them; one that
    /// needs a migration to be read at all (v2's tables) is refused, saying what to run
    /// first. Either stays as it was until a command that may write opens it.
    @Test(arguments: Stores.all)
    func aLedgerOpenedToBeCheckedIsNotMigrated(store name: String) throws {
        let store = try Stores.make(name)
        try store.ledger.write { try $0.append(contentsOf: Self.bulk(10), runID: nil, at: t0) { $0 } }
        // As a build before v4 left it: no record of v4 to v7, v2's index of activity days
        // in the place of v6's, and no v7 index.
        try store.execute("DROP INDEX activity_days_by_reading")
        try store.execute(name == "sqlite"
            ? "CREATE UNIQUE INDEX activity_days_by_date ON activity_days (account, date, coalesce(api_key_hash, ''))"
            : "CREATE UNIQUE INDEX activity_days_by_date ON activity_days (account, date, (coalesce(api_key_hash, '')))")
        try store.execute("DROP INDEX charges_voided")
        try store.undoMigrationV8()
        try store.execute("DELETE FROM schema_migrations WHERE name LIKE 'v4:%' OR name LIKE 'v5:%' OR name LIKE 'v6:%' OR name LIKE 'v7:%'")
        let unapplied = [Schema.entryKindsMigration, Schema.linkedChargesMigration, Schema.activityReadingsMigration,
                         Schema.voidedChargesMigration, Schema.keptRowsMigration]
            + (name == "sqlite" ? [] : [PostgresSchema.chargesByTimeMigration])
        for _ in 0..<2 {  // the second finds it as the first left it
            let checked = try Ledger(checking: store.location)
            #expect(checked.unappliedMigrations == unapplied)
            let report = try checked.verify()
            #expect(report.isSound && report.entries == 10, "\(report.problems)")
        }

        // As the first build left it: without v2's tables (nor PostgreSQL's v3 index).
        try store.execute(Schema.usageTableNames.reversed().map { "DROP TABLE \($0);" }.joined(separator: " "))
        try store.execute("DROP INDEX IF EXISTS journal_by_time")
        try store.execute("DELETE FROM schema_migrations WHERE name LIKE 'v2:%' OR name LIKE 'v3:%'")
        for _ in 0..<2 {
            let error = #expect(throws: LedgerError.self) { _ = try Ledger(checking: store.location) }
            guard case .olderSchema(_, let migration)? = error else {
                Issue.record("not refused as an older ledger: \(String(describing: error))")
                return
            }
            #expect(migration == "v2: key readings, activity days")
            #expect(String(describing: error!).contains("verify writes nothing to the ledger it checks"))
        }
        _ = try store.openAnother()  // a command that may write applies them
        let checked = try Ledger(checking: store.location)
        #expect(checked.unappliedMigrations.isEmpty)
        let report = try checked.verify()
        #expect(report.isSound && report.entries == 10, "\(report.problems)")
    }

    /// A ledger holding `charge.voided` entries whose v7 record and index were edited away
    /// is not an earlier build's (which wrote none, and would stop at the first it read):
    /// `verify` and a writer both say it is damaged, rather than check it as an older one
    /// or make the migration again.
    @Test(arguments: Stores.all)
    func voidsWithoutTheirMigrationsRecordAreDamage(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle() + linkedCharge())
        try store.ledger.appendAll([.chargeRecorded(ChargeRecorded(
            chargeID: "web_9", amount: usd("5000"), wallet: nil, chainID: 137, createdAt: t0, expiresAt: nil, reference: nil,
            topUpKey: nil, status: "paid", paidAt: nil, memo: nil, origin: "export.csv:2"))])
        try store.ledger.appendAll([.chargeVoided(ChargeVoided(chargeID: "web_9", reason: "cents, not USD"))])
        try store.execute("DROP INDEX charges_voided")
        try store.undoMigrationV8()
        try store.execute("DELETE FROM schema_migrations WHERE name LIKE 'v7:%'")
        Self.expectRefusedAsDamaged(store, "schema_migrations lacks v7: charge.voided entries though the journal holds "
            + "charge.voided entries")
    }

    /// `verify` and a writer both refuse the ledger of `store` as damaged, saying `damage`.
    static func expectRefusedAsDamaged(_ store: any StoreUnderTest, _ damage: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let checked = #expect(throws: LedgerError.self, sourceLocation: sourceLocation) { _ = try Ledger(checking: store.location) }
        #expect(checked.map { String(describing: $0) }?.contains(damage) == true, "\(String(describing: checked))",
                sourceLocation: sourceLocation)
        let written = #expect(throws: LedgerError.self, sourceLocation: sourceLocation) { _ = try store.openAnother() }
        #expect(written.map { String(describing: $0) }?.contains(damage) == true, "\(String(describing: written))",
                sourceLocation: sourceLocation)
    }

    /// A ledger holding keys' readings and days of activity whose v2 tables and record
    /// were dropped is not the first build's (which read no usage): it is damaged, and no
    /// command makes the tables again over it (probe 173: `verify` said "earlier", and
    /// that `status` would migrate it).
    @Test(arguments: Stores.all)
    func usageEntriesWithoutTheirTablesAreDamage(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.appendAll(lifecycle() + usageFacts())
        try store.execute(Schema.usageTableNames.reversed().map { "DROP TABLE \($0);" }.joined(separator: " "))
        try store.execute("DROP INDEX IF EXISTS journal_by_time")
        try store.execute("DELETE FROM schema_migrations WHERE name NOT LIKE 'v1:%'")
        Self.expectRefusedAsDamaged(store, "schema_migrations lacks v2: key readings, activity days though the journal holds "
            + "keys.read entries")
    }

    /// A head hash a report printed is found at its entry while the books it came from are
    /// the ledger's first entries; chained again from an entry before it (history written
    /// again, hashes and all), the ledger holds it no more.
    @Test(arguments: Stores.all)
    func aHeadAReportPrintedIsFoundInTheChainItCameFrom(store: String) throws {
        let store = try Stores.make(store)
        let facts = Self.bulk(10)
        try store.ledger.write { try $0.append(contentsOf: facts.prefix(5), runID: nil, at: t0) { $0 } }
        let printed = try store.ledger.headHash()
        try store.ledger.write { try $0.append(contentsOf: facts.suffix(5), runID: nil, at: t0) { $0 } }
        let head = try store.ledger.headHash()
        let other = String(repeating: "0", count: 63) + "1"

        let report = try store.ledger.verify(holds: [printed, head, other])
        #expect(report.isSound && report.readWholeJournal)
        #expect(report.held == [HeldHead(hash: printed, entry: 5), HeldHead(hash: head, entry: 10), HeldHead(hash: other, entry: nil)])

        try store.dropAppendOnlyTriggers()
        try Self.rewriteAndRechain(entry: 3, of: store) { $0.replacingOccurrences(of: "bulk.csv:2", with: "bulk.csv:22") }
        let rewritten = try store.ledger.verify(holds: [printed, head])
        #expect(rewritten.readWholeJournal)
        #expect(rewritten.held.map(\.entry) == [nil, nil])
    }

    /// Stopped at its limit of problems, `verify` says a head hash was not found among the
    /// entries it read, not that the ledger does not hold it.
    @Test(arguments: Stores.all)
    func aHeadNotReachedBeforeTheLimitIsNotSaidMissing(store: String) throws {
        let store = try Stores.make(store)
        try store.ledger.write { try $0.append(contentsOf: Self.bulk(10), runID: nil, at: t0) { $0 } }
        let head = try store.ledger.headHash()
        try store.dropAppendOnlyTriggers()
        try store.execute("UPDATE journal SET hash = '\(String(repeating: "f", count: 64))' WHERE seq = 2")
        let report = try store.ledger.verify(limit: 1, holds: [head])
        #expect(report.stoppedAtLimit && !report.readWholeJournal)
        #expect(report.held == [HeldHead(hash: head, entry: nil)])
        #expect(try store.ledger.verify(limit: 20, holds: [head]).held == [HeldHead(hash: head, entry: 10)])
    }

    @Test(arguments: Stores.all)
    func aDayIsStoredOncePerAccount(store: String) throws {
        let store = try Stores.make(store)
        let day = usageFacts()[2]
        func append(account: String) throws {
            try store.ledger.write { _ = try $0.append(day, account: account, runID: nil, at: t0) }
        }
        try append(account: "default")
        #expect(throws: (any Error).self) { try append(account: "default") }
        try append(account: "other")
        #expect(try store.ledger.read { try $0.journalCount() } == 2)
        #expect(try store.ledger.verify().isSound)
    }
}
