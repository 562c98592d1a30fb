import AsyncWait
import AsyncHTTPClient
import CreditTypes
import Foundation
import OpenRouterSimulator
import PostgresHarness
import Synchronization
import Testing

@testable import OpenRouterAPI

/// The client against the simulator: every answer and every retry rule.
@Suite struct ClientTests {
    @Test func creditsAreExact() async throws {
        try await withSimulator({
            $0.initialCredits = try! Micros(parsing: "1234.567891")
            $0.initialUsage = try! Micros(parsing: "1000.000009")
        }) { _, client in
            let reading = try await client.getCredits()
            #expect(reading.totalCredits == Micros(raw: 1_234_567_891))
            #expect(reading.totalUsage == Micros(raw: 1_000_000_009))
            #expect(reading.rawBody.contains("1234.567891"))
        }
    }

    @Test func inferenceKeyReadsZeros() async throws {
        try await withSimulator({ $0.initialCredits = Micros(raw: 5_000_000) },
                                client: { $0.managementKey = Secret("sim-inference-key") }) { _, client in
            let reading = try await client.getCredits()
            #expect(reading.totalCredits == .zero && reading.totalUsage == .zero)
        }
    }

    @Test func wrongKeyIsUnauthorizedAndNeverPrinted() async throws {
        let logs = CapturedLogs()
        let secret = "sk-or-v1-THIS-MUST-NOT-LEAK"
        try await withSimulator(client: {
            $0.managementKey = Secret(secret)
            $0.bearer = Secret(secret)
            $0.logger = logs.logger
        }) { _, client in
            do throws(APIError) {
                _ = try await client.getCredits()
                Issue.record("a wrong key must be refused")
            } catch {
                guard case .unauthorized = error else { Issue.record("expected 401, got \(error)"); return }
                #expect(error.httpStatus == 401)
                #expect(!error.description.contains(secret))
                #expect(!"\(error)".contains(secret))
                #expect(!String(reflecting: error).contains(secret))
            }
            await #expect(throws: APIError.self) {
                try await client.createCoinbaseCharge(amount: Micros(raw: 10_000_000), sender: wallet, chainID: 8453)
            }
            #expect(!String(describing: client.configuration).contains(secret))
        }
        #expect(logs.all.allSatisfy { !$0.contains(secret) })
    }

    /// Some of the HTTP client's errors quote the request's headers: their words are the
    /// case's name alone, so a key the client refused to send is not printed or stored.
    @Test func aClientErrorIsNamedWithoutTheHeadersItQuotes() {
        let words = TransportFailure.describe(HTTPClientError.invalidHeaderFieldValues(["Bearer sk-or-v1-CANARY\r"]))
        #expect(words == "HTTP client error HTTPClientError.invalidHeaderFieldValues", "\(words)")
    }

    @Test func disabledKeyIsForbidden() async throws {
        try await withSimulator({ $0.disabledKey = "sim-disabled" }, client: { $0.managementKey = Secret("sim-disabled") }) { _, client in
            await #expect {
                try await client.getCredits()
            } throws: { error in
                guard let error = error as? APIError, case .forbidden = error else { return false }
                return error.httpStatus == 403
            }
        }
    }

    @Test func chargeIsCreatedAndDecoded() async throws {
        try await withSimulator { server, client in
            let charge = try await client.createCoinbaseCharge(amount: try Micros(parsing: "12.34"), sender: wallet, chainID: 8453)
            #expect(!charge.id.isEmpty)
            #expect(charge.chainID == 8453)
            #expect(charge.expiresAt.millisecondsSinceEpoch - charge.createdAt.millisecondsSinceEpoch == 3_600_000)
            #expect(charge.callDataJSON?.contains("\"recipient_amount\":\"12340000\"") == true)
            #expect(charge.rawBody.contains(charge.id))
            let state = await server.state()
            #expect(state.charges.count == 1)
            #expect(state.charges.first?.amount == Micros(raw: 12_340_000))
            #expect(state.charges.first?.sender == wallet)
        }
    }

    @Test(arguments: [
        ("0x1234", Int64(8453), "sender"),
        (wallet, Int64(5), "chain_id"),
    ])
    func badRequestsCreateNothing(sender: String, chain: Int64, field: String) async throws {
        try await withSimulator { server, client in
            do throws(APIError) {
                _ = try await client.createCoinbaseCharge(amount: Micros(raw: 1_000_000), sender: sender, chainID: chain)
                Issue.record("must be refused")
            } catch {
                guard case .badRequest(let status, let message, let raw) = error else { Issue.record("got \(error)"); return }
                #expect(status == 400)
                #expect(message.contains(field))
                #expect(raw?.contains("\"code\":400") == true)
            }
            #expect(await server.state().charges.isEmpty)
        }
    }

    @Test func zeroAmountIsRefused() async throws {
        try await withSimulator { _, client in
            await #expect(throws: APIError.self) {
                try await client.createCoinbaseCharge(amount: .zero, sender: wallet, chainID: 1)
            }
        }
    }

    @Test func goneIsPermanentAndExplained() async throws {
        try await withSimulator({ $0.coinbase = .gone }) { server, client in
            do throws(APIError) {
                _ = try await client.createCoinbaseCharge(amount: Micros(raw: 1_000_000), sender: wallet, chainID: 8453)
                Issue.record("gone must throw")
            } catch {
                guard case .gone = error else { Issue.record("got \(error)"); return }
                #expect(error.httpStatus == 410)
                #expect(error.description.contains("credit-recon import charges FILE.csv"))
            }
            #expect(await server.apiRequestCount() == 1)  // never retried
        }
    }

    /// The server creates the charge, then drops the connection: the client must report an
    /// unknown outcome and never send the request again.
    @Test func droppedPostIsNeverResent() async throws {
        try await withSimulator({ $0.dropRate = 1 }) { server, client in
            do throws(APIError) {
                _ = try await client.createCoinbaseCharge(amount: Micros(raw: 7_000_000), sender: wallet, chainID: 137)
                Issue.record("a dropped connection must not look like success")
            } catch {
                guard case .outcomeUnknown = error else { Issue.record("got \(error)"); return }
            }
            #expect(await server.state().charges.count == 1)
            #expect(await server.apiRequestCount() == 1)
        }
    }

    @Test func postAnswered500IsUnknownNotRetried() async throws {
        try await withSimulator({ $0.failRate = 1 }) { server, client in
            do throws(APIError) {
                _ = try await client.createCoinbaseCharge(amount: Micros(raw: 7_000_000), sender: wallet, chainID: 137)
                Issue.record("must throw")
            } catch {
                guard case .outcomeUnknown(let reason) = error else { Issue.record("got \(error)"); return }
                #expect(reason.contains("500"))
            }
            #expect(await server.apiRequestCount() == 1)
        }
    }

    // These two need a second attempt inside the budget: the first retry waits 500–625 ms,
    // and on a loaded machine the first attempt itself has taken over 600 ms, so the budget
    // leaves several seconds for it (the test then lasts the budget, about 5 s).
    @Test func getRetries500UntilTheBudgetRunsOut() async throws {
        try await withSimulator({ $0.failRate = 1 }, client: { $0.maxRetryTime = .seconds(5) }) { server, client in
            do throws(APIError) {
                _ = try await client.getCredits()
                Issue.record("must throw")
            } catch {
                guard case .server(let status, _) = error else { Issue.record("got \(error)"); return }
                #expect(status == 500)
            }
            #expect(await server.apiRequestCount() >= 2)
        }
    }

    @Test func getRetriesDroppedConnections() async throws {
        try await withSimulator({ $0.dropRate = 1 }, client: { $0.maxRetryTime = .seconds(5) }) { server, client in
            do throws(APIError) {
                _ = try await client.getCredits()
                Issue.record("must throw")
            } catch {
                guard case .timedOut = error else { Issue.record("got \(error)"); return }
            }
            #expect(await server.apiRequestCount() >= 2)
        }
    }

    @Test func getSucceedsAfterTransientFailures() async throws {
        // Seeded draws: with a 30 % fail rate, retries get through well within the budget, which
        // no stall of the whole suite outlasts.
        try await withSimulator({ $0.failRate = 0.3; $0.seed = 7; $0.initialCredits = Micros(raw: 3) },
                                client: { $0.maxRetryTime = .seconds(900) }) { server, client in
            for _ in 0..<4 {
                let reading = try await client.getCredits()
                #expect(reading.totalCredits == Micros(raw: 3))
            }
            #expect(await server.apiRequestCount() > 4)
        }
    }

    @Test func connectionRefusedIsNotSent() async throws {
        // Bound but not listening, and held: a connection is refused. (The port of a server
        // shut down could be taken by another test's server, which then reset the connection.)
        let (held, port) = FreezingProxy.boundSocket()
        defer { close(held) }
        let client = OpenRouterClient(configuration: ClientConfiguration(
            baseURL: "http://127.0.0.1:\(port)/api/v1", managementKey: Secret("k"), maxRetryTime: .milliseconds(800)))
        do throws(APIError) {
            _ = try await client.createCoinbaseCharge(amount: Micros(raw: 1), sender: wallet, chainID: 1)
            Issue.record("must throw")
        } catch {
            if case .notSent = error {} else { Issue.record("got \(error)") }
        }
        do throws(APIError) {
            _ = try await client.getCredits()
            Issue.record("must throw")
        } catch {
            if case .notSent(let reason) = error {
                // The system's words, not NIO's description of its connect call.
                #expect(reason.contains("Connection refused") && !reason.contains("errno"), "\(reason)")
            } else {
                Issue.record("got \(error)")
            }
        }
        await client.shutdown()
    }

    /// A host name that does not resolve is named as such, in the resolver's words
    /// (`.invalid` never resolves); nothing was sent.
    @Test func aHostThatDoesNotResolveIsNamed() async throws {
        let client = OpenRouterClient(configuration: ClientConfiguration(
            baseURL: "http://no-such-host.invalid:9", managementKey: Secret("k"), maxRetryTime: .milliseconds(300)))
        do throws(APIError) {
            _ = try await client.getCredits()
            Issue.record("must throw")
        } catch {
            if case .notSent(let reason) = error {
                #expect(reason.contains("cannot find the host no-such-host.invalid ("), "\(reason)")
                #expect(!reason.contains("SocketAddressError"), "the resolver's words, not NIO's: \(reason)")
            } else {
                Issue.record("got \(error)")
            }
        }
        await client.shutdown()
    }

    @Test func timeoutOnGetAndOnPost() async throws {
        try await withSimulator({ $0.latencyMilliseconds = 1500 }, client: {
            $0.timeout = .milliseconds(300)
            $0.maxRetryTime = .milliseconds(700)
        }) { server, client in
            do throws(APIError) {
                _ = try await client.getCredits()
                Issue.record("must throw")
            } catch {
                if case .timedOut = error {} else { Issue.record("got \(error)") }
            }
            do throws(APIError) {
                _ = try await client.createCoinbaseCharge(amount: Micros(raw: 2_000_000), sender: wallet, chainID: 1)
                Issue.record("must throw")
            } catch {
                if case .outcomeUnknown = error {} else { Issue.record("got \(error)") }
            }
            // The server finishes the charge after the client gave up: the outcome really was unknown.
            #expect(await waitUntil { await server.state().charges.count >= 1 }, "the server never made the charge")
            #expect(await server.state().charges.count == 1)
        }
    }

    /// A 429 with Retry-After: 1 — a POST that provably was not processed — is re-sent after
    /// the wait. Scripted rather than the simulator's rate limit: on a loaded machine its
    /// token could come back before the POST was sent, and no 429 came.
    @Test func retryAfterIsHonouredAndPostRetriedOn429() async throws {
        let charge = #"{"data":{"id":"c1","created_at":"2026-01-01T00:00:00Z","expires_at":"2026-01-01T01:00:00Z","#
            + #""web3_data":{"transfer_intent":{"call_data":{"recipient_amount":"1000000"},"metadata":{"chain_id":1,"sender":"0x1"}}}}}"#
        let server = ScriptedHTTPServer { index in
            [.init(bytes: index == 0
                ? ScriptedHTTPServer.answer(status: 429, body: #"{"error":{"code":429,"message":"slow down"}}"#, headers: ["Retry-After: 1"])
                : ScriptedHTTPServer.answer(status: 200, body: charge))]
        }
        defer { server.stop() }
        let client = OpenRouterClient(configuration: ClientConfiguration(
            baseURL: server.baseURL, managementKey: nil, bearer: Secret("sk-or-v1-scripted"), timeout: .seconds(60),
            // A budget no stall of the whole suite outlasts (a full run on two busy cores saw the
            // retry come after 150 s, past a 120 s budget): only a failure waits it out.
            maxRetryTime: .seconds(900), userAgent: "credit-recon/test"))
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let made = try await client.createCoinbaseCharge(amount: Micros(raw: 1_000_000), sender: wallet, chainID: 1)
            #expect(made.id == "c1")
        } catch {
            Issue.record("the POST was not re-sent after its 429: \(error)")
        }
        await client.shutdown()
        #expect(clock.now - start >= .milliseconds(900))
        #expect(server.requests == 2)
    }

    /// A Retry-After beyond the budget ends the call at once with the wait the API asked for.
    /// One request per 1000 s, so no token comes back however slow the machine is.
    @Test func rateLimitedBeyondTheBudget() async throws {
        try await withSimulator({ $0.rateLimit = 0.001 }, client: { $0.maxRetryTime = .milliseconds(300) }) { _, client in
            _ = try await client.getCredits()
            do throws(APIError) {
                _ = try await client.getCredits()
                Issue.record("must throw")
            } catch {
                guard case .rateLimited(let retryAfter, _) = error else { Issue.record("got \(error)"); return }
                // The token's wait, counted from the first request: 1000 s less the time between
                // the two (a stalled suite saw 999 s, and CI failed on `== 1000 s`).
                #expect(retryAfter.map { $0 > .seconds(900) && $0 <= .seconds(1000) } == true, "\(String(describing: retryAfter))")
                #expect(error.description.contains("try again later"))
            }
            // A call in the pause is refused before it is sent, the pause being its own
            // request's or another's: not said as "another request" (probe 440).
            do throws(APIError) {
                _ = try await client.getCredits()
                Issue.record("must throw")
            } catch {
                #expect(error.description.contains("a request, this one or another, was told to slow down"), "\(error.description)")
            }
        }
    }

    /// `body`'s result; should it still run after the generous deadline of `waitUntil` (a
    /// client waiting out a 1000 s pause it must not wait for), `client` is interrupted, so
    /// the test fails on what `body` returns instead of hanging.
    static func interruptingIfHung<T: Sendable>(
        _ client: OpenRouterClient, _ body: () async throws -> T
    ) async rethrows -> T {
        let finished = Mutex(false)
        let watchdog = Task {
            if !(await waitUntil { finished.withLock { $0 } }) { client.interrupt() }
        }
        defer {
            finished.withLock { $0 = true }
            watchdog.cancel()
        }
        return try await body()
    }

    /// `waitForTurn()` takes the request's slot under the client's rate limit, so the charge
    /// sent after it (`turnTaken: true`) goes out at once instead of taking a second slot: the
    /// engine records its intent between the two. One slot per 1000 s: a charge that took
    /// another would wait that long, and is stopped after a minute by the test's watchdog.
    @Test func aChargeSentOnItsTurnTakesNoSecondSlot() async throws {
        try await withSimulator(client: { $0.rateLimit = 0.001 }) { server, client in
            try await client.waitForTurn()
            let charge = try await Self.interruptingIfHung(client) {
                try await client.createCoinbaseCharge(amount: try Micros(parsing: "1.50"), sender: wallet, chainID: 8453, turnTaken: true)
            }
            #expect(!charge.id.isEmpty)
            #expect(await server.apiRequestCount() == 1)
        }
    }

    /// A charge sent on its turn (`turnTaken: true`) that is told to slow down (429) is not
    /// sent again here: `.rateLimited` comes at once, with the pause set for every request,
    /// so the engine records the row not sent before anything waits (probe 132: the client
    /// waited out the pause itself, the row `requesting`, and a kill then left it `unknown`).
    /// One request per 1000 s within a budget of 1200 s: a client that retried itself would
    /// wait, and is stopped after a minute by the test's watchdog (`.notSent`).
    @Test func aChargeSentOnItsTurnAndToldToSlowDownIsNotSentAgainHere() async throws {
        try await withSimulator({ $0.rateLimit = 0.001 }, client: { $0.maxRetryTime = .seconds(1200) }) { server, client in
            _ = try await client.createCoinbaseCharge(amount: try Micros(parsing: "1.50"), sender: wallet, chainID: 8453, turnTaken: true)
            let amount = try Micros(parsing: "1.50")
            let outcome = await Self.interruptingIfHung(client) { () async -> Result<CoinbaseCharge, APIError> in
                do throws(APIError) {
                    return .success(try await client.createCoinbaseCharge(amount: amount, sender: wallet, chainID: 8453, turnTaken: true))
                } catch {
                    return .failure(error)
                }
            }
            guard case .failure(.rateLimited) = outcome else { Issue.record("got \(outcome)"); return }
            #expect(await server.apiRequestCount() == 2)
        }
    }

    @Test func a429PausesEveryConcurrentCall() async throws {
        // A budget no stall of the whole suite outlasts: every call must succeed in the end.
        try await withSimulator({ $0.rateLimit = 2 }, client: { $0.maxRetryTime = .seconds(900) }) { server, client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 { group.addTask { _ = try await client.getCredits() } }
                try await group.waitForAll()
            }
            // Six calls at 2/s with a shared pause: few wasted requests, not a storm.
            #expect(await server.apiRequestCount() < 20)
        }
    }

    /// The client's limit is half the server's, so requests that a loaded machine delays and
    /// then sends close together still stay under the server's.
    @Test func clientSideRateLimitAvoids429() async throws {
        try await withSimulator({ $0.rateLimit = 4 }, client: { $0.rateLimit = 2 }) { server, client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 { group.addTask { _ = try await client.getCredits() } }
                try await group.waitForAll()
            }
            #expect(await server.apiRequestCount() == 6)
        }
    }
}
