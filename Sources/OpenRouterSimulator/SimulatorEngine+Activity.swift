import CreditTypes

/// `POST /_sim/usage` and `GET /api/v1/activity`: use recorded on a key and a model, and
/// added up per UTC day × model × endpoint for the last 30 completed days of the
/// simulator's clock (CONTRACT.md § Simulator additions).
extension SimulatorEngine {
    /// Completed UTC days `/activity` answers for, today not included.
    static let activityDays: Int64 = 30

    /// The model of use on a key that names none: inference always has a model, and this
    /// is OpenRouter's router.
    static let defaultModel = "openrouter/auto"

    /// `POST /_sim/usage` `{"amount","key"?,"model"?,"provider"?,"requests"?,"prompt_tokens"?,…}`:
    /// use on the account's total, on the key's running total (by its hash or the key
    /// itself) and in the day's activity for the model. Without a key only the account's
    /// total moves, and the activity when a model is given.
    func use(body: [UInt8]) throws(SimulatorError) -> SimAnswer {
        let example = #"{"amount":"1.25","key":"<hash>","model":"openai/gpt-4o"}"#
        var next = state
        do throws(AdminRefusal) {
            let fields = try AdminBody(body, example: example)
            let amount = try fields.amount("amount", example: example)
            var model = try fields.optionalString("model")
            let keyIndex = try fields.optionalString("key").map { (given) throws(AdminRefusal) in
                guard let index = state.keys.firstIndex(where: { $0.hash == given || $0.key == given }) else {
                    throw AdminRefusal(404, "no key \(given) (deleted, or never created with POST /_sim/keys)")
                }
                let key = state.keys[index]
                if key.disabled { throw AdminRefusal(403, "key \(key.hash) is disabled: it cannot be used") }
                if let remaining = key.limitRemaining, amount > remaining {
                    throw AdminRefusal(402, "key \(key.hash) has \(remaining.decimalText) USD left of its limit of \(key.limit?.decimalText ?? "")")
                }
                return index
            }
            if keyIndex != nil, model == nil { model = Self.defaultModel }
            var counts: [Int64] = []
            for (name, fallback) in zip(SimUsage.countNames, [Int64(1), 0, 0, 0, 0]) {
                counts.append(try fields.optionalCount(name) ?? fallback)
            }
            let provider = try fields.optionalString("provider")
                ?? model.map { String($0.split(separator: "/").first ?? Substring($0)) }
            let use = SimUsage(at: now(), amount: amount, keyHash: keyIndex.map { state.keys[$0].hash }, model: model,
                               provider: provider, counts: counts)
            next.totalUsage = try Self.sum(state.totalUsage, amount, "total_usage")
            if let keyIndex {
                next.keys[keyIndex].usage = try Self.sum(state.keys[keyIndex].usage, amount, "key \(state.keys[keyIndex].hash)'s usage")
            }
            try checkActivityRow(adding: use)
            next.usages.append(use)
        } catch {
            return error.answer
        }
        try commit(next)
        return .json(200, stateJSON())
    }

    /// Refuses (400) a use that would carry its `/activity` row (UTC day × model × provider)
    /// past what `Int64` holds, in its amount or any of its counts: `/activity` adds them up.
    func checkActivityRow(adding use: SimUsage) throws(AdminRefusal) {
        guard let model = use.model else { return }
        let day = use.at.utcDate
        var amount = use.amount
        var counts = use.counts
        for earlier in state.usages where earlier.model == model && (earlier.provider ?? "") == (use.provider ?? "")
            && earlier.at.utcDate == day {
            var overflowing: String?
            if let sum = amount.adding(earlier.amount) { amount = sum } else { overflowing = "usage" }
            for index in counts.indices where index < earlier.counts.count {
                let (sum, overflow) = counts[index].addingReportingOverflow(earlier.counts[index])
                if overflow { overflowing = SimUsage.countNames[index] } else { counts[index] = sum }
            }
            if let overflowing {
                throw AdminRefusal(400, "\(overflowing) of \(model) on \(day.isoText) would add up to more than /activity can "
                    + "answer: nothing changed")
            }
        }
    }

    /// The days `/activity` answers for: the last 30 completed UTC days of the clock.
    func activityWindow() -> ClosedRange<CivilDate> {
        let today = now().utcDate
        return today.adding(days: -Self.activityDays)...today.adding(days: -1)
    }

    /// `GET /api/v1/activity?date=YYYY-MM-DD&api_key_hash=…`: one row per UTC day × model ×
    /// provider of the window (or of `date`, which must be in it), for the account or one
    /// key (a deleted key's past use included).
    func activity(authorization: String?, query: [String: String]) -> SimAnswer {
        let kind = keyKind(authorization)
        if let refusal = refusal(kind) { return refusal }
        guard kind == .management else { return .error(403, "Only management keys can read activity.") }
        let window = activityWindow()
        var days = window
        if let text = query["date"] {
            guard text.utf8.count == 10, let time = try? Timestamp(iso8601: text) else {
                return .error(400, "date: Expected a date as YYYY-MM-DD, received \"\(text)\"")
            }
            let date = time.utcDate
            guard window.contains(date) else {
                return .error(400, "date: \(text) is not one of the last \(Self.activityDays) completed UTC days "
                    + "(\(window.lowerBound.isoText) to \(window.upperBound.isoText))")
            }
            days = date...date
        }
        let keyHash = query["api_key_hash"]
        if let keyHash, keyHash.isEmpty { return .error(400, "api_key_hash: Expected a key hash, received \"\"") }
        struct Row { var amount = Micros.zero; var counts: [Int64] = [0, 0, 0, 0, 0] }
        struct Group: Hashable, Comparable {
            let date: CivilDate, model: String, provider: String
            static func < (a: Group, b: Group) -> Bool { (a.date, a.model, a.provider) < (b.date, b.model, b.provider) }
        }
        var rows: [Group: Row] = [:]
        for use in state.usages {
            guard let model = use.model, days.contains(use.at.utcDate), keyHash == nil || use.keyHash == keyHash else { continue }
            let group = Group(date: use.at.utcDate, model: model, provider: use.provider ?? "")
            var row = rows[group] ?? Row()
            // `POST /_sim/usage` refuses a use that would overflow a row; a state file
            // written before it did may still hold one.
            let tooMuch = SimAnswer.error(500, "the use of \(model) on \(group.date.isoText) adds up to more than /activity can answer")
            guard let amount = row.amount.adding(use.amount) else { return tooMuch }
            row.amount = amount
            for (index, count) in use.counts.enumerated() where index < row.counts.count {
                let (sum, overflow) = row.counts[index].addingReportingOverflow(count)
                guard !overflow else { return tooMuch }
                row.counts[index] = sum
            }
            rows[group] = row
        }
        var answer = SimAnswer.json(200, .object(["data": .array(rows.keys.sorted().map { group in
            let row = rows[group] ?? Row()
            var fields: [String: ExactJSON] = [
                "date": .string(group.date.isoText),
                "model": .string(group.model),
                "model_permaslug": .string(group.model),
                "endpoint_id": .string(Self.endpointID(model: group.model, provider: group.provider)),
                "provider_name": .string(group.provider),
                "usage": .number(row.amount),
                "byok_usage_inference": .number(Micros.zero),
            ]
            for (name, count) in zip(SimUsage.countNames, row.counts) { fields[name] = .number(count) }
            return .object(fields)
        })]))
        answer.drop = dropDraw()
        return answer
    }

    /// A UUID-shaped id that is the same for the same model and provider every time.
    static func endpointID(model: String, provider: String) -> String {
        // FNV-1a: small, stable across runs and platforms (Hasher is seeded per process).
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in (model + "|" + provider).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        var generator = SeededRandom(seed: hash)
        return SeededRandom.uuidShaped(generator.hex(words: 2))
    }
}
