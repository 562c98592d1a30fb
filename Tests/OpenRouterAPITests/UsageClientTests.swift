import CreditTypes
import OpenRouterSimulator
import Testing

@testable import OpenRouterAPI

/// `getKeyMetadata`, `listKeys` and `getActivity` against the simulator: exact values,
/// paging, disabled and deleted keys, the window, and the retry and error rules every
/// `GET` shares.
@Suite struct UsageClientTests {
    @Test func keyMetadataTellsAManagementKeyFromAnOrdinaryOne() async throws {
        try await withSimulator { server, client in
            let before = Timestamp.now().millisecondsSinceEpoch
            let management = try await client.getKeyMetadata()
            #expect(management.isManagementKey)
            // The simulator's server dates its answers, as the API does: what `fetch` checks
            // this machine's clock against. Real time, to the second, from a date kept by a
            // once-a-second timer, which a stalled machine runs late: a minute's margin (the
            // check allows five).
            let answered = try #require(management.answeredAt).millisecondsSinceEpoch
            #expect(answered >= before - 60_000 && answered <= Timestamp.now().millisecondsSinceEpoch,
                    "answered \(answered), asked at \(before)")
            #expect(management.rawBody.contains("\"is_management_key\":true"))
            let ci = try await server.createKey(name: "ci", limit: try Micros(parsing: "10"))
            try await server.use(try Micros(parsing: "2.345678"), key: ci.hash, model: "openai/gpt-4o")
            let ordinary = OpenRouterClient(configuration: ClientConfiguration(
                baseURL: server.baseURL, managementKey: Secret(ci.key), maxRetryTime: .seconds(5)))
            let metadata = try await ordinary.getKeyMetadata()
            await ordinary.shutdown()
            #expect(!metadata.isManagementKey)
            #expect(metadata.usage == Micros(raw: 2_345_678))
            #expect(metadata.limit == Micros(raw: 10_000_000) && metadata.limitRemaining == Micros(raw: 7_654_322))
            #expect(metadata.label.map { !$0.contains(ci.key) } == true)
        }
    }

    @Test func keysArePagedUntilAnEmptyPageWithDisabledKeysAndWithoutDeletedOnes() async throws {
        try await withSimulator({ $0.keysPage = 2 }) { server, client in
            var hashes: [String] = []
            for (index, name) in ["a", "b", "c", "d", "e"].enumerated() {
                let key = try await server.createKey(name: name)
                try await server.use(Micros(raw: Int64(index + 1) * 1_000_001), key: key.hash)
                hashes.append(key.hash)
            }
            try await server.disableKey(hash: hashes[1])
            try await server.deleteKey(hash: hashes[3])
            let before = await server.apiRequestCount()
            let reading = try await client.listKeys()
            // Four keys on pages of two, then the empty page: three requests.
            #expect(await server.apiRequestCount() - before == 3)
            #expect(reading.rawBodies.count == 3 && reading.rawBodies.last == #"{"data":[]}"#)
            #expect(reading.keys.map(\.hash) == [hashes[0], hashes[1], hashes[2], hashes[4]])
            #expect(reading.keys.map(\.name) == ["a", "b", "c", "e"])
            #expect(reading.keys.map(\.disabled) == [false, true, false, false])
            #expect(reading.keys.map(\.usage) == [1_000_001, 2_000_002, 3_000_003, 5_000_005].map { Micros(raw: $0) })
            #expect(reading.keys.allSatisfy { $0.limit == nil && $0.createdAt != nil && $0.workspaceID != nil })
        }
    }

    @Test func activityOfADayAndOfAKeyIsExact() async throws {
        try await withSimulator { server, client in
            try await server.setClock(try Timestamp(iso8601: "2026-11-10T09:00:00Z"))
            let ci = try await server.createKey(name: "ci")
            try await server.use(try Micros(parsing: "0.000123"), key: ci.hash, model: "openai/gpt-4o")
            try await server.use(try Micros(parsing: "1.5"), key: ci.key, model: "openai/gpt-4o")
            try await server.use(try Micros(parsing: "2"), model: "anthropic/claude-sonnet-4", provider: "Anthropic")
            try await server.setClock(try Timestamp(iso8601: "2026-11-11T09:00:00Z"))
            try await server.use(try Micros(parsing: "7"), key: ci.hash, model: "openai/gpt-4o")
            try await server.setClock(try Timestamp(iso8601: "2026-11-12T00:00:00Z"))

            let day = try await client.getActivity(date: CivilDate(year: 2026, month: 11, day: 10))
            #expect(day.date == CivilDate(year: 2026, month: 11, day: 10) && day.apiKeyHash == nil)
            #expect(day.rows.map(\.model) == ["anthropic/claude-sonnet-4", "openai/gpt-4o"])
            #expect(day.rows.map(\.usage) == [Micros(raw: 2_000_000), Micros(raw: 1_500_123)])
            #expect(day.rows.map(\.requests) == [1, 2])
            #expect(day.rows.allSatisfy { $0.endpointID != nil && $0.byokUsageInference == .zero })
            let mine = try await client.getActivity(apiKeyHash: ci.hash)
            #expect(mine.apiKeyHash == ci.hash && mine.date == nil)
            #expect(mine.rows.map(\.date.isoText) == ["2026-11-10", "2026-11-11"])
            #expect(mine.rows.map(\.usage) == [Micros(raw: 1_500_123), Micros(raw: 7_000_000)])
            // A deleted key's past use stays in the activity.
            try await server.deleteKey(hash: ci.hash)
            #expect(try await client.getActivity(apiKeyHash: ci.hash).rows == mine.rows)
            #expect(try await client.getActivity().rows.count == 3)
        }
    }

    @Test func aDayOutsideTheWindowIsRefusedNotRetried() async throws {
        try await withSimulator { server, client in
            try await server.setClock(try Timestamp(iso8601: "2026-11-30T12:00:00Z"))
            for (date, accepted) in [("2026-10-31", true), ("2026-11-29", true), ("2026-10-30", false), ("2026-11-30", false)] {
                let day = try Timestamp(iso8601: date).utcDate
                let before = await server.apiRequestCount()
                do throws(APIError) {
                    _ = try await client.getActivity(date: day)
                    #expect(accepted, "\(date) must be refused")
                } catch {
                    #expect(!accepted, "\(date): \(error)")
                    // A refused read is an answer this tool cannot use (76), not a refused charge.
                    guard case .malformedResponse(let reason, _) = error else { Issue.record("got \(error)"); continue }
                    #expect(reason.hasPrefix("GET /activity?date=\(date) was refused (HTTP 400: "), "\(reason)")
                    #expect(reason.contains("2026-10-31 to 2026-11-29"), "\(reason)")
                    #expect(reason.hasSuffix("so check this machine's clock too"), "\(reason)")
                }
                #expect(await server.apiRequestCount() - before == 1)
            }
        }
    }

    @Test func theUsageCallsRetryLikeEveryGet() async throws {
        // A budget no stall of the whole suite outlasts: every call must succeed in the end.
        try await withSimulator({ $0.failRate = 0.3; $0.seed = 11; $0.keysPage = 1 },
                                client: { $0.maxRetryTime = .seconds(900) }) { server, client in
            for name in ["a", "b", "c"] { _ = try await server.createKey(name: name) }
            try await server.setClock(try Timestamp(iso8601: "2026-11-10T09:00:00Z"))
            try await server.use(Micros(raw: 5), model: "m")
            try await server.setClock(try Timestamp(iso8601: "2026-11-11T09:00:00Z"))
            for _ in 0..<3 {
                #expect(try await client.getKeyMetadata().isManagementKey)
                #expect(try await client.listKeys().keys.count == 3)
                #expect(try await client.getActivity().rows.map(\.usage) == [Micros(raw: 5)])
            }
            // Fifteen calls' worth of requests, and some 500s retried on top.
            #expect(await server.apiRequestCount() > 3 * (1 + 4 + 1))
        }
    }

    @Test func aServerThatKeepsFailingEndsInItsError() async throws {
        // A budget long enough for a retry on a loaded machine, short enough to end the test soon.
        try await withSimulator({ $0.failRate = 1 }, client: { $0.maxRetryTime = .seconds(4) }) { server, client in
            do throws(APIError) {
                _ = try await client.listKeys()
                Issue.record("must throw")
            } catch {
                guard case .server(let status, _) = error else { Issue.record("got \(error)"); return }
                #expect(status == 500)
            }
            #expect(await server.apiRequestCount() >= 2)
        }
    }

    @Test func aWrongKeyIsRefusedAndNeverPrinted() async throws {
        let logs = CapturedLogs()
        let secret = "sk-or-v1-USAGE-CALLS-MUST-NOT-LEAK"
        try await withSimulator(client: {
            $0.managementKey = Secret(secret)
            $0.logger = logs.logger
        }) { _, client in
            for call in ["key", "keys", "activity"] {
                do throws(APIError) {
                    switch call {
                    case "key": _ = try await client.getKeyMetadata()
                    case "keys": _ = try await client.listKeys()
                    default: _ = try await client.getActivity()
                    }
                    Issue.record("\(call): a wrong key must be refused")
                } catch {
                    guard case .unauthorized = error else { Issue.record("\(call): got \(error)"); continue }
                    #expect(!error.description.contains(secret) && !String(reflecting: error).contains(secret))
                }
            }
        }
        #expect(logs.all.allSatisfy { !$0.contains(secret) })
    }

    @Test func anOrdinaryKeyMayNotListKeysOrReadActivity() async throws {
        try await withSimulator(client: { $0.managementKey = Secret("sim-inference-key") }) { _, client in
            // As the API documents them: 401 for /keys, 403 for /activity; both exit 77.
            await #expect {
                try await client.listKeys()
            } throws: { error in
                guard let error = error as? APIError, case .unauthorized = error else { return false }
                return true
            }
            await #expect {
                try await client.getActivity()
            } throws: { error in
                guard let error = error as? APIError, case .forbidden = error else { return false }
                return true
            }
        }
    }

    @Test func aGarbledAnswerIsMalformedWithTheBodyKept() async throws {
        try await withSimulator { server, client in
            _ = try await server.createKey(name: "a")
            try await server.setFaults(["garble": .string("json")])
            do throws(APIError) {
                _ = try await client.getKeyMetadata()
                Issue.record("must throw")
            } catch {
                guard case .malformedResponse(let reason, let raw) = error else { Issue.record("got \(error)"); return }
                #expect(reason.contains("cannot be read as JSON") && raw?.hasPrefix("{\"data\"") == true)
            }
        }
    }
}
