import CreditTypes

/// Charge lines that may be another's purchase made again, paired one to one: each is
/// taken once, by the first charge that asks for it (`take`). Grouped by account and
/// amount, each group in creation order; the ones taken are skipped in near constant time
/// (each position points past the taken ones after it), so pairing every charge of a large
/// ledger stays near linear.
struct PurchasePairing {
    private struct Key: Hashable {
        var account: String
        var amount: Micros
    }

    /// A group's line indices in creation order, and for each position the first position
    /// at or after it that may not be taken (`free`).
    private struct Group {
        var indices: [Int]
        var next: [Int]
    }

    private let lines: [ChargeLine]
    private var groups: [Key: Group] = [:]

    /// Pairs among `candidates`, indices of `lines`.
    init(_ candidates: some Sequence<Int>, of lines: [ChargeLine]) {
        self.lines = lines
        var indices: [Key: [Int]] = [:]
        for index in candidates { indices[Key(account: lines[index].account, amount: lines[index].amount), default: []].append(index) }
        for (key, group) in indices {
            let sorted = group.sorted { (lines[$0].createdAt, $0) < (lines[$1].createdAt, $1) }
            groups[key] = Group(indices: sorted, next: Array(0...sorted.count))
        }
    }

    /// Whether any candidate is left to pair.
    var isEmpty: Bool { groups.isEmpty }

    /// The earliest candidate not taken yet of `account` and `amount`, created within
    /// `from...to`, that `fits`; taken.
    mutating func take(account: String, amount: Micros, from: Timestamp, to: Timestamp, where fits: (Int) -> Bool) -> Int? {
        let key = Key(account: account, amount: amount)
        guard var group = groups[key] else { return nil }
        defer { groups[key] = group }
        let low = group.indices.partitioningIndex { lines[$0].createdAt >= from }  // the first created at or after `from`
        var position = Self.free(low, in: &group.next)
        while position < group.indices.count, lines[group.indices[position]].createdAt <= to {
            if fits(group.indices[position]) {
                group.next[position] = position + 1
                return group.indices[position]
            }
            position = Self.free(position + 1, in: &group.next)
        }
        return nil
    }

    /// The first position at or after `position` not taken, shortening the way there.
    private static func free(_ position: Int, in next: inout [Int]) -> Int {
        var root = position
        while next[root] != root { root = next[root] }
        var step = position
        while next[step] != root {
            let following = next[step]
            next[step] = root
            step = following
        }
        return root
    }

    /// Whether `a` and `b` may pay for one purchase: the same wallet (in any letter case)
    /// and chain where both give them.
    static func samePurchase(_ a: ChargeLine, _ b: ChargeLine) -> Bool {
        (a.wallet == nil || b.wallet == nil || a.wallet?.lowercased() == b.wallet?.lowercased())
            && (a.chainID == nil || b.chainID == nil || a.chainID == b.chainID)
    }
}
