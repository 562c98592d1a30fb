import CreditTypes
import Ledger

/// Purchases made twice because the first looked lost when the second was made.
extension Reconciler {
    /// How long before a payment was known a charge must have been made to have been made
    /// while the payment looked missing: the clocks of the API and of this machine may be
    /// this far apart (`ClockCheck`'s tolerance, doubled).
    static let unpaidLookMarginMilliseconds: Int64 = 2 * ClockCheck.tolerance

    /// A `purchase_repeated` warning for each pair of settled charges that are one purchase
    /// made twice: the same account and amount, and the same wallet and chain where both
    /// give them (`PurchasePairing`), different references (two carrying one are
    /// `reference_paid_twice`), and one of two stories, each of a first purchase that looked
    /// lost when the second was made:
    ///
    /// - **paid after it expired**: the first was recorded paid after its expiry (a delayed
    ///   payment; the expiry the matcher gives a charge without one), and the second was
    ///   created after that expiry and up to `unpaidLookMarginMilliseconds` before the
    ///   payment was known (the reading that showed its credits, else its recorded
    ///   `paid_at`): its row planned again, or the purchase made again, once it had expired
    ///   (probe 113: 15 USD twice). The margin: the nightly `run` makes the day's charge a
    ///   moment after the reading that shows the day before's, and the API dates it by its
    ///   own clock, a second or minutes behind ours (probe 118). A charge paid in time never
    ///   reads as unpaid: the first reading after its hour and grace shows its credits
    ///   (probe 119: a web purchase the same day was said to repeat the nightly
    ///   charge). The first was in the ledger when the second was made (else it is the next
    ///   story's), and the second is not the same plan batch's row without a reference:
    ///   identical rows of a plan are purchases of their own.
    /// - **recorded later**: the first carries out a plan row, the second was recorded
    ///   without one and without a reference (a web purchase from an export, or the charge of
    ///   a request whose answer was lost, sent again with `--retry-unknown`), created within
    ///   the top-up's repeat window of it but recorded only after it was made, so the repeat
    ///   rule could not see it (probe 113: 30.50 twice). One recorded before was seen and let
    ///   through on purpose, one with a reference of its own is a purchase named so, and one
    ///   `hinted` as a row's possible purchase (`possiblePurchases`) is said there.
    ///
    /// `lines` hold `charges`' lines at the same indices. Each charge is the repeat of one
    /// purchase at most (one to one, the earliest first), and may be repeated itself.
    func repeatedPurchases(
        _ charges: [LedgerReader.ChargeRecord], lines: [ChargeLine], matcher: ChargeMatcher, hinted: Set<Int>,
        findings: inout [Finding]
    ) {
        var late: [(index: Int, expiry: Timestamp, paid: Timestamp, known: Timestamp)] = []
        var planned = false
        for index in charges.indices where lines[index].state == .settled && lines[index].chargeID != nil {
            let expiry = matcher.expiry(of: charges[index])
            if let paid = charges[index].paidAt, paid > expiry {
                late.append((index, expiry, paid, lines[index].matchedReadingAt ?? paid))
            }
            if lines[index].topUpKey != nil { planned = true }
        }
        // Only beside a plan row's charge: a ledger of imported charges alone holds none.
        let unlinked = planned ? charges.indices.filter { index in
            lines[index].state == .settled && lines[index].chargeID != nil && lines[index].topUpKey == nil
                && lines[index].reference == nil && !hinted.contains(index)
        } : []
        guard !late.isEmpty || !unlinked.isEmpty else { return }
        let settled = charges.indices.filter { lines[$0].state == .settled && lines[$0].chargeID != nil }
        var repeats = Set<Int>()
        if !late.isEmpty {
            var pairing = PurchasePairing(settled, of: lines)
            for (first, expiry, paid, known) in late.sorted(by: { (lines[$0.index].createdAt, $0.index) < (lines[$1.index].createdAt, $1.index) }) {
                let line = lines[first]
                // Every purchase made again meanwhile, each a repeat of its own.
                while let second = pairing.take(
                    account: line.account, amount: line.amount, from: expiry.adding(milliseconds: 1),
                    to: known.adding(milliseconds: -Self.unpaidLookMarginMilliseconds),
                    where: { other in
                        charges[first].seq < charges[other].seq && PurchasePairing.samePurchase(line, lines[other])
                            && (line.reference == nil || line.reference != lines[other].reference)
                            && !(lines[other].reference == nil && lines[other].batch != nil && lines[other].batch == line.batch)
                    }) {
                    repeats.insert(second)
                    findings.append(lookedUnpaid(line, expiry: expiry, paid: paid, known: known, again: lines[second]))
                }
            }
        }
        guard !unlinked.isEmpty else { return }
        var rows = PurchasePairing(settled.lazy.filter { lines[$0].topUpKey != nil }, of: lines)
        let window = TopUpEngine.repeatWindow * 1000
        for recorded in unlinked where !repeats.contains(recorded) {
            let line = lines[recorded]
            guard let row = rows.take(
                account: line.account, amount: line.amount, from: line.createdAt.adding(milliseconds: -window),
                to: line.createdAt.adding(milliseconds: window),
                where: { charges[$0].seq < charges[recorded].seq && PurchasePairing.samePurchase(lines[$0], line) })
            else { continue }
            findings.append(recordedAfter(lines[row], recorded: line))
        }
    }

    /// ` to wallet W on chain C`, as far as `line` gives them.
    private static func destination(_ line: ChargeLine) -> String {
        (line.wallet.map { " to wallet \($0)" } ?? "") + (line.chainID.map { " on chain \($0)" } ?? "")
    }

    /// How findings name the plan row `line` carries out, or the charge: its reference, else
    /// its key (a row without a reference), else the charge id.
    private static func rowName(_ line: ChargeLine) -> String { line.reference ?? line.topUpKey ?? line.chargeID ?? "?" }

    /// ` (ROW)` when `line` carries a reference or a plan row.
    private static func ofRow(_ line: ChargeLine) -> String {
        (line.reference ?? line.topUpKey).map { " (\($0))" } ?? ""
    }

    private func lookedUnpaid(
        _ first: ChargeLine, expiry: Timestamp, paid: Timestamp, known: Timestamp, again second: ChargeLine
    ) -> Finding {
        let id = first.chargeID ?? "", other = second.chargeID ?? ""
        let seen = first.matchedReadingAt == known ? ", its credits seen only at \(known.iso8601)" : ""
        return Finding(
            .warning, .purchaseRepeated, at: max(known, second.settledAt ?? second.createdAt),
            account: options.account, amount: first.amount, reference: Self.rowName(first),
            message: "charge \(id)\(Self.ofRow(first)) expired at \(expiry.iso8601) and was paid after all (\(paid.iso8601))\(seen); charge \(other)"
                + "\(Self.ofRow(second)), created at \(second.createdAt.iso8601) while it looked unpaid, for the same "
                + "\(first.amount.decimalText)\(Self.destination(first)), was paid too: the purchase may have been made twice "
                + "(bought again because the first looked unpaid). Check the Coinbase Commerce dashboard.")
    }

    private func recordedAfter(_ row: ChargeLine, recorded: ChargeLine) -> Finding {
        let id = recorded.chargeID ?? "", rowCharge = row.chargeID ?? ""
        let apart = (row.createdAt.millisecondsSinceEpoch - recorded.createdAt.millisecondsSinceEpoch).magnitude
        return Finding(
            .warning, .purchaseRepeated, at: max(row.settledAt ?? row.createdAt, recorded.settledAt ?? recorded.createdAt),
            account: options.account, amount: recorded.amount, reference: Self.rowName(row),
            message: "charge \(id), recorded without a plan row, and charge \(rowCharge) of plan row \(Self.rowName(row)) were both "
                + "paid: the same \(row.amount.decimalText)\(Self.destination(row)), created "
                + "\(Runway.roundedTenths(Int64(apart), per: 360_000)) hours apart. \(id) was recorded only after "
                + "\(rowCharge) was made, so the top-up's repeat rule could not see it: the purchase may have been made twice "
                + "(a web purchase of a planned row, or the charge of a request whose answer was lost, sent again with "
                + "--retry-unknown). Check the Coinbase Commerce dashboard.")
    }
}
