/// When to try a call again, as the official OpenRouter SDKs do: exponential backoff from
/// 500 ms by a factor of 1.5, capped at 60 s, with jitter so that concurrent workers do
/// not retry in lock-step.
struct RetryPolicy: Sendable {
    var initial: Duration = .milliseconds(500)
    var factor: Double = 1.5
    var cap: Duration = .seconds(60)

    /// The pause before retry number `attempt` (0 for the first retry). The backoff is
    /// time, not money, so `Double` is fine here.
    func backoff(attempt: Int) -> Duration {
        let initialMs = Double(initial.components.seconds) * 1000 + Double(initial.components.attoseconds) / 1e15
        let capMs = Double(cap.components.seconds) * 1000
        let base = min(capMs, initialMs * pow(factor, Double(min(attempt, 64))))
        // Up to 25 % jitter on top, never beyond the cap.
        let jittered = min(capMs, base + Double.random(in: 0...(base * 0.25)))
        return .milliseconds(Int64(jittered.rounded()))
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 {
            result *= base
            remaining -= 1
        }
        return result
    }
}
