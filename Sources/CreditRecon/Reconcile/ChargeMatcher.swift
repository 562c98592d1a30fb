import CreditTypes
import Ledger

/// Matches charges one-to-one to rises of `total_credits` (DESIGN.md § Reconciliation).
///
/// A charge is a candidate for the rise between readings at `t0` and `t1` when it could
/// have been paid in that window: `created_at < t1` and `expires_at + grace > t0`. A
/// charge an export says was paid at `paid_at` is pinned to the rises that can show it:
/// the one whose window holds `paid_at` (`t0 < paid_at ≤ t1`), and, since OpenRouter
/// credits a payment some time after Coinbase confirms it, those after it that start
/// within the grace time after `paid_at` (`t0 < paid_at + grace`): one paid at 23:59 shows
/// only at the reading after midnight's; they go before the window's other candidates
/// among equally good sets. Among the candidates, the matcher takes the
/// set whose amounts add up to the rise within the tolerance; failing that, the set that
/// explains the most without exceeding it; ties go to older charges. Greedy oldest-first
/// is wrong: when a later charge was paid and an earlier one was not, it blames the
/// wrong one. Windows are taken in time order, each charge used at most once.
///
/// Among sets that explain a rise equally well, one of charges that no later rise can
/// have paid (their deadline passed before its window opens) goes before one of older
/// charges: a charge still payable later may yet explain a later rise, the others cannot.
/// Charges an export says were paid without saying when go before both: they were paid.
struct ChargeMatcher {
    /// One rise of credits between two consecutive trusted readings.
    struct Increase: Sendable, Equatable {
        /// The earlier reading's time.
        var from: Timestamp
        /// The later reading's time (the rise belongs to this reading's period).
        var to: Timestamp
        /// How much `total_credits` rose.
        var amount: Micros
    }

    /// The outcome: which increase each matched charge explains.
    struct Result: Sendable, Equatable {
        /// Charge index → increase index, `-1` when unmatched (an array, not a dictionary:
        /// there is one entry per charge, and hashing a million keys showed in the profile).
        var increaseOfCharge: [Int] = []
        /// Per increase: the part of it the matched charges explain (never more than the rise),
        /// the whole rise when they add up to it within the tolerance.
        var explained: [Micros] = []

        /// The increase charge `index` explains, if any.
        func increase(ofCharge index: Int) -> Int? {
            let window = increaseOfCharge[index]
            return window >= 0 ? window : nil
        }
    }

    var graceMilliseconds: Int64
    var tolerance: Micros
    var defaultLifetimeMilliseconds: Int64

    init(options: ReconcileOptions) {
        graceMilliseconds = options.graceSeconds * 1000
        tolerance = options.tolerance
        defaultLifetimeMilliseconds = options.defaultChargeLifetimeSeconds * 1000
    }

    /// When a charge stops being payable (its `expires_at`, or the assumed lifetime).
    func expiry(of charge: LedgerReader.ChargeRecord) -> Timestamp {
        charge.expiresAt ?? charge.createdAt.adding(milliseconds: defaultLifetimeMilliseconds)
    }

    /// Matches `charges` (oldest first) to `increases` (in time order).
    func match(_ increases: [Increase], _ charges: [LedgerReader.ChargeRecord]) -> Result {
        var result = Result(
            increaseOfCharge: Array(repeating: -1, count: charges.count),
            explained: Array(repeating: .zero, count: increases.count))
        var paid: [(at: Timestamp, index: Int)] = []
        var free: [Int] = []
        for (index, charge) in charges.enumerated() {
            // An export that says `expired` settles the question: it was never paid.
            if charge.status == "expired" { continue }
            if let paidAt = charge.paidAt {
                paid.append((paidAt, index))
                continue
            }
            free.append(index)
        }
        paid.sort { ($0.at, $0.index) < ($1.at, $1.index) }
        // Free charges still payable, oldest first: charges enter once created before a
        // window's end and leave for good once their deadline passed its start (windows
        // only move forward), so each window looks at a short list, not every charge.
        // Deadlines and amounts are worked out once per charge, in flat arrays, rather than
        // read from the records again for every window.
        let deadline = charges.map { expiry(of: $0).adding(milliseconds: graceMilliseconds) }
        let amount = charges.map(\.amount)
        var active: [Int] = []
        var nextFree = 0
        // Paid charges the same way: in once paid before a window's end, out once the grace
        // time after their payment passed its start, or once a rise took them.
        var landing: [(index: Int, until: Timestamp)] = []
        var nextPaid = 0
        for (window, increase) in increases.enumerated() {
            while nextFree < free.count && charges[free[nextFree]].createdAt < increase.to {
                active.append(free[nextFree])
                nextFree += 1
            }
            if active.contains(where: { deadline[$0] <= increase.from }) {
                active.removeAll { deadline[$0] <= increase.from }
            }
            while nextPaid < paid.count && paid[nextPaid].at <= increase.to {
                landing.append((paid[nextPaid].index, paid[nextPaid].at.adding(milliseconds: graceMilliseconds)))
                nextPaid += 1
            }
            landing.removeAll { $0.until <= increase.from }
            // Every candidate is weighed together: the payments the export dates to this window
            // first among equal sets, then those it says were paid without saying when (an
            // older pending charge of the same amount took the rise, and the paid one read as
            // unmatched, probe 126), then the charges no later rise can have paid, then the
            // others, each oldest first. Payments left out may show at a later rise.
            var candidates = landing.map(\.index).sorted()  // oldest first
            var rest = active
            if active.contains(where: { charges[$0].status == "paid" }) {
                candidates += active.filter { charges[$0].status == "paid" }
                rest = active.filter { charges[$0].status != "paid" }
            }
            if window + 1 < increases.count {
                let nextOpens = increases[window + 1].from
                candidates += rest.filter { deadline[$0] <= nextOpens } + rest.filter { deadline[$0] > nextOpens }
            } else {
                candidates += rest
            }
            let chosen = Self.bestSubset(candidates.map { amount[$0] }, target: increase.amount, tolerance: tolerance)
                .map { candidates[$0] }
            var sum = Micros.zero
            for index in chosen {
                result.increaseOfCharge[index] = window
                sum += amount[index]
            }
            if !chosen.isEmpty {
                let taken = Set(chosen)
                active.removeAll { taken.contains($0) }
                landing.removeAll { taken.contains($0.index) }
            }
            // Within the tolerance the charges explain the whole rise, above it or below: a
            // rise of 25.004999 for a charge of 25 is the charge and a rounding, not a card
            // purchase of 0.004999 (probe 137; 99.995 for 100 was already the charge's).
            let close = sum > .zero && (sum - increase.amount).magnitude <= tolerance
            result.explained[window] = close ? increase.amount : min(sum, increase.amount)
        }
        return result
    }

    /// The indices (ascending) of the subset of `amounts` (oldest first) that best
    /// explains `target`: a sum within `tolerance` of it (closest first), else the largest
    /// sum below it; among equals, the set with the older charges (compared by the oldest
    /// charge where they differ).
    ///
    /// An exhaustive depth-first search, trying "take this charge" before "leave it", so
    /// the first best set found is the one with the older charges; a set exactly equal to
    /// the target ends the search. Amounts are positive, so a branch already above
    /// `target + tolerance` is cut, as is one that cannot beat the best inexact sum.
    ///
    /// With `remembering` (more than 16 amounts, by default), a branch reaching a charge with
    /// a sum an earlier branch reached there is cut too: the charges after it give it the
    /// same sums, and the earlier branch, which took older charges, already had each of
    /// them, so none can be strictly better. Charges of a few repeated amounts (a plan's
    /// rows, forty payments of 3 USD) then take a few thousand steps instead of 2^40. Many
    /// distinct amounts can still reach `stepLimit` steps; the search then stops with the
    /// best set found so far (the same on every run).
    static func bestSubset(
        _ amounts: [Micros], target: Micros, tolerance: Micros, remembering: Bool? = nil, stepLimit: Int = 1 << 21
    ) -> [Int] {
        guard target.raw > 0, !amounts.isEmpty else { return [] }
        let limit = target.raw + tolerance.raw
        var suffix = Array(repeating: Int64(0), count: amounts.count + 1)
        for index in stride(from: amounts.count - 1, through: 0, by: -1) {
            suffix[index] = suffix[index + 1] + amounts[index].raw
        }
        // Score: exact sets beat inexact ones; exact sets by distance, inexact by sum.
        var best: [Int] = []
        var bestSum: Int64 = 0
        var bestExact = target.raw <= tolerance.raw  // the empty set, if the target is tiny
        var bestDistance = target.raw
        var current: [Int] = []
        var done = false
        var steps = 0
        let remembers = remembering ?? (amounts.count > 16)
        var reached = Set<Reached>()

        func consider(_ sum: Int64) {
            let distance = (sum - target.raw).magnitude
            let exact = distance <= tolerance.raw.magnitude
            let better: Bool
            if exact != bestExact {
                better = exact
            } else if exact {
                better = Int64(distance) < bestDistance
            } else {
                better = sum > bestSum
            }
            if better {
                best = current
                bestSum = sum
                bestExact = exact
                bestDistance = Int64(distance)
                if distance == 0 { done = true }
            }
        }

        func search(_ index: Int, _ sum: Int64) {
            if done { return }
            steps += 1
            if steps > stepLimit {
                done = true
                return
            }
            if index == amounts.count {
                consider(sum)
                return
            }
            // Nothing below can reach an exact sum or beat the best inexact one.
            if !bestExact && sum + suffix[index] <= bestSum { return }
            if remembers && !reached.insert(Reached(index: index, sum: sum)).inserted { return }
            let amount = amounts[index].raw
            if amount > 0 && sum + amount <= limit {
                current.append(index)
                search(index + 1, sum + amount)
                current.removeLast()
            }
            search(index + 1, sum)
        }
        search(0, 0)
        return best
    }

    /// A charge reached with a sum, in `bestSubset`'s search.
    private struct Reached: Hashable {
        var index: Int
        var sum: Int64
    }
}
