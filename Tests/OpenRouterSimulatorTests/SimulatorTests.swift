import AsyncWait
import AsyncHTTPClient
import CreditTypes
import Foundation
import NIOCore
import NIOHTTP1
import OpenRouterSimulator
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The simulator over HTTP: wire format, keys, admin routes, expiry, faults, persistence.
@Suite struct SimulatorTests {
    static let wallet = "0x52908400098527886e0f7030069857d2e4169ee7"
    static let chargeBody = #"{"amount":25.5,"sender":"\#(wallet)","chain_id":8453}"#

    @Test func creditsWireFormatIsExact() async throws {
        try await withSim({
            $0.initialCredits = try! Micros(parsing: "1234.567891")
            $0.initialUsage = try! Micros(parsing: "1000.000009")
        }) { _, sim in
            let answer = try await sim.credits()
            #expect(answer.status == 200)
            #expect(answer.contentType == "application/json")
            #expect(answer.json["data"]?["total_credits"] == .number("1234.567891"))
            #expect(answer.json["data"]?["total_usage"] == .number("1000.000009"))
            let zero = try await sim.credits(key: "sim-inference-key")
            #expect(zero.json["data"]?["total_credits"] == .number("0"))
            #expect(zero.json["data"]?["total_usage"] == .number("0"))
        }
    }

    @Test func errorsHaveTheAPIShape() async throws {
        try await withSim({ $0.disabledKey = "off" }) { _, sim in
            let missing = try await sim.send(.GET, "/api/v1/credits")
            #expect(missing.status == 401)
            #expect(missing.json["error"]?["code"] == .number("401"))
            #expect(missing.json["error"]?["message"]?.stringValue?.isEmpty == false)
            #expect(try await sim.credits(key: "wrong").status == 401)
            #expect(try await sim.credits(key: "off").status == 403)
            for body in [
                #"{"amount":10,"sender":"0x123","chain_id":8453}"#,
                #"{"amount":10,"sender":"\#(Self.wallet)","chain_id":10}"#,
                #"{"amount":0,"sender":"\#(Self.wallet)","chain_id":1}"#,
                #"{"amount":"10","sender":"\#(Self.wallet)","chain_id":1}"#,
                #"{"amount":1.0000005,"sender":"\#(Self.wallet)","chain_id":1}"#,
                #"{"amount":1e13,"sender":"\#(Self.wallet)","chain_id":1}"#,
                "not json",
            ] {
                let answer = try await sim.charge(body)
                #expect(answer.status == 400, "\(body)")
                #expect(answer.json["error"]?["code"] == .number("400"))
            }
            #expect(try await sim.state()["charges"] == .array([]))
            let tooPrecise = try await sim.charge(#"{"amount":1.0000005,"sender":"\#(Self.wallet)","chain_id":1}"#)
            #expect(tooPrecise.json["error"]?["message"] == .string("amount: 1.0000005 has more than 6 decimals"))
            let exact = try await sim.charge(#"{"amount":1.000001,"sender":"\#(Self.wallet)","chain_id":1}"#)
            #expect(exact.json["data"]?["web3_data"]?["transfer_intent"]?["call_data"]?["recipient_amount"] == .string("1000001"))
        }
    }

    @Test func noRouteAWrongMethodAndALargeBodyAnswerTheErrorShape() async throws {
        try await withSim { _, sim in
            let missing = try await sim.send(.GET, "/api/v1/nope", key: "sim-management-key")
            #expect(missing.status == 404 && missing.contentType == "application/json")
            #expect(missing.json["error"]?["code"] == .number("404"))
            #expect(missing.json["error"]?["message"]?.stringValue?.contains("/api/v1/nope") == true)
            let wrongMethod = try await sim.send(.GET, "/_sim/purchase")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.json["error"]?["code"] == .number("405"))
            #expect(wrongMethod.json["error"]?["message"]?.stringValue?.contains("POST") == true)
            #expect(try await sim.send(.DELETE, "/api/v1/credits", key: "sim-management-key").status == 405)
            // HEAD is refused as the other methods are, saying which to use; OPTIONS says it.
            // (Both were the router's 404: "no route", on a route that exists.)
            let head = try await sim.send(.HEAD, "/api/v1/credits", key: "sim-management-key")
            // One Allow header for both (probe 67: the 405 said GET, OPTIONS said GET, OPTIONS).
            #expect(head.status == 405 && head.allow == "GET, OPTIONS" && head.json == .null)
            let options = try await sim.send(.OPTIONS, "/_sim/purchase")
            #expect(options.status == 204 && options.allow == "POST, OPTIONS")
            let large = try await sim.send(.POST, "/_sim/purchase", body: #"{"amount":"1","pad":""# + String(repeating: " ", count: 1 << 16) + "\"}")
            #expect(large.status == 413)
            #expect(large.json["error"]?["code"] == .number("413"))
            #expect(try await sim.state()["total_credits"] == .string("0"))
        }
    }

    @Test func chargeWireFormat() async throws {
        try await withSim { _, sim in
            let answer = try await sim.charge(Self.chargeBody)
            #expect(answer.status == 200)
            let data = answer.json["data"]
            #expect(data?["id"]?.stringValue?.isEmpty == false)
            #expect(data?["created_at"]?.stringValue != nil && data?["expires_at"]?.stringValue != nil)
            let intent = data?["web3_data"]?["transfer_intent"]
            for field in ["deadline", "fee_amount", "id", "operator", "prefix", "recipient", "recipient_amount",
                          "recipient_currency", "refund_destination", "signature"] {
                #expect(intent?["call_data"]?[field]?.stringValue != nil, "call_data.\(field)")
            }
            #expect(intent?["call_data"]?["recipient_amount"] == .string("25500000"))
            #expect(intent?["metadata"]?["chain_id"] == .number("8453"))
            #expect(intent?["metadata"]?["sender"] == .string(Self.wallet))
            #expect(intent?["metadata"]?["contract_address"]?.stringValue != nil)
        }
    }

    @Test func adminRoutesMoveTheTotals() async throws {
        try await withSim({ $0.initialCredits = Micros(raw: 100_000_000) }) { _, sim in
            #expect(try await sim.send(.POST, "/_sim/usage", body: #"{"amount":"1.25"}"#).status == 200)
            #expect(try await sim.send(.POST, "/_sim/purchase", body: #"{"amount":"20"}"#).status == 200)
            #expect(try await sim.send(.POST, "/_sim/usage", body: #"{"amount":"0.0000001"}"#).status == 400)
            let id = try await sim.charge(Self.chargeBody).json["data"]?["id"]?.stringValue ?? ""
            let paid = try await sim.send(.POST, "/_sim/charges/\(id)/pay")
            #expect(paid.status == 200)
            #expect(try await sim.send(.POST, "/_sim/charges/\(id)/pay").status == 409)
            #expect(try await sim.send(.POST, "/_sim/charges/nope/pay").status == 404)
            let state = try await sim.state()
            #expect(state["total_credits"] == .string("145.5"))
            #expect(state["total_usage"] == .string("1.25"))
            #expect(state["charges"] == paid.json["charges"])
            guard case .array(let charges)? = state["charges"], let charge = charges.first else {
                Issue.record("one charge expected"); return
            }
            #expect(charge["amount"] == .string("25.5"))
            #expect(charge["paid_at"]?.stringValue != nil)
            #expect(charge["chain_id"] == .number("8453"))
            let credits = try await sim.credits()
            #expect(credits.json["data"]?["total_credits"] == .number("145.5"))
        }
    }

    @Test func totalsThatWouldOverflowAreRefusedAndChangeNothing() async throws {
        let almostAll = try Micros(parsing: "9223372036854")
        try await withSim({ $0.initialCredits = almostAll }) { server, sim in
            let refused = try await sim.send(.POST, "/_sim/purchase", body: #"{"amount":"1"}"#)
            #expect(refused.status == 400)
            #expect(refused.json["error"]?["code"] == .number("400"))
            #expect(await server.state().totalCredits == almostAll)
        }
        try await withSim { server, sim in
            let body = #"{"amount":5000000000000,"sender":"\#(Self.wallet)","chain_id":8453}"#
            let first = try await sim.charge(body).json["data"]?["id"]?.stringValue ?? ""
            let second = try await sim.charge(body).json["data"]?["id"]?.stringValue ?? ""
            #expect(try await sim.send(.POST, "/_sim/charges/\(first)/pay").status == 200)
            #expect(try await sim.send(.POST, "/_sim/charges/\(second)/pay").status == 400)
            #expect(try await sim.send(.POST, "/_sim/purchase", body: #"{"amount":"9000000000000"}"#).status == 400)
            #expect(try await sim.send(.POST, "/_sim/usage", body: #"{"amount":"9000000000000"}"#).status == 200)
            #expect(try await sim.send(.POST, "/_sim/usage", body: #"{"amount":"9000000000000"}"#).status == 400)
            let state = await server.state()
            #expect(state.totalCredits == Micros(raw: 5_000_000_000_000_000_000))
            #expect(state.charges.map { $0.paidAt != nil } == [true, false])
            #expect(state.totalUsage == Micros(raw: 9_000_000_000_000_000_000) && state.usages.count == 1)
            #expect(try await sim.credits().status == 200)
        }
    }

    @Test func chargesExpireOnTheSimulatorClock() async throws {
        try await withSim({ $0.chargeTTLSeconds = 60 }) { server, sim in
            #expect(try await sim.send(.POST, "/_sim/clock", body: #"{"now":"2026-01-01T00:00:00Z"}"#).status == 200)
            let created = try await sim.charge(Self.chargeBody).json["data"]
            #expect(created?["created_at"] == .string("2026-01-01T00:00:00.000Z"))
            #expect(created?["expires_at"] == .string("2026-01-01T00:01:00.000Z"))
            _ = try await sim.send(.POST, "/_sim/clock", body: #"{"now":"2026-01-01T00:01:00Z"}"#)
            let id = created?["id"]?.stringValue ?? ""
            #expect(try await sim.send(.POST, "/_sim/charges/\(id)/pay").status == 409)
            guard case .array(let charges)? = try await sim.state()["charges"] else { Issue.record("no charges"); return }
            #expect(charges.first?["status"] == .string("expired"))
            #expect(await server.now() == (try Timestamp(iso8601: "2026-01-01T00:01:00Z")))
        }
    }

    @Test func theClockStopsWhereAChargeWouldExpirePastTheYear9999() async throws {
        let folder = try StateFolder()
        let path = folder.statePath
        try await withSim({ $0.statePath = path; $0.chargeTTLSeconds = 3600 }) { server, sim in
            let refused = try await sim.send(.POST, "/_sim/clock", body: #"{"now":"9999-12-31T23:30:00Z"}"#)
            #expect(refused.status == 400)
            #expect(refused.json["error"]?["message"]?.stringValue?.contains("9999-12-31") == true)
            #expect(await server.state().clock == nil)
            #expect(try await sim.send(.POST, "/_sim/clock", body: #"{"now":"9999-12-31T22:59:59Z"}"#).status == 200)
            let charge = try await sim.charge(Self.chargeBody)
            #expect(charge.json["data"]?["expires_at"] == .string("9999-12-31T23:59:59.000Z"))
        }
        // What it wrote, it reads back.
        try await withSim({ $0.statePath = path }) { server, _ in
            #expect(await server.state().charges.count == 1)
        }
    }

    @Test func goneModeAndFaultsRoute() async throws {
        try await withSim { _, sim in
            #expect(try await sim.send(.POST, "/_sim/faults", body: #"{"coinbase":"gone"}"#).status == 200)
            let gone = try await sim.charge(Self.chargeBody)
            #expect(gone.status == 410)
            #expect(gone.json["error"]?["code"] == .number("410"))
            // One request per 1000 s: no token comes back before the second request, however
            // long the suite stalls between the two (at 1/s a stall let it through).
            _ = try await sim.send(.POST, "/_sim/faults", body: #"{"coinbase":"available","rate_limit":0.001}"#)
            #expect(try await sim.credits().status == 200)
            let limited = try await sim.credits()
            #expect(limited.status == 429)
            #expect(limited.retryAfter.flatMap { Int($0) }.map { (901...1000).contains($0) } == true, "\(limited.retryAfter ?? "none")")
            _ = try await sim.send(.POST, "/_sim/faults", body: #"{"rate_limit":null,"fail_rate":1}"#)
            #expect(try await sim.credits().status == 500)
        }
    }

    @Test func aFaultsBodyIsCheckedWholeBeforeAnythingChanges() async throws {
        try await withSim { _, sim in
            for body in [
                #"{"latency_ms":1e30}"#, #"{"latency_ms":"nan"}"#, #"{"latency_ms":-100}"#, #"{"latency_ms":3600001}"#,
                #"{"rate_limit":1e-300}"#, #"{"rate_limit":"abc"}"#, #"{"rate_limit":0}"#, #"{"rate_limit":"inf"}"#,
                #"{"fail_rate":-1}"#, #"{"drop_rate":7}"#, #"{"fail_rate":"nan"}"#, #"{"drop_rate":true}"#,
                #"{"coinbase":"nope"}"#, #"{"coinbase":true}"#, #"{"garble":1}"#, #"{"fail_message":5}"#,
                #"{"latency":100}"#, "[]", "nope",
                // Numbers written as strings, and a fraction of a millisecond (probe 146).
                #"{"latency_ms":"5"}"#, #"{"drop_rate":"0.5"}"#, #"{"rate_limit":"2"}"#, #"{"latency_ms":1.5}"#,
                // null where it means nothing: answered 200, changing nothing (probe 195).
                #"{"latency_ms":null}"#, #"{"fail_rate":null}"#, #"{"drop_rate":null}"#, #"{"coinbase":null}"#,
                #"{"fail_message":null}"#,
            ] {
                let answer = try await sim.send(.POST, "/_sim/faults", body: body)
                #expect(answer.status == 400, "\(body)")
                #expect(answer.json["error"]?["code"] == .number("400"), "\(body)")
            }
            let refused = try await sim.send(.POST, "/_sim/faults", body: #"{"fail_rate":1,"coinbase":"gone","drop_rate":7}"#)
            #expect(refused.status == 400)
            #expect(refused.json["error"]?["message"]?.stringValue?.hasPrefix("drop_rate must be") == true)
            // Nothing of the refused body took effect.
            #expect(try await sim.credits().status == 200)
            #expect(try await sim.charge(Self.chargeBody).status == 200)
            let set = try await sim.send(.POST, "/_sim/faults", body: #"{"latency_ms":5,"rate_limit":1000000,"drop_rate":0}"#)
            #expect(set.status == 200)
            #expect(set.json["latency_ms"] == .number("5"))
        }
    }

    @Test func seededFaultsRepeat() async throws {
        var runs: [[Int]] = []
        for _ in 0..<2 {
            try await withSim({ $0.failRate = 0.5; $0.seed = 99 }) { _, sim in
                var statuses: [Int] = []
                for _ in 0..<12 { statuses.append(try await sim.credits().status) }
                runs.append(statuses)
            }
        }
        #expect(runs[0] == runs[1])
        #expect(runs[0].contains(500) && runs[0].contains(200))
    }

    @Test func idsDifferBetweenSimulatorsUnlessSeeded() async throws {
        func firstIDs(seed: UInt64?) async throws -> [String] {
            var ids: [String] = []
            try await withSim({ $0.seed = seed }) { _, sim in
                ids.append(try await sim.charge(Self.chargeBody).json["data"]?["id"]?.stringValue ?? "")
                ids.append(try await sim.createKey("ci").hash)
            }
            return ids
        }
        let unseeded = [try await firstIDs(seed: nil), try await firstIDs(seed: nil)]
        #expect(unseeded[0][0] != unseeded[1][0] && unseeded[0][1] != unseeded[1][1], "\(unseeded)")
        let seeded = [try await firstIDs(seed: 7), try await firstIDs(seed: 7)]
        #expect(seeded[0] == seeded[1])
    }

    @Test func dropClosesTheConnectionAfterProcessing() async throws {
        try await withSim({ $0.dropRate = 1 }) { server, sim in
            await #expect(throws: (any Error).self) { try await sim.charge(Self.chargeBody) }
            #expect(await server.state().charges.count == 1)
        }
    }

    @Test func shutdownDoesNotWaitOutTheLatency() async throws {
        var options = SimulatorOptions()
        options.latencyMilliseconds = 60_000
        let server = try await SimulatorServer.start(options)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let sim = Requester(http: http, root: "http://127.0.0.1:\(server.port)")
        let pending = Task { try await sim.credits() }
        #expect(await waitUntil { await server.apiRequestCount() == 1 }, "the request never arrived")
        let took = await ContinuousClock().measure { await server.shutdown() }
        #expect(took < .seconds(30), "shutdown waited \(took) for the latency")
        // The request in its latency is answered, not cut off.
        #expect((try? await pending.value)?.status == 200)
        try await http.shutdown()
    }

    /// A client that sent part of a body and went quiet does not hold the shutdown: the
    /// wait for the rest ends with it, as the latency's does. (It waited for ever.)
    @Test func shutdownDoesNotWaitForABodyThatNeverComes() async throws {
        let server = try await SimulatorServer.start(SimulatorOptions())
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        let partial = "POST /_sim/usage HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"amount\":"
        #expect(partial.utf8.withContiguousStorageIfAvailable { send(socket, $0.baseAddress, $0.count, 0) } == partial.utf8.count)
        // A whole request on another connection, answered: by then the server has most
        // likely read the first (nothing says when a handler waits for a body).
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        #expect(try await Requester(http: http, root: "http://127.0.0.1:\(server.port)").state()["total_usage"] == .string("0"))
        try await http.shutdown()
        let stopped = Atomic(false)
        Task {
            await server.shutdown()
            stopped.store(true, ordering: .sequentiallyConsistent)
        }
        #expect(await waitUntil { stopped.load(ordering: .sequentiallyConsistent) }, "the shutdown waits for the body")
    }

    /// A state file's clock is the simulator's: the charge TTL is checked against it at the
    /// start, as `POST /_sim/clock` checks it, not against real time (the start passed, and
    /// every charge then needed an expiry past what the simulator holds).
    @Test func theChargeTTLIsCheckedAgainstTheStateFilesClock() async throws {
        let folder = try StateFolder()
        let path = folder.statePath
        try await withSim({ $0.statePath = path }) { _, sim in try await sim.clock("9999-12-30T00:00:00Z") }
        var options = SimulatorOptions()
        options.statePath = path
        options.chargeTTLSeconds = 3 * 86_400
        let error = await refusedStart(options, started: "with charges it could not date").map { "\($0)" } ?? ""
        #expect(error.contains("--charge-ttl 259200: a charge created now would expire after 9999-12-31"), "\(error)")
    }

    @Test func statePersistsAcrossRestarts() async throws {
        let folder = try StateFolder()
        let path = folder.statePath
        var chargeID = ""
        try await withSim({ $0.statePath = path; $0.initialCredits = Micros(raw: 1) }) { _, sim in
            chargeID = try await sim.charge(Self.chargeBody).json["data"]?["id"]?.stringValue ?? ""
            _ = try await sim.send(.POST, "/_sim/usage", body: #"{"amount":"0.5"}"#)
        }
        try await withSim({ $0.statePath = path; $0.initialCredits = Micros(raw: 999_000_000) }) { server, sim in
            let state = await server.state()
            #expect(state.totalCredits == Micros(raw: 1))
            #expect(state.totalUsage == Micros(raw: 500_000))
            #expect(state.charges.map(\.id) == [chargeID])
            // New charges keep unique ids after a restart.
            let next = try await sim.charge(Self.chargeBody).json["data"]?["id"]?.stringValue
            #expect(next != chargeID)
        }
        // Its owner's alone: it holds the keys made (probe 146).
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
    }

    @Test func tooLargeAmountsGiveTheBoundTheSimulatorHolds() async throws {
        let folder = try StateFolder()
        let path = folder.statePath
        // 2000000000 USD is held; one micro-USD past Int64 is not, and the message says so.
        try Data(#"{"total_credits":"2000000000","total_usage":"9223372036854.775808"}"#.utf8).write(to: URL(fileURLWithPath: path))
        var options = SimulatorOptions()
        options.statePath = path
        let error = (await refusedStart(options, started: "with a total it cannot hold")).map { "\($0)" } ?? ""
        #expect(error.contains("total_usage \"9223372036854.775808\" is too large"), "\(error)")
        #expect(error.contains("at most 9223372036854.775807 USD") && !error.contains("1000000000 USD"), "\(error)")
        try await withSim { _, sim in
            let refused = try await sim.send(.POST, "/_sim/purchase", body: #"{"amount":"9223372036854.775808"}"#)
            #expect(refused.status == 400)
            #expect(refused.json["error"]?["message"]?.stringValue?.contains("at most 9223372036854.775807 USD") == true)
        }
    }

    /// Two simulators on one state file each wrote their own account over the other's
    /// (probe 394: a purchase lost): the second is refused at once, naming the first; once
    /// the first stops, the file is free.
    @Test func oneStateFileIsOneSimulators() async throws {
        let folder = try StateFolder()
        let path = folder.statePath
        var options = SimulatorOptions()
        options.statePath = path
        try await withSim({ $0.statePath = path }) { _, sim in
            let purchase = try await sim.send(.POST, "/_sim/purchase", body: #"{"amount":"10"}"#)
            #expect(purchase.status == 200)
            let error = (await refusedStart(options, started: "a second simulator on one state file")).map { "\($0)" } ?? ""
            #expect(error.contains("another openrouter-sim (pid \(getpid())) keeps its state in \(path) (it holds "
                + "\(path).lock), and two would write over each other's changes"), "\(error)")
            // Through a symbolic link to the file too (probe 401: the link's own lock was taken).
            let link = folder.url.appendingPathComponent("link.json").path
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
            var linked = options
            linked.statePath = link
            let throughLink = (await refusedStart(linked, started: "a second simulator through a link")).map { "\($0)" } ?? ""
            #expect(throughLink.contains("keeps its state in \(path) (it holds \(path).lock)"), "\(throughLink)")
        }
        // Waited for, not assumed at once (ci189: refused once, "another openrouter-sim (pid of
        // the tests)", after the first had stopped, on a loaded machine with the whole suite
        // spawning processes; one spawned at that moment may hold a copy of the lock's
        // descriptor until it runs its program).
        var next: SimulatorServer?
        #expect(await waitUntil { next = try? await SimulatorServer.start(options); return next != nil })
        let started = try #require(next)
        #expect(await started.state().totalCredits == Micros(raw: 10_000_000))
        await started.shutdown()
    }

    /// A link to a state file not made yet is followed too: the file it names is made and
    /// locked, and the link kept (probe 403: the link was replaced by a file, and a second
    /// simulator on the named file started).
    @Test func aLinkToAStateFileNotMadeYetIsFollowed() async throws {
        let folder = try StateFolder()
        let link = folder.url.appendingPathComponent("link.json").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "named.json")
        let named = folder.url.appendingPathComponent("named.json").path
        try await withSim({ $0.statePath = link }) { _, _ in
            #expect(FileManager.default.fileExists(atPath: named))
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == "named.json")
            var options = SimulatorOptions()
            options.statePath = named
            let error = (await refusedStart(options, started: "a second simulator on the file a link named")).map { "\($0)" } ?? ""
            #expect(error.contains("keeps its state in \(named) (it holds \(named).lock)"), "\(error)")
        }
    }

    /// A loop of links, and a state file with another hard link (each save parts them, and a
    /// simulator on each kept its own account), are refused (probe 404).
    @Test func aLoopOfLinksOrAHardLinkIsRefused() async throws {
        let folder = try StateFolder()
        let a = folder.url.appendingPathComponent("a.json").path, b = folder.url.appendingPathComponent("b.json").path
        try FileManager.default.createSymbolicLink(atPath: a, withDestinationPath: "b.json")
        try FileManager.default.createSymbolicLink(atPath: b, withDestinationPath: "a.json")
        var options = SimulatorOptions()
        options.statePath = a
        let loop = (await refusedStart(options, started: "on a loop of links")).map { "\($0)" } ?? ""
        #expect(loop.contains("\(a) is a loop of symbolic links"), "\(loop)")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: a)) == "b.json")
        let real = folder.statePath, hard = folder.url.appendingPathComponent("hard.json").path
        try await withSim({ $0.statePath = real }) { _, _ in }
        try FileManager.default.linkItem(atPath: real, toPath: hard)
        options.statePath = hard
        let linked = (await refusedStart(options, started: "on a file with another hard link")).map { "\($0)" } ?? ""
        #expect(linked.contains("\(hard) has 1 other hard link, which each save would part from it"), "\(linked)")
    }

    /// A state file no run makes is refused, naming what, not served (probe 394: `/keys`
    /// listed a hash twice, `/credits` answered credits below 0).
    @Test(arguments: [
        (#"{"total_credits":"-50","total_usage":"0"}"#, "total_credits \"-50\" is below 0"),
        (#"{"total_credits":"1","total_usage":"0","keys":[{"hash":"h","key":"k1","name":"a","usage":"0","created_at":"2026-01-01T00:00:00Z"},"#
            + #"{"hash":"h","key":"k2","name":"b","usage":"0","created_at":"2026-01-01T00:00:00Z"}]}"#, "key hash \"h\" is there twice"),
        (#"{"total_credits":"1","total_usage":"0","keys":[{"hash":"h","key":"sim-management-key","name":"a","usage":"0","#
            + #""created_at":"2026-01-01T00:00:00Z"}]}"#, "key h's key is one the command line gives"),
        (#"{"total_credits":"1","total_usage":"0","keys":[{"hash":"h1","key":"sk-same","name":"a","usage":"0","created_at":"2026-01-01T00:00:00Z"},"#
            + #"{"hash":"h2","key":"sk-same","name":"b","usage":"0","created_at":"2026-01-01T00:00:00Z"}]}"#, "keys h1 and h2 have the same key"),
        (#"{"total_credits":"1","total_usage":"0","usage_events":[{"at":"2026-01-01T00:00:00Z","amount":"-100"}]}"#,
         "a usage event's amount \"-100\" is not above 0"),
        (#"{"total_credits":"1","total_usage":"0","charges":[{"id":"c","amount":"5","sender":"s","chain_id":8453,"#
            + #""created_at":"2026-01-01T00:00:00Z","expires_at":"2026-01-01T01:00:00Z"},{"id":"c","amount":"5","sender":"s","#
            + #""chain_id":8453,"created_at":"2026-01-01T00:00:00Z","expires_at":"2026-01-01T01:00:00Z"}]}"#, "charge id \"c\" is there twice"),
    ])
    func aStateNoRunMakesIsRefused(body: String, named: String) async throws {
        let folder = try StateFolder()
        try Data(body.utf8).write(to: URL(fileURLWithPath: folder.statePath))
        var options = SimulatorOptions()
        options.statePath = folder.statePath
        let error = (await refusedStart(options, started: "on \(body)")).map { "\($0)" } ?? ""
        #expect(error.contains("the state file is not a simulator state: \(named)"), "\(error)")
    }

    @Test func aPortInUseIsNamed() async throws {
        try await withSim { server, _ in
            var options = SimulatorOptions()
            options.port = server.port
            let error = (await refusedStart(options, started: "a second server on one port")).map { "\($0)" } ?? ""
            #expect(error.contains("port \(server.port) on 127.0.0.1 is in use") && error.contains("--port"), "\(error)")
        }
    }

    @Test func aStateFileThatCannotBeWrittenStopsTheStart() async throws {
        let path = "/nonexistent-\(UUID().uuidString)/dir/state.json"
        var options = SimulatorOptions()
        options.statePath = path
        let error = await refusedStart(options, started: "with a state file it cannot write")
        #expect((error as? SimulatorError)?.description.contains(path) == true, "\(String(describing: error))")
    }

    @Test func aFailedSaveChangesNothing() async throws {
        let folder = try StateFolder()
        try await withSim({ $0.statePath = folder.statePath }) { server, sim in
            try FileManager.default.removeItem(at: folder.url)
            let refused = try await sim.send(.POST, "/_sim/purchase", body: #"{"amount":"20"}"#)
            #expect(refused.status == 500)
            #expect(refused.json["error"]?["message"]?.stringValue?.contains(folder.url.path) == true)
            #expect(try await sim.charge(Self.chargeBody).status == 500)
            #expect(try await sim.send(.POST, "/_sim/clock", body: #"{"now":"2026-01-01T00:00:00Z"}"#).status == 500)
            let state = await server.state()
            #expect(state.totalCredits == .zero && state.charges.isEmpty && state.chargeCount == 0 && state.clock == nil)
            try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
            #expect(try await sim.send(.POST, "/_sim/purchase", body: #"{"amount":"20"}"#).status == 200)
            #expect(await server.state().totalCredits == Micros(raw: 20_000_000))
        }
    }

    @Test func optionsItCannotRunWithAreRefusedNamingTheOption() async throws {
        func refusal(_ change: (inout SimulatorOptions) -> Void) -> String {
            var options = SimulatorOptions()
            change(&options)
            do { try options.validate() } catch { return error.description }
            return "accepted"
        }
        #expect(refusal { _ in } == "accepted")
        #expect(refusal { $0.rateLimit = 0.001; $0.latencyMilliseconds = 3_600_000; $0.inferenceKey = nil } == "accepted")
        for rate in [0, .nan, .infinity, 1e-300, 1_000_001] {
            #expect(refusal { $0.rateLimit = rate }.hasPrefix("--rate-limit must be from 0.001 to 1000000"), "\(rate)")
        }
        #expect(refusal { $0.latencyMilliseconds = -100 }.hasPrefix("--latency-ms"))
        #expect(refusal { $0.latencyMilliseconds = 3_600_001 }.hasPrefix("--latency-ms"))
        #expect(refusal { $0.managementKey = "" }.hasPrefix("--management-key must not be empty"))
        #expect(refusal { $0.inferenceKey = $0.managementKey }.hasPrefix("--management-key and --inference-key must differ"))
        #expect(refusal { $0.disabledKey = "sim-inference-key" }.hasPrefix("--disabled-key"))
        #expect(refusal { $0.initialCredits = Micros(raw: -5_000_000) }.hasPrefix("--initial-credits must be at least 0"))
        #expect(refusal { $0.chargeTTLSeconds = .max }.hasPrefix("--charge-ttl 9223372036854775807: a charge created now would expire after 9999-12-31"))
        #expect(refusal { $0.chargeTTLSeconds = 8_000 * 365 * 86_400 }.hasPrefix("--charge-ttl"))
        #expect(refusal { $0.failRate = .nan }.hasPrefix("--fail-rate"))
        // An in-process server is held to the same rules.
        var options = SimulatorOptions()
        options.rateLimit = 1e-300
        await #expect(throws: SimulatorError.self) { _ = try await SimulatorServer.start(options) }

        #expect(try SimulatorOptions.amount("12.5", option: "--initial-credits") == Micros(raw: 12_500_000))
        for (text, reason) in [("abc", "is not a decimal number"), ("1.0000001", "has more than 6 decimals"),
                               ("9223372036854.775808", "at most 9223372036854.775807 USD")] {
            do {
                _ = try SimulatorOptions.amount(text, option: "--initial-credits")
                Issue.record("\(text) accepted")
            } catch {
                #expect(error.description.hasPrefix("--initial-credits: \"\(text)\" ") && error.description.contains(reason),
                        "\(error)")
            }
        }
    }
}
