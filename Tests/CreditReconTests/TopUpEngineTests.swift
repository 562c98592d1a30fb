@testable import CreditRecon
import AsyncWait
import CreditTypes
import Foundation
@testable import Ledger
import OpenRouterAPI
import Synchronization
import Testing

/// The top-up flow against a scripted fake: exactly once, intent before call, crashes,
/// 410, unknown outcomes, refusals, stops and guardrails.
struct TopUpEngineTests {
    @Test func createsEachRowOnceAndRerunCreatesNone() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(6))
        let fake = FakeChargeCreator()
        let first = try await bench.run(plan, client: fake)
        #expect(first.created == 6)
        #expect(fake.calls.count == 6)
        #expect(first.exitStatus == .ok)
        #expect(first.states == ["created": 6])
        #expect(try bench.ledger.read { try $0.chargeCount() } == 6)
        #expect(try bench.ledger.verify().isSound)
        let head = try bench.ledger.headHash()

        let second = try await bench.run(plan, client: fake)
        #expect(fake.calls.count == 6)
        #expect(second.created == 0)
        #expect(second.skippedDone == 6)
        #expect(second.runID == nil)
        #expect(second.exitStatus == .ok)
        #expect(second.ledgerDamage.isEmpty)
        #expect(try bench.ledger.headHash() == head)
    }

    /// `--max-amount` limits what is sent: a row done under a higher limit is history, not
    /// refused when the plan runs again without it (the whole plan was refused, 65), while a
    /// row still to send over it is, and so is a new one.
    @Test func theMaxAmountLimitsRowsToSendNotRowsDone() async throws {
        let bench = try TopUpBench()
        let big = "wallet,chain_id,amount,reference\n\(Wallets.a),1,15000,BIG-1\n\(Wallets.b),1,20,SMALL-1\n"
        let plan = try bench.plan(big)
        let fake = FakeChargeCreator()
        let raised = TopUpEngine(options: .init(planPath: plan, displayName: "topups.csv", account: "acct",
                                                maxAmount: Micros(raw: 20_000 * Micros.perDollar)))
        let first = try await raised.execute(try raised.prepare(ledger: bench.ledger), ledger: bench.ledger, client: fake,
                                             stop: StopFlag(), now: { Timestamp.now() })
        #expect(first.created == 2)
        let again = try bench.engine(plan).prepare(ledger: bench.ledger)
        #expect(again.count(.done) == 2 && again.toSend.isEmpty)
        // A row over it that this run would send again (unknown, with --retry-unknown) is refused too.
        let unknownPlan = try bench.plan("wallet,chain_id,amount,reference\n\(Wallets.d),1,16000,BIG-9\n", name: "later.csv")
        let raisedAgain = TopUpEngine(options: .init(planPath: unknownPlan, displayName: "later.csv", account: "acct",
                                                     maxAmount: Micros(raw: 20_000 * Micros.perDollar)))
        _ = try await raisedAgain.execute(
            try raisedAgain.prepare(ledger: bench.ledger), ledger: bench.ledger,
            client: FakeChargeCreator { _, _ in .unknown(status: nil, message: "?", rawBody: nil) }, stop: StopFlag(), now: { Timestamp.now() })
        #expect(try TopUpEngine(options: .init(planPath: unknownPlan, displayName: "later.csv", account: "acct"))
            .prepare(ledger: bench.ledger).count(.unknown) == 1, "not sent, not refused")
        #expect(throws: InputErrors.self) {
            _ = try TopUpEngine(options: .init(planPath: unknownPlan, displayName: "later.csv", account: "acct", retryUnknown: true))
                .prepare(ledger: bench.ledger)
        }
        // A new row over the default limit is refused, the done one not named.
        let grown = try bench.plan(big + "\(Wallets.c),1,12000,BIG-2\n")
        #expect {
            _ = try bench.engine(grown).prepare(ledger: bench.ledger)
        } throws: { error in
            let said = (error as? InputErrors)?.errors.map(\.description) ?? []
            return said == ["topups.csv:4: amount: \"12000\" is more than the 10000 USD allowed per row; split it into several "
                + "rows or raise --max-amount if it is really meant"]
        }
    }

    /// A run with nothing to send writes nothing, so no write refuses a damaged ledger:
    /// it says the damage itself (exit 1), or a plan fully bought read as settled on books
    /// every writer refuses (a stop 62 probe).
    @Test func aRunWithNothingToSendSaysTheLedgerIsDamaged() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(2))
        let fake = FakeChargeCreator()
        #expect(try await bench.run(plan, client: fake).created == 2)
        try Database(path: bench.ledgerPath, create: false).execute("DROP TRIGGER journal_append_only_update")

        let again = try await bench.run(plan, client: fake)
        #expect(fake.calls.count == 2)
        #expect(again.skippedDone == 2)
        #expect(again.exitStatus == .attention)
        #expect(again.ledgerDamage.count == 1)
        #expect(again.ledgerDamage.first?.hasPrefix("append-only trigger journal_append_only_update missing") == true,
                "\(again.ledgerDamage)")
        #expect(again.text.contains("the ledger is damaged, so any write to it is refused (74); this run had nothing to write: "
            + "append-only trigger journal_append_only_update missing"), "\(again.text)")
        guard case .object(let json) = again.json, case .array(let damage)? = json["ledger_damaged"] else {
            Issue.record("no ledger_damaged in \(again.json)")
            return
        }
        #expect(damage.count == 1)
    }

    /// The batch a plan's file name gives is checked as `--batch` is: "März.csv" saved with
    /// decomposed accents gave the batch "März" that looked like the composed file's, keyed
    /// its rows otherwise, and the same rows were charged twice.
    @Test(arguments: ["Ma\u{0308}rz.csv", "plan .csv", "tab\tplan.csv", "plan\u{200B}.csv"])
    func aBatchFromTheFilesNameIsCheckedAsBatchIs(name: String) async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(1), name: name)
        let refused = #expect(throws: UsageError.self) { try bench.engine(plan).readPlan() }
        #expect(refused?.exitStatus == .usage)
        #expect(refused?.message.hasPrefix("the plan's file name gives the batch name \"") == true, "\(refused?.message ?? "")")
        #expect(refused?.message.hasSuffix("rename the file, or give the batch with --batch NAME") == true)
        let named = try await bench.run(plan, client: FakeChargeCreator(), batch: "march")
        #expect(named.created == 1)
    }

    /// A new reference that looks like one already in the ledger, or on an earlier row, but
    /// is other text is refused (65) naming both and where they differ: each of these was
    /// a second top-up of `ABC-1` (probes 88, 90 and 91). The paid row itself is done.
    @Test func aReferenceThatLooksLikeAnotherIsRefused() async throws {
        let bench = try TopUpBench()
        let paid = try bench.plan("wallet,chain,amount,reference\n\(Wallets.a),base,10,ABC-1\n", name: "paid.csv")
        #expect(try await bench.run(paid, client: FakeChargeCreator()).created == 1)
        let looks = ["\u{FF21}BC-1", "\u{1D5A0}BC-1", "\u{1D00}BC-1", "A\u{299}C-1", "\u{13AA}BC-1", "\u{A4EE}BC-1",
                     "\u{410}BC-1", "\u{391}BC-1", "ABC\u{2011}1", "ABC\u{2212}1", "ABC\u{30FC}1", "ABC\u{31D0}1", "ABC-\u{1C0}",
                     "ABC-\u{2460}", "abc\u{2010}1", "A\u{1D2E}C-1", "AB\u{3F9}-1", "\u{15C5}BC-1", "ABC-\u{5D5}",
                     "ABC-\u{26A}", "\u{1D00}\u{299}\u{1D04}-1"]
        // Against the ledger, one plan each (beside each other, the plan's reader refuses them first).
        var said: [String] = []
        for look in looks {
            let plan = try bench.plan("wallet,chain,amount,reference\n\(Wallets.a),base,10,\(look)\n")
            let refused = #expect(throws: InputErrors.self) { try bench.engine(plan).prepare(ledger: bench.ledger) }
            said += refused?.errors.map(\.description) ?? []
        }
        #expect(said.count == looks.count && said.allSatisfy { $0.contains("looks like the reference \"ABC-1\" already in the ledger") },
                "\(said)")
        let expected: String = "topups.csv:2: reference: \"\u{FF21}BC-1\" looks like the reference \"ABC-1\" already in the "
            + "ledger, but is other text (character 1 is U+FF21 FULLWIDTH LATIN CAPITAL LETTER A there, U+0041 LATIN CAPITAL "
            + "LETTER A in the other): a reference is matched byte for byte, and this one would be a second top-up. Write it as "
            + "that one if it is that top-up; if it is another, give it a reference that looks different"
        #expect(said.first == expected, "\(said)")
        // The paid row beside one: the plan's reader names the row.
        let beside = try bench.plan("wallet,chain,amount,reference\n\(Wallets.a),base,10,ABC-1\n\(Wallets.a),base,10,\u{FF21}BC-1\n")
        let refused = #expect(throws: InputErrors.self) { try bench.engine(beside).prepare(ledger: bench.ledger) }
        #expect(refused?.errors.first?.description.hasPrefix("topups.csv:3: reference: \"\u{FF21}BC-1\" looks like the reference "
            + "\"ABC-1\" on line 2, but is other text") == true, "\(String(describing: refused))")
        // On an earlier row of the plan, with nothing in the ledger.
        let fresh = try TopUpBench()
        let twice = try fresh.plan("wallet,chain,amount,reference\n\(Wallets.a),base,10,Q4-\u{421}\n\(Wallets.a),base,10,Q4-C\n")
        let second = #expect(throws: InputErrors.self) { try fresh.engine(twice).prepare(ledger: fresh.ledger) }
        #expect(second?.errors.map(\.description).first?.hasPrefix(
            "topups.csv:3: reference: \"Q4-C\" looks like the reference \"Q4-\u{421}\" on line 2") == true, "\(String(describing: second))")
        // Punctuation a word processor puts in, and katakana for kanji, on an earlier row (probe 93).
        let pasted = try fresh.plan("wallet,chain,amount,reference\n\(Wallets.a),base,10,O'Brien-1\n\(Wallets.a),base,10,O\u{2019}Brien-1\n"
            + "\(Wallets.a),base,10,PO/12\n\(Wallets.a),base,10,PO\u{2215}12\n\(Wallets.a),base,10,工事-1\n\(Wallets.a),base,10,エ事-1\n")
        let punctuation = #expect(throws: InputErrors.self) { try fresh.engine(pasted).prepare(ledger: fresh.ledger) }
        #expect(punctuation?.errors.map(\.line) == [3, 5, 7], "\(String(describing: punctuation))")
        // ASCII text alone is told apart as typed: ABC-l and ABC-I are references of their own.
        let ascii = try bench.plan("wallet,chain,amount,reference\n\(Wallets.a),base,10,ABC-l\n\(Wallets.a),base,10,ABC-I\n")
        #expect(try bench.engine(ascii).prepare(ledger: bench.ledger).toSend.count == 2)
        // Unless they differ only in letter case or spacing, the likeliest typed repeat (probe 93).
        let cased = try bench.plan("wallet,chain,amount,reference\n\(Wallets.a),base,10,abc-1\n")
        let caseRefused = #expect(throws: InputErrors.self) { try bench.engine(cased).prepare(ledger: bench.ledger) }
        #expect(caseRefused?.errors.first?.description.hasPrefix(
            "topups.csv:2: reference: \"abc-1\" looks like the reference \"ABC-1\" already in the ledger") == true,
            "\(String(describing: caseRefused))")
    }

    /// A plan whose rows look alike but are both done (made before the check was) is run
    /// again as it was: done, nothing sent. Refused, a nightly `run --plan` stopped after
    /// the upgrade, its reading and report with it (probe 94).
    @Test func doneRowsThatLookAlikeAreDoneAgain() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan("wallet,chain,amount,reference\n\(Wallets.a),base,10,ABC-1\n")
        #expect(try await bench.run(plan, client: FakeChargeCreator()).created == 1)
        // `abc-1` as a build before the check made it: its facts.
        let now = Timestamp.now()
        // So is `AB<U+200B>C-3`, a hidden character a new row may no longer hold (probe 95).
        for (line, reference) in [(3, "abc-1"), (4, "AB\u{200B}C-3")] {
            try bench.ledger.write { writer in
                let key = "ref/acct/\(reference)"
                _ = try writer.append(.topUpPlanned(TopUpPlanned(
                    key: key, batch: "topups", reference: reference, wallet: Wallets.a, chainID: 8453, amount: Micros(raw: 10_000_000),
                    memo: nil, planFile: "topups.csv", planLine: Int64(line))), account: "acct", runID: nil, at: now)
                _ = try writer.append(.chargeRequested(ChargeRequested(key: key, attempt: 1)), account: "acct", runID: nil, at: now)
                _ = try writer.append(.chargeCreated(ChargeCreated(key: key, chargeID: "ch-old-\(line)", createdAt: now,
                    expiresAt: now.adding(seconds: 3600), callData: "{}", rawBody: "{}")), account: "acct", runID: nil, at: now)
            }
        }
        let both = try bench.plan("wallet,chain,amount,reference\n\(Wallets.a),base,10,ABC-1\n\(Wallets.a),base,10,abc-1\n"
            + "\(Wallets.a),base,10,AB\u{200B}C-3\n")
        let preview = try bench.engine(both).prepare(ledger: bench.ledger)
        #expect(preview.toSend.isEmpty && preview.count(.done) == 3, "\(preview)")
        // A new row beside them that looks like both is still refused.
        let more = try bench.plan("wallet,chain,amount,reference\n\(Wallets.a),base,10,ABC-1\n\(Wallets.a),base,10,abc-1\n"
            + "\(Wallets.a),base,10,Abc-1\n\(Wallets.a),base,10,XY\u{200B}Z-4\n")
        let refused = #expect(throws: InputErrors.self) { try bench.engine(more).prepare(ledger: bench.ledger) }
        #expect(refused?.errors.map(\.line) == [4, 5], "\(String(describing: refused))")
    }

    /// Under another account, a reference that looks like a top-up's of the same wallet, chain
    /// and amount is the same plan run under another label, as the exact reference is: it
    /// was let through (probe 92). With another amount it is that account's own top-up.
    @Test func aLookAlikeOfAnotherAccountsTopUpIsRefused() async throws {
        let bench = try TopUpBench()
        let paid = try bench.plan("wallet,chain,amount,reference\n\(Wallets.a),base,10,ABC-1\n", name: "paid.csv")
        #expect(try await bench.run(paid, client: FakeChargeCreator()).created == 1)
        func prepare(_ text: String) throws -> TopUpPreview {
            let plan = try bench.plan(text)
            return try TopUpEngine(options: .init(planPath: plan, displayName: "topups.csv", batch: nil, account: "other"))
                .prepare(ledger: bench.ledger)
        }
        let refused = #expect(throws: InputErrors.self) { try prepare("wallet,chain,amount,reference\n\(Wallets.a),base,10,\u{410}BC-1\n") }
        #expect(refused?.errors.first?.description.hasPrefix("topups.csv:2: reference: \"\u{410}BC-1\" looks like the reference \"ABC-1\" "
            + "planned for account \"acct\" with the same wallet, chain and amount (topups.csv:2, now created)") == true,
            "\(String(describing: refused))")
        #expect(try prepare("wallet,chain,amount,reference\n\(Wallets.a),base,11,\u{410}BC-1\n").toSend.count == 1)
        // Two accounts in one plan: look-alike rows of one plan are refused whatever their accounts.
        let both = #expect(throws: InputErrors.self) {
            try prepare("wallet,chain,amount,reference,account\n\(Wallets.a),base,7,ABC-5,team-a\n\(Wallets.a),base,7,\u{410}BC-5,team-b\n")
        }
        #expect(both?.errors.first?.description.hasPrefix("topups.csv:3: reference: \"\u{410}BC-5\" looks like the reference \"ABC-5\" "
            + "on line 2, but is other text") == true, "\(String(describing: both))")
    }

    /// Names a finance team types in its own language or script are kept while nothing in
    /// the ledger or the plan looks like them (the first rules refused each of these, probe 91).
    @Test func namesInOtherScriptsAreKept() async throws {
        let bench = try TopUpBench()
        let names = ["Factura-N\u{BA}-15", "1\u{AA}-quincena", "Счёт № 15", "ООО-12", "АО-2026", "ΑΕ-2026", "ユーザー1",
                     "２０２６年１１月分", "株式会社ＡＢＣ", "ｶﾌﾞｼｷｶﾞｲｼｬ", "㈱ABC", "請求書　11月", "阿里巴巴（中国）有限公司", "发票：2026-11",
                     "2026-一月", "㈜삼성", "GST-बिल", "Invoice-Счёт", "می\u{200C}خواهم", "👨\u{200D}👩\u{200D}👧", "Q4 \u{2764}\u{FE0F}",
                     "Müller-Lüdenscheid", "L\u{2019}Oréal", "Kasım", "שלום", "مرحبا-٣", "Batch 1\u{FE0F}\u{20E3}",
                     // Marks make other letters: each pair is two names (probe 92).
                     "バス-1", "ハス-1", "Мой-1", "Мои-1", "Año-2026", "Ano-2026", "กิน-1", "กิน่-1", "कुल-1", "कल-1"]
        let plan = try bench.plan("wallet,chain,amount,reference\n" + names.map { "\(Wallets.a),base,10,\($0)\n" }.joined())
        let preview = try bench.engine(plan).prepare(ledger: bench.ledger)
        #expect(preview.toSend.map(\.row.reference) == names)
    }

    /// A refusal naming a row whose request is out says what `requesting` means: "now
    /// requesting" of a killed run's row read as a request still going on.
    @Test func aRefusalSaysWhatRequestingMeans() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan("wallet,chain,amount,reference\n\(Wallets.a),base,10,R-9\n", name: "a.csv")
        let changed = try bench.plan("wallet,chain,amount,reference\n\(Wallets.a),base,12,R-9\n", name: "b.csv")
        let said = Mutex<String>("")
        let ledger = bench.ledger
        let fake = FakeChargeCreator { _, index in
            // While the row is out: `requesting` in the ledger.
            do {
                _ = try TopUpEngine(options: .init(planPath: changed, displayName: "b.csv", batch: nil, account: "acct"))
                    .prepare(ledger: ledger)
            } catch {
                said.withLock { $0 = String(describing: error) }
            }
            return .created(FakeChargeCreator.charge(index))
        }
        #expect(try await bench.run(plan, client: fake).created == 1)
        let refusal = said.withLock { $0 }
        #expect(refusal.contains("(topups.csv:2, batch a) as 10.00 USD from \(Wallets.a) on base, now requesting: sent and its "
            + "answer not recorded, awaited or lost if its run was killed; a reference names one top-up for good"), "\(refusal)")
    }

    /// A plan without references saved again under another name is another batch, whose
    /// keys are all new: every row was charged again (probe 86). A row to send that makes the
    /// purchase another batch charged in the last 12 hours is refused, naming it, unless
    /// `--batch` says which plan it is (its rows are then that plan's) or `--allow-repeat` says they
    /// are new; the n-th repeat of a purchase is matched with the n-th charge of it.
    @Test func aPlanSavedAgainUnderAnotherNameIsNotChargedAgain() async throws {
        let bench = try TopUpBench()
        let rows = "wallet,chain,amount\n\(Wallets.a),base,10\n\(Wallets.a),base,10\n\(Wallets.b),polygon,2.50\n"
        let first = try bench.plan(rows, name: "nov.csv")
        #expect(try await bench.run(first, client: FakeChargeCreator(), concurrency: 1).created == 3)
        let copy = try bench.plan(rows + "\(Wallets.c),1,7\n", name: "nov (1).csv")
        func prepare(batch: String? = nil, allowRepeat: Bool = false, now: Timestamp = .now()) throws -> TopUpPreview {
            try TopUpEngine(options: .init(planPath: copy, displayName: "topups.csv", batch: batch, account: "acct",
                                           allowRepeat: allowRepeat, now: now))
                .prepare(ledger: bench.ledger)
        }
        let refused = #expect(throws: InputErrors.self) { try prepare() }
        #expect(refused?.errors.map(\.line) == [2, 3, 4], "\(String(describing: refused))")
        let charged = try bench.ledger.read { try $0.allTopUps() }
        for (error, topUp) in zip(refused?.errors ?? [], charged) {
            #expect(error.description.hasPrefix("topups.csv:\(topUp.planLine): wallet: the same purchase as line \(topUp.planLine) of "
                + "batch nov (topups.csv), made at "), "\(error)")
            #expect(error.description.contains("charge \(topUp.chargeID ?? "?"), now created. A row without a reference is keyed by its "
                + "batch (here nov (1)), so a plan saved again under another name would buy every row again: if this file is a copy "
                + "of that plan, run with --batch nov (its rows are then that plan's); if these are new purchases, run with --allow-repeat"),
                "\(error)")
        }
        #expect(refused?.errors.allSatisfy { !$0.description.contains("dated after now") } == true)
        // A clock set back is said: the purchase cited is in its future (probe 357).
        let setBack = Timestamp.now().adding(seconds: -3600)
        let back = #expect(throws: InputErrors.self) { try prepare(now: setBack) }
        let ahead = "; if these are new purchases, run with --allow-repeat (that purchase is dated after now, \(setBack.iso8601): "
            + "check the machine's clock, or --now)"
        #expect(back?.errors.count == 3 && back?.errors.allSatisfy { $0.description.hasSuffix(ahead) } == true,
                "\(String(describing: back))")
        // Said to be that plan: its rows are done, the new one is sent.
        let same = try prepare(batch: "nov")
        #expect(same.count(.done) == 3 && same.toSend.map(\.row.line) == [5])
        // Another batch named is no leave to buy again (probe 96: --batch TOPUPS, a case
        // variant, was); --allow-repeat is, and so is the end of the window.
        #expect(throws: InputErrors.self) { try prepare(batch: "NOV") }
        #expect(try prepare(allowRepeat: true).toSend.count == 4)
        #expect(try prepare(now: .now().adding(seconds: TopUpEngine.repeatWindow + 60)).toSend.count == 4)
    }

    /// The first plan's rows left to send (a key refused, 401, or a run stopped) are not sent
    /// after its copy bought them (probe 96: the nightly run of the first plan bought them
    /// again), nor is a copy run under another account label.
    @Test func rowsLeftToSendAndOtherAccountsAreCheckedForRepeats() async throws {
        let bench = try TopUpBench()
        let rows = "wallet,chain,amount\n\(Wallets.a),base,10\n\(Wallets.b),polygon,2.50\n"
        let first = try bench.plan(rows, name: "nov.csv")
        let refusedKey = FakeChargeCreator { _, _ in .rejected(status: 401, message: "bad key", rawBody: nil) }
        _ = try await bench.run(first, client: refusedKey, concurrency: 1)
        #expect(try bench.ledger.read { try $0.allTopUps() }.map(\.state) == ["rejected", "rejected"])
        let copy = try bench.plan(rows, name: "nov (1).csv")
        #expect(try await bench.run(copy, client: FakeChargeCreator(), concurrency: 1).created == 2)
        let again = #expect(throws: InputErrors.self) { try bench.engine(first).prepare(ledger: bench.ledger) }
        #expect(again?.errors.map(\.line) == [2, 3], "\(String(describing: again))")
        #expect(again?.errors.first?.description.contains("the same purchase as line 2 of batch nov (1) (topups.csv), made at ") == true,
                "\(String(describing: again))")
        let elsewhere = #expect(throws: InputErrors.self) {
            try TopUpEngine(options: .init(planPath: try bench.plan(rows, name: "dec.csv"), displayName: "topups.csv", account: "ops"))
                .prepare(ledger: bench.ledger)
        }
        #expect(elsewhere?.errors.first?.description.contains("of batch nov (1) (topups.csv) for account \"acct\", made at ") == true,
                "\(String(describing: elsewhere))")
        #expect(elsewhere?.errors.first?.description.contains("run with --batch nov (1) --account acct (its rows are then that plan's)") == true,
                "\(String(describing: elsewhere))")
        // One plan buying the same for two accounts, each account's rows sent by its own run,
        // is no repeat of itself: the second account's row, its key refused, is sent again.
        let twoAccounts = try bench.plan("wallet,chain,amount,account\n\(Wallets.d),1,3,team-a\n\(Wallets.d),1,3,team-b\n", name: "teams.csv")
        #expect(try await bench.run(twoAccounts, client: FakeChargeCreator(), account: "team-a").created == 1)
        #expect(try await bench.run(twoAccounts, client: refusedKey, account: "team-b").rejected == 1)
        #expect(try bench.engine(twoAccounts, account: "team-b").prepare(ledger: bench.ledger).toSend.map(\.row.account) == ["team-b"])
        // A row this run does not send (blocked, 410) is no row to match with an earlier
        // purchase: the plan's new row beside it that makes the purchase is the repeat.
        let gone = FakeChargeCreator { _, _ in .gone(message: "gone", rawBody: "{}") }
        let blockedRow = "wallet,chain,amount\n\(Wallets.c),8453,4\n"
        #expect(try await bench.run(try bench.plan(blockedRow, name: "web.csv"), client: gone).blocked == 1)
        #expect(try await bench.run(try bench.plan(blockedRow, name: "api.csv"), client: FakeChargeCreator()).created == 1)
        let grown = try bench.plan(blockedRow + "\(Wallets.c),8453,4\n", name: "web.csv")
        let beside = #expect(throws: InputErrors.self) { try bench.engine(grown).prepare(ledger: bench.ledger) }
        #expect(beside?.errors.map(\.line) == [3] && beside?.errors.first?.description.contains("of batch api (topups.csv)") == true,
                "\(String(describing: beside))")
    }

    /// A copy that lost its references, or gained some, is the same purchases all the same
    /// (probe 97: both were bought again); so is a two-account plan's copy, each row matched
    /// with its own account's. A plan that grows by another account's row of the same
    /// purchase is not refused (the twin rule refused it, probe 97), and only as many rows
    /// as were bought are repeats.
    @Test func copiesThatLostOrGainedReferencesAreRepeatsToo() async throws {
        let bench = try TopUpBench()
        /// What `prepare` refuses of plan `text` saved as `name`.
        func refused(_ text: String, name: String, batch: String? = nil) -> InputErrors? {
            #expect(throws: InputErrors.self) { try bench.engine(try bench.plan(text, name: name), batch: batch).prepare(ledger: bench.ledger) }
        }
        let referenced = try bench.plan("wallet,chain,amount,reference\n\(Wallets.a),base,33,INV-9\n", name: "refd.csv")
        #expect(try await bench.run(referenced, client: FakeChargeCreator()).created == 1)
        /// Whether the first refusal of `refusal` holds each of `parts`, in that order.
        func says(_ refusal: InputErrors?, _ parts: String...) -> Bool {
            guard var rest = refusal?.errors.first?.description[...] else { return false }
            for part in parts {
                guard let found = rest.range(of: part) else { return false }
                rest = rest[found.upperBound...]
            }
            return true
        }
        let lost = refused("wallet,chain,amount\n\(Wallets.a),base,33\n", name: "refd-copy.csv")
        #expect(says(lost, "the same purchase as line 2 of batch refd (topups.csv), reference \"INV-9\", made at ",
                     "If this row is that top-up, give it its reference, INV-9 (it is then that top-up); if these are new "
                        + "purchases, run with --allow-repeat"), "\(String(describing: lost))")
        let plain = try bench.plan("wallet,chain,amount\n\(Wallets.b),1,12\n", name: "plain.csv")
        #expect(try await bench.run(plain, client: FakeChargeCreator()).created == 1)
        let gained = refused("wallet,chain,amount,reference\n\(Wallets.b),1,12,R-1\n", name: "withref.csv")
        #expect(says(gained, "topups.csv:2: reference: the same purchase as line 2 of batch plain",
                     "That top-up has no reference, so this row's is no proof of another purchase: if this row is that top-up, "
                        + "remove it from the plan; if it is a new purchase, run with --allow-repeat"),
                "\(String(describing: gained))")
        // Two references are two purchases.
        #expect(try bench.engine(try bench.plan("wallet,chain,amount,reference\n\(Wallets.a),base,33,INV-10\n", name: "next.csv"))
            .prepare(ledger: bench.ledger).toSend.count == 1)
        // A plan growing by another account's row of the same purchase, sent by that
        // account's run.
        let grow = try bench.plan("wallet,chain,amount,account\n\(Wallets.c),1,16,team-a\n", name: "grow.csv")
        #expect(try await bench.run(grow, client: FakeChargeCreator(), account: "team-a").created == 1)
        let grown = try bench.plan("wallet,chain,amount,account\n\(Wallets.c),1,16,team-a\n\(Wallets.c),1,16,team-b\n", name: "grow.csv")
        #expect(try bench.engine(grown, account: "team-b").prepare(ledger: bench.ledger).toSend.map(\.row.account) == ["team-b"])
        #expect(try await bench.run(grown, client: FakeChargeCreator(), account: "team-b").created == 1)
        // Its copy: each account's run matches its row with its own account's purchase.
        let copy = try bench.plan("wallet,chain,amount,account\n\(Wallets.c),1,16,team-a\n\(Wallets.c),1,16,team-b\n", name: "grow (1).csv")
        for (account, line) in [("team-a", 2), ("team-b", 3)] {
            let copied = #expect(throws: InputErrors.self) { try bench.engine(copy, account: account).prepare(ledger: bench.ledger) }
            #expect(copied?.errors.map(\.line) == [line], "\(String(describing: copied))")
            #expect(copied?.errors.first?.description.contains("the same purchase as line \(line) of batch grow (topups.csv), made at ") == true,
                    "\(String(describing: copied))")
        }
        // One bought, three planned: the first is a repeat, the others are new.
        let one = try bench.plan("wallet,chain,amount\n\(Wallets.d),137,1\n", name: "one.csv")
        #expect(try await bench.run(one, client: FakeChargeCreator()).created == 1)
        let three = refused("wallet,chain,amount\n" + String(repeating: "\(Wallets.d),137,1\n", count: 3), name: "three.csv")
        #expect(three?.errors.map(\.line) == [2], "\(String(describing: three))")
        // A copy without references run under the first plan's batch, as the refusal advises
        // for its row that had none: the row that had one is still a repeat (probe 98: it was
        // sent, a third charge for a plan that bought two).
        let mixed = "\(Wallets.b),base,30"
        let withRefs = try bench.plan("wallet,chain,amount,reference\n\(mixed),R1\n\(mixed),\n", name: "RA.csv")
        #expect(try await bench.run(withRefs, client: FakeChargeCreator()).created == 2)
        let advised = refused("wallet,chain,amount\n\(mixed)\n\(mixed)\n", name: "RB.csv", batch: "RA")
        #expect(advised?.errors.map(\.line) == [3] && advised?.errors.first?.description.contains("give it its reference, R1") == true,
                "\(String(describing: advised))")
        // Each earlier top-up is one row's repeat: two rows of two accounts beside one top-up
        // without a reference (and one with, which their references tell apart) are one repeat.
        let mx = try bench.plan("wallet,chain,amount,reference,account\n\(Wallets.a),1,5,P,x\n\(Wallets.a),1,5,,y\n", name: "MX.csv")
        #expect(try await bench.run(mx, client: FakeChargeCreator(), account: "x").created == 1)
        #expect(try await bench.run(mx, client: FakeChargeCreator(), account: "y").created == 1)
        let my = try bench.plan("wallet,chain,amount,reference,account\n\(Wallets.a),1,5,Q,y\n\(Wallets.a),1,5,R,x\n", name: "MY.csv")
        let crossed = #expect(throws: InputErrors.self) { try bench.engine(my, account: "y").prepare(ledger: bench.ledger) }
        #expect(crossed?.errors.map(\.line) == [2], "\(String(describing: crossed))")
        #expect(try bench.engine(my, account: "x").prepare(ledger: bench.ledger).toSend.map(\.row.line) == [3])
    }

    @Test func sendsTheChecksummedWalletAndChain() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan("wallet,chain,amount\n\(Wallets.a.lowercased()),polygon,12.50\n")
        let fake = FakeChargeCreator()
        _ = try await bench.run(plan, client: fake)
        #expect(fake.calls == [.init(amount: Micros(raw: 12_500_000), sender: Wallets.a, chainID: 137)])
    }

    @Test func intentIsCommittedBeforeTheCall() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(5))
        let ledger = bench.ledger
        let fake = FakeChargeCreator { call, index in
            // The row being sent must already be `requesting` in the committed ledger.
            let rows = try ledger.read { try $0.topUps(state: "requesting") }
            guard rows.contains(where: { $0.amount == call.amount && $0.wallet == call.sender && $0.attempts == 1 }) else {
                Issue.record("no committed intent for \(call)")
                return .rejected(status: 400, message: "no intent", rawBody: nil)
            }
            return .created(FakeChargeCreator.charge(index))
        }
        let summary = try await bench.run(plan, client: fake, concurrency: 2)
        #expect(summary.created == 5)
    }

    /// The turn under the rate limit is waited for before the intent is committed: a run
    /// killed in that wait (minutes at a low `--rate-limit`) left the row `requesting`, read
    /// as `unknown` and sent a person to the dashboard for a request never made (probe 69).
    /// Each turn is taken with no row of this run `requesting`; a turn refused (a stop, a
    /// `429` pause past the budget) leaves its row planned and stops the run.
    @Test func theTurnIsWaitedForBeforeTheIntentIsCommitted() async throws {
        final class TurnWatcher: ChargeCreating {
            let ledger: Ledger
            let seen = Mutex<[Int]>([])
            init(ledger: Ledger) { self.ledger = ledger }
            func waitForTurn() async -> ChargeAnswer? {
                let requesting = (try? ledger.read { try $0.topUps(state: "requesting") }.count) ?? -1
                let turn = seen.withLock { $0.append(requesting); return $0.count }
                return turn < 3 ? nil : .notSent(status: 429, message: "rate limited past the budget", rateLimited: true)
            }
            func createCharge(amount: Micros, sender: String, chainID: Int64) async throws -> ChargeAnswer {
                .created(FakeChargeCreator.charge(Int(amount.raw)))
            }
        }
        let bench = try TopUpBench()
        let watcher = TurnWatcher(ledger: bench.ledger)
        let summary = try await bench.run(try bench.plan(TopUpBench.planText(4)), client: watcher, concurrency: 1)
        #expect(watcher.seen.withLock { $0 } == [0, 0, 0], "no intent committed before a turn")
        #expect(summary.created == 2)
        #expect(try bench.states().values.sorted() == ["created", "created", "planned", "planned"])
    }

    /// A `429` is recorded as it comes (nothing was created), and the row sent again once
    /// the pause is over, its intent recorded anew: a run killed in the pause leaves the row
    /// not sent, which the next run sends (probe 132: the row was `requesting` all through
    /// the pause, and a kill made it `unknown`, never sent). Past the retry budget, or
    /// stopped in the pause, the row stays not sent and the run stops.
    @Test func aRowToldToSlowDownIsRecordedNotSentThenSentAgain() async throws {
        final class SlowDown: ChargeCreating {
            let ledger: Ledger
            let budget: Duration
            /// The row's state at each turn, and the answers given (429 for the first `slowDowns`).
            let seen = Mutex<(states: [String], calls: Int)>(([], 0))
            let slowDowns: Int
            init(ledger: Ledger, slowDowns: Int, budget: Duration) {
                (self.ledger, self.slowDowns, self.budget) = (ledger, slowDowns, budget)
            }
            var retryBudget: Duration { budget }
            func waitForTurn() async -> ChargeAnswer? {
                let state = (try? ledger.read { try $0.allTopUps() }.first?.state) ?? "?"
                seen.withLock { $0.states.append(state) }
                return nil
            }
            func createCharge(amount: Micros, sender: String, chainID: Int64) async throws -> ChargeAnswer {
                let call = seen.withLock { $0.calls += 1; return $0.calls }
                return call <= slowDowns
                    ? .notSent(status: 429, message: "not sent: rate limited (HTTP 429); run topup again to send it", rateLimited: true)
                    : .created(FakeChargeCreator.charge(call))
            }
        }
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(1))
        let twice = SlowDown(ledger: bench.ledger, slowDowns: 2, budget: .seconds(60))
        let summary = try await bench.run(plan, client: twice, concurrency: 1)
        // In each pause the row is `rejected` by the 429, which a run sends: never `requesting`.
        #expect(twice.seen.withLock { $0.states } == ["planned", "rejected", "rejected"])
        #expect(summary.created == 1 && summary.notSent == 0 && summary.sent == 1)
        #expect(try bench.states() == ["R-01": "created"])
        // Three intents, each after the 429 before it was recorded.
        #expect(try bench.ledger.read { try $0.allTopUps() }.first?.attempts == 3)
        // No budget left: recorded not sent, and the run stops as rate limited; the next run sends it.
        let other = try TopUpBench()
        let otherPlan = try other.plan(TopUpBench.planText(1))
        let spent = SlowDown(ledger: other.ledger, slowDowns: 1, budget: .zero)
        let stopped = try await other.run(otherPlan, client: spent, concurrency: 1)
        #expect(stopped.notSent == 1 && stopped.created == 0)
        #expect(try other.states() == ["R-01": "rejected"])
        let next = try await other.run(otherPlan, client: FakeChargeCreator(), concurrency: 1)
        #expect(next.created == 1 && next.recovered == 0)
        #expect(try other.ledger.verify().isSound)
    }

    @Test func crashBetweenIntentAndAnswerBecomesUnknownAndIsNotResent() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(3))
        try await bench.crashing(plan, at: Micros(raw: 2_500_000))
        #expect(try bench.states()["R-02"] == "requesting")

        // The next run finds the dead run's intent: unknown, never sent again.
        let fake = FakeChargeCreator()
        let next = try await bench.run(plan, client: fake)
        #expect(next.recovered == 1)
        #expect(!fake.calls.contains { $0.amount == Micros(raw: 2_500_000) })
        let states = try bench.states()
        #expect(states["R-02"] == "unknown")
        #expect(states["R-01"] == "created")
        #expect(states["R-03"] == "created")
        #expect(next.exitStatus == .attention)
        #expect(next.attention.map(\.reference) == ["R-02"])
        #expect(next.attention.first?.message?.contains("--retry-unknown") == true)
        #expect(try bench.ledger.verify().isSound)
    }

    /// What one worker meets (a crash, a ledger write that fails) stops the others from
    /// starting new rows, but the requests already in flight finish and are recorded: a
    /// charge they create is never left unrecorded by a sibling's failure (the HTTP client
    /// cancelled them, leaving created charges `unknown`).
    @Test func aFailingWorkerLetsTheRequestsInFlightFinishAndBeRecorded() async throws {
        final class Steps: Sendable {
            let secondStarted = Mutex(false)
            let firstFailed = Mutex(false)
        }
        let steps = Steps()
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(20))
        // By row (its amount), not by call number: which of the two workers calls first is
        // the scheduler's (ci113: R-02's call came first).
        let crashing = FakeChargeCreator { call, index in
            if call.amount == Micros(raw: 1_500_000) {  // R-01
                #expect(await waitUntil { steps.secondStarted.withLock { $0 } })
                steps.firstFailed.withLock { $0 = true }
                throw SimulatedCrash()
            }
            if call.amount == Micros(raw: 2_500_000) {  // R-02
                steps.secondStarted.withLock { $0 = true }
                #expect(await waitUntil { steps.firstFailed.withLock { $0 } })
                // A cancellation would come at once; a second without one shows none comes
                // (a slow machine could only make a regression pass, never this fail).
                let cancelled = await waitUntil(deadline: .seconds(1)) { Task.isCancelled }
                #expect(!cancelled, "the request in flight was cancelled")
            }
            return .created(FakeChargeCreator.charge(index))
        }
        await #expect(throws: SimulatedCrash.self) {
            _ = try await bench.run(plan, client: crashing, concurrency: 2)
        }
        #expect(crashing.calls.count <= 3)
        let states = try bench.states()
        #expect(states["R-02"] == "created", "the request in flight was recorded: \(states)")
        #expect(states["R-01"] == "requesting", "the failed one is left for the next run to mark unknown")
        #expect(states.values.filter { $0 == "planned" }.count >= 17)
    }

    /// A request a crashed run left `requesting` is marked unknown by the next run and not
    /// A plan row of another account than the run's is left for that account's own top-up:
    /// this run's key bought it on this account's OpenRouter account and booked it for the
    /// other, whose books then asked for it again (probe 200). Its own account's run sends it.
    @Test func aRowOfAnotherAccountIsLeftForItsOwnTopUp() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan("""
            wallet,chain_id,amount,reference,account
            \(Wallets.a),8453,40,MIX-1,acct
            \(Wallets.b),8453,41,MIX-2,ops
            \(Wallets.c),137,42,MIX-3,ops

            """)
        let preview = try bench.engine(plan).prepare(ledger: bench.ledger)
        #expect(preview.items.map(\.action) == [.send, .otherAccount, .otherAccount])
        #expect(preview.toSend.count == 1 && preview.sendTotal == Micros(raw: 40_000_000) && preview.otherAccounts == ["ops": 2])
        #expect(preview.totalsText().contains("2 rows of other accounts (ops: 2) left for their own top-ups: this run's key buys "
            + "credits for its account alone; run topup with --account NAME and that account's key"), "\(preview.totalsText())")
        let fake = FakeChargeCreator()
        let first = try await bench.run(plan, client: fake)
        #expect(fake.calls.map(\.amount) == [Micros(raw: 40_000_000)])
        #expect(first.created == 1 && first.skippedOtherAccounts == ["ops": 2] && first.exitStatus == .ok, "\(first.text)")
        #expect(first.json.text.contains(#""other_accounts":{"ops":2}"#), "\(first.json.text)")
        #expect(try bench.states() == ["MIX-1": "created"])
        // The other account's run sends its two rows, and counts the first, done, as the
        // other account's: not as its own (probe 202: another account's unknown row made this
        // account's run exit 1).
        let ops = TopUpEngine(options: .init(planPath: plan, displayName: "topups.csv", account: "ops"))
        let second = try await ops.execute(try ops.prepare(ledger: bench.ledger), ledger: bench.ledger, client: fake, stop: StopFlag(),
                                           now: { Timestamp.now() })
        #expect(second.created == 2 && second.skippedDone == 0 && second.skippedOtherAccounts == ["acct": 1], "\(second.text)")
        #expect(second.states == ["created": 2], "\(second.states)")
        // An unknown row of the first account needs no person of the other's run.
        let lost = try bench.plan("wallet,chain_id,amount,reference,account\n\(Wallets.d),1,43,MIX-4,acct\n", name: "lost.csv")
        let dropped = FakeChargeCreator { _, _ in .unknown(status: nil, message: "dropped", rawBody: nil) }
        #expect(try await bench.run(lost, client: dropped).unknown == 1)
        let opsLost = TopUpEngine(options: .init(planPath: lost, displayName: "topups.csv", account: "ops"))
        let third = try await opsLost.execute(try opsLost.prepare(ledger: bench.ledger), ledger: bench.ledger, client: fake,
                                              stop: StopFlag(), now: { Timestamp.now() })
        #expect(third.exitStatus == .ok && third.skippedUnknown == 0 && third.skippedOtherAccounts == ["acct": 1], "\(third.text)")
        #expect(try bench.states() == ["MIX-1": "created", "MIX-2": "created", "MIX-3": "created", "MIX-4": "unknown"])
    }

    /// sent again by it, even with --retry-unknown: nobody has checked its outcome yet, and
    /// its run may be alive, its lock lost (probe 70: a second top-up --retry-unknown sent a
    /// row the first had in flight again). A later --retry-unknown run sends it.
    @Test func aRequestLeftUnderWayIsNotSentAgainByTheRunThatFindsIt() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(2))
        try await bench.crashing(plan, at: Micros(raw: 1_500_000))
        #expect(try bench.states()["R-01"] == "requesting")
        let fake = FakeChargeCreator()
        let second = try await bench.run(plan, client: fake, retryUnknown: true)
        #expect(fake.calls.map(\.amount) == [Micros(raw: 2_500_000)], "only R-02, never sent: \(fake.calls)")
        #expect(second.recovered == 1)
        #expect(second.text.contains("1 request left unanswered by an earlier run marked unknown, not sent again by this "
            + "run: check the dashboard, then `import charges` it before `credit-recon --account acct topup topups.csv --retry-unknown`, which sends every "
            + "row still unknown again (run it again: this run "
            + "sends only the rows that were unknown when it began)"), "\(second.text)")
        #expect(try bench.states()["R-01"] == "unknown")
        // The dry run says the row is sent again, and what that risks (probe 413: counted as
        // any row to create).
        let preview = try bench.engine(plan, retryUnknown: true).prepare(ledger: bench.ledger)
        #expect(preview.totalsText().contains("\nof those, 1 (1.50 USD) had an unknown outcome and is sent again "
            + "(--retry-unknown): each whose charge was made and not recorded is bought twice; `import charges` those made "
            + "first"), "\(preview.totalsText())")
        let withoutRetry = try bench.engine(plan).prepare(ledger: bench.ledger).totalsText()
        #expect(!withoutRetry.contains("sent again"))
        // Unknown rows are recorded before any is sent again (probe 295: "see --retry-unknown" alone).
        #expect(withoutRetry.contains("1 with an unknown outcome (`import charges` those made, then see `credit-recon --account acct "
            + "topup topups.csv --retry-unknown`), 0 rejected by the API"), "\(withoutRetry)")
        let third = try await bench.run(plan, client: fake, retryUnknown: true)
        #expect(fake.calls.map(\.amount) == [Micros(raw: 2_500_000), Micros(raw: 1_500_000)])
        #expect(third.created == 1)
    }

    /// A request of another plan left unanswered is found by this plan's run: unknown, said
    /// with its own plan's command, and the run exits 1 for it (probe 430: exit 0, left out
    /// of every count, and the advice named this plan, whose --retry-unknown never sends it).
    @Test func aRequestOfAnotherPlanLeftUnderWayIsSaidWithItsPlan() async throws {
        let bench = try TopUpBench()
        let first = try bench.plan(TopUpBench.planText(2), name: "first.csv")
        let crashing = FakeChargeCreator { call, index in
            if call.amount == Micros(raw: 1_500_000) { throw SimulatedCrash() }
            return .created(FakeChargeCreator.charge(index))
        }
        // Run with --batch and --account: the command that sends it again gives both (probe
        // 432: without --batch it named a new batch, whose keys bought the row again).
        let engine = TopUpEngine(options: .init(planPath: first, displayName: "first.csv", batch: "nov", account: "ops", concurrency: 1))
        await #expect(throws: SimulatedCrash.self) {
            _ = try await engine.execute(try engine.prepare(ledger: bench.ledger), ledger: bench.ledger, client: crashing,
                                         stop: StopFlag(), now: { Timestamp.now() })
        }
        let fake = FakeChargeCreator()
        let other = try await bench.run(try bench.plan(TopUpBench.planText(1, prefix: "S"), name: "second.csv"), client: fake)
        let command = "credit-recon --account ops topup first.csv --batch nov --retry-unknown"
        #expect(other.created == 1 && other.recovered == 1)
        #expect(other.recoveredOfOtherPlans == [.init(planFile: "first.csv", batch: "nov", account: "ops", rows: 1, command: command)])
        #expect(other.exitStatus == .attention)
        #expect(other.text.contains("1 request left unanswered by an earlier run marked unknown, not sent again by this run: check "
            + "the dashboard, then `import charges` it before `\(command)` (1 of plan first.csv, batch nov, account ops), which "
            + "sends every row still unknown again"), "\(other.text)")
        #expect(other.json.text.contains(#""recovered_unknown_of_other_plans":[{"account":"ops","batch":"nov","plan_file":"first.csv","#
            + #""retry_command":"\#(command)","rows":1}]"#), "\(other.json.text)")
        #expect(TopUpEngine.retryUnknownCommand(planFile: "a b.csv", batch: "a b", account: "default")
            == "topup 'a b.csv' --retry-unknown")
        #expect(TopUpEngine.planCommand(planFile: "d/x.csv", batch: "y", account: "o p", "--dry-run")
            == "credit-recon --account 'o p' topup d/x.csv --batch y --dry-run")
    }

    /// A row another writer took up between this run's preview and its send (a writer
    /// whose lock was lost: its request in flight, then marked unknown by this run's start)
    /// is not this run's to send, even with --retry-unknown: only a row still in the state
    /// the preview found it in is sent.
    @Test func aRowTakenUpByAnotherWriterSinceThePreviewIsNotSent() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(2))
        let stopped = StopFlag()
        stopped.request(.interrupted(signal: "SIGINT"))
        _ = try await bench.run(plan, client: FakeChargeCreator(), stop: stopped)
        #expect(try bench.states() == ["R-01": "planned", "R-02": "planned"])
        let engine = bench.engine(plan, retryUnknown: true)
        let preview = try engine.prepare(ledger: bench.ledger)
        #expect(preview.toSend.count == 2)
        try bench.ledger.write { writer in
            let key = try #require(try writer.reader.topUp(account: "acct", reference: "R-01")).key
            try writer.append(.chargeRequested(ChargeRequested(key: key, attempt: 1)), account: "acct", runID: nil, at: .now())
        }
        let fake = FakeChargeCreator()
        let summary = try await engine.execute(preview, ledger: bench.ledger, client: fake, stop: StopFlag(), now: { .now() })
        #expect(fake.calls.map(\.amount) == [Micros(raw: 2_500_000)], "\(fake.calls)")
        #expect(summary.recovered == 1)
        #expect(try bench.states() == ["R-01": "unknown", "R-02": "created"])
    }

    @Test func goneBecomesBlockedAndIsNeverResent() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(5))
        let gone = FakeChargeCreator { _, _ in .gone(message: "blocked: gone; use the web flow, then `import charges` by reference", rawBody: "{}") }
        let first = try await bench.run(plan, client: gone)
        #expect(first.blocked == 5)
        #expect(first.exitStatus == .attention)
        #expect(first.states == ["blocked": 5])
        let fake = FakeChargeCreator()
        let second = try await bench.run(plan, client: fake, retryUnknown: true)
        #expect(fake.calls.isEmpty)
        #expect(second.skippedBlocked == 5)
        #expect(second.exitStatus == .attention)
    }

    /// A blocked row without a reference is settled by `import charges` giving its key; the
    /// dry-run table shows that key where a reference would stand (`status` points there),
    /// and a row with a reference keeps showing the reference.
    @Test func theDryRunShowsTheKeyOfABlockedRowWithoutAReference() async throws {
        let bench = try TopUpBench()
        let text = TopUpBench.planText(2).replacingOccurrences(of: ",R-01,", with: ",,")
        let plan = try bench.plan(text)
        let gone = FakeChargeCreator { _, _ in .gone(message: "blocked", rawBody: "{}") }
        _ = try await bench.run(plan, client: gone)
        let preview = try bench.engine(plan).prepare(ledger: bench.ledger)
        let lines = preview.table().split(separator: "\n").map(String.init)
        let keyed = preview.items.first { $0.row.reference == nil }
        #expect(keyed?.key.hasPrefix("row/") == true, "\(preview.items)")
        #expect(lines.contains { $0.hasPrefix("2     blocked") && $0.hasSuffix("  key \(keyed?.key ?? "?") / row 1") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("3     blocked") && $0.hasSuffix("  R-02 / row 2") }, "\(lines)")
    }

    @Test func goneMessageFromTheClientMappingPointsToImport() {
        let answer = ChargeAnswer(.gone(message: "Coinbase Commerce is retired", rawBody: nil))
        guard case .gone(let message, _) = answer else {
            Issue.record("410 must map to gone")
            return
        }
        #expect(message.contains("web flow"))
        #expect(message.contains("import charges"))
        #expect(message.contains("reference"))
    }

    /// The blocked row's advice is a command for the row's own account: pasted, an import
    /// without `--account` records the charge in the default account, where it resolves
    /// no row of this one.
    @Test func goneAdviceNamesTheRowsAccount() async throws {
        let bench = try TopUpBench()
        let gone = FakeChargeCreator { _, _ in ChargeAnswer(.gone(message: "retired", rawBody: nil)) }
        _ = try await bench.run(try bench.plan("wallet,chain_id,amount\n\(Wallets.a),1,4\n", name: "a.csv"), client: gone, account: "team a")
        _ = try await bench.run(try bench.plan("wallet,chain_id,amount\n\(Wallets.b),1,5\n", name: "d.csv"), client: gone, account: "default")
        let rows = try bench.ledger.read { reader in try reader.topUps(state: "blocked") }.sorted { $0.amount < $1.amount }
        #expect(rows.count == 2)
        #expect(rows.first?.error?.contains("`credit-recon --account 'team a' import charges FILE.csv`") == true,
                "\(rows.first?.error ?? "")")
        #expect(rows.last?.error?.contains("`credit-recon import charges FILE.csv`") == true, "\(rows.last?.error ?? "")")
    }

    @Test func unknownOutcomeIsKeptUntilRetryUnknown() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(2))
        let flaky = FakeChargeCreator { call, index in
            call.amount == Micros(raw: 1_500_000)
                ? .unknown(status: 502, message: "outcome unknown: 502", rawBody: nil)
                : .created(FakeChargeCreator.charge(index))
        }
        let first = try await bench.run(plan, client: flaky)
        #expect(first.unknown == 1)
        #expect(first.exitStatus == .attention)

        let fake = FakeChargeCreator()
        let second = try await bench.run(plan, client: fake)
        #expect(fake.calls.isEmpty)
        #expect(second.skippedUnknown == 1)

        let third = try await bench.run(plan, client: fake, retryUnknown: true)
        #expect(fake.calls.count == 1)
        #expect(third.created == 1)
        #expect(third.exitStatus == .ok)
        let attempts = try bench.ledger.read { try $0.topUp(account: "acct", reference: "R-01")?.attempts }
        #expect(attempts == 2)
    }

    /// A row the API refused for what it asks (a 400) is not sent again, the same row would
    /// be refused again (README: fix it under a new reference); one refused for the key, the
    /// address or the rate (401, 403, 404, 429) is, once that is fixed. Nothing was created
    /// either way.
    @Test(arguments: [(400, false), (422, false), (401, true), (403, true), (404, true), (429, true)])
    func aRowRefusedForItselfIsNotSentAgain(status: Int, sentAgain: Bool) async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(2))
        let refusing = FakeChargeCreator { _, _ in .rejected(status: status, message: "refused", rawBody: "{}") }
        let first = try await bench.run(plan, client: refusing, concurrency: 1)
        #expect(first.rejected >= 1)
        // A 404 is the base URL, not the row: the run stops there (78, check --base-url). A
        // row refused for the rate is sent by the next run on its own: nothing for a person
        // (the real client stops the run, 75, when it gives up on a 429).
        #expect(first.exitStatus == (status == 404 ? .config : status == 429 ? .ok : .attention))
        #expect(first.notStarted == (status == 404 ? 1 : 0))
        let fake = FakeChargeCreator()
        let second = try await bench.run(plan, client: fake)
        #expect(fake.calls.count == (sentAgain ? first.rejected : 0) + (2 - first.rejected))
        #expect(second.skippedRejected == (sentAgain ? 0 : first.rejected))
        #expect(second.exitStatus == (sentAgain ? .ok : .attention))
    }

    /// A timeout said by the server or a proxy (408, 499) may follow a request passed on:
    /// its outcome is unknown, not "nothing was created".
    @Test func aTimeoutStatusIsAnUnknownOutcome() {
        for status in [408, 499] {
            guard case .unknown(status?, _, _) = ChargeAnswer(APIError.badRequest(status: status, message: "timeout", rawBody: nil))
            else { Issue.record("\(status) is not unknown"); continue }
        }
        guard case .rejected = ChargeAnswer(APIError.badRequest(status: 400, message: "bad", rawBody: nil)) else {
            Issue.record("400 is a rejection")
            return
        }
    }

    /// A 404 means --base-url is not the API's root: the run stops at the first one with 78,
    /// saying so, instead of exit 1 and advice to fix the row.
    @Test func aWrongBaseURLStopsTheRunWith78() async throws {
        let answer = ChargeAnswer(APIError.badRequest(status: 404, message: "Not Found", rawBody: nil))
        guard case .rejected(404?, let message, _) = answer else {
            Issue.record("404 is not a rejection: \(answer)")
            return
        }
        #expect(message.contains("--base-url (or OPENROUTER_BASE_URL) is not the API's root"), "\(message)")
        #expect(!message.contains("fix the row"))
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(5))
        let astray = FakeChargeCreator { _, _ in answer }
        let summary = try await bench.run(plan, client: astray, concurrency: 1)
        #expect(astray.calls.count == 1)
        #expect(summary.exitStatus == .config)
        #expect(summary.text.contains("stopped: the API answered 404"), "\(summary.text)")
    }

    @Test func refusedKeyStopsTheRunWith77() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(5))
        let refused = FakeChargeCreator { _, _ in .keyRefused(status: 401, message: "key not accepted") }
        let summary = try await bench.run(plan, client: refused, concurrency: 1)
        #expect(refused.calls.count == 1)
        #expect(summary.notStarted == 4)
        #expect(summary.exitStatus == .noPermission)
        #expect(try bench.states().values.filter { $0 == "planned" }.count == 4)
    }

    /// A charge refused for its key names the charge's key (the bearer), not `fetch`'s
    /// management key: the advice said fetch needs a management key.
    @Test func aRefusedChargeKeyNamesTheBearer() {
        for (error, status) in [(APIError.unauthorized(message: "invalid token"), 401), (APIError.forbidden(message: "no purchase rights"), 403)] {
            guard case .keyRefused(let refused, let message) = ChargeAnswer(error) else {
                Issue.record("not keyRefused: \(ChargeAnswer(error))")
                continue
            }
            #expect(refused == status)
            #expect(message.contains("OPENROUTER_BEARER (or --bearer-file"), "\(message)")
            #expect(!message.contains("management key") && !message.contains("fetch"), "\(message)")
        }
    }

    /// The rows a stopped run planned but never sent are in the report and in `status` until
    /// the plan's next run sends them; they were in neither (only the refused row was).
    @Test func rowsAStoppedRunNeverSentAreReportedUntilSent() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(3))
        let refused = FakeChargeCreator { _, _ in .keyRefused(status: 401, message: "key not accepted") }
        _ = try await bench.run(plan, client: refused, concurrency: 1)

        let books = try Reconciler(options: ReconcileOptions(account: "acct")).reconcile(bench.ledger)
        // In the order the rows reached their state: planned together, then the first one refused.
        #expect(books.charges.map(\.state) == [.planned, .planned, .rejected])
        let unsent = books.charges.filter { $0.state == .planned }
        #expect(unsent.map(\.reference) == ["R-02", "R-03"])
        #expect(unsent.map(\.amount) == [reconMicros("2.50"), reconMicros("3.50")])
        #expect(unsent.allSatisfy { $0.chargeID == nil && $0.batch == "topups" && $0.memo != nil })
        let findings = books.findings.filter { $0.kind == .topUpNotSent }
        #expect(findings.map(\.reference) == ["R-02", "R-03"])
        #expect(findings.allSatisfy { $0.severity == .warning })
        #expect(findings.first?.message == "R-02 (2.5) was planned from topups but its charge was never requested: the run "
            + "stopped first. Run `credit-recon --account acct topup topups.csv` again to send it.")
        let csv = ReportText.rendered(ReportFiles.chargesCSV, books).string
        #expect(csv.contains(",R-02,topups,acct,api,"), "\(csv)")
        #expect(csv.contains(",planned,,planned by a run that stopped before sending it (or is still running),row 2\r\n"), "\(csv)")

        let status = try StatusReport.read(ledger: bench.ledger, options: StatusOptions(account: "acct"), now: Timestamp.now())
        #expect(status.planned.count == 2)
        #expect(status.planned.amount == reconMicros("6"))
        // No reading yet: that needs attention, and so do the rows (they were said only with readings).
        // The account is named: a plain `fetch` would read the default one (it was not).
        #expect(status.attention.first == "there are no readings yet: run `credit-recon --account acct fetch`")
        #expect(ShellWord.quoted("ops team's") == #"'ops team'\''s'"# && ShellWord.quoted("eu-1") == "eu-1")
        // A value beginning with `-` is given with `=`, or the parser takes it for an option
        // ("Missing value for '--batch <name>'", probe 463).
        #expect(TopUpEngine.planCommand(planFile: "-p.csv", batch: "-b", account: "-acc", "--yes")
            == "credit-recon --account=-acc topup ./-p.csv --batch=-b --yes")
        #expect(TopUpEngine.planCommand(planFile: "p.csv", batch: "b 1", account: "default", named: true)
            == "credit-recon topup p.csv --batch 'b 1'")
        // A control character is spelled out: shown as a space or `?`, it named another file
        // (probe 465).
        #expect(ShellWord.quoted("p\nx'\\\u{1b}\u{85}.csv") == #"$'p\nx\'\\\x1b\u0085.csv'"#)
        #expect(status.attention.contains("2 top-up rows planned but never sent (6.00 USD): the run that planned them stopped "
            + "first or could not reach the API; run `credit-recon --account acct topup topups.csv` again to send them"))
        #expect(status.lines.contains { $0.hasSuffix("0 blocked (0.00); 2 planned, not sent (6.00)") })
        #expect(status.json.text.contains(#""planned":{"amount":"6","count":2}"#), "\(status.json.text)")

        // The plan's next run sends them (and the refused row, refused for the key): none is left unsent.
        _ = try await bench.run(plan, client: FakeChargeCreator(), concurrency: 1)
        let after = try Reconciler(options: ReconcileOptions(account: "acct")).reconcile(bench.ledger)
        #expect(!after.charges.contains { $0.state == .planned })
        #expect(!after.findings.contains { $0.kind == .topUpNotSent })
        #expect(try StatusReport.read(ledger: bench.ledger, options: StatusOptions(account: "acct"), now: Timestamp.now())
            .planned.count == 0)
    }

    @Test func notSentIsRetryableAndStopsWith69() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(3))
        let down = FakeChargeCreator { _, _ in .notSent(status: nil, message: "not sent: connection refused", rateLimited: false) }
        let first = try await bench.run(plan, client: down, concurrency: 1)
        #expect(first.notSent == 1)
        #expect(first.exitStatus == .unavailable)
        // Its log line says "not sent", as the summary counts it (it said "rejected").
        #expect(TopUpEngine.fact(for: .notSent(status: nil, message: "m", rateLimited: false), key: "k").1 == "not sent")
        // Once: the detail after the state drops the message's own "not sent: " (probe 185:
        // `not sent — not sent: the API is rate limiting us`); the ledger keeps it whole.
        let (fact, state, detail) = TopUpEngine.fact(
            for: .notSent(status: 429, message: "not sent: the API is rate limiting us; run topup again to send it", rateLimited: true),
            key: "k")
        #expect("\(state) — \(detail)" == "not sent — the API is rate limiting us; run topup again to send it")
        guard case .chargeRejected(let failed) = fact else { Issue.record("\(fact)"); return }
        #expect(failed.message == "not sent: the API is rate limiting us; run topup again to send it")
        // An unknown outcome's advice names the plan the row came from, as it is typed again
        // (probe 190: `topup PLAN.csv --retry-unknown` after a run of `d ir/nov.csv`), with its
        // batch and account where they are not the defaults (probe 434).
        let unknown = ChargeAnswer.unknown(status: 502, message: ChargeAnswer.unknownAdvice("HTTP 502: bad gateway"), rawBody: nil)
        for (plan, batch, said) in [("d ir/nov.csv", "nov", "`topup 'd ir/nov.csv' --retry-unknown`"),
                                    ("-x.csv", "-x", "`topup ./-x.csv --retry-unknown`"),
                                    ("", "", "`topup PLAN.csv --retry-unknown`"),
                                    ("nov.csv", "bee", "`topup nov.csv --batch bee --retry-unknown`")] {
            let resend = TopUpEngine.retryUnknownCommand(planFile: plan, batch: batch, account: "default")
            let (recorded, _, line) = TopUpEngine.fact(for: unknown, key: "k", resend: resend)
            guard case .chargeUnknown(let failure) = recorded else { Issue.record("\(recorded)"); continue }
            #expect(failure.message.hasSuffix("re-send with \(said), which sends every row still unknown again") && line == failure.message,
                    "\(failure.message)")
        }
        // Sent again by the next run on its own: counted as not sent, not as a row for a person.
        #expect(first.attention.isEmpty, "\(first.text)")
        #expect(!first.text.contains("needs a person"), "\(first.text)")
        // Where the rows stand, as the reports say it (the one not sent was `rejected` there).
        #expect(first.states == ["planned": 3] && first.stateTotals.keys.sorted() == ["planned"], "\(first.states)")
        // In the books, all three are rows not sent (one stored `rejected` after its request
        // never reached the API): a `topup_not_sent` warning each and in `status`. The one
        // that never reached the API was a `charge_rejected` "was refused", left out of `status`.
        let books = try Reconciler(options: ReconcileOptions(account: "acct")).reconcile(bench.ledger)
        #expect(books.charges.map(\.state) == [.planned, .planned, .planned])
        #expect(books.findings.filter { $0.kind != .runFailed }.map(\.kind) == [.topUpNotSent, .topUpNotSent, .topUpNotSent])
        #expect(books.charges.last?.error == "not sent: connection refused")
        #expect(books.findings.last?.message.contains("requested: it never reached the API (not sent)") == true,
                "\(books.findings.map(\.message))")
        let status = try StatusReport.read(ledger: bench.ledger, options: StatusOptions(account: "acct"), now: Timestamp.now())
        #expect(status.planned.count == 3)
        let fake = FakeChargeCreator()
        let second = try await bench.run(plan, client: fake)
        #expect(fake.calls.count == 3)
        #expect(second.states == ["created": 3])
    }

    @Test func concurrencyIsBounded() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(12))
        // The first three calls meet: none answers before three are in flight at once, so
        // the engine must have run three at a time, whatever the machine's load.
        let started = Mutex(0)
        let slow = FakeChargeCreator { _, index in
            started.withLock { $0 += 1 }
            #expect(await waitUntil { started.withLock { $0 } >= 3 }, "never three calls in flight")
            return .created(FakeChargeCreator.charge(index))
        }
        let summary = try await bench.run(plan, client: slow, concurrency: 3)
        #expect(summary.created == 12)
        #expect(slow.maxInFlight <= 3)
        #expect(slow.maxInFlight >= 2)
    }

    /// A server that hands out a charge id the ledger already holds (a simulator restarted
    /// without its state did): the row is `unknown` with the answer kept and a sentence for
    /// a person, not a refused write (exit 70 with the SQL in it).
    @Test func aChargeIDTheLedgerHoldsMakesTheRowUnknown() async throws {
        let bench = try TopUpBench()
        let charge = FakeChargeCreator.charge(0)
        let sameID = FakeChargeCreator { _, _ in .created(charge) }
        let first = try await bench.run(try bench.plan(TopUpBench.planText(1)), client: sameID)
        #expect(first.created == 1)
        let again = try await bench.run(try bench.plan(TopUpBench.planText(1, prefix: "S"), name: "second.csv"), client: sameID)
        #expect(again.created == 0)
        #expect(again.unknown == 1)
        #expect(again.exitStatus == .attention)
        #expect(try bench.states() == ["R-01": "created", "S-01": "unknown"])
        let row = try bench.ledger.read { try $0.allTopUps() }.first { $0.reference == "S-01" }
        #expect(row?.error?.contains("which the ledger already holds (top-up ") == true, "\(row?.error ?? "no message")")
        #expect(try bench.ledger.read { try $0.chargeCount() } == 1)
        #expect(try bench.ledger.verify().isSound)
    }

    /// An answer that says the charge is not what the row asked for (another chain, wallet
    /// or amount), or dates it where no charge made now can be (a year 2999 stretched every
    /// later report over a million days, and the report refused to run for good): the row
    /// is `unknown`, the answer kept, instead of a charge the books count as the row's.
    @Test(arguments: ["chain", "sender", "amount", "future", "expired", "forever", "fits"])
    func anAnswerThatIsNotWhatTheRowAskedForMakesTheRowUnknown(lie: String) async throws {
        let bench = try TopUpBench()
        let liar = FakeChargeCreator { call, index in
            var charge = FakeChargeCreator.charge(index)
            charge.chainID = call.chainID
            charge.sender = call.sender.lowercased()
            charge.recipientAmount = call.amount
            switch lie {
            case "chain": charge.chainID = call.chainID == 1 ? 8453 : 1
            case "sender": charge.sender = Wallets.d == call.sender ? Wallets.a : Wallets.d
            case "amount": charge.recipientAmount = Micros(raw: call.amount.raw * 100)
            case "future": charge.createdAt = Timestamp(millisecondsSinceEpoch: 32_472_144_000_000)  // 2999-01-01
            case "expired": charge.expiresAt = charge.createdAt.adding(seconds: -1)
            case "forever": charge.expiresAt = charge.createdAt.adding(seconds: 31 * 86_400)
            default: break
            }
            return .created(charge)
        }
        let summary = try await bench.run(try bench.plan(TopUpBench.planText(1)), client: liar)
        let row = try bench.ledger.read { try $0.allTopUps() }.first
        if lie == "fits" {
            #expect(summary.created == 1)
            #expect(row?.state == "created")
            return
        }
        #expect(summary.created == 0 && summary.unknown == 1)
        #expect(row?.state == "unknown")
        #expect(row?.error?.contains("which is not what the row asked for") == true, "\(row?.error ?? "no message")")
        #expect(try bench.ledger.read { try $0.chargeCount() } == 0)
    }

    /// A server's message holding control characters (stored with the row, so shown again
    /// on every later run) cannot drive the terminal through the summary.
    @Test func aServersMessageCannotDriveTheTerminal() async throws {
        let bench = try TopUpBench()
        let failing = FakeChargeCreator { _, _ in .unknown(status: 500, message: "HTTP 500 (bad \u{1B}[2J)", rawBody: nil) }
        let summary = try await bench.run(try bench.plan(TopUpBench.planText(1)), client: failing)
        #expect(summary.text.contains("bad ?[2J"), "\(summary.text)")
        #expect(!summary.text.unicodeScalars.contains("\u{1B}"))
    }

    /// The ledger refuses the write of a created charge's answer (a disk gone, a database
    /// server stopped): the error names the charge as a line `import charges` takes, so it
    /// is recorded once the ledger is back, and the row it resolves needs no second charge.
    @Test func aChargeWhoseAnswerCannotBeWrittenIsNamedForImport() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan("wallet,chain_id,amount,reference\n\(Wallets.a),1,10,\"R,1\"\n")
        final class Raw: @unchecked Sendable {  // used by one request, then by the test
            let db: Database
            init(_ path: String) throws { db = try Database(path: path, create: false) }
        }
        let raw = try Raw(bench.ledgerPath)
        let charge = FakeChargeCreator.charge(0)
        let breaking = FakeChargeCreator { _, _ in
            // The ledger goes away while the request is on the wire.
            try raw.db.execute("CREATE TRIGGER gone BEFORE INSERT ON charges BEGIN SELECT RAISE(ABORT, 'disk gone'); END")
            return .created(charge)
        }
        var said = ""
        do {
            _ = try await bench.run(plan, client: breaking)
            Issue.record("the failed write was not reported")
        } catch let error as ChargesNotRecorded {
            said = error.description
            #expect(error.charges.map(\.charge.id) == [charge.id])
            #expect(error.exitStatus == ExitStatus(for: error.failure))
        }
        let csv = said.split(separator: "\n").drop { !$0.hasPrefix("charge_id,") }.joined(separator: "\n")
        #expect(csv.hasSuffix("\(charge.id),10,\(Wallets.a),1,\(charge.createdAt.iso8601),\(charge.expiresAt.iso8601),\"R,1\",acct"), "\(said)")

        #expect(said.contains("Once the ledger is back, record it with `credit-recon import charges FILE.csv`, FILE.csv "
            + "holding the lines below, each without the `credit-recon: ` it starts with here:"), "\(said)")
        // A lock lost to another writer: the ledger was never away (probe 70).
        let lost = ChargesNotRecorded(failure: LedgerError.writerLockLost(lock: "l.lock", holder: "4242"), charges: [])
        #expect(lost.description.contains("Once the other writer has finished, record them"), "\(lost.description)")
        // As stderr shows it, every line starting `credit-recon: `: the README's recipe
        // gives the file back.
        let printed = said.split(separator: "\n").map { "credit-recon: " + $0 }.joined(separator: "\n") + "\n"
        let sed = Process()
        sed.executableURL = URL(fileURLWithPath: "/bin/sh")
        sed.arguments = ["-c", #"sed -n 's/^credit-recon: \(charge_id,\)/\1/p; /^credit-recon: [^ ]*,[0-9.]*,0x/s/^credit-recon: //p'"#]
        let (input, output) = (Pipe(), Pipe())
        sed.standardInput = input
        sed.standardOutput = output
        try sed.run()
        input.fileHandleForWriting.write(Data(printed.utf8))
        try input.fileHandleForWriting.close()
        let recovered = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sed.waitUntilExit()
        #expect(recovered == csv + "\n", "\(recovered)")

        try raw.db.execute("DROP TRIGGER gone")
        let file = try bench.dir.write("unrecorded.csv", csv + "\n")
        // Imported without the plan's `--account`: the lines name the row's account.
        let imported = try ChargeImport(path: file, displayName: "unrecorded.csv", defaultAccount: "default")
            .run(ledger: bench.ledger, now: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000))
        #expect(imported.linked.map(\.reference) == ["R,1"])
        let fake = FakeChargeCreator()
        _ = try await bench.run(plan, client: fake, retryUnknown: true)
        #expect(fake.calls.isEmpty, "the row is resolved: nothing to send again")
    }

    @Test func signalStopsNewRequestsAndInFlightOnesAreRecorded() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(6))
        let stop = StopFlag()
        let interruption = Interruption()
        interruption.onSignal { name in stop.request(.interrupted(signal: name)) }
        let trap = SignalTrap(interruption, signals: [SIGUSR1])
        defer { trap.cancel() }
        let fake = FakeChargeCreator { _, index in
            if index == 0 {
                kill(getpid(), SIGUSR1)
                // Answer only once the dispatch source delivered, while this request is "in flight".
                #expect(await waitUntil { stop.reason != nil }, "the signal never reached the stop flag")
            }
            return .created(FakeChargeCreator.charge(index))
        }
        let summary = try await bench.run(plan, client: fake, concurrency: 1, stop: stop)
        #expect(fake.calls.count == 1)
        #expect(summary.created == 1)
        #expect(summary.notStarted == 5)
        #expect(summary.exitStatus == .tempFail)
        #expect(try bench.states()["R-01"] == "created")
        // The rest go out on the next run.
        let rest = try await bench.run(plan, client: FakeChargeCreator())
        #expect(rest.created == 5)
    }

    /// A signal after the last row went out stops nothing: it is said so (it said "run
    /// topup again to send the rest"), and the run, stopped, failed (75). The next top-up has
    /// nothing to send, yet records its run, which ended well: `status`, judging the
    /// top-ups by their newest run, said the failure until a top-up had a row to send
    /// (probe 246). Once no failure is there to mend, a top-up with nothing to send writes nothing.
    @Test func aTopUpWithNothingToSendEndsAFailedOnesFailure() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(2))
        let stop = StopFlag()
        let fake = FakeChargeCreator { _, index in
            if index == 1 { stop.request(.interrupted(signal: "SIGTERM")) }
            return .created(FakeChargeCreator.charge(index))
        }
        let stopped = try await bench.run(plan, client: fake, concurrency: 1, stop: stop)
        #expect(stopped.created == 2 && stopped.notStarted == 0 && stopped.exitStatus == .tempFail)
        #expect(stopped.text.contains("stopped by SIGTERM after every row to send was sent: the requests were finished and "
            + "recorded, and none is left to send"), "\(stopped.text)")
        // Unless a row was not sent (a 429): it is left to send (probe 431).
        var throttled = stopped
        throttled.notSent = 1
        #expect(throttled.stoppedText == "stopped by SIGTERM: requests already sent were finished and recorded; run topup again "
            + "to send the rest", "\(throttled.stoppedText ?? "")")
        func status() throws -> StatusReport {
            try StatusReport.read(ledger: bench.ledger, options: StatusOptions(account: "acct"), now: Timestamp.now())
        }
        #expect(try status().failedRuns.map(\.command) == ["topup"])

        // A stage of `run` with nothing to send records nothing: judged with its job, it
        // would be recorded again every night while the top-ups' failure stood.
        let before = try bench.ledger.headHash()
        let engine = bench.engine(plan)
        let stage = try await engine.execute(try engine.prepare(ledger: bench.ledger), ledger: bench.ledger,
                                             client: FakeChargeCreator(), stop: StopFlag(), now: { .now() }, standalone: false)
        #expect(stage.runID == nil)
        #expect(try bench.ledger.headHash() == before)

        let nothing = try await bench.run(plan, client: FakeChargeCreator())
        #expect(nothing.skippedDone == 2 && nothing.exitStatus == .ok)
        #expect(nothing.runID != nil)
        let mended = try status()
        #expect(mended.failedRuns.isEmpty, "\(mended.attention)")
        #expect(try bench.ledger.read { try $0.runs() }.first?.summary == "nothing to send: 2 done")
        let head = try bench.ledger.headHash()
        let again = try await bench.run(plan, client: FakeChargeCreator())
        #expect(again.runID == nil)
        #expect(try bench.ledger.headHash() == head)
        #expect(try bench.ledger.verify().isSound)
    }

    /// A top-up killed before it ended (kill -9, a machine stopped) is the top-ups' failure
    /// in `status` too, and the next top-up, with nothing left to send, records its run so
    /// that its ending well is seen: it recorded nothing, a killed run was no failure to
    /// it, and `status` said "never ended" (exit 1) for good (probe 309).
    @Test func aTopUpWithNothingToSendEndsAKilledOnesFailure() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(2))
        let done = try await bench.run(plan, client: FakeChargeCreator())
        #expect(done.created == 2 && done.exitStatus == .ok)
        try bench.ledger.write { writer in
            _ = try writer.append(.runStarted(RunStarted(command: "topup")), account: "acct", runID: nil, at: .now())
        }
        func status() throws -> StatusReport {
            try StatusReport.read(ledger: bench.ledger, options: StatusOptions(account: "acct"), now: Timestamp.now())
        }
        #expect(try status().failedRuns.map(\.command) == ["topup"])
        let nothing = try await bench.run(plan, client: FakeChargeCreator())
        #expect(nothing.skippedDone == 2 && nothing.exitStatus == .ok && nothing.runID != nil)
        let mended = try status()
        #expect(mended.failedRuns.isEmpty, "\(mended.attention)")
    }

    /// The same plan under another --account label (cron sets CREDIT_RECON_ACCOUNT, a
    /// person at a terminal may not) charged every row again: a new row whose reference,
    /// wallet, chain and amount match another account's top-up is refused (65) naming the
    /// account; another account's own row, with other parameters, goes on.
    @Test func thePlanUnderAnotherAccountLabelIsRefusedBeforeAnythingIsSent() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(3))
        _ = try await bench.run(plan, client: FakeChargeCreator())
        func prepare(_ account: String, _ path: String) throws -> TopUpPreview {
            try TopUpEngine(options: .init(planPath: path, displayName: "topups.csv", batch: nil, account: account))
                .prepare(ledger: bench.ledger)
        }
        #expect {
            _ = try prepare("Acct", plan)
        } throws: { error in
            guard let errors = error as? InputErrors else { return false }
            return errors.errors.count == 3 && errors.errors[0].description.hasPrefix(
                "topups.csv:2: reference: \"R-01\" is already planned for account \"acct\" with the same wallet, chain and amount")
                && errors.errors[0].description.contains("run with --account acct")
        }
        let other = try bench.plan(TopUpBench.planText(3).replacingOccurrences(of: ".50,", with: ".75,"), name: "other.csv")
        #expect(try prepare("ops", other).toSend.count == 3)
        // Under a label that only looks like another's, it is refused as such (probe 243).
        #expect {
            _ = try prepare("Acct", other)
        } throws: { error in
            (error as? InputErrors)?.errors.first?.description.contains(#"account: "Acct" looks like account "acct", which the ledger holds"#) == true
        }
        // A row whose account the plan's column gives is told to fix the column: --account moves it not.
        let column = try bench.plan(TopUpBench.planText(1).replacingOccurrences(of: "memo\n", with: "memo,account\n")
            .replacingOccurrences(of: ",row 1\n", with: ",row 1,Acct\n"), name: "column.csv")
        #expect {
            _ = try prepare("acct", column)
        } throws: { error in
            guard let errors = error as? InputErrors else { return false }
            return errors.errors.first?.description.contains("set its account column to acct") == true
        }
        // The account to run with, quoted for a shell (probe 446: `--account team a`).
        _ = try await bench.run(other, client: FakeChargeCreator(), account: "team a")
        #expect {
            _ = try prepare("ops", other)
        } throws: { error in
            String(describing: error).contains("if it is that account's plan, run with --account 'team a';")
        }
    }

    /// Rows without a reference are keyed by batch, wallet, chain, amount and occurrence:
    /// the same plan under another account label is the same rows, refused the same way.
    @Test func rowsWithoutReferenceUnderAnotherAccountLabelAreRefusedToo() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan("wallet,chain_id,amount\n\(Wallets.a),1,10\n\(Wallets.a),1,10\n")
        #expect(try await bench.run(plan, client: FakeChargeCreator()).created == 2)
        let engine = TopUpEngine(options: .init(planPath: plan, displayName: "topups.csv", batch: nil, account: "other"))
        #expect {
            _ = try engine.prepare(ledger: bench.ledger)
        } throws: { error in
            guard let errors = error as? InputErrors else { return false }
            return errors.errors.count == 2 && errors.errors[1].description.hasPrefix(
                "topups.csv:3: wallet: this row (no reference) of batch topups is already planned for account \"acct\"")
        }
        // Another batch is other rows, which repeat the purchases of the other account's just made:
        // sent only when said to be new (--allow-repeat).
        let again = TopUpEngine(options: .init(planPath: plan, displayName: "topups.csv", batch: "december", account: "other"))
        #expect(throws: InputErrors.self) { try again.prepare(ledger: bench.ledger) }
        let allowed = TopUpEngine(options: .init(planPath: plan, displayName: "topups.csv", batch: "december", account: "other",
                                                 allowRepeat: true))
        #expect(try allowed.prepare(ledger: bench.ledger).toSend.count == 2)
        // A row refused for its memo alone is still the first of its purchase's rows: the next is
        // the second, checked as such against the ledger, where `plan check` lists every problem
        // at once, the first row's own among them (probe 288: numbered first, the next was blamed
        // for the other account's first row).
        let memo = try bench.plan("wallet,chain_id,amount,memo\n\(Wallets.a),1,10,\"bad\u{01}memo\"\n\(Wallets.a),1,10,ok\n",
                                  name: "memo.csv")
        let checking = TopUpEngine(options: .init(planPath: memo, displayName: "memo.csv", batch: "topups", account: "other"))
        let keyed = try checking.readPlan(keepingProblems: true)
        #expect(keyed.problems?.total == 1)
        #expect {
            _ = try checking.prepare(ledger: bench.ledger, plan: keyed)
        } throws: { error in
            guard let errors = error as? InputErrors else { return false }
            let said = errors.errors.map(\.description)
            // And that row's own clash is said with its memo, every problem at once.
            return said.count == 3 && said[0].hasPrefix("memo.csv:2: memo:") && said[1].hasPrefix("memo.csv:2: wallet: this row")
                && said[1].contains(":2, now created)") && said[2].hasPrefix("memo.csv:3: wallet: this row")
                && said[2].contains(":3, now created)")
        }
        // Of its own account, that row is the plan's first, done: the row after it repeats no
        // purchase (probe 297: its purchase, matched to no row, was said repeated by the next).
        let mine = try bench.plan("wallet,chain_id,amount,memo\n\(Wallets.a),1,10,\"bad\u{01}memo\"\n\(Wallets.a),1,10,ok\n"
            + "\(Wallets.a),1,10,ok\n", name: "mine.csv")
        let own = TopUpEngine(options: .init(planPath: mine, displayName: "mine.csv", batch: "topups", account: "acct"))
        #expect {
            _ = try own.prepare(ledger: bench.ledger, plan: try own.readPlan(keepingProblems: true))
        } throws: { error in
            let said = (error as? InputErrors)?.errors.map(\.description) ?? []
            return said.count == 1 && said[0].hasPrefix("mine.csv:2: memo:")
        }
    }

    @Test func editedReferenceRowIsRefusedBeforeAnythingIsSent() async throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(3))
        _ = try await bench.run(plan, client: FakeChargeCreator())
        let edited = try bench.plan(TopUpBench.planText(3).replacingOccurrences(of: "2.50,R-02", with: "20.50,R-02")
            + "\(Wallets.d),1,7,R-NEW,\n")
        let fake = FakeChargeCreator()
        await #expect {
            _ = try await bench.run(edited, client: fake)
        } throws: { error in
            guard let errors = error as? InputErrors else { return false }
            return errors.exitStatus == .dataError && errors.errors.count == 1
                && errors.errors[0].description.hasPrefix("topups.csv:3: reference: \"R-02\" was already planned")
        }
        #expect(fake.calls.isEmpty)
    }

    @Test func rowsWithoutReferenceAreKeyedByOccurrence() async throws {
        let bench = try TopUpBench()
        let text = "wallet,chain_id,amount\n\(Wallets.a),1,10\n\(Wallets.b),1,10\n"
        let plan = try bench.plan(text)
        let fake = FakeChargeCreator()
        _ = try await bench.run(plan, client: fake)
        #expect(fake.calls.count == 2)
        // A repeated identical row is a second top-up; reordering changes nothing.
        let grown = try bench.plan("wallet,chain_id,amount\n\(Wallets.b),1,10\n\(Wallets.a),1,10\n\(Wallets.a),1,10\n")
        let summary = try await bench.run(grown, client: fake)
        #expect(fake.calls.count == 3)
        #expect(summary.created == 1)
        #expect(summary.skippedDone == 2)
        // Another batch name makes new keys (rows that repeat the purchases just made: sent
        // only when said to be new).
        #expect(throws: InputErrors.self) { try bench.engine(grown, batch: "december").prepare(ledger: bench.ledger) }
        let other = TopUpEngine(options: .init(planPath: grown, displayName: "topups.csv", batch: "december", account: "acct",
                                               allowRepeat: true))
        #expect(try other.prepare(ledger: bench.ledger).toSend.count == 3)
    }

    @Test func maxTotalRefusesTheBatch() throws {
        let bench = try TopUpBench()
        let plan = try bench.plan(TopUpBench.planText(3))  // 1.50 + 2.50 + 3.50
        let refused = #expect(throws: TopUpError.self) {
            _ = try bench.engine(plan, maxTotal: Micros(raw: 7_000_000)).prepare(ledger: bench.ledger)
        }
        // Each row named, by its line and reference (probe 413: only their count).
        #expect(refused.map { "\($0)" }?.hasPrefix("the 3 rows to send (line 2 (R-01), line 3 (R-02), line 4 (R-03)) come to 7.50 USD, "
            + "more than --max-total 7.00 USD; nothing was sent") == true, "\(String(describing: refused))")
        #expect(TopUpError.overMaxTotal(total: .zero, max: .zero, rows: 12, named: ["line 2"]).description
            .hasPrefix("the 12 rows to send (line 2, …) come to"))
        #expect(TopUpError.overMaxTotal(total: Micros(raw: 7_500_000), max: Micros(raw: 7_000_000), rows: 3).description
            .hasPrefix("the 3 rows to send come to 7.50 USD, more than --max-total 7.00 USD; nothing was sent"))
        #expect(TopUpError.overMaxTotal(total: Micros(raw: 7_500_000), max: Micros(raw: 7_000_000), rows: 1).description
            .hasPrefix("the 1 row to send comes to 7.50 USD"))
        _ = try bench.engine(plan, maxTotal: Micros(raw: 7_500_000)).prepare(ledger: bench.ledger)
    }

    @Test func dryRunPreviewWritesNothing() throws {
        let dir = try PlanTempDir()
        let plan = try dir.write("topups.csv", TopUpBench.planText(4))
        let ledgerPath = dir.path("ledger.sqlite")
        let engine = TopUpEngine(options: .init(planPath: plan, account: "acct"))
        let preview = try engine.prepare(ledger: nil)
        #expect(!FileManager.default.fileExists(atPath: ledgerPath))
        let table = preview.table()
        #expect(table.contains("batch topups: 4 charges to create, 12.00 USD in total"))
        #expect(table.contains("polygon"))
        #expect(table.contains("R-04"))
    }

    @Test func dryRunAgainstALedgerShowsNewVersusDoneAndChangesNothing() async throws {
        let bench = try TopUpBench()
        _ = try await bench.run(try bench.plan(TopUpBench.planText(3)), client: FakeChargeCreator())
        let head = try bench.ledger.headHash()
        let preview = try bench.engine(try bench.plan(TopUpBench.planText(5))).prepare(ledger: bench.ledger)
        #expect(preview.count(.done) == 3)
        #expect(preview.toSend.map(\.row.reference) == ["R-04", "R-05"])
        let table = preview.table()
        #expect(table.contains("batch topups: 2 charges to create, 10.00 USD in total"))
        // Unknown rows are recorded before any is sent again (probe 295: "see --retry-unknown" alone).
        // Advice only for a count above 0 (probe 416: "0 with an unknown outcome (`import charges` those made …)").
        #expect(table.contains("skipped: 3 already done, 0 blocked, 0 with an unknown outcome, 0 rejected by the API"), "\(table)")
        #expect(table.split(separator: "\n").filter { $0.contains(" done ") }.count == 3)
        #expect(try bench.ledger.headHash() == head)
    }

    @Test func yesIsRequiredWithoutATerminal() throws {
        let bench = try TopUpBench()
        let preview = try bench.engine(try bench.plan(TopUpBench.planText(2))).prepare(ledger: bench.ledger)
        #expect(throws: TopUpError.confirmationRequired(plan: preview.planFile)) {
            try TopUpConfirmation.check(preview, yes: false, isTerminal: false, show: { _ in }, ask: { "y\n" })
        }
        #expect(TopUpError.confirmationRequired(plan: preview.planFile).exitStatus == .usage)
        try TopUpConfirmation.check(preview, yes: true, isTerminal: false, show: { _ in }, ask: { nil })
        var shown = ""
        try TopUpConfirmation.check(preview, yes: false, isTerminal: true, show: { shown += $0 }, ask: { "y\n" })
        #expect(shown.contains("Create 2 charges for 4.00 USD?"))
        #expect(throws: TopUpError.declined) {
            try TopUpConfirmation.check(preview, yes: false, isTerminal: true, show: { _ in }, ask: { "" })
        }
        // The end of input (Ctrl-D) declines too, also after `y` with no Enter (probe 401: it
        // made the charges), and ends the prompt's line (probe 399: the next message stood on it).
        // Each shown as the CLI shows it: a line, or the prompt, which ends in a space.
        for answer in [nil, "y", "yes"] as [String?] {
            var atEnd = ""
            #expect(throws: TopUpError.declined) {
                try TopUpConfirmation.check(preview, yes: false, isTerminal: true,
                                            show: { atEnd += $0.hasSuffix(" ") ? $0 : $0 + "\n" }, ask: { answer })
            }
            #expect(atEnd.hasSuffix("? [y/N] \n"), "\(atEnd.debugDescription)")
        }
    }
}
