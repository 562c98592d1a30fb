import CreditTypes
import Ledger

/// The charge steps: matching charges to rises of credits, then each charge's state.
extension Reconciler {
    /// The rises of `total_credits`, in the order of the steps (readings have distinct
    /// times, so the rising steps and the increases stay index for index).
    func creditIncreases(in steps: [ReadingStep]) -> [ChargeMatcher.Increase] {
        var increases: [ChargeMatcher.Increase] = []
        for step in steps where step.credits > .zero {
            increases.append(ChargeMatcher.Increase(from: step.fromAt, to: step.toAt, amount: step.credits))
        }
        return increases
    }

    /// Matches charges to increases over the whole history, so narrowing `--from`/`--to`
    /// never changes a charge's fate; what charges do not explain of a rise is a finding.
    func matchCharges(
        _ charges: [LedgerReader.ChargeRecord], to increases: [ChargeMatcher.Increase], matcher: ChargeMatcher,
        findings: inout [Finding]
    ) -> ChargeMatcher.Result {
        let matched = matcher.match(increases, charges)
        // The rises charges explain only in part (beyond the tolerance).
        let partial = increases.indices.map { increases[$0].amount - matched.explained[$0] > options.tolerance }
        let guessed = guessedCharges(charges, matched: matched, partial: partial)
        let earlier = takenEarlier(charges, matched: matched, increases: increases, partial: partial, matcher: matcher)
        for (index, increase) in increases.enumerated() {
            let explained = matched.explained[index]
            let other = increase.amount - explained
            if other > .zero {
                var message = "credits rose by \(increase.amount.decimalText) between \(increase.from.iso8601) and "
                    + "\(increase.to.iso8601); charges explain \(explained.decimalText), so \(other.decimalText) "
                    + "came from elsewhere (a card or web purchase). Record the charge if it was a crypto payment."
                if let guessed = guessed[index] {
                    let shown = guessed.prefix(5).map { "\(charges[$0].chargeID) (\(charges[$0].amount.decimalText))" }
                    message += " Taken as paid by this rise, though no payment of theirs was recorded: "
                        + shown.joined(separator: ", ") + (guessed.count > 5 ? " and \(guessed.count - 5) more" : "")
                        + "; if one was not paid, record it expired (`import charges`) and more of the rise is a card "
                        + "or web purchase."
                }
                if let earlier = earlier[index] {
                    let shown = earlier.prefix(5).map { charge in
                        "\(Self.named(charges[charge])) for "
                            + "\(charges[charge].amount.decimalText), taken by the rise of \(increases[matched.increaseOfCharge[charge]].to.iso8601)"
                    }
                    message += " Or an earlier rise took the charge paid here: payable in this window too, with no payment "
                        + "recorded, " + shown.joined(separator: "; ") + (earlier.count > 5 ? "; and \(earlier.count - 5) more" : "")
                        + " (rises are matched one after another, and the readings cannot tell which was paid when; "
                        + "`import charges` of the Coinbase export settles it)."
                }
                findings.append(Finding(.info, .unexplainedPurchase, at: increase.to, account: options.account,
                                        amount: other, message: message))
            }
        }
        return matched
    }

    /// Per rise that charges explain only in part (beyond the tolerance), the charges an
    /// earlier rise took, with no payment recorded, that were payable in its window too and
    /// are not more than the rise: one of them may be the one paid here,
    /// the earlier rise paid by another (probe 223: 10, 20, 30 and 40 pending; the 40 paid,
    /// a reading, then the 30 paid; the first rise took 10 and 30, and the second, left with
    /// the 20, read as a card purchase of 10, naming nothing). By window, oldest first.
    private func takenEarlier(
        _ charges: [LedgerReader.ChargeRecord], matched: ChargeMatcher.Result, increases: [ChargeMatcher.Increase],
        partial: [Bool], matcher: ChargeMatcher
    ) -> [Int: [Int]] {
        // The next partial window at or after each window, so that a charge looks only where
        // one lies ahead of it.
        var nextPartial = [Int](repeating: -1, count: increases.count + 1)
        for index in increases.indices.reversed() {
            nextPartial[index] = partial[index] ? index : nextPartial[index + 1]
        }
        guard nextPartial[0] >= 0 else { return [:] }
        var found: [Int: [Int]] = [:]
        for (index, window) in matched.increaseOfCharge.enumerated() where window >= 0 {
            var ahead = nextPartial[window + 1]
            guard ahead >= 0, charges[index].paidAt == nil, charges[index].status != "paid" else { continue }
            let deadline = matcher.expiry(of: charges[index]).adding(milliseconds: matcher.graceMilliseconds)
            while ahead >= 0, increases[ahead].from < deadline {
                if charges[index].amount <= increases[ahead].amount + options.tolerance { found[ahead, default: []].append(index) }
                ahead = nextPartial[ahead + 1]
            }
        }
        return found
    }

    /// Per rise that charges explain only in part (beyond the tolerance), the charges matched
    /// to it with no payment recorded: the matcher took them as paid because the rise can
    /// hold them, so a card purchase in the same window may be hiding an unpaid one (probe
    /// 71: an expired, unpaid charge was booked as a wallet payment, with nothing said).
    private func guessedCharges(
        _ charges: [LedgerReader.ChargeRecord], matched: ChargeMatcher.Result, partial: [Bool]
    ) -> [Int: [Int]] {
        guard partial.contains(true) else { return [:] }
        var guessed: [Int: [Int]] = [:]
        for (charge, increase) in matched.increaseOfCharge.enumerated()
        where increase >= 0 && partial[increase] && charges[charge].paidAt == nil {
            guessed[increase, default: []].append(charge)
        }
        return guessed
    }

    /// One line per charge, then one per top-up that never got a charge, each in its state
    /// at `asOf`, with a finding for every state a person has to look at; `inFlight`: the
    /// rows in flight (`inFlightRuns`), said as notes.
    ///
    /// `alikeByCharge` gets, for each expired charge that may have been paid in place of
    /// charges taken as paid, their ids (`alikeTakenInstead`); `madeAgainBy`, for each
    /// checkout abandoned and made again, the id of the charge that paid for it (`madeAgain`).
    func chargeLines(
        _ input: Input, matcher: ChargeMatcher, matched: ChargeMatcher.Result, increases: [ChargeMatcher.Increase],
        inFlight: [String: Int64] = [:], asOf: Timestamp, trusted: [SnapshotRow], findings: inout [Finding],
        alikeByCharge: inout [String: PaidInPlace], madeAgainBy: inout [String: String]
    ) -> [ChargeLine] {
        var lines: [ChargeLine] = []
        lines.reserveCapacity(input.charges.count + input.chargeless.count)
        let alike = alikeTakenInstead(input.charges, matched: matched, increases: increases, matcher: matcher)
        // The finding each expired line got, by line.
        var expiredFinding: [Int: Int] = [:]
        for (index, charge) in input.charges.enumerated() {
            let said = findings.count
            let increase = matched.increase(ofCharge: index).map { increases[$0] }
            lines.append(chargeLine(
                charge, matchedTo: increase, matcher: matcher,
                alike: alike[index].map { place in
                    (place.of.map { input.charges[$0] }, place.with.map { input.charges[$0] },
                     increases[matched.increaseOfCharge[place.of[0]]])
                },
                roseWhilePayable: increase != nil || !Self.windows(increases, of: charge, matcher: matcher).isEmpty,
                asOf: asOf, trusted: trusted, findings: &findings))
            if lines[lines.count - 1].state == .expired {
                if let place = alike[index] {
                    alikeByCharge[charge.chargeID] = PaidInPlace(of: place.of.map { input.charges[$0].chargeID },
                                                                 with: place.with.map { input.charges[$0].chargeID })
                }
                if let finding = findings.indices.last, finding >= said, findings[finding].kind == .chargeExpired {
                    expiredFinding[index] = finding
                }
            }
        }
        for (index, paid) in Self.madeAgain(lines) {
            let (line, by) = (lines[index], lines[paid])
            guard let id = line.chargeID, let paidID = by.chargeID else { continue }
            madeAgainBy[id] = paidID
            alikeByCharge[id] = nil
            guard let finding = expiredFinding[index] else { continue }
            // Nothing is left to buy: `status` said nothing of it, while the report asked to
            // plan it again (exit 1).
            findings[finding] = Finding(
                .info, .chargeExpired, at: findings[finding].observedAt, account: options.account, amount: line.amount,
                reference: line.label, chargeID: id,
                // Unpaid as a fact only when its export says expired (probe 444: said of a charge
                // no record called unpaid, which the other's payment only read as such).
                message: "charge \(id) for \(line.amount.decimalText) expired "
                    + (input.charges[index].status == "expired" ? "unpaid, " : "and reads as unpaid (no export says it was paid, "
                        + "and no rise of total_credits took it), ")
                    + (line.topUpKey == nil ? "a checkout recorded without a plan row, and the same purchase was made again"
                        : "and its plan row was bought again under its reference") + ": "
                    + "charge \(paidID)\(by.reference.map { " (\($0))" } ?? ""), "
                    + "created \(by.createdAt.iso8601) for the same amount and wallet, was paid. Nothing is left to buy.")
        }
        let purchases = possiblePurchases(input.chargeless, among: lines)
        repeatedPurchases(input.charges, lines: lines, matcher: matcher, hinted: Set(purchases.values), findings: &findings)
        for (index, topUp) in input.chargeless.enumerated() {
            lines.append(chargelessLine(
                topUp, possiblePurchase: purchases[index].map { lines[$0] }, sendingRun: inFlight[topUp.key], findings: &findings))
        }
        paidTwice(lines, findings: &findings)
        return lines
    }

    /// For each charge no rise matched, and of which no export says paid or expired, by
    /// index: the charges matched to a rise it could have explained as well (candidates of
    /// the same window, no payment of their own recorded) whose amounts come to its own, by
    /// index: one of the same amount, else several that add up to it within the tolerance
    /// (probe 214: charges of 10, 20 and 30, only the 30 paid; the rise of 30 took 10 and
    /// 20, the older set, and the 30 read as unpaid, "plan it again"). Which were paid the
    /// readings cannot tell; the matcher took the older (DESIGN.md § Reconciliation). A
    /// charge that expired unpaid, its row bought again before the next reading: the new
    /// charge, paid, read as expired (probe 121), and "plan it again" would buy it twice.
    /// The other way round too: several such charges whose amounts come to one charge the
    /// rise took (a 30 taken, a 10 and a 20 created after it paid: probe 215, "their credits
    /// were not bought"), each said with the others of its set (`with`). Sets are looked
    /// for among at most `takenInsteadSetLimit` charges of a window.
    func alikeTakenInstead(
        _ charges: [LedgerReader.ChargeRecord], matched: ChargeMatcher.Result, increases: [ChargeMatcher.Increase],
        matcher: ChargeMatcher
    ) -> [Int: (of: [Int], with: [Int])] {
        func unrecorded(_ charge: LedgerReader.ChargeRecord) -> Bool {
            charge.paidAt == nil && charge.status != "paid" && charge.status != "expired"
        }
        // The windows each unmatched charge was a candidate of: created before the window's
        // end, payable (with the grace) after its start.
        var candidates: [Int: [Int]] = [:]
        for index in charges.indices where matched.increaseOfCharge[index] < 0 && unrecorded(charges[index]) {
            for window in Self.windows(increases, of: charges[index], matcher: matcher) {
                candidates[window, default: []].append(index)
            }
        }
        guard !candidates.isEmpty else { return [:] }
        var watched = [Bool](repeating: false, count: increases.count)
        for window in candidates.keys { watched[window] = true }
        // The charges each watched window took, oldest first, without a payment of their own.
        var taken: [Int: [Int]] = [:]
        for (index, window) in matched.increaseOfCharge.enumerated()
        where window >= 0 && watched[window] && unrecorded(charges[index]) {
            taken[window, default: []].append(index)
        }
        var found: [Int: (of: [Int], with: [Int])] = [:]
        func exactly(_ set: [Int], _ pool: [Int], _ amount: Micros) -> Bool {
            set.count > 1 && (set.reduce(Micros.zero) { $0 + charges[pool[$1]].amount } - amount).magnitude <= matcher.tolerance
        }
        for window in candidates.keys.sorted() {
            guard let took = taken[window] else { continue }
            // The alike charges named in turn, oldest first (five of 10, two taken: every
            // finding named the first, probe 214).
            let byAmount = Dictionary(grouping: took) { charges[$0].amount }
            var turn: [Micros: Int] = [:]
            for other in candidates[window] ?? [] where found[other] == nil {
                let amount = charges[other].amount
                if let alike = byAmount[amount] {
                    let next = turn[amount, default: 0]
                    turn[amount] = next + 1
                    found[other] = ([alike[next % alike.count]], [])
                } else if took.count > 1 && took.count <= Self.takenInsteadSetLimit {
                    let set = ChargeMatcher.bestSubset(took.map { charges[$0].amount }, target: charges[other].amount,
                                                      tolerance: matcher.tolerance, stepLimit: 1 << 16)
                    if exactly(set, took, charges[other].amount) { found[other] = (set.map { took[$0] }, []) }
                }
            }
            // Those still unnamed, together, in place of one charge the rise took.
            let unnamed = (candidates[window] ?? []).filter { found[$0] == nil }
            guard unnamed.count > 1 && unnamed.count <= Self.takenInsteadSetLimit && took.count <= Self.takenInsteadSetLimit
            else { continue }
            for taken in took {
                let pool = unnamed.filter { found[$0] == nil }
                guard pool.count > 1 else { break }
                let set = ChargeMatcher.bestSubset(pool.map { charges[$0].amount }, target: charges[taken].amount,
                                                  tolerance: matcher.tolerance, stepLimit: 1 << 16)
                guard exactly(set, pool, charges[taken].amount) else { continue }
                let members = set.map { pool[$0] }
                for member in members { found[member] = ([taken], members.filter { $0 != member }) }
            }
        }
        return found
    }

    /// `ch_1 (daily-1)`: a charge's id and, when it has one, its reference.
    static func named(_ charge: LedgerReader.ChargeRecord) -> String {
        charge.chargeID + (charge.reference.map { " (\($0))" } ?? "")
    }

    /// How many charges of one window `alikeTakenInstead` looks for a set among.
    static let takenInsteadSetLimit = 24

    /// `a`, `a and b`, `a, b and c`.
    static func listed(_ names: [String]) -> String {
        guard let last = names.last, names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + last
    }

    /// The expired checkouts recorded without a plan row (a web-flow checkout from an export)
    /// that a later charge of the same purchase (`PurchasePairing`) paid for, one for one,
    /// the earliest first: by line, the paid one's line. Such a charge has no row to plan
    /// again, and `status` asked for the purchase made a minute after it for a week (probe
    /// 113). A plan row's charge only when the paid one carries the row's reference: else
    /// its row's next purchase cannot be told from a purchase of its own (probe 114: two
    /// rows of one plan, the second sent after the first's charge expired), but a checkout
    /// made again under the row's reference is the row's (probe 134: it was read as not
    /// bought, and `status` asked to plan the row again). Made again within
    /// `madeAgainWithinMilliseconds` of its expiry: a purchase of the same amount years on
    /// is another (a checkout of 2015 read as made again in 2022 on the bench's ledger).
    static func madeAgain(_ lines: [ChargeLine]) -> [(expired: Int, paid: Int)] {
        // Field by field: a line copied whole retains each of its strings, a million times.
        let abandoned = lines.indices.filter { index in
            lines[index].state == .expired && lines[index].chargeID != nil
                && (lines[index].topUpKey == nil || lines[index].reference != nil)
        }
        guard !abandoned.isEmpty else { return [] }
        func window(_ index: Int) -> (from: Timestamp, to: Timestamp) {
            let charge = lines[index]
            return (charge.createdAt.adding(milliseconds: 1),
                    (charge.expiresAt ?? charge.createdAt).adding(milliseconds: madeAgainWithinMilliseconds))
        }
        // The paid charges that may have made one of them again: of its amount, in its week.
        // Not every paid charge: on the bench's ledger, 40,000 checkouts beside 960,000 paid
        // charges, pairing them all cost the report 42 MiB at its peak.
        // Per amount, the weeks by start, each with the latest end of those up to it: a time
        // is in one when the latest end of the weeks begun by then has not passed.
        let weeks = Dictionary(grouping: abandoned) { lines[$0].amount }.mapValues { indices in
            var latest = Timestamp(millisecondsSinceEpoch: .min)
            return indices.map(window).sorted { $0.from < $1.from }.map { week in
                latest = max(latest, week.to)
                return (from: week.from, to: latest)
            }
        }
        var paid = PurchasePairing(lines.indices.lazy.filter { index in
            guard lines[index].state == .settled, lines[index].chargeID != nil, let spans = weeks[lines[index].amount] else {
                return false
            }
            let created = lines[index].createdAt
            let begun = spans.partitioningIndex { $0.from > created }  // the weeks begun by then: spans[..<begun]
            return begun > 0 && created <= spans[begun - 1].to
        }, of: lines)
        var pairs: [(expired: Int, paid: Int)] = []
        for index in abandoned.sorted(by: { (lines[$0].createdAt, $0) < (lines[$1].createdAt, $1) }) {
            let charge = lines[index]
            let (from, until) = window(index)
            // A plan row's, by its reference only.
            let row = charge.topUpKey != nil
            if let taken = paid.take(account: charge.account, amount: charge.amount, from: from, to: until, where: { other in
                PurchasePairing.samePurchase(lines[other], charge) && (!row || lines[other].reference == charge.reference)
            }) {
                pairs.append((index, taken))
            }
        }
        return pairs
    }

    /// How long after an abandoned checkout's expiry a charge of the same purchase is the
    /// one made in its place: the week `status` speaks of an expired charge.
    static let madeAgainWithinMilliseconds: Int64 = 7 * 86_400_000

    /// The rises of `total_credits` (by index; `increases` in time order) whose windows
    /// `charge` was a candidate of: ending after its creation, opening before its expiry and
    /// the grace.
    static func windows(_ increases: [ChargeMatcher.Increase], of charge: LedgerReader.ChargeRecord,
                        matcher: ChargeMatcher) -> Range<Int> {
        let deadline = matcher.expiry(of: charge).adding(milliseconds: matcher.graceMilliseconds)
        let first = increases.partitioningIndex { $0.to > charge.createdAt }
        let end = increases.partitioningIndex { $0.from >= deadline }
        return first..<max(first, end)
    }

    /// How long before a row was blocked (or its request's outcome lost) a charge bought for
    /// it through the web flow may say it was created: the export's clock is not ours.
    static let possiblePurchaseSlackMilliseconds: Int64 = 600_000

    /// The states of a plan row still to be bought that a charge recorded without a plan row
    /// may be the purchase of (`possiblePurchases`): not one rejected for what it asks.
    static let awaitingPurchase: Set<String> = ["blocked", "unknown", "requesting", "planned"]

    /// For each top-up still to be bought (blocked, unknown, never sent), by index, the
    /// charge among `lines` that may be its purchase, recorded without a plan row (without a
    /// reference, or with one naming none: a Coinbase export has no such column): the same
    /// account, amount, and wallet and chain where the charge gives them, created since the
    /// row stopped (less `possiblePurchaseSlackMilliseconds`), not expired. One to one, the
    /// oldest charge first. Only a suggestion: a person says whether it is, by linking them
    /// (`import charges` with the row's reference).
    func possiblePurchases(_ chargeless: [LedgerReader.ChargelessTopUp], among lines: [ChargeLine]) -> [Int: Int] {
        let waiting = chargeless.indices.filter { Self.awaitingPurchase.contains(chargeless[$0].state) }
        guard !waiting.isEmpty else { return [:] }
        var planned = Set(chargeless.compactMap { topUp in topUp.reference.map { topUp.account + "\u{0}" + $0 } })
        for line in lines where line.topUpKey != nil { if let reference = line.reference { planned.insert(line.account + "\u{0}" + reference) } }
        // By amount, each oldest first: a row looks only at charges of its amount.
        let amounts = Set(waiting.map { chargeless[$0].amount })
        var candidates: [Micros: [Int]] = [:]
        for index in lines.indices {
            let line = lines[index]
            guard amounts.contains(line.amount), line.origin == "import", line.topUpKey == nil, line.chargeID != nil,
                  line.state != .expired, !(line.reference.map { planned.contains(line.account + "\u{0}" + $0) } ?? false)
            else { continue }
            candidates[line.amount, default: []].append(index)
        }
        guard !candidates.isEmpty else { return [:] }
        for amount in candidates.keys { candidates[amount]?.sort { (lines[$0].createdAt, $0) < (lines[$1].createdAt, $1) } }
        var taken = Set<Int>()
        var found: [Int: Int] = [:]
        for index in waiting {
            let topUp = chargeless[index]
            let since = topUp.updatedAt.adding(milliseconds: -Self.possiblePurchaseSlackMilliseconds)
            guard let charge = candidates[topUp.amount]?.first(where: { candidate in
                let line = lines[candidate]
                return !taken.contains(candidate) && line.account == topUp.account
                    && (line.wallet ?? topUp.wallet) == topUp.wallet && (line.chainID ?? topUp.chainID) == topUp.chainID
                    && line.createdAt >= since
            }) else { continue }
            taken.insert(charge)
            found[index] = charge
        }
        return found
    }

    /// A reference names one purchase: two settled charges carrying it (a charge `topup`
    /// created and paid, then the same row bought through the web flow and recorded) are
    /// most likely the credits bought twice. Expired ones are retries, not purchases.
    private func paidTwice(_ lines: [ChargeLine], findings: inout [Finding]) {
        var settled: [String: [ChargeLine]] = [:]
        var order: [String] = []
        for line in lines where line.state == .settled && line.chargeID != nil {
            guard let reference = line.reference else { continue }
            let key = line.account + "\u{0}" + reference
            if settled[key] == nil { order.append(key) }
            settled[key, default: []].append(line)
        }
        for key in order {
            guard let charges = settled[key], charges.count > 1, let reference = charges[0].reference else { continue }
            let total = charges.reduce(Micros.zero) { $0 + $1.amount }
            let named = charges.map { "\($0.chargeID ?? "") (\($0.amount.decimalText))" }.joined(separator: ", ")
            findings.append(Finding(
                .warning, .referencePaidTwice, at: charges.compactMap(\.settledAt).max() ?? charges[charges.count - 1].createdAt,
                account: options.account, amount: total, reference: reference,
                // "were paid" of a charge no export said paid, only a rise taken as its payment (probe 279).
                message: "\(charges.count) charges carrying reference \(reference) are settled (paid, or taken as paid by a "
                    + "rise of total_credits): \(named); a reference names one "
                    + "purchase, so it may have been bought twice. Check the Coinbase Commerce dashboard; if each was meant, "
                    + "give the next purchase a reference of its own."))
        }
    }

    /// A charge is settled when a rise of credits matched it (or its export says paid),
    /// expired when its export says so, or once its expiry and the grace time have passed
    /// and a trusted reading taken since shows no rise matching it; pending until then.
    /// Without such a reading it may have been paid at the last minute, its credits showing
    /// only at the next reading (probe 118: paid at 02:21, it read as expired unpaid all
    /// morning, and `status` asked to plan it again).
    ///
    /// One paid or expired before the account's first reading (an export older than the
    /// books) is a note, not a warning: its credits, if any, are in the opening balance, and
    /// no rise of credits could show them.
    ///
    /// `alike`: the charges of its amount (one, or several together) taken as paid by a rise
    /// this one could have explained as well (`alikeTakenInstead`), or one this one with
    /// `with` adds up to, with that rise, which an expired one's finding names.
    /// `roseWhilePayable`: whether any rise came while it was payable; an expired one's
    /// finding says none did, rather than that another charge may have taken its rise.
    private func chargeLine(
        _ charge: LedgerReader.ChargeRecord, matchedTo increase: ChargeMatcher.Increase?, matcher: ChargeMatcher,
        alike: (charges: [LedgerReader.ChargeRecord], with: [LedgerReader.ChargeRecord], rise: ChargeMatcher.Increase)?,
        roseWhilePayable: Bool,
        asOf: Timestamp, trusted: [SnapshotRow], findings: inout [Finding]
    ) -> ChargeLine {
        let account = options.account
        var line = ChargeLine(
            chargeID: charge.chargeID, topUpKey: charge.topUpKey, reference: charge.reference,
            batch: charge.batch, account: charge.account, origin: charge.origin, wallet: charge.wallet,
            chainID: charge.chainID, amount: charge.amount, createdAt: charge.createdAt,
            expiresAt: charge.expiresAt, state: .pending, memo: charge.memo)
        let expiry = matcher.expiry(of: charge)
        let deadline = expiry.adding(milliseconds: matcher.graceMilliseconds)
        let firstReading = trusted.first?.observedAt
        let beforeBooks = firstReading.map { (charge.paidAt ?? expiry) < $0 } ?? false
        let before = beforeBooks ? " It was before the account's first reading (\(firstReading?.iso8601 ?? "")), so its "
            + "credits, if any, are in the opening balance." : ""
        if let increase {
            line.state = .settled
            line.matchedReadingAt = increase.to
            line.settledAt = charge.paidAt ?? increase.to
        } else if charge.status == "paid" {
            // The export says it was paid, but no rise of credits shows it.
            line.state = .settled
            line.settledAt = charge.paidAt
            // A reading taken after its payment and the grace could have shown it: another reading
            // will not (probe 253: "take a reading" with the next day's already there).
            let shownBy = (charge.paidAt ?? charge.createdAt).adding(milliseconds: matcher.graceMilliseconds)
            let since = trusted.last.flatMap { $0.observedAt >= shownBy && $0.observedAt <= asOf ? $0.observedAt : nil }
            findings.append(Finding(
                beforeBooks ? .info : .warning, .paidChargeUnmatched, at: charge.paidAt ?? charge.createdAt, account: account,
                amount: charge.amount, reference: line.label, chargeID: charge.chargeID,
                message: beforeBooks
                    ? "charge \(charge.chargeID) is recorded as paid, and no rise of total_credits can show it." + before
                    : "charge \(charge.chargeID) is recorded as paid, but no rise of total_credits matches it; "
                        + (since.map { "the readings since, up to that of \($0.iso8601), would show it: check on OpenRouter that "
                            + "its credits came to this account, and that the record's amount and times are right." }
                            ?? "check that its credits arrived (take a reading with `\(AccountLabel.command("fetch", account: account))`).")))
        } else if let seen = charge.status == "expired" ? expiry : Self.unpaidShownAt(deadline: deadline, asOf: asOf, trusted: trusted) {
            line.state = .expired
            line.expiredSeenAt = seen
            // Said as the export's fact, or as what the readings show: a rise matched to
            // another charge of the same time may have been this one's, and "plan it again"
            // would then buy it twice.
            let said = charge.status == "expired"
                ? "without being paid, as its export says; nothing was bought."
                    + (beforeBooks ? before : " " + Self.buyAgain(charge, sentence: true))
                : "and no rise of total_credits matches it, so it reads as unpaid."
                    + (beforeBooks ? before : " If it was paid (" + (alike.map { alike in
                        let named = alike.charges.map(Self.named)
                        let partners = alike.with.map(Self.named)
                        if !partners.isEmpty {
                            return "charge \(named[0]), with no payment recorded either, was taken as the one the rise of "
                                + "\(alike.rise.to.iso8601) shows, and this one with \(Self.listed(partners)) comes to its amount: "
                                + "of sets that add up alike the older charges are taken, and the readings cannot tell which "
                                + "were paid"
                        }
                        return alike.charges.count == 1
                            ? "charge \(named[0]), of the same amount and with no payment recorded either, was taken as the "
                                + "one the rise of \(alike.rise.to.iso8601) shows: of alike charges the oldest are taken, and "
                                + "the readings cannot tell which was paid"
                            : "charges \(Self.listed(named)), with no payment recorded either, were taken as the ones the rise "
                                + "of \(alike.rise.to.iso8601) shows, and together they come to this one's amount: of sets that "
                                + "add up alike the older charges are taken, and the readings cannot tell which were paid"
                    } ?? (roseWhilePayable ? "total_credits rose while it was payable, and the readings cannot tell whether "
                        + "for this charge or for others or a card purchase"
                        : "total_credits did not rise while it was payable, so its credits have not shown yet"))
                        + "), record its payment with `\(AccountLabel.command("import charges", account: account))` from the export of its payment; if "
                        + "not, " + Self.buyAgain(charge))
            findings.append(Finding(
                beforeBooks ? .info : .warning, .chargeExpired, at: expiry, account: account, amount: charge.amount,
                reference: line.label, chargeID: charge.chargeID,
                message: "charge \(charge.chargeID) for \(charge.amount.decimalText) expired at \(expiry.iso8601) " + said))
        } else {
            line.state = .pending
            line.awaitingReading = deadline <= asOf
        }
        return line
    }

    /// What to do to buy an expired charge's credits still: plan it again, or, for a plan
    /// row's charge, also buy it through the web flow and record that charge with the row's
    /// reference (the way on when the API refuses charges, 410, where a new plan row is
    /// blocked too: probe 254).
    /// `sentence`: begun with a capital, as a sentence of its own.
    static func buyAgain(_ charge: LedgerReader.ChargeRecord, sentence: Bool = false) -> String {
        guard charge.topUpKey != nil else { return (sentence ? "P" : "p") + "lan it again if the credits are still needed." }
        return (sentence ? "B" : "b") + "uy it again if the credits are still needed: a new plan row, or through the web flow, "
            + "that charge recorded with this row's reference within \(Self.madeAgainWithinMilliseconds / 86_400_000) days of "
            + "this expiry (the row's purchase made again)."
    }

    /// For a charge no rise matched, payable until `deadline` (its expiry and the grace), the
    /// first trusted reading at or after the deadline, when it was taken by `asOf`: the
    /// reading that shows it unpaid, since a rise can show a charge only when the window
    /// before it opens before the charge's deadline. `nil` while the charge may still show
    /// (a `status --now` in the past, a reading dated after it: the charge was counted
    /// neither pending nor expired, probe 121).
    static func unpaidShownAt(deadline: Timestamp, asOf: Timestamp, trusted: [SnapshotRow]) -> Timestamp? {
        let index = trusted.partitioningIndex { $0.observedAt >= deadline }
        guard index < trusted.count, trusted[index].observedAt <= asOf else { return nil }
        return trusted[index].observedAt
    }

    /// The writer's runs that have not ended, newest first, when what it announced holds up:
    /// only the one writer at a time starts runs, so its runs are every run from its first on.
    /// An announcement that skips a run started meanwhile, or names one that is not there, is
    /// not the writer's own (a lock file written by hand, a lock taken by another program)
    /// and is ignored: its rows are judged as every other run's (probe 69).
    static func ownRuns(of writer: RunningWriter?, among recent: [RunRow]) -> [RunRow] {
        guard let first = writer?.runs.min(), let writer else { return [] }
        let since = recent.filter { $0.id >= first }
        guard Set(since.map(\.id)) == Set(writer.runs) else { return [] }
        return since.filter { $0.finishedAt == nil }
    }

    /// The plan rows in flight (`RowsAtWork`), by top-up key, each with its run of the writer
    /// at work (`Reconciliation.inFlightRuns`).
    func inFlightRuns(_ input: Input) -> [String: Int64] {
        guard !input.rowsAtWork.runs.isEmpty else { return [:] }
        return Dictionary(input.chargeless.compactMap { topUp in
            input.rowsAtWork.run(state: topUp.state, runID: topUp.runID, account: topUp.account, batch: topUp.batch,
                                 planFile: topUp.planFile).map { (topUp.key, $0) }
        }, uniquingKeysWith: { first, _ in first })
    }

    /// A top-up without a charge was rejected, blocked (410 Gone), never sent, or nobody knows;
    /// or it is in flight, planned or being sent by `sendingRun`, a run of the writer at work.
    ///
    /// `possiblePurchase`: a charge recorded without a plan row that may be the row's
    /// purchase (`possiblePurchases`), which its finding names.
    private func chargelessLine(
        _ topUp: LedgerReader.ChargelessTopUp, possiblePurchase: ChargeLine?, sendingRun: Int64? = nil, findings: inout [Finding]
    ) -> ChargeLine {
        let account = options.account
        var line = ChargeLine(
            chargeID: nil, topUpKey: topUp.key, reference: topUp.reference, batch: topUp.batch,
            account: topUp.account, origin: "api", wallet: topUp.wallet, chainID: topUp.chainID,
            amount: topUp.amount, createdAt: topUp.updatedAt, expiresAt: nil, state: .unknown,
            error: topUp.error, memo: topUp.memo)
        line.possiblePurchase = possiblePurchase?.chargeID
        let name = topUp.reference ?? topUp.key
        // Said after what the finding says to do, which it may make needless.
        let bought = possiblePurchase.map { charge in
            " Charge \(charge.chargeID ?? "") (\(charge.amount.decimalText), created \(charge.createdAt.iso8601)), recorded "
                + "without a plan row, is the same purchase: if it was bought for \(name), link them by importing its row "
                + "again with reference \(topUp.reference ?? topUp.key) (`\(AccountLabel.command("import charges", account: account))`)"
        }
        // A request that provably never reached the API is stored `rejected` (nothing was
        // created), but it is a row not sent, as one its run stopped before: the plan's next
        // run sends it. It was reported as refused, and `status` left it out.
        let notSent = TopUpEngine.wasNotSent(state: topUp.state, httpStatus: topUp.httpStatus)
        // In flight: its run was at work as the ledger was read, so how it went is not known
        // yet, and nothing needs a person (a note; the report after that run ends says it).
        if let run = sendingRun {
            let planned = topUp.state == "planned"
            line.state = planned ? .planned : .unknown
            let holder = options.writer?.holder.map { ", \($0)" } ?? ""
            line.error = (planned ? "waiting to be sent" : "being sent") + " by run \(run)\(holder), at work as the ledger was read"
            findings.append(Finding(
                .info, planned ? .topUpNotSent : .outcomeUnknown, at: topUp.updatedAt, account: account, amount: topUp.amount,
                reference: name,
                message: "\(name) (\(topUp.amount.decimalText)) "
                    + (planned ? "waits to be sent" : "is being sent") + " by run \(run)\(holder), which was at work as the "
                    + "ledger was read: nothing to do yet; a report after that run ends says how it went."))
            return line
        }
        // The row's own plan's command (probe 434: `credit-recon topup` with the plan, or
        // `topup PLAN.csv`, without its --batch or --account).
        func command(_ option: String) -> String {
            TopUpEngine.planCommand(planFile: topUp.planFile, batch: topUp.batch, account: topUp.account, option)
        }
        switch topUp.state {
        case _ where topUp.state == "planned" || notSent:
            line.state = .planned
            if !notSent { line.error = "planned by a run that stopped before sending it (or is still running)" }
            let why = notSent ? "it never reached the API (\(topUp.httpStatus == 429 ? "rate limited" : "not sent"))"
                : "the run stopped first"
            findings.append(Finding(
                .warning, .topUpNotSent, at: topUp.updatedAt, account: account, amount: topUp.amount,
                reference: name,
                message: "\(name) (\(topUp.amount.decimalText)) was planned from \(topUp.batch) but its charge was never "
                    + "requested: \(why). Run `\(command(""))` again to send it."
                    + (bought.map { $0 + " first, or the plan buys it again." } ?? "")))
        case "rejected":
            line.state = .rejected
            line.refusedForTheRow = TopUpEngine.refusedForTheRow(topUp.httpStatus)
            findings.append(Finding(
                .warning, .chargeRejected, at: topUp.updatedAt, account: account, amount: topUp.amount,
                reference: name,
                message: "the charge request for \(name) (\(topUp.amount.decimalText)) was refused: "
                    + "\(topUp.error ?? "no message"). Nothing was created; fix the row and run the plan again."))
        case "blocked":
            line.state = .blocked
            findings.append(Finding(
                .warning, .chargeBlocked, at: topUp.updatedAt, account: account, amount: topUp.amount,
                reference: name,
                message: "charges cannot be created through the API any more (410 Gone), so \(name) "
                    + "(\(topUp.amount.decimalText)) was not created. Pay it through the OpenRouter web flow and "
                    + "record it with `\(AccountLabel.command("import charges", account: account))`, giving it \(name) in the reference column, so that "
                    + "it settles this row." + (bought.map { $0 + "." } ?? "")))
        default:
            line.state = .unknown
            if topUp.state == "requesting" && line.error == nil {
                line.error = "the request was sent by a run that has not finished (or died)"
            }
            findings.append(Finding(
                .error, .outcomeUnknown, at: topUp.updatedAt, account: account, amount: topUp.amount,
                reference: name,
                message: "nobody knows whether the charge request for \(name) (\(topUp.amount.decimalText)) "
                    // Recording first, as everywhere: sent again, a row whose charge was made is
                    // bought twice (probe 295: the report alone put --retry-unknown first).
                    + "created a charge. Check the OpenRouter dashboard and record the charge if it was made "
                    + "(`\(AccountLabel.command("import charges", account: account))`); only if none was, run `"
                    + "\(command("--retry-unknown"))`."
                    + (bought.map { $0 + "." } ?? "")))
        }
        return line
    }
}
