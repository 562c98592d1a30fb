import CreditTypes
import Ledger

/// Purchases made twice because the first looked lost when the second was made.
extension Reconciler {
    /// A `purchase_repeated` warning for each pair of settled charges that are one purchase
    /// made twice: the same account and amount, and the same wallet and chain where both
    /// give them, different references (two carrying one are `reference_paid_twice`), and
    /// one of two stories, each of a first purchase that looked lost when the second was made:
    ///
    /// - **expired, then paid**: the first expired and was paid after all (a delayed
    ///   payment), the second was created after it expired and before that payment: its row
    ///   planned again, as `status` advises for an expired charge (probe 113: 15 USD twice);
    /// - **recorded later**: the first carries out a plan row, the second was recorded without
    ///   one (a web purchase from an export, or the charge of a request whose answer was lost,
    ///   sent again with `--retry-unknown`), created within the top-up's repeat window of it
    ///   but recorded only after it was made, so the repeat rule could not see it (probe 113:
    ///   30.50 twice). One recorded before was seen, and let through on purpose.
    ///
    /// `lines` hold `charges`' lines at the same indices. Each charge is named in one pair at
    /// most, the closest in time.
    func repeatedPurchases(_ charges: [LedgerReader.ChargeRecord], lines: [ChargeLine], findings: inout [Finding]) {
        var late: [Int] = [], unlinked: [Int] = [], planned = false
        for index in charges.indices where lines[index].state == .settled && lines[index].chargeID != nil {
            let line = lines[index]
            if let expiry = line.expiresAt, let settled = line.settledAt, settled > expiry { late.append(index) }
            if line.topUpKey == nil { unlinked.append(index) } else { planned = true }
        }
        guard !late.isEmpty || (planned && !unlinked.isEmpty) else { return }
        // The settled charges by account and amount (those carrying out a plan row apart),
        // each oldest first: a charge looks only at the ones created in its span.
        var all: [PurchaseKey: [Int]] = [:], rows: [PurchaseKey: [Int]] = [:]
        for index in charges.indices where lines[index].state == .settled && lines[index].chargeID != nil {
            let key = PurchaseKey(account: lines[index].account, amount: lines[index].amount)
            if !late.isEmpty { all[key, default: []].append(index) }
            if lines[index].topUpKey != nil { rows[key, default: []].append(index) }
        }
        let order = { (a: Int, b: Int) in (lines[a].createdAt, a) < (lines[b].createdAt, b) }
        for key in all.keys { all[key]?.sort(by: order) }
        for key in rows.keys { rows[key]?.sort(by: order) }
        /// The charges of `group` created in `[from, to]`, the closest to `index`'s creation
        /// first, that `fits`.
        func closest(to index: Int, in group: [Int]?, from: Timestamp, to: Timestamp, where fits: (Int) -> Bool) -> Int? {
            guard let group else { return nil }
            var low = 0, high = group.count  // the first created at or after `from`
            while low < high {
                let middle = (low + high) / 2
                if lines[group[middle]].createdAt < from { low = middle + 1 } else { high = middle }
            }
            let at = lines[index].createdAt.millisecondsSinceEpoch
            var best: (distance: UInt64, index: Int)?
            for other in group[low...] {
                guard lines[other].createdAt <= to else { break }
                guard other != index, fits(other) else { continue }
                let distance = (lines[other].createdAt.millisecondsSinceEpoch - at).magnitude
                if best.map({ distance < $0.distance }) ?? true { best = (distance, other) }
            }
            return best?.index
        }
        func samePurchase(_ a: ChargeLine, _ b: ChargeLine) -> Bool {
            (a.wallet == nil || b.wallet == nil || a.wallet?.lowercased() == b.wallet?.lowercased())
                && (a.chainID == nil || b.chainID == nil || a.chainID == b.chainID)
                && (a.reference == nil || a.reference != b.reference)
        }
        var named = Set<Int>()
        for first in late.sorted(by: order) where !named.contains(first) {
            guard let expiry = lines[first].expiresAt, let paid = lines[first].settledAt,
                  let second = closest(
                    to: first, in: all[PurchaseKey(account: lines[first].account, amount: lines[first].amount)],
                    from: expiry, to: paid, where: { !named.contains($0) && lines[$0].createdAt < paid && samePurchase(lines[first], lines[$0]) })
            else { continue }
            named.formUnion([first, second])
            findings.append(paidAfterExpiry(lines[first], again: lines[second]))
        }
        guard !rows.isEmpty else { return }
        let window = TopUpEngine.repeatWindow * 1000
        for recorded in unlinked where !named.contains(recorded) {
            let made = lines[recorded].createdAt
            guard let row = closest(
                to: recorded, in: rows[PurchaseKey(account: lines[recorded].account, amount: lines[recorded].amount)],
                from: made.adding(milliseconds: -window), to: made.adding(milliseconds: window),
                where: { !named.contains($0) && charges[$0].seq < charges[recorded].seq && samePurchase(lines[$0], lines[recorded]) })
            else { continue }
            named.formUnion([recorded, row])
            findings.append(recordedAfter(lines[row], recorded: lines[recorded]))
        }
    }

    /// Charges of one purchase: by account and amount.
    private struct PurchaseKey: Hashable {
        var account: String
        var amount: Micros
    }

    /// ` to wallet W on chain C`, as far as `line` gives them.
    private static func destination(_ line: ChargeLine) -> String {
        (line.wallet.map { " to wallet \($0)" } ?? "") + (line.chainID.map { " on chain \($0)" } ?? "")
    }

    private func paidAfterExpiry(_ first: ChargeLine, again second: ChargeLine) -> Finding {
        let id = first.chargeID ?? "", other = second.chargeID ?? ""
        return Finding(
            .warning, .purchaseRepeated, at: max(first.settledAt ?? first.createdAt, second.settledAt ?? second.createdAt),
            account: options.account, amount: first.amount, reference: first.reference ?? id,
            message: "charge \(id)\(first.reference.map { " (\($0))" } ?? "") expired at \(first.expiresAt?.iso8601 ?? "") "
                + "and was paid after all (\(first.settledAt?.iso8601 ?? "")); charge \(other)"
                + "\(second.reference.map { " (\($0))" } ?? ""), created at \(second.createdAt.iso8601) after it expired, for "
                + "the same \(first.amount.decimalText)\(Self.destination(first)), was paid too: the purchase may have been made "
                + "twice (a row planned again for a charge that looked unpaid). Check the Coinbase Commerce dashboard.")
    }

    private func recordedAfter(_ row: ChargeLine, recorded: ChargeLine) -> Finding {
        let id = recorded.chargeID ?? "", rowCharge = row.chargeID ?? ""
        let apart = (row.createdAt.millisecondsSinceEpoch - recorded.createdAt.millisecondsSinceEpoch).magnitude
        return Finding(
            .warning, .purchaseRepeated, at: max(row.settledAt ?? row.createdAt, recorded.settledAt ?? recorded.createdAt),
            account: options.account, amount: recorded.amount, reference: row.reference ?? row.label,
            message: "charge \(id), recorded without a plan row, and charge \(rowCharge) of plan row \(row.label) were both "
                + "paid: the same \(row.amount.decimalText)\(Self.destination(row)), created "
                + "\(Runway.roundedTenths(Int64(apart), per: 360_000)) hours apart. \(id) was recorded only after "
                + "\(rowCharge) was made, so the top-up's repeat rule could not see it: the purchase may have been made twice "
                + "(a web purchase of a planned row, or the charge of a request whose answer was lost, sent again with "
                + "--retry-unknown). Check the Coinbase Commerce dashboard.")
    }
}
