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

    /// A fresh account.
    public init(totalCredits: Micros, totalUsage: Micros) {
        self.totalCredits = totalCredits
        self.totalUsage = totalUsage
        self.clock = nil
        self.charges = []
        self.chargeCount = 0
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
        ])
    }

    /// Reads what `json(now:)` wrote.
    public init(json: ExactJSON) throws(SimulatorError) {
        func amount(_ value: ExactJSON?, _ field: String) throws(SimulatorError) -> Micros {
            guard let text = value?.stringValue ?? value?.numberText else { throw .badState("\(field) is missing") }
            do { return try Micros(parsing: text) } catch { throw .badState("\(field) \(error)") }
        }
        func time(_ value: ExactJSON?, _ field: String) throws(SimulatorError) -> Timestamp? {
            guard let text = value?.stringValue else { return nil }
            do { return try Timestamp(iso8601: text) } catch { throw .badState("\(field): \(error)") }
        }
        self.init(totalCredits: try amount(json["total_credits"], "total_credits"),
                  totalUsage: try amount(json["total_usage"], "total_usage"))
        clock = try time(json["clock"], "clock")
        chargeCount = json["charge_count"]?.numberText.flatMap { Int64($0) } ?? 0
        guard case .array(let list)? = json["charges"] else { return }
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
    }
}
