import CreditTypes

/// How `openrouter-sim` behaves (CONTRACT.md § Simulator).
public struct SimulatorOptions: Sendable {
    /// Whether `POST /credits/coinbase` still works, or answers `410 Gone` as production does.
    public enum CoinbaseMode: String, Sendable, CaseIterable {
        /// Charges are created.
        case available
        /// Every charge request answers `410`.
        case gone
    }

    /// The interface to bind; loopback only.
    public var host = "127.0.0.1"
    /// The port; `0` picks a free one.
    public var port = 0
    /// The key that reads real totals on `/credits`.
    public var managementKey = "sim-management-key"
    /// An ordinary key: `/credits` answers `200` with zero totals, as production has been seen to.
    public var inferenceKey: String? = "sim-inference-key"
    /// A key that is known but disabled: every route answers `403`.
    public var disabledKey: String?
    /// Coinbase charges available or gone.
    public var coinbase = CoinbaseMode.available
    /// `total_credits` at the start (ignored when `statePath` already holds a state).
    public var initialCredits = Micros.zero
    /// `total_usage` at the start (ignored when `statePath` already holds a state).
    public var initialUsage = Micros.zero
    /// How long a charge can be paid.
    public var chargeTTLSeconds: Int64 = 3600
    /// Added before every API answer.
    public var latencyMilliseconds: Int64 = 0
    /// API requests per second before `429`; `nil` for no limit.
    public var rateLimit: Double?
    /// Probability of a `500` before processing.
    public var failRate = 0.0
    /// Probability of dropping the connection after processing.
    public var dropRate = 0.0
    /// Seed for the fault draws, charge ids and key hashes; `nil` draws one from the system.
    public var seed: UInt64?
    /// Keys per page of `GET /api/v1/keys`.
    public var keysPage = 100
    /// Where the state is kept across restarts; `nil` keeps it in memory.
    public var statePath: String?

    /// The defaults: an empty account, no faults, Coinbase available.
    public init() {}

    /// When a charge created at `createdAt` expires; `nil` past 9999-12-31, which a state
    /// file could not hold (its times have four-digit years).
    public func chargeExpiry(createdAt: Timestamp) -> Timestamp? {
        let (milliseconds, overflow) = chargeTTLSeconds.multipliedReportingOverflow(by: 1000)
        let (end, beyond) = createdAt.millisecondsSinceEpoch.addingReportingOverflow(milliseconds)
        guard !overflow, !beyond, Timestamp.writableRange.contains(end) else { return nil }
        return Timestamp(millisecondsSinceEpoch: end)
    }

    /// The latencies `--latency-ms` and `POST /_sim/faults` take: up to an hour.
    public static let latencyRange: ClosedRange<Int64> = 0...3_600_000
    /// The rates `--rate-limit` and `POST /_sim/faults` take, as `credit-recon topup
    /// --rate-limit` does: at least one request in 1000 s, so `Retry-After` stays a number
    /// of seconds.
    public static let rateLimitRange: ClosedRange<Double> = 0.001...1_000_000
}
