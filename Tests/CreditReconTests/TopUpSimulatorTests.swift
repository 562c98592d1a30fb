@testable import CreditRecon
import CreditTypes
import Foundation
import Ledger
import Logging
import OpenRouterAPI
import OpenRouterSimulator
import Testing

/// The top-up flow against the real simulator, in process on 127.0.0.1:0.
struct TopUpSimulatorTests {
    /// Runs `body` with a started simulator and a client for it; both always shut down.
    private func withSimulator(
        coinbase: SimulatorOptions.CoinbaseMode = .available, rateLimit: Double? = nil, failRate: Double = 0,
        _ body: (SimulatorServer, OpenRouterClient) async throws -> Void
    ) async throws {
        var options = SimulatorOptions()
        options.coinbase = coinbase
        options.rateLimit = rateLimit
        options.failRate = failRate
        let server = try await SimulatorServer.start(options)
        let client = OpenRouterClient(configuration: ClientConfiguration(
            baseURL: server.baseURL, bearer: Secret(options.managementKey), timeout: .seconds(10),
            maxRetryTime: .seconds(10)))
        do {
            try await body(server, client)
        } catch {
            await client.shutdown()
            await server.shutdown()
            throw error
        }
        await client.shutdown()
        await server.shutdown()
    }

    @Test func fortyRowsCreateExactlyFortyChargesAndARerunCreatesNone() async throws {
        try await withSimulator { server, client in
            let bench = try TopUpBench()
            let plan = try bench.plan(TopUpBench.planText(40))
            let first = try await bench.run(plan, client: client)
            #expect(first.created == 40)
            #expect(first.exitStatus == .ok)
            let state = await server.state()
            #expect(state.charges.count == 40)
            // Every charge the simulator holds is one the ledger holds, with the same amount.
            for charge in state.charges {
                let stored = try bench.ledger.read { try $0.charge(id: charge.id) }
                #expect(stored?.amount == charge.amount)
            }
            let requests = await server.apiRequestCount()

            let second = try await bench.run(plan, client: client)
            #expect(second.created == 0)
            #expect(second.skippedDone == 40)
            #expect(await server.state().charges.count == 40)
            #expect(await server.apiRequestCount() == requests)
            #expect(try bench.ledger.verify().isSound)
        }
    }

    /// A row whose purchase was charged longer ago than the repeat window by this machine's
    /// clock makes `topup` check that clock against the API's (`GET /key`, its `Date`)
    /// before its first charge: a copy of a plan run on a clock 13 hours ahead took the
    /// purchases made an hour before for older than 12 hours and bought them again (probe
    /// 99). Refused (78), nothing sent or written; `--now` is not checked; on a right clock
    /// the copy is a repeat (65).
    @Test func aCopyOnAClockFarAheadIsRefusedBeforeTheFirstCharge() async throws {
        try await withSimulator { server, _ in
            let directory = try TemporaryDirectory()
            let rows = "wallet,chain,amount\n\(Wallets.a),base,10\n"
            let plan = try directory.write("topups.csv", rows), copy = try directory.write("topups (1).csv", rows)
            func stage(_ path: String, _ clock: CommandClock) -> TopUpStage {
                let context = CommandContext(
                    ledgerPath: directory.path("ledger.sqlite"), baseURL: server.baseURL, account: "ops",
                    timeout: .seconds(5), maxRetryTime: .seconds(1), json: false, logger: Logger(label: "test"),
                    clock: clock, environment: ["OPENROUTER_API_KEY": "sim-management-key"])
                return TopUpStage(context: context, options: .init(planPath: path, account: "ops", now: context.now()),
                                  rateLimit: nil, yes: true)
            }
            guard case .finished(let first) = try await stage(plan, CommandClock()).run(isTerminal: false, showProgress: false),
                  first.created == 1 else { Issue.record("the plan was not sent"); return }
            let ledger = try Ledger(path: directory.path("ledger.sqlite"))
            let head = try ledger.headHash()
            let later = Timestamp.now().adding(seconds: 13 * 3600)
            let ahead = await #expect(throws: UsageError.self) {
                _ = try await stage(copy, CommandClock(systemClockAt: later)).run(isTerminal: false, showProgress: false)
            }
            #expect(ahead.map { ExitStatus(for: $0) } == .config)
            let said = ahead.map { ExitStatus.message(for: $0) } ?? ""
            #expect(said.contains("the clock is 13.0 hours ahead") && said.hasSuffix("run topup again, or give --now; nothing was sent"),
                    "\(said)")
            // And a year and more ahead (probe 101: past the year the check looked back, bought again).
            let yearAhead = await #expect(throws: UsageError.self) {
                _ = try await stage(copy, CommandClock(systemClockAt: .now().adding(seconds: 400 * 86_400)))
                    .run(isTerminal: false, showProgress: false)
            }
            #expect(yearAhead.map { ExitStatus.message(for: $0) }?.contains("the clock is 9600.0 hours ahead") == true)
            let charges = await server.state().charges.count
            #expect(try charges == 1 && ledger.headHash() == head)
            // On the right clock the copy is a repeat.
            await #expect(throws: InputErrors.self) { _ = try await stage(copy, CommandClock()).run(isTerminal: false, showProgress: false) }
            // --now dates deliberately, and is not checked.
            guard case .finished(let dated)? = try? await stage(copy, CommandClock(start: later)).run(isTerminal: false, showProgress: false)
            else { Issue.record("--now was checked"); return }
            #expect(dated.created == 1)
        }
    }

    /// A clock check that the API cannot answer (500 on every request) stops the top-up as
    /// a charge request's 500 would stop it, its rows not started (69), rather than each
    /// row waiting the retry budget again (probe 100) or a 500 leaving it unknown.
    @Test func aClockCheckTheAPICannotAnswerStopsTheTopUp() async throws {
        try await withSimulator(failRate: 1) { server, _ in
            let directory = try TemporaryDirectory()
            let ledgerPath = directory.path("ledger.sqlite")
            // A purchase made 13 hours ago, by both clocks.
            let before = Timestamp.now().adding(seconds: -13 * 3600)
            try Ledger.create(at: ledgerPath) { _ in }
            try Ledger(path: ledgerPath).write { writer in
                let facts: [Fact] = [
                    .topUpPlanned(TopUpPlanned(key: "row/ops/topups/\(Wallets.a)/8453/10/1", batch: "topups", reference: nil,
                                               wallet: Wallets.a, chainID: 8453, amount: Micros(raw: 10_000_000), memo: nil,
                                               planFile: "topups.csv", planLine: 2)),
                    .chargeRequested(ChargeRequested(key: "row/ops/topups/\(Wallets.a)/8453/10/1", attempt: 1)),
                    .chargeCreated(ChargeCreated(key: "row/ops/topups/\(Wallets.a)/8453/10/1", chargeID: "ch_before",
                                                 createdAt: before, expiresAt: before.adding(seconds: 3600), callData: nil, rawBody: "{}")),
                ]
                for fact in facts { try writer.append(fact, account: "ops", runID: nil, at: before) }
            }
            let copy = try directory.write("topups (1).csv", "wallet,chain,amount\n\(Wallets.a),base,10\n")
            let context = CommandContext(
                ledgerPath: ledgerPath, baseURL: server.baseURL, account: "ops", timeout: .seconds(5), maxRetryTime: .seconds(1),
                json: false, logger: Logger(label: "test"), clock: CommandClock(),
                environment: ["OPENROUTER_API_KEY": "sim-management-key"])
            let stage = TopUpStage(context: context, options: .init(planPath: copy, account: "ops", now: context.now()),
                                   rateLimit: nil, yes: true)
            guard case .finished(let summary) = try await stage.run(isTerminal: false, showProgress: false) else {
                Issue.record("declined"); return
            }
            #expect(summary.exitStatus == .unavailable && summary.notStarted == 1 && summary.created == 0, "\(summary)")
            #expect(summary.stopReason?.description.contains("GET /key, the clock's check before the first charge, failed") == true,
                    "\(String(describing: summary.stopReason))")
            let charges = await server.state().charges.count
            #expect(charges == 0)
        }
    }

    /// A request a crashed run left under way, which the next run marks unknown without
    /// sending anything, is a warning in the log of a run without a terminal, as a row this
    /// run left for a person is: a log kept at warning had no word of it (probe 175).
    @Test func aRequestLeftUnderWayIsAWarningInTheLog() async throws {
        try await withSimulator { server, _ in
            let directory = try TemporaryDirectory()
            let ledgerPath = directory.path("ledger.sqlite")
            let key = "row/ops/topups/\(Wallets.a)/8453/10/1"
            try Ledger.create(at: ledgerPath) { _ in }
            try Ledger(path: ledgerPath).write { writer in
                let facts: [Fact] = [
                    .topUpPlanned(TopUpPlanned(key: key, batch: "topups", reference: nil, wallet: Wallets.a, chainID: 8453,
                                               amount: Micros(raw: 10_000_000), memo: nil, planFile: "topups.csv", planLine: 2)),
                    .chargeRequested(ChargeRequested(key: key, attempt: 1)),
                ]
                for fact in facts { try writer.append(fact, account: "ops", runID: nil, at: .now()) }
            }
            let plan = try directory.write("topups.csv", "wallet,chain,amount\n\(Wallets.a),base,10\n")
            let said = InterruptionTests.Said()
            let context = CommandContext(
                ledgerPath: ledgerPath, baseURL: server.baseURL, account: "ops", timeout: .seconds(5), maxRetryTime: .seconds(1),
                json: true, logger: Logger(label: "test") { _ in said }, clock: CommandClock(),
                environment: ["OPENROUTER_API_KEY": "sim-management-key"])
            let stage = TopUpStage(context: context, options: .init(planPath: plan, account: "ops", now: context.now()),
                                   rateLimit: nil, yes: true)
            guard case .finished(let summary) = try await stage.run(isTerminal: false, showProgress: false) else {
                Issue.record("declined"); return
            }
            #expect(summary.recovered == 1 && summary.created == 0, "\(summary)")
            #expect(said.warnings.withLock { $0 } == [
                "1 request left unanswered by an earlier run marked unknown, not sent again by this run: check the dashboard, "
                    + "then `import charges` it before `credit-recon --account ops topup \(ShellWord.plan(plan)) --retry-unknown`, which sends every row still "
                    + "unknown again",
            ], "\(said.lines.withLock { $0 })")
            // Run again, the row now unknown from an earlier run: said too, where the log had no
            // word of why the run exited 1 (probe 201).
            said.warnings.withLock { $0 = [] }
            guard case .finished(let again) = try await stage.run(isTerminal: false, showProgress: false) else {
                Issue.record("declined"); return
            }
            #expect(again.exitStatus == .attention && again.recovered == 0, "\(again)")
            #expect(said.warnings.withLock { $0 } == [
                "1 row an earlier run left for a person (1 unknown), not sent by this run: `credit-recon --account ops topup \(ShellWord.plan(plan)) --dry-run` "
                    + "lists them, and `status` says what each needs",
            ], "\(said.lines.withLock { $0 })")
            // The dry run exits as the run did: 1, the unknown row needing a person (it exited 0).
            let preview = try stage.preview()
            #expect(preview.count(.unknown) == 1 && preview.exitStatus == .attention)
            let charges = await server.state().charges.count
            #expect(charges == 0)
        }
    }

    @Test func wrongChecksumOnLineSixSendsNothing() async throws {
        try await withSimulator { server, client in
            let bench = try TopUpBench()
            var lines = TopUpBench.planText(8).split(separator: "\n").map(String.init)
            // Line 6 is data row 5 (wallet b): flip the case of one letter.
            lines[5] = lines[5].replacingOccurrences(of: Wallets.b, with: "0xfb6916095ca1df60bB79Ce92cE3Ea74c37c5d359")
            let plan = try bench.plan(lines.joined(separator: "\n") + "\n")
            await #expect {
                _ = try await bench.run(plan, client: client)
            } throws: { error in
                guard let errors = error as? InputErrors else { return false }
                return errors.exitStatus == .dataError && errors.errors.count == 1
                    && errors.errors[0].description.hasPrefix("topups.csv:6: wallet:")
            }
            #expect(await server.apiRequestCount() == 0)
            #expect(try bench.ledger.read { try $0.journalCount() } == 0)
        }
    }

    @Test func goneBlocksFiveRowsAndTheSecondRunSendsNone() async throws {
        try await withSimulator(coinbase: .gone) { server, client in
            let bench = try TopUpBench()
            let plan = try bench.plan(TopUpBench.planText(5))
            let first = try await bench.run(plan, client: client)
            #expect(first.blocked == 5)
            #expect(first.exitStatus == .attention)
            #expect(first.exitStatus.rawValue == 1)
            #expect(first.attention.allSatisfy { $0.state == "blocked" && ($0.message ?? "").contains("import charges") })
            let requests = await server.apiRequestCount()
            #expect(requests == 5)

            let second = try await bench.run(plan, client: client)
            #expect(second.skippedBlocked == 5)
            #expect(second.exitStatus == .attention)
            #expect(await server.apiRequestCount() == requests)
            #expect(await server.state().charges.isEmpty)
        }
    }

    @Test func rateLimitedRequestsArePausedAndRetriedNotDuplicated() async throws {
        // One request a second, three sent at once: however slow the machine, two of them
        // meet the limit, wait out Retry-After and are sent again.
        try await withSimulator(rateLimit: 1) { server, client in
            let bench = try TopUpBench()
            let plan = try bench.plan(TopUpBench.planText(3))
            let summary = try await bench.run(plan, client: client, concurrency: 3)
            #expect(summary.created == 3)
            #expect(summary.unknown == 0)
            #expect(await server.state().charges.count == 3)
            // Some requests were answered 429 and re-sent: more requests than charges.
            #expect(await server.apiRequestCount() > 3)
        }
    }
}
