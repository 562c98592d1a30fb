import CreditTypes

/// `GET /api/v1/key`, `GET /api/v1/keys` and the admin routes that create, disable and
/// delete keys (CONTRACT.md § Simulator additions), in the shape the official SDK 1.3.84
/// validates: every field it requires is present, `null` where it allows that.
extension SimulatorEngine {
    /// The workspace every key spends in (the simulator has one).
    static let workspaceID = "9a3f6c1e-5b2d-4e8f-a7c0-3d1b2e4f6a80"

    /// A key's use today, this ISO week (Monday to Sunday) and this month, in UTC on the
    /// simulator's clock, and when it was last used.
    struct RecentUse {
        var daily = Micros.zero
        var weekly = Micros.zero
        var monthly = Micros.zero
        var lastUsedAt: Timestamp?
    }

    /// `GET /api/v1/key`: the calling key's metadata.
    func currentKey(authorization: String?) -> SimAnswer {
        let kind = keyKind(authorization)
        if let refusal = refusal(kind) { return refusal }
        var created: SimKey?
        if case .inference(let hash?) = kind { created = state.keys.first { $0.hash == hash } }
        let usage = created?.usage ?? .zero
        let limit = created?.limit
        var fields = Self.usageFields(
            usage: usage, limit: limit, recent: created.flatMap { recentUse()[$0.hash] } ?? RecentUse())
        fields["label"] = .string(SimKey.label(for: created?.key ?? authorization.flatMap(Self.bearerKey) ?? ""))
        let management = kind == .management
        // The key's own limit is the one budget layer the simulator has.
        let budgets: [ExactJSON] = limit.map { limit in
            [.object([
                "budget_id": .null, "guardrail_id": .null, "include_byok": .bool(false), "limit_usd": .number(limit),
                "remaining_usd": .number(limit - usage), "reset_interval": .null, "resets_at": .null,
                "scope": .string("key_limit"), "spend_usd": .number(usage),
            ])]
        } ?? []
        fields.merge([
            "is_management_key": .bool(management),
            "is_provisioning_key": .bool(management),
            "allowed_data_regions": .array([.string("global")]),
            "budgets": .array(budgets),
            "effective_budget": budgets.first ?? .null,
            "creator_user_id": .null,
            "organization_id": .null,
            "workspace_id": .string(Self.workspaceID),
            "is_free_tier": .bool(false),
            "free_model_daily_requests": .object(["limit": .number(1000), "remaining": .number(1000), "used": .number(0)]),
            "rate_limit": .object([
                "interval": .string("10s"), "requests": .number(-1),
                "note": .string("This field is deprecated and safe to ignore."),
            ]),
        ]) { _, new in new }
        var answer = SimAnswer.json(200, .object(["data": .object(fields)]))
        answer.drop = dropDraw()
        return answer
    }

    /// `GET /api/v1/keys?include_disabled=…&offset=…`: a page of `options.keysPage` keys.
    func listKeys(authorization: String?, query: [String: String]) -> SimAnswer {
        let kind = keyKind(authorization)
        if let refusal = refusal(kind) { return refusal }
        // The API's description of this route lists 401 for a key that may not list keys, not 403.
        guard kind == .management else { return .error(401, "Only management keys can list API keys.") }
        let includeDisabled: Bool
        switch query["include_disabled"] {
        case nil, "false": includeDisabled = false
        case "true": includeDisabled = true
        case let other?: return .error(400, "include_disabled: Expected boolean, received \"\(other)\"")
        }
        var offset = 0
        if let text = query["offset"] {
            guard let value = Int(text), value >= 0 else {
                return .error(400, "offset: Expected a whole number of at least 0, received \"\(text)\"")
            }
            offset = value
        }
        let listed = state.keys.filter { includeDisabled || !$0.disabled }
        let page = listed.dropFirst(offset).prefix(options.keysPage)
        let recent = recentUse()
        var answer = SimAnswer.json(200, .object(["data": .array(page.map { key in
            var fields = Self.usageFields(usage: key.usage, limit: key.limit, recent: recent[key.hash] ?? RecentUse())
            fields.merge([
                "hash": .string(key.hash),
                "name": .string(key.name),
                "label": .string(SimKey.label(for: key.key)),
                "disabled": .bool(key.disabled),
                "created_at": .string(key.createdAt.iso8601),
                "updated_at": key.updatedAt.map { .string($0.iso8601) } ?? .null,
                "last_used_at": recent[key.hash]?.lastUsedAt.map { .string($0.iso8601) } ?? .null,
                "creator_user_id": .null,
                "external_user": .null,
                "workspace_id": .string(Self.workspaceID),
            ]) { _, new in new }
            return .object(fields)
        })]))
        answer.drop = dropDraw()
        return answer
    }

    /// The fields `/key` and `/keys` share: running and recent use, BYOK use (none here),
    /// the limit and what is left of it.
    private static func usageFields(usage: Micros, limit: Micros?, recent: RecentUse) -> [String: ExactJSON] {
        [
            "usage": .number(usage), "usage_daily": .number(recent.daily), "usage_weekly": .number(recent.weekly),
            "usage_monthly": .number(recent.monthly),
            "byok_usage": .number(Micros.zero), "byok_usage_daily": .number(Micros.zero),
            "byok_usage_weekly": .number(Micros.zero), "byok_usage_monthly": .number(Micros.zero),
            "include_byok_in_limit": .bool(false),
            "limit": limit.map { .number($0) } ?? .null,
            "limit_remaining": limit.map { .number($0 - usage) } ?? .null,
            "limit_reset": .null,
            "expires_at": .null,
        ]
    }

    /// Every key's recent use, in one pass over the recorded uses.
    func recentUse() -> [String: RecentUse] {
        let today = now().utcDate
        let weekStart = today.adding(days: -today.isoWeekday)
        let monthStart = today.firstOfMonth
        var result: [String: RecentUse] = [:]
        for use in state.usages {
            guard let hash = use.keyHash else { continue }
            let day = use.at.utcDate
            var entry = result[hash] ?? RecentUse()
            if day == today { entry.daily += use.amount }
            if day >= weekStart && day <= today { entry.weekly += use.amount }
            if day >= monthStart && day <= today { entry.monthly += use.amount }
            if entry.lastUsedAt.map({ use.at > $0 }) ?? true { entry.lastUsedAt = use.at }
            result[hash] = entry
        }
        return result
    }

    // MARK: - Admin

    /// `POST /_sim/keys` `{"name","limit"?}`: creates a key; answers `{"hash","key"}`.
    func createKey(body: [UInt8]) throws(SimulatorError) -> SimAnswer {
        let example = #"{"name":"ci","limit":"50"}"#
        let name: String
        let limit: Micros?
        do throws(AdminRefusal) {
            let fields = try AdminBody(body, example: example)
            guard let given = try fields.optionalString("name") else { throw AdminRefusal(400, "give a name, e.g. \(example)") }
            name = given
            limit = try fields.optionalAmount("limit", allowZero: true)
        } catch {
            return error.answer
        }
        var next = state
        next.keyCount += 1
        var generator = SeededRandom(seed: idSeed &+ UInt64(next.keyCount) &* 0xD1B5_4A32_D192_ED03)
        let hash = generator.hex(words: 4)
        let key = SimKey(hash: hash, key: "sk-or-v1-" + generator.hex(words: 4), name: name, limit: limit, createdAt: now())
        next.keys.append(key)
        try commit(next)
        return .json(200, .object(["hash": .string(key.hash), "key": .string(key.key)]))
    }

    /// `POST /_sim/keys/{hash}/disable`: the key is refused from now on and listed only
    /// with `include_disabled=true`; disabling it again changes nothing.
    func disableKey(hash: String) throws(SimulatorError) -> SimAnswer {
        guard let index = state.keys.firstIndex(where: { $0.hash == hash }) else { return .error(404, "no key \(hash)") }
        if !state.keys[index].disabled {
            var next = state
            next.keys[index].disabled = true
            next.keys[index].updatedAt = now()
            try commit(next)
        }
        return .json(200, .object(["hash": .string(hash), "disabled": .bool(true)]))
    }

    /// `DELETE /_sim/keys/{hash}`: the key is gone from `/keys` and refused (401); its
    /// past use stays in the account's totals and in `/activity`.
    func deleteKey(hash: String) throws(SimulatorError) -> SimAnswer {
        guard let index = state.keys.firstIndex(where: { $0.hash == hash }) else { return .error(404, "no key \(hash)") }
        var next = state
        next.keys.remove(at: index)
        try commit(next)
        return .json(200, .object(["hash": .string(hash), "deleted": .bool(true)]))
    }
}
