import CreditTypes
import Foundation
import OpenRouterSimulator
import Testing

/// `/api/v1/key`, `/keys`, `/activity` and the admin routes behind them (CONTRACT.md §
/// Simulator additions): keys with names and limits, use on a key and a model, disabled
/// and deleted keys, the 30-day window on the simulator's clock.
@Suite struct SimulatorUsageTests {
    /// What the official SDK 1.3.84 requires in `GET /key`'s `data` (present, `null` where nullable).
    static let keyFields = [
        "allowed_data_regions", "budgets", "byok_usage", "byok_usage_daily", "byok_usage_monthly", "byok_usage_weekly",
        "creator_user_id", "effective_budget", "free_model_daily_requests", "include_byok_in_limit", "is_free_tier",
        "is_management_key", "is_provisioning_key", "label", "limit", "limit_remaining", "limit_reset", "organization_id",
        "rate_limit", "usage", "usage_daily", "usage_monthly", "usage_weekly", "workspace_id",
    ]
    /// What it requires in each key of `GET /keys`.
    static let listedKeyFields = [
        "byok_usage", "byok_usage_daily", "byok_usage_monthly", "byok_usage_weekly", "created_at", "creator_user_id",
        "disabled", "external_user", "hash", "include_byok_in_limit", "label", "last_used_at", "limit", "limit_remaining",
        "limit_reset", "name", "updated_at", "usage", "usage_daily", "usage_monthly", "usage_weekly", "workspace_id",
    ]
    /// What it requires in each row of `GET /activity`.
    static let activityFields = [
        "byok_usage_inference", "cached_tokens", "completion_tokens", "date", "endpoint_id", "model", "model_permaslug",
        "prompt_tokens", "provider_name", "reasoning_tokens", "requests", "usage",
    ]

    func data(_ answer: Answer) -> [ExactJSON] {
        if case .array(let rows)? = answer.json["data"] { return rows }
        Issue.record("no data list in \(answer.json.text)")
        return []
    }

    func expectFields(_ object: ExactJSON?, _ fields: [String], _ what: String) {
        for field in fields { #expect(object?[field] != nil, "\(what) lacks \(field)") }
    }

    @Test func keyTellsAManagementKeyFromAnOrdinaryOne() async throws {
        try await withSim { _, sim in
            let management = try await sim.send(.GET, "/api/v1/key", key: "sim-management-key")
            #expect(management.status == 200 && management.contentType == "application/json")
            expectFields(management.json["data"], Self.keyFields, "/key")
            #expect(management.json["data"]?["is_management_key"] == .bool(true))
            #expect(management.json["data"]?["is_provisioning_key"] == .bool(true))
            #expect(management.json["data"]?["limit"] == .null)
            let inference = try await sim.send(.GET, "/api/v1/key", key: "sim-inference-key")
            #expect(inference.json["data"]?["is_management_key"] == .bool(false))
            // The label shows a few characters of the key, never the whole key.
            let label = inference.json["data"]?["label"]?.stringValue ?? ""
            #expect(!label.isEmpty && !label.contains("sim-inference-key"))

            try await sim.clock("2026-11-10T10:00:00Z")
            let ci = try await sim.createKey("ci", limit: "10")
            #expect(ci.hash.count == 64 && ci.key.hasPrefix("sk-or-v1-"))
            #expect(try await sim.use(#"{"amount":"1.25","key":"\#(ci.hash)","model":"openai/gpt-4o"}"#) == 200)
            let created = try await sim.send(.GET, "/api/v1/key", key: ci.key).json["data"]
            #expect(created?["is_management_key"] == .bool(false))
            #expect(created?["usage"] == .number("1.25") && created?["usage_daily"] == .number("1.25"))
            #expect(created?["limit"] == .number("10") && created?["limit_remaining"] == .number("8.75"))
            #expect(created?["effective_budget"]?["remaining_usd"] == .number("8.75"))
            #expect(created?["label"]?.stringValue?.contains(ci.key) == false)

            #expect(try await sim.send(.GET, "/api/v1/key", key: "wrong").status == 401)
            #expect(try await sim.send(.GET, "/api/v1/key").status == 401)
        }
    }

    @Test func keysArePagedAndTheCommandLineKeysAreNotListed() async throws {
        try await withSim({ $0.keysPage = 2 }) { _, sim in
            var hashes: [String] = []
            for name in ["a", "b", "c", "d", "e"] { hashes.append(try await sim.createKey(name).hash) }
            #expect(Set(hashes).count == 5)
            #expect(try await sim.send(.POST, "/_sim/keys/\(hashes[1])/disable").status == 200)
            #expect(try await sim.send(.DELETE, "/_sim/keys/\(hashes[3])").status == 200)
            var listed: [ExactJSON] = []
            for offset in [0, 2, 4] {
                let page = data(try await sim.send(.GET, "/api/v1/keys?include_disabled=true&offset=\(offset)", key: "sim-management-key"))
                #expect(page.count == (offset < 4 ? 2 : 0), "offset \(offset)")
                listed += page
            }
            #expect(listed.map { $0["hash"]?.stringValue } == [hashes[0], hashes[1], hashes[2], hashes[4]])
            #expect(listed.map { $0["name"]?.stringValue } == ["a", "b", "c", "e"])
            #expect(listed.map { $0["disabled"] } == [.bool(false), .bool(true), .bool(false), .bool(false)])
            for key in listed { expectFields(key, Self.listedKeyFields, "a listed key") }
            // Without include_disabled, and with the offset left out, disabled keys stay out.
            let enabled = data(try await sim.send(.GET, "/api/v1/keys", key: "sim-management-key"))
            #expect(enabled.map { $0["name"]?.stringValue } == ["a", "c"])
            // Neither the management nor the inference key given on the command line shows.
            let text = listed.map(\.text).joined()
            #expect(!text.contains("sim-management-key") && !text.contains("sim-inference-key"))

            for query in ["offset=-1", "offset=x", "offset=1.5", "include_disabled=maybe"] {
                #expect(try await sim.send(.GET, "/api/v1/keys?\(query)", key: "sim-management-key").status == 400, "\(query)")
            }
            #expect(try await sim.send(.GET, "/api/v1/keys", key: "sim-inference-key").status == 401)
            #expect(try await sim.send(.GET, "/api/v1/keys", key: "wrong").status == 401)
        }
    }

    @Test func useMovesTheAccountTheKeyAndTheDaysActivityExactly() async throws {
        try await withSim({ $0.initialUsage = Micros(raw: 100_000_000) }) { _, sim in
            try await sim.clock("2026-11-10T10:00:00Z")
            let ci = try await sim.createKey("ci", limit: "10")
            #expect(try await sim.use(#"{"amount":"1.25","key":"\#(ci.hash)","model":"openai/gpt-4o","prompt_tokens":100,"completion_tokens":20}"#) == 200)
            #expect(try await sim.use(#"{"amount":"0.000001","key":"\#(ci.key)","model":"openai/gpt-4o","requests":3}"#) == 200)
            #expect(try await sim.use(#"{"amount":0.5,"key":"\#(ci.hash)"}"#) == 200)
            // Chat in the browser: on a model, on no key.
            #expect(try await sim.use(#"{"amount":"2","model":"anthropic/claude-sonnet-4","provider":"Anthropic"}"#) == 200)
            // Use on nothing the activity shows (the demo's plain daily use).
            #expect(try await sim.use(#"{"amount":"3"}"#) == 200)
            try await sim.clock("2026-11-11T00:00:01Z")
            #expect(try await sim.use(#"{"amount":"4","key":"\#(ci.hash)","model":"openai/gpt-4o"}"#) == 200)

            #expect(try await sim.state()["total_usage"] == .string("110.750001"))
            let key = data(try await sim.send(.GET, "/api/v1/keys", key: "sim-management-key")).first
            #expect(key?["usage"] == .number("5.750001") && key?["usage_daily"] == .number("4"))
            #expect(key?["usage_monthly"] == .number("5.750001") && key?["limit_remaining"] == .number("4.249999"))
            #expect(key?["last_used_at"] == .string("2026-11-11T00:00:01.000Z"))

            let day = try await sim.send(.GET, "/api/v1/activity?date=2026-11-10", key: "sim-management-key")
            #expect(day.status == 200)
            let rows = data(day)
            for row in rows { expectFields(row, Self.activityFields, "an activity row") }
            #expect(rows.map { $0["model"]?.stringValue } == ["anthropic/claude-sonnet-4", "openai/gpt-4o", "openrouter/auto"])
            #expect(rows.map { $0["usage"] } == [.number("2"), .number("1.250001"), .number("0.5")])
            #expect(rows.map { $0["requests"] } == [.number("1"), .number("4"), .number("1")])
            #expect(rows[1]["prompt_tokens"] == .number("100") && rows[1]["completion_tokens"] == .number("20"))
            #expect(rows.map { $0["provider_name"] } == [.string("Anthropic"), .string("openai"), .string("openrouter")])
            #expect(rows.allSatisfy { $0["date"] == .string("2026-11-10") })
            // The same model and provider keep one endpoint id.
            #expect(rows[1]["endpoint_id"] == .string(
                data(try await sim.send(.GET, "/api/v1/activity?date=2026-11-10&api_key_hash=\(ci.hash)", key: "sim-management-key"))
                    .first { $0["model"] == .string("openai/gpt-4o") }?["endpoint_id"]?.stringValue ?? ""))
            let mine = data(try await sim.send(.GET, "/api/v1/activity?api_key_hash=\(ci.hash)", key: "sim-management-key"))
            #expect(mine.map { $0["model"]?.stringValue } == ["openai/gpt-4o", "openrouter/auto"], "today is not in the window")
            #expect(try await sim.send(.GET, "/api/v1/activity", key: "sim-inference-key").status == 403)
        }
    }

    @Test func activityIsTheLast30CompletedUTCDays() async throws {
        try await withSim { _, sim in
            for time in ["2026-10-30T23:59:59Z", "2026-10-31T00:00:00Z", "2026-11-29T23:59:59Z", "2026-11-30T00:00:00Z"] {
                try await sim.clock(time)
                #expect(try await sim.use(#"{"amount":"1","model":"m"}"#) == 200)
            }
            try await sim.clock("2026-11-30T12:00:00Z")
            func status(_ date: String) async throws -> Int {
                try await sim.send(.GET, "/api/v1/activity?date=\(date)", key: "sim-management-key").status
            }
            #expect(try await status("2026-10-31") == 200)  // 30 days ago: the window's first day
            #expect(try await status("2026-11-29") == 200)  // yesterday: the last
            #expect(try await status("2026-11-30") == 400)  // today is not complete
            #expect(try await status("2026-10-30") == 400)  // 31 days ago: gone
            for bad in ["2026-11-5", "2026-02-30", "yesterday", "2026-11-29T00:00:00Z", ""] {
                #expect(try await status(bad) == 400, "\(bad)")
            }
            let refused = try await sim.send(.GET, "/api/v1/activity?date=2026-10-30", key: "sim-management-key")
            #expect(refused.json["error"]?["message"]?.stringValue?.contains("2026-10-31 to 2026-11-29") == true)
            let window = data(try await sim.send(.GET, "/api/v1/activity", key: "sim-management-key"))
            #expect(window.map { $0["date"]?.stringValue } == ["2026-10-31", "2026-11-29"])
            // The clock moves on: the window with it.
            try await sim.clock("2026-12-01T00:00:00Z")
            #expect(try await status("2026-10-31") == 400)
            #expect(try await status("2026-11-30") == 200)
        }
    }

    @Test func disabledKeysAreRefusedAndListedOnlyOnRequest() async throws {
        try await withSim { _, sim in
            let ci = try await sim.createKey("ci")
            #expect(try await sim.use(#"{"amount":"1","key":"\#(ci.hash)","model":"m"}"#) == 200)
            #expect(try await sim.send(.POST, "/_sim/keys/\(ci.hash)/disable").status == 200)
            #expect(try await sim.send(.POST, "/_sim/keys/\(ci.hash)/disable").status == 200)
            #expect(try await sim.use(#"{"amount":"1","key":"\#(ci.hash)","model":"m"}"#) == 403)
            #expect(try await sim.send(.GET, "/api/v1/key", key: ci.key).status == 403)
            #expect(try await sim.credits(key: ci.key).status == 403)
            #expect(data(try await sim.send(.GET, "/api/v1/keys", key: "sim-management-key")).isEmpty)
            let all = data(try await sim.send(.GET, "/api/v1/keys?include_disabled=true", key: "sim-management-key"))
            #expect(all.first?["usage"] == .number("1") && all.first?["disabled"] == .bool(true))
            #expect(all.first?["updated_at"]?.stringValue != nil)
            #expect(try await sim.state()["total_usage"] == .string("1"))
        }
    }

    @Test func deletedKeysLeaveTheListingButNotTheActivity() async throws {
        try await withSim { _, sim in
            try await sim.clock("2026-11-10T10:00:00Z")
            let gone = try await sim.createKey("gone")
            #expect(try await sim.use(#"{"amount":"2.5","key":"\#(gone.hash)","model":"m"}"#) == 200)
            #expect(try await sim.send(.DELETE, "/_sim/keys/\(gone.hash)").status == 200)
            #expect(try await sim.send(.DELETE, "/_sim/keys/\(gone.hash)").status == 404)
            #expect(try await sim.send(.POST, "/_sim/keys/\(gone.hash)/disable").status == 404)
            #expect(try await sim.use(#"{"amount":"1","key":"\#(gone.hash)"}"#) == 404)
            #expect(try await sim.send(.GET, "/api/v1/key", key: gone.key).status == 401)
            #expect(data(try await sim.send(.GET, "/api/v1/keys?include_disabled=true", key: "sim-management-key")).isEmpty)
            try await sim.clock("2026-11-11T10:00:00Z")
            let rows = data(try await sim.send(.GET, "/api/v1/activity?api_key_hash=\(gone.hash)", key: "sim-management-key"))
            #expect(rows.map { $0["usage"] } == [.number("2.5")])
            #expect(try await sim.state()["total_usage"] == .string("2.5"))
        }
    }

    @Test func adminRoutesRefuseWhatTheyCannotDo() async throws {
        try await withSim { _, sim in
            let ci = try await sim.createKey("ci", limit: "1")
            for body in [#"{"name":""}"#, #"{"limit":"5"}"#, #"{"name":"x","limit":"-1"}"#, #"{"name":"x","limit":"1.0000001"}"#, "[]", "nope"] {
                #expect(try await sim.send(.POST, "/_sim/keys", body: body).status == 400, "\(body)")
            }
            for body in [
                #"{}"#, #"{"amount":"0"}"#, #"{"amount":"-1"}"#, #"{"amount":"1","model":""}"#, #"{"amount":"1","model":7}"#,
                #"{"amount":"1","model":"m","requests":-1}"#, #"{"amount":"1","model":"m","prompt_tokens":1.5}"#,
            ] {
                #expect(try await sim.use(body) == 400, "\(body)")
            }
            #expect(try await sim.use(#"{"amount":"1","key":"nope"}"#) == 404)
            // A key cannot spend past its limit: refused, and nothing moves.
            #expect(try await sim.use(#"{"amount":"0.75","key":"\#(ci.hash)"}"#) == 200)
            #expect(try await sim.use(#"{"amount":"0.250001","key":"\#(ci.hash)"}"#) == 402)
            #expect(try await sim.state()["total_usage"] == .string("0.75"))
            #expect(try await sim.use(#"{"amount":"0.25","key":"\#(ci.hash)"}"#) == 200)
            let key = data(try await sim.send(.GET, "/api/v1/keys", key: "sim-management-key")).first
            #expect(key?["limit_remaining"] == .number("0"))
        }
    }

    @Test func aUseThatWouldOverflowItsActivityRowIsRefused() async throws {
        try await withSim { _, sim in
            try await sim.clock("2026-11-10T10:00:00Z")
            let most = #"{"amount":"1","model":"m","requests":9223372036854775807,"cached_tokens":9223372036854775807}"#
            #expect(try await sim.use(most) == 200)
            #expect(try await sim.use(most) == 400)
            #expect(try await sim.use(#"{"amount":"1","model":"m","requests":0,"cached_tokens":1}"#) == 400)
            // Another model, another provider or another day is another row.
            #expect(try await sim.use(#"{"amount":"1","model":"n","requests":9223372036854775807}"#) == 200)
            #expect(try await sim.use(#"{"amount":"1","model":"m","provider":"p","requests":9223372036854775807}"#) == 200)
            #expect(try await sim.state()["total_usage"] == .string("3"))
            try await sim.clock("2026-11-11T10:00:00Z")
            #expect(try await sim.use(most) == 200)
            let activity = try await sim.send(.GET, "/api/v1/activity", key: "sim-management-key")
            #expect(activity.status == 200)
            #expect(data(activity).map { $0["requests"] } == Array(repeating: .number("9223372036854775807"), count: 3))
        }
    }

    @Test func keysAndUsePersistAcrossRestarts() async throws {
        let folder = try StateFolder()
        let path = folder.statePath
        var created: (hash: String, key: String) = ("", "")
        var before: [ExactJSON] = []
        try await withSim({ $0.statePath = path }) { _, sim in
            try await sim.clock("2026-11-10T10:00:00Z")
            created = try await sim.createKey("ci", limit: "20")
            let other = try await sim.createKey("other")
            #expect(try await sim.use(#"{"amount":"1.5","key":"\#(created.hash)","model":"m","requests":2}"#) == 200)
            #expect(try await sim.use(#"{"amount":"0.5","key":"\#(other.hash)","model":"m"}"#) == 200)
            #expect(try await sim.send(.DELETE, "/_sim/keys/\(other.hash)").status == 200)
            try await sim.clock("2026-11-11T10:00:00Z")
            before = data(try await sim.send(.GET, "/api/v1/activity", key: "sim-management-key"))
        }
        try await withSim({ $0.statePath = path }) { server, sim in
            #expect(await server.state().keys.map(\.name) == ["ci"])
            let key = try await sim.send(.GET, "/api/v1/key", key: created.key).json["data"]
            #expect(key?["usage"] == .number("1.5") && key?["limit_remaining"] == .number("18.5"))
            let after = data(try await sim.send(.GET, "/api/v1/activity", key: "sim-management-key"))
            #expect(after == before)
            #expect(before.first?["usage"] == .number("2") && before.first?["requests"] == .number("3"))
            // New keys stay unique after a restart.
            #expect(try await sim.createKey("next").hash != created.hash)
        }
    }
}
