import CreditTypes

/// Everything the simulator remembers; what `--state FILE` persists and `GET /_sim/state` shows.
public struct SimulatorState: Sendable, Equatable {
    /// All credits ever added.
    public var totalCredits: Micros
    /// All credits ever used.
    public var totalUsage: Micros
    /// The clock set by `POST /_sim/clock`; `nil` follows real time.
    public var clock: Timestamp?
    /// Every charge created, oldest first.
    public var charges: [SimCharge]
    /// How many charges were ever created (for ids that stay unique across restarts).
    public var chargeCount: Int64
    /// The keys `POST /_sim/keys` created and nobody deleted, oldest first.
    public var keys: [SimKey]
    /// How many keys were ever created (for hashes that stay unique across restarts).
    public var keyCount: Int64
    /// Every use `POST /_sim/usage` recorded, in the order recorded (deleted keys' too).
    public var usages: [SimUsage]

    /// A fresh account.
    public init(totalCredits: Micros, totalUsage: Micros) {
        self.totalCredits = totalCredits
        self.totalUsage = totalUsage
        self.clock = nil
        self.charges = []
        self.chargeCount = 0
        self.keys = []
        self.keyCount = 0
        self.usages = []
    }

    /// The state as JSON; amounts are decimal text strings so any reader keeps them exact.
    public func json(now: Timestamp) -> ExactJSON {
        .object([
            "total_credits": .string(totalCredits.decimalText),
            "total_usage": .string(totalUsage.decimalText),
            "now": .string(now.iso8601),
            "clock": clock.map { .string($0.iso8601) } ?? .null,
            "charge_count": .number(chargeCount),
            "charges": .array(charges.map { charge in
                .object([
                    "id": .string(charge.id),
                    "amount": .string(charge.amount.decimalText),
                    "sender": .string(charge.sender),
                    "chain_id": .number(charge.chainID),
                    "created_at": .string(charge.createdAt.iso8601),
                    "expires_at": .string(charge.expiresAt.iso8601),
                    "paid_at": charge.paidAt.map { .string($0.iso8601) } ?? .null,
                    "status": .string(charge.status(at: now)),
                ])
            }),
            "key_count": .number(keyCount),
            "keys": .array(keys.map { key in
                .object([
                    "hash": .string(key.hash),
                    "key": .string(key.key),
                    "name": .string(key.name),
                    "limit": key.limit.map { .string($0.decimalText) } ?? .null,
                    "usage": .string(key.usage.decimalText),
                    "disabled": .bool(key.disabled),
                    "created_at": .string(key.createdAt.iso8601),
                    "updated_at": key.updatedAt.map { .string($0.iso8601) } ?? .null,
                ])
            }),
            "usage_events": .array(usages.map { use in
                var fields: [String: ExactJSON] = [
                    "at": .string(use.at.iso8601),
                    "amount": .string(use.amount.decimalText),
                    "key_hash": use.keyHash.map { .string($0) } ?? .null,
                    "model": use.model.map { .string($0) } ?? .null,
                    "provider": use.provider.map { .string($0) } ?? .null,
                ]
                for (name, count) in zip(SimUsage.countNames, use.counts) { fields[name] = .number(count) }
                return .object(fields)
            }),
        ])
    }

    /// Reads what `json(now:)` wrote.
    public init(json: ExactJSON) throws(SimulatorError) {
        func amount(_ value: ExactJSON?, _ field: String) throws(SimulatorError) -> Micros {
            guard let text = value?.stringValue ?? value?.numberText else { throw .badState("\(field) is missing") }
            do { return try Micros(parsing: text) } catch { throw .badState("\(field) \"\(text)\" \(error.simulatorReason)") }
        }
        func time(_ value: ExactJSON?, _ field: String) throws(SimulatorError) -> Timestamp? {
            guard let text = value?.stringValue else { return nil }
            do { return try Timestamp(iso8601: text) } catch { throw .badState("\(field): \(error)") }
        }
        self.init(totalCredits: try amount(json["total_credits"], "total_credits"),
                  totalUsage: try amount(json["total_usage"], "total_usage"))
        clock = try time(json["clock"], "clock")
        chargeCount = json["charge_count"]?.numberText.flatMap { Int64($0) } ?? 0
        // A file without charges may still hold keys and use.
        let list: [ExactJSON] = if case .array(let list)? = json["charges"] { list } else { [] }
        for item in list {
            guard let id = item["id"]?.stringValue, let sender = item["sender"]?.stringValue,
                  let chain = item["chain_id"]?.numberText.flatMap({ Int64($0) }),
                  let created = try time(item["created_at"], "created_at"),
                  let expires = try time(item["expires_at"], "expires_at")
            else { throw .badState("a charge lacks id, sender, chain_id, created_at or expires_at") }
            charges.append(SimCharge(
                id: id, amount: try amount(item["amount"], "amount"), sender: sender, chainID: chain,
                createdAt: created, expiresAt: expires, paidAt: try time(item["paid_at"], "paid_at")))
        }
        chargeCount = max(chargeCount, Int64(charges.count))
        try readKeys(json, amount: amount, time: time)
        try checkMeaning()
    }

    /// Refuses a state no run of the simulator makes, which its routes would answer as no
    /// API does: what the options and admin routes refuse (negative credits, a use of 0 or
    /// less), and two charges, or two keys, by one id (`/keys` listed a hash twice, and
    /// use went to the first).
    private func checkMeaning() throws(SimulatorError) {
        guard totalCredits >= .zero else { throw .badState("total_credits \"\(totalCredits.decimalText)\" is below 0") }
        func once(_ values: [String], _ what: String) throws(SimulatorError) {
            var seen = Set<String>()
            for value in values where !seen.insert(value).inserted { throw .badState("\(what) \"\(value)\" is there twice") }
        }
        try once(charges.map(\.id), "charge id")
        try once(keys.map(\.hash), "key hash")
        // Named by their hashes: a key is a secret, even the simulator's.
        var holder: [String: String] = [:]
        for key in keys {
            if let other = holder.updateValue(key.hash, forKey: key.key) {
                throw .badState("keys \(other) and \(key.hash) have the same key")
            }
        }
        if let charge = charges.first(where: { $0.amount <= .zero }) {
            throw .badState("charge \(charge.id)'s amount \"\(charge.amount.decimalText)\" is not above 0")
        }
        for key in keys {
            guard key.usage >= .zero else { throw .badState("key \(key.hash)'s usage \"\(key.usage.decimalText)\" is below 0") }
            if let limit = key.limit, limit < .zero {
                throw .badState("key \(key.hash)'s limit \"\(limit.decimalText)\" is below 0")
            }
        }
        for use in usages {
            guard use.amount > .zero else { throw .badState("a usage event's amount \"\(use.amount.decimalText)\" is not above 0") }
            if let name = zip(SimUsage.countNames, use.counts).first(where: { $0.1 < 0 })?.0 {
                throw .badState("a usage event's \(name) is below 0")
            }
        }
    }

    /// The keys and uses of a state file; a file written before keys existed has none.
    private mutating func readKeys(
        _ json: ExactJSON, amount: (ExactJSON?, String) throws(SimulatorError) -> Micros,
        time: (ExactJSON?, String) throws(SimulatorError) -> Timestamp?
    ) throws(SimulatorError) {
        if case .array(let list)? = json["keys"] {
            for item in list {
                guard let hash = item["hash"]?.stringValue, let key = item["key"]?.stringValue,
                      let name = item["name"]?.stringValue, let created = try time(item["created_at"], "created_at")
                else { throw .badState("a key lacks hash, key, name or created_at") }
                let limit = item["limit"] == nil || item["limit"] == .null ? nil : try amount(item["limit"], "limit")
                keys.append(SimKey(
                    hash: hash, key: key, name: name, limit: limit, usage: try amount(item["usage"], "usage"),
                    disabled: item["disabled"] == .bool(true), createdAt: created,
                    updatedAt: try time(item["updated_at"], "updated_at")))
            }
        }
        keyCount = max(json["key_count"]?.numberText.flatMap { Int64($0) } ?? 0, Int64(keys.count))
        guard case .array(let list)? = json["usage_events"] else { return }
        for item in list {
            guard let at = try time(item["at"], "at") else { throw .badState("a usage event lacks at") }
            let counts = SimUsage.countNames.map { item[$0]?.numberText.flatMap { Int64($0) } ?? 0 }
            usages.append(SimUsage(
                at: at, amount: try amount(item["amount"], "amount"), keyHash: item["key_hash"]?.stringValue,
                model: item["model"]?.stringValue, provider: item["provider"]?.stringValue, counts: counts))
        }
    }
}
