import CreditTypes

/// The answers that say where the usage went (DESIGN.md § Where the usage went), read
/// with the same exact and tolerant rules as the others.
extension WireFormat {
    /// `{"data":{"label","is_management_key","usage","limit",…}}`.
    static func keyMetadata(_ body: [UInt8]) throws(APIError) -> KeyMetadata {
        let raw = String(decoding: body, as: UTF8.self)
        let data = try WireObject(dataObject(body, raw: raw), path: "data", raw: raw)
        // `is_provisioning_key` is the flag's older name; the API still sends both.
        let managementFlag = try data.optionalBool("is_management_key")
        let provisioningFlag = try data.optionalBool("is_provisioning_key")
        guard let management = managementFlag ?? provisioningFlag else {
            throw .malformedResponse(
                reason: "data.is_management_key is missing: the answer does not say whether this is a management key",
                rawBody: raw)
        }
        return KeyMetadata(
            label: try data.optionalString("label"), isManagementKey: management,
            usage: try data.optionalAmount("usage"), byokUsage: try data.optionalAmount("byok_usage"),
            limit: try data.optionalLimit("limit", advice: Self.ownLimitAdvice),
            limitRemaining: try data.optionalLimit("limit_remaining", signed: true, advice: Self.ownLimitAdvice),
            limitReset: try data.optionalString("limit_reset"), expiresAt: try data.optionalTimestamp("expires_at"),
            rawBody: raw)
    }

    /// What to do about the calling key's limit set beyond what the ledger keeps.
    static let ownLimitAdvice = "a limit that far from zero is none in practice: lower or remove this key's limit in OpenRouter's "
        + "key settings"

    /// What to do about a listed key's limit set beyond what the ledger keeps, naming the
    /// key by its hash's first 8 digits (as `status` does) when they are hex.
    static func listedLimitAdvice(hash: String) -> String {
        let named = hash.count >= 8 && hash.prefix(8).allSatisfy { $0.isASCII && $0.isHexDigit } ? "key \(hash.prefix(8))…'s" : "that key's"
        return "a limit that far from zero is none in practice: lower or remove \(named) limit in OpenRouter's key settings; until "
            + "then `fetch --no-keys` reads the rest"
    }

    /// One page of `{"data":[{"hash","name","label","disabled","usage","limit",…},…]}`.
    static func keysPage(_ body: [UInt8]) throws(APIError) -> [AccountKey] {
        let raw = String(decoding: body, as: UTF8.self)
        return try dataArray(body, raw: raw).enumerated().map { (index, element) throws(APIError) in
            let key = try WireObject(element, path: "data[\(index)]", raw: raw)
            let hash = try key.string("hash")
            return AccountKey(
                hash: hash, name: try key.optionalString("name"), label: try key.optionalString("label"),
                disabled: try key.optionalBool("disabled"), usage: try key.amount("usage"),
                byokUsage: try key.optionalAmount("byok_usage"), limit: try key.optionalLimit("limit", advice: Self.listedLimitAdvice(hash: hash)),
                limitRemaining: try key.optionalLimit("limit_remaining", signed: true, advice: Self.listedLimitAdvice(hash: hash)),
                limitReset: try key.optionalString("limit_reset"),
                createdAt: try key.optionalTimestamp("created_at"), updatedAt: try key.optionalTimestamp("updated_at"),
                expiresAt: try key.optionalTimestamp("expires_at"), workspaceID: try key.optionalString("workspace_id"),
                rawJSON: key.text)
        }
    }

    /// `{"data":[{"date","model","model_permaslug","endpoint_id","provider_name","usage",…},…]}`.
    static func activityRows(_ body: [UInt8]) throws(APIError) -> [ActivityRow] {
        let raw = String(decoding: body, as: UTF8.self)
        let rows = try activityRows(body, raw: raw)
        try bounded(rows.map(\.usage), "the rows' usage", raw: raw)
        // A row given twice, every field alike, is one row of use sent twice: stored, the
        // day's use would count it twice.
        var seen: [String: Int] = [:]
        for (index, row) in rows.enumerated() {
            if let first = seen.updateValue(index, forKey: row.rawJSON) {
                throw .malformedResponse(reason: "data[\(index)] repeats data[\(first)] field for field: the same use twice", rawBody: raw)
            }
        }
        return rows
    }

    /// An answer whose amounts add up past `Micros.largestAmount` is no account's: the
    /// books would add them up again, and overflow.
    static func bounded(_ amounts: [Micros], _ what: String, raw: String?) throws(APIError) {
        var total = Micros.zero
        for amount in amounts {
            guard let sum = total.adding(amount.magnitude), sum <= .largestAmount else {
                throw .malformedResponse(
                    reason: "\(what) adds up to more than \(Micros.largestAmount.decimalText) USD, more than any account uses",
                    rawBody: raw)
            }
            total = sum
        }
    }

    private static func activityRows(_ body: [UInt8], raw: String) throws(APIError) -> [ActivityRow] {
        try dataArray(body, raw: raw).enumerated().map { (index, element) throws(APIError) in
            let row = try WireObject(element, path: "data[\(index)]", raw: raw)
            return ActivityRow(
                date: try row.date("date"), model: try row.string("model"),
                modelPermaslug: try row.optionalString("model_permaslug"), endpointID: try row.optionalString("endpoint_id"),
                providerName: try row.optionalString("provider_name"), usage: try row.amount("usage"),
                byokUsageInference: try row.optionalAmount("byok_usage_inference"),
                requests: try row.optionalCount("requests"), promptTokens: try row.optionalCount("prompt_tokens"),
                completionTokens: try row.optionalCount("completion_tokens"),
                reasoningTokens: try row.optionalCount("reasoning_tokens"), cachedTokens: try row.optionalCount("cached_tokens"),
                rawJSON: row.text)
        }
    }

    private static func dataArray(_ body: [UInt8], raw: String) throws(APIError) -> [ExactJSON] {
        guard case .array(let elements) = try data(body, raw: raw) else {
            throw .malformedResponse(reason: "\"data\" is not a list", rawBody: raw)
        }
        return elements
    }
}
