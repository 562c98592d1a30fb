import CreditTypes
import Testing
@testable import CreditRecon

/// The pruned depth-first search against plain enumeration of every subset.
struct ReconcileMatcherTests {
    /// A small deterministic generator (the same numbers on every run).
    struct Lehmer {
        var state: UInt64
        mutating func next(_ bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % bound
        }
    }

    /// Every subset scored by the rules of DESIGN.md: exact (within tolerance) first, closest;
    /// else the largest sum not above the target; ties to the set holding the older charge.
    static func bruteForce(_ amounts: [Micros], target: Micros, tolerance: Micros) -> [Int] {
        guard target.raw > 0 else { return [] }
        var best: [Int] = []
        var bestKey: (exact: Bool, score: Int64) = (target.raw <= tolerance.raw, target.raw <= tolerance.raw ? -target.raw : 0)
        for mask in 0..<(1 << amounts.count) {
            let set = amounts.indices.filter { mask & (1 << $0) != 0 }
            let sum = set.reduce(Int64(0)) { $0 + amounts[$1].raw }
            guard sum <= target.raw + tolerance.raw else { continue }
            let distance = (sum - target.raw).magnitude
            let exact = distance <= tolerance.raw.magnitude
            let key: (exact: Bool, score: Int64) = (exact, exact ? -Int64(distance) : sum)
            let better = key.exact != bestKey.exact ? key.exact : key.score > bestKey.score
            let tie = key.exact == bestKey.exact && key.score == bestKey.score
            if better || (tie && older(set, than: best)) {
                best = set
                bestKey = key
            }
        }
        return best
    }

    /// `a` holds the older charge where the two sets first differ.
    static func older(_ a: [Int], than b: [Int]) -> Bool {
        let all = Set(a).symmetricDifference(Set(b))
        guard let first = all.min() else { return false }
        return a.contains(first)
    }

    @Test func searchAgreesWithEnumeration() {
        var random = Lehmer(state: 42)
        for round in 0..<400 {
            let count = Int(random.next(11))
            // Amounts in whole dollars or cents, so ties and exact sets are common.
            let amounts = (0..<count).map { _ in
                Micros(raw: Int64(random.next(8) + 1) * (round % 2 == 0 ? 1_000_000 : 10_000))
            }
            let total = amounts.reduce(Int64(0)) { $0 + $1.raw }
            let target = Micros(raw: Int64(random.next(UInt64(max(total, 1)) + 2_000_000)))
            let tolerance = Micros(raw: round % 3 == 0 ? 0 : 10_000)
            let expected = Self.bruteForce(amounts, target: target, tolerance: tolerance)
            for remembering in [false, true] {
                let actual = ChargeMatcher.bestSubset(amounts, target: target, tolerance: tolerance, remembering: remembering)
                #expect(actual == expected, "round \(round), remembering \(remembering): \(amounts.map(\.decimalText)) → \(target.decimalText)")
            }
        }
    }

    @Test func twentyCandidatesWithoutAnExactSetStillFinish() {
        // Odd-cent amounts and an odd target: nothing is exact, so nothing stops the search early.
        let amounts = (0..<20).map { Micros(raw: Int64(1_000_000 + $0 * 37_010 + 10_000)) }
        let total = amounts.reduce(Micros.zero, +)
        let target = Micros(raw: total.raw / 2 / 20_000 * 20_000 + 5_000)
        let picked = ChargeMatcher.bestSubset(amounts, target: target, tolerance: Micros(raw: 1))
        let sum = picked.reduce(Micros.zero) { $0 + amounts[$1] }
        #expect(sum <= target)
        #expect(!picked.isEmpty)
    }

    /// Many charges of a few amounts (a plan's rows, payments of one price): the search
    /// cuts a branch that reaches a charge with a sum already reached there, so it ends in
    /// a few thousand steps, with the set enumeration would pick.
    @Test func manyChargesOfRepeatedAmountsFinishWithTheBestSet() {
        let dollars = { (n: Int64) in Micros(raw: n * 1_000_000) }
        // Twenty abandoned 1 USD charges, then the 50 USD one that was paid.
        let abandoned = Array(repeating: dollars(1), count: 20) + [dollars(50)]
        #expect(ChargeMatcher.bestSubset(abandoned, target: dollars(50), tolerance: Micros(raw: 10_000), stepLimit: 20_000) == [20])
        // Sixty 3 USD payments, a rise of 100: the oldest 33 (99 USD).
        let threes = Array(repeating: dollars(3), count: 60)
        #expect(ChargeMatcher.bestSubset(threes, target: dollars(100), tolerance: .zero, stepLimit: 20_000) == Array(0..<33))
        // Eighteen mixed amounts, checked against every subset.
        var random = Lehmer(state: 7)
        let mixed = (0..<18).map { _ in dollars(Int64(random.next(5) + 1)) }
        let target = dollars(23)
        #expect(ChargeMatcher.bestSubset(mixed, target: target, tolerance: .zero, stepLimit: 20_000)
            == Self.bruteForce(mixed, target: target, tolerance: .zero))
    }

    /// Distinct amounts defeat the cut; the step limit ends the search with the best set
    /// found so far, the same every time.
    @Test func theStepLimitEndsTheSearchDeterministically() {
        let amounts = (0..<40).map { Micros(raw: Int64(1_000_003 + $0 * 37_013)) }
        let target = Micros(raw: amounts.reduce(0) { $0 + $1.raw } / 2 + 1)
        let first = ChargeMatcher.bestSubset(amounts, target: target, tolerance: .zero, stepLimit: 50_000)
        #expect(first == ChargeMatcher.bestSubset(amounts, target: target, tolerance: .zero, stepLimit: 50_000))
        let sum = first.reduce(Int64(0)) { $0 + amounts[$1].raw }
        #expect(sum <= target.raw && sum > target.raw - 2_000_000)
    }
}
