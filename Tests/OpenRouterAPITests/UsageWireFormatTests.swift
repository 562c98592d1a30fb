import CreditTypes
import Testing

@testable import OpenRouterAPI

/// `GET /key`, `/keys` and `/activity` decoded exactly and tolerantly, without a server;
/// hostile bodies end in `.malformedResponse` (exit 76) that names the field and keeps the body.
@Suite struct UsageWireFormatTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// `body` is refused as malformed, the reason mentions `mentioning`, the body is kept.
    func expectMalformed(_ body: String, mentioning: String, _ decode: ([UInt8]) throws(APIError) -> Void) {
        do throws(APIError) {
            try decode(bytes(body))
            Issue.record("accepted: \(body)")
        } catch {
            guard case .malformedResponse(let reason, let raw) = error else { Issue.record("got \(error)"); return }
            #expect(reason.contains(mentioning), "\(reason)")
            #expect(raw == body)
        }
    }

    // MARK: - GET /key

    /// The shape production sends (and the official SDK 1.3.84 requires), read exactly.
    static let managementKey = #"""
        {"data":{"label":"sk-or-v1-0e6...1c9","is_management_key":true,"is_provisioning_key":true,"limit":null,
        "limit_remaining":null,"limit_reset":null,"usage":12.345678,"usage_daily":0,"usage_weekly":0,"usage_monthly":0,
        "byok_usage":0.5,"byok_usage_daily":0,"byok_usage_weekly":0,"byok_usage_monthly":0,"include_byok_in_limit":false,
        "is_free_tier":false,"budgets":[],"effective_budget":null,"creator_user_id":null,"organization_id":null,
        "workspace_id":null,"allowed_data_regions":["global"],"free_model_daily_requests":{"limit":50,"remaining":50,"used":0},
        "rate_limit":{"interval":"10s","note":"deprecated","requests":-1},"expires_at":null,"something_new":{"x":1}}}
        """#

    @Test func keyMetadataIsExact() throws {
        let key = try WireFormat.keyMetadata(bytes(Self.managementKey))
        #expect(key.isManagementKey)
        #expect(key.label == "sk-or-v1-0e6...1c9")
        #expect(key.usage == Micros(raw: 12_345_678))
        #expect(key.byokUsage == Micros(raw: 500_000))
        #expect(key.limit == nil && key.limitRemaining == nil && key.limitReset == nil && key.expiresAt == nil)
        #expect(key.rawBody == Self.managementKey)
    }

    @Test func keyMetadataToleratesMissingFieldsAndTheOlderFlag() throws {
        let older = try WireFormat.keyMetadata(bytes(#"{"data":{"is_provisioning_key":false,"limit":"25","limit_remaining":24.75}}"#))
        #expect(!older.isManagementKey)
        #expect(older.label == nil && older.usage == nil)
        #expect(older.limit == Micros(raw: 25_000_000))
        #expect(older.limitRemaining == Micros(raw: 24_750_000))
        let limited = try WireFormat.keyMetadata(bytes(#"{"data":{"is_management_key":false,"expires_at":"2027-01-01T00:00:00Z"}}"#))
        #expect(limited.expiresAt == (try Timestamp(iso8601: "2027-01-01T00:00:00Z")))
    }

    @Test(arguments: [
        (#"{"data":{"label":"x"}}"#, "is_management_key is missing"),
        (#"{"data":{"is_management_key":null}}"#, "is_management_key is missing"),
        (#"{"data":{"is_management_key":"true"}}"#, "data.is_management_key is not true or false"),
        (#"{"data":{"is_management_key":1}}"#, "data.is_management_key is not true or false"),
        (#"{"data":{"is_management_key":true,"usage":"lots"}}"#, "data.usage \"lots\" is not a decimal number"),
        (#"{"data":{"is_management_key":true,"usage":true}}"#, "data.usage is not a number"),
        (#"{"data":{"is_management_key":true,"label":7}}"#, "data.label is not a string"),
        (#"{"data":{"is_management_key":true,"expires_at":"soon"}}"#, "data.expires_at \"soon\" is not a time"),
        (#"{"data":[]}"#, "no \"data\" object"),
        (#"{"is_management_key":true}"#, "no \"data\""),
        (#"{"data":{"is_management_key":tru}}"#, "cannot be read as JSON"),
        (#"<html>502</html>"#, "cannot be read as JSON"),
        ("", "cannot be read as JSON"),
    ])
    func hostileKeyMetadata(body: String, mentioning: String) {
        expectMalformed(body, mentioning: mentioning) { (bytes) throws(APIError) in _ = try WireFormat.keyMetadata(bytes) }
    }

    // MARK: - GET /keys

    static let keysPage = #"""
        {"data":[{"hash":"f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943","name":"ci","label":"sk-or-v1-0e6...1c9",
        "disabled":false,"limit":50,"limit_remaining":37.654321,"limit_reset":"monthly","usage":12.345679,"usage_daily":0.5,
        "usage_weekly":1,"usage_monthly":2,"byok_usage":0,"byok_usage_daily":0,"byok_usage_weekly":0,"byok_usage_monthly":0,
        "include_byok_in_limit":false,"created_at":"2026-10-01T08:00:00.000Z","updated_at":null,"last_used_at":null,
        "creator_user_id":null,"external_user":null,"workspace_id":"ws-1","expires_at":null,"future":[1,2.50]},
        {"hash":"b2","usage":"0.000001","disabled":true,"created_at":1767225600}]}
        """#

    @Test func keysPageIsExact() throws {
        let keys = try WireFormat.keysPage(bytes(Self.keysPage))
        #expect(keys.count == 2)
        let ci = keys[0]
        #expect(ci.hash == "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943")
        #expect(ci.name == "ci" && ci.label == "sk-or-v1-0e6...1c9" && ci.disabled == false)
        #expect(ci.usage == Micros(raw: 12_345_679))
        #expect(ci.limit == Micros(raw: 50_000_000) && ci.limitRemaining == Micros(raw: 37_654_321))
        #expect(ci.limitReset == "monthly" && ci.byokUsage == .zero && ci.workspaceID == "ws-1")
        #expect(ci.createdAt == (try Timestamp(iso8601: "2026-10-01T08:00:00Z")))
        #expect(ci.updatedAt == nil && ci.expiresAt == nil)
        // The key's own object, compact and sorted, numbers as the API wrote them.
        #expect(ci.rawJSON.hasPrefix(#"{"byok_usage":0,"#))
        #expect(ci.rawJSON.contains(#""future":[1,2.50]"#) && ci.rawJSON.contains(#""limit_remaining":37.654321"#))
        // The second key sends only what the ledger needs: everything else is nil.
        let bare = keys[1]
        #expect(bare.hash == "b2" && bare.usage == Micros(raw: 1) && bare.disabled == true)
        #expect(bare.name == nil && bare.label == nil && bare.limit == nil && bare.byokUsage == nil && bare.workspaceID == nil)
        #expect(bare.createdAt == (try Timestamp(iso8601: "2026-01-01T00:00:00Z")))
        #expect(try WireFormat.keysPage(bytes(#"{"data":[]}"#)).isEmpty)
    }

    @Test(arguments: [
        (#"{"data":[{"hash":"a","usage":1},{"usage":2}]}"#, "data[1].hash is missing"),
        (#"{"data":[{"hash":"","usage":1}]}"#, "data[0].hash is empty"),
        (#"{"data":[{"hash":7,"usage":1}]}"#, "data[0].hash is not a string"),
        (#"{"data":[{"hash":"a"}]}"#, "data[0].usage is missing"),
        (#"{"data":[{"hash":"a","usage":null}]}"#, "data[0].usage is missing"),
        (#"{"data":[{"hash":"a","usage":1,"disabled":"no"}]}"#, "data[0].disabled is not true or false"),
        (#"{"data":[{"hash":"a","usage":1,"limit":[50]}]}"#, "data[0].limit is not a number"),
        (#"{"data":[{"hash":"a","usage":"1,5"}]}"#, "data[0].usage \"1,5\" is not a decimal number"),
        (#"{"data":[{"hash":"a","usage":1,"created_at":"yesterday"}]}"#, "data[0].created_at \"yesterday\" is not a time"),
        (#"{"data":["a"]}"#, "data[0] is not an object"),
        (#"{"data":{"hash":"a","usage":1}}"#, "\"data\" is not a list"),
        (#"{"data":[{"hash":"a","usage":1}"#, "cannot be read as JSON"),
    ])
    func hostileKeysPages(body: String, mentioning: String) {
        expectMalformed(body, mentioning: mentioning) { (bytes) throws(APIError) in _ = try WireFormat.keysPage(bytes) }
    }

    /// A key's limit beyond what the ledger keeps is the API's own answer, set by a person:
    /// no `--base-url` to check (it said so), but the key to change, or `--no-keys`; the
    /// calling key's own limit (`GET /key`) is named as this key's. Exit 76 still.
    @Test(arguments: [
        (#"{"data":[{"hash":"7e1000fd3fa6","usage":1,"limit":5000000000}]}"#, "data[0].limit", "key 7e1000fd…'s limit"),
        (#"{"data":[{"hash":"zz","usage":1,"limit":5,"limit_remaining":"-2e9"}]}"#, "data[0].limit_remaining", "that key's limit"),
        (#"{"data":{"is_management_key":true,"limit":1e10}}"#, "data.limit", "this key's limit"),
        (#"{"data":{"is_management_key":true,"limit":1e400}}"#, "data.limit", "this key's limit"),
    ])
    func aLimitBeyondRangeSaysWhichKeyToChange(body: String, field: String, key: String) {
        do throws(APIError) {
            if body.hasPrefix(#"{"data":["#) { _ = try WireFormat.keysPage(bytes(body)) } else { _ = try WireFormat.keyMetadata(bytes(body)) }
            Issue.record("accepted: \(body)")
        } catch {
            guard case .beyondRange(let reason, let raw) = error else { Issue.record("got \(error)"); return }
            #expect(reason.hasPrefix(field + " ") && reason.contains("is too large (an amount may be at most 1000000000 USD "
                + "either way); a limit that far from zero is none in practice: lower or remove \(key) in OpenRouter's key settings"), "\(reason)")
            #expect(raw == body)
            #expect(!error.description.contains("--base-url") && error.description.hasPrefix("the API answered an amount "
                + "credit-recon cannot keep: "), "\(error.description)")
            #expect(body.contains("[") == error.description.contains("until then `fetch --no-keys` reads the rest"))
        }
    }

    // MARK: - GET /activity

    static let activity = #"""
        {"data":[{"date":"2026-11-01","model":"openai/gpt-4.1","model_permaslug":"openai/gpt-4.1-2025-04-14",
        "endpoint_id":"550e8400-e29b-41d4-a716-446655440000","provider_name":"OpenAI","usage":0.015,
        "byok_usage_inference":0.012,"requests":5,"prompt_tokens":50,"completion_tokens":125,"reasoning_tokens":25,
        "cached_tokens":0,"workspace_id":"ws"},
        {"date":"2026-11-01T00:00:00Z","model":"anthropic/claude","usage":"1234.567891","requests":2.0}]}
        """#

    @Test func activityRowsAreExact() throws {
        let rows = try WireFormat.activityRows(bytes(Self.activity))
        #expect(rows.count == 2)
        let first = rows[0]
        #expect(first.date == CivilDate(year: 2026, month: 11, day: 1))
        #expect(first.model == "openai/gpt-4.1" && first.modelPermaslug == "openai/gpt-4.1-2025-04-14")
        #expect(first.endpointID == "550e8400-e29b-41d4-a716-446655440000" && first.providerName == "OpenAI")
        #expect(first.usage == Micros(raw: 15_000) && first.byokUsageInference == Micros(raw: 12_000))
        #expect(first.requests == 5 && first.promptTokens == 50 && first.completionTokens == 125)
        #expect(first.reasoningTokens == 25 && first.cachedTokens == 0)
        #expect(first.rawJSON.contains(#""usage":0.015"#))
        let second = rows[1]
        #expect(second.date == CivilDate(year: 2026, month: 11, day: 1))
        #expect(second.usage == Micros(raw: 1_234_567_891) && second.requests == 2)
        #expect(second.providerName == nil && second.promptTokens == nil && second.byokUsageInference == nil)
    }

    /// Amounts finer than a micro-dollar are rounded half to even, as `/credits` totals are
    /// (the API computes in fractions of a cent; the raw body keeps what it sent).
    @Test func fractionsOfAMicroDollarRoundHalfEvenLikeTheTotals() throws {
        let rows = try WireFormat.activityRows(bytes(
            #"{"data":[{"date":"2026-11-01","model":"m","usage":0.0000005},{"date":"2026-11-01","model":"m","usage":0.0000015},"#
                + #"{"date":"2026-11-01","model":"m","usage":0.00001234567890123456789}]}"#))
        #expect(rows.map(\.usage) == [.zero, Micros(raw: 2), Micros(raw: 12)])
        let keys = try WireFormat.keysPage(bytes(#"{"data":[{"hash":"a","usage":2.5000005,"limit_remaining":"0.0000025"}]}"#))
        #expect(keys.first?.usage == Micros(raw: 2_500_000))
        #expect(keys.first?.limitRemaining == Micros(raw: 2))
        #expect(try WireFormat.credits(bytes(#"{"data":{"total_credits":2.5000005,"total_usage":0}}"#)).totalCredits
            == Micros(raw: 2_500_000))
    }

    @Test(arguments: [
        (#"{"data":[{"model":"m","usage":1}]}"#, "data[0].date is missing"),
        (#"{"data":[{"date":"2026-02-30","model":"m","usage":1}]}"#, "data[0].date \"2026-02-30\" is not a date"),
        (#"{"data":[{"date":"2026-11-01T12:00:00Z","model":"m","usage":1}]}"#, "is not a date"),
        (#"{"data":[{"date":20261101,"model":"m","usage":1}]}"#, "data[0].date is not a string"),
        (#"{"data":[{"date":"2026-11-01","usage":1}]}"#, "data[0].model is missing"),
        (#"{"data":[{"date":"2026-11-01","model":"m"}]}"#, "data[0].usage is missing"),
        (#"{"data":[{"date":"2026-11-01","model":"m","usage":"1.2.3"}]}"#, "data[0].usage \"1.2.3\" is not a decimal number"),
        (#"{"data":[{"date":"2026-11-01","model":"m","usage":1,"requests":1.5}]}"#, "data[0].requests is not a whole number"),
        (#"{"data":[{"date":"2026-11-01","model":"m","usage":1,"requests":-1}]}"#, "data[0].requests is not a whole number"),
        // A whole number, but past what a count may be: said so (it was "not a whole number", probe 80 F4).
        (#"{"data":[{"date":"2026-11-01","model":"m","usage":1,"requests":9007199254740992}]}"#,
         "data[0].requests is too large (a count may be at most 9223372036854)"),
        (#"{"data":[{"date":"2026-11-01","model":"m","usage":1,"prompt_tokens":"1e400"}]}"#,
         "data[0].prompt_tokens is too large"),
        (#"{"data":[{"date":"2026-11-01","model":"m","usage":1,"requests":-9007199254740992}]}"#,
         "data[0].requests is not a whole number"),
        (#"{"data":[{"date":"2026-11-01","model":"m","usage":1,"prompt_tokens":"many"}]}"#, "data[0].prompt_tokens"),
        (#"{"data":[{"date":"2026-11-01","model":"m","usage":1,"cached_tokens":true}]}"#, "data[0].cached_tokens"),
        (#"{"data":[{"date":"2026-11-01","model":"m","usage":1,"byok_usage_inference":{}}]}"#, "byok_usage_inference is not a number"),
        (#"{"data":null}"#, "\"data\" is not a list"),
        (#"{"data":[{"date":"2026-11-01","model":"m","usage":0.5},{"date":"2026-11-01","model":"n","usage":1},{"usage":0.5,"model":"m","date":"2026-11-01"}]}"#,
         "data[2] repeats data[0] field for field"),
        (#"{"data":[{"date":"2026-11-01","model":"m","usage":1}]"#, "cannot be read as JSON"),
        // Each row under the largest amount, together over it: the books add them up.
        (#"{"data":[{"date":"2026-11-01","model":"m","usage":600000000},{"date":"2026-11-01","model":"n","usage":400000000.000001}]}"#,
         "the rows' usage adds up to more than 1000000000 USD"),
    ])
    func hostileActivity(body: String, mentioning: String) {
        expectMalformed(body, mentioning: mentioning) { (bytes) throws(APIError) in _ = try WireFormat.activityRows(bytes) }
    }

    // MARK: - Requests

    @Test func queryPartsArePercentEncoded() {
        #expect(OpenRouterClient.query([]) == "")
        #expect(OpenRouterClient.query([("date", "2026-11-01")]) == "?date=2026-11-01")
        #expect(OpenRouterClient.query([("api_key_hash", "a b/é&x=1"), ("offset", "0")])
            == "?api_key_hash=a%20b%2F%C3%A9%26x%3D1&offset=0")
    }
}
