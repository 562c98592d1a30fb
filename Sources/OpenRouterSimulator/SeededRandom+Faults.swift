import CreditTypes

/// The simulator's draws: fault probabilities (never money) and UUID-shaped ids.
extension SeededRandom {
    /// `true` with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        guard p > 0 else { return false }
        guard p < 1 else { return true }
        return Double(next() >> 11) / Double(1 << 53) < p
    }

    /// 32 hex digits in the 8-4-4-4-12 shape of a UUID.
    static func uuidShaped(_ hex: String) -> String {
        func slice(_ from: Int, _ to: Int) -> Substring { hex.dropFirst(from).prefix(to - from) }
        return "\(slice(0, 8))-\(slice(8, 12))-\(slice(12, 16))-\(slice(16, 20))-\(slice(20, 32))"
    }
}
