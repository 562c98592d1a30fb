/// SplitMix64: a tiny, well-known generator, so the simulator's `--seed` gives the same
/// fault draws and ids on every platform, and the bench the same data (the standard
/// library's generator is not seedable). Integers only; the simulator's fault
/// probabilities are its own extension.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededRandom {
    /// `words` × 16 hex digits, each word zero-padded.
    public mutating func hex(words: Int) -> String {
        (0..<words).map { _ in
            let text = String(next(), radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }
}
