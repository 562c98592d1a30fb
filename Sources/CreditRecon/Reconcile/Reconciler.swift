import CreditTypes
import Ledger

/// Turns the ledger's readings and charges into periods, charge fates and findings
/// (DESIGN.md § Reconciliation).
///
/// Rises and falls come from consecutive trusted readings, each in the period of its
/// later reading, so period sums equal boundary differences and
/// `opening + purchased − used = closing` holds; it is still checked for every period,
/// and a failure is an error finding, never patched. Matching and charge fates are worked
/// out over the whole history, so narrowing `--from`/`--to` never changes a charge's fate.
public struct Reconciler: Sendable {
    /// What to reconcile and the thresholds.
    public let options: ReconcileOptions

    /// A reconciler with `options`.
    public init(options: ReconcileOptions) { self.options = options }

    /// Reads the ledger as of one state and reconciles it.
    ///
    /// - Parameter asOf: the time charges are judged at (pending or expired); `nil` means
    ///   the newest journal entry's time, which keeps reports independent of the clock.
    public func reconcile(_ ledger: Ledger, asOf: Timestamp? = nil) throws -> Reconciliation {
        let calendar = try PeriodCalendar(timeZone: options.timeZone)
        let input = try readBooks(ledger)
        return try reconcile(input, calendar: calendar, asOf: asOf ?? input.newest ?? Timestamp(millisecondsSinceEpoch: 0))
    }

    /// What the ledger holds for the account, as of one state: the charges are read
    /// alongside the rest (the ledger may read them on another core).
    func readBooks(_ ledger: Ledger) throws -> Input {
        let account = options.account
        var (input, charges) = try ledger.read({ reader in
            Input(
                snapshots: try reader.snapshots(account: account),
                charges: [],
                chargeless: try reader.chargelessTopUps(account: account),
                failedRuns: try reader.failedRuns(account: account),
                newest: try reader.newestJournalTime(),
                headHash: try reader.head().hash)
        }, alongside: { reader in try reader.charges(account: account) })
        input.charges = charges
        return input
    }

    /// What the ledger holds for the account, read in one transaction.
    struct Input: Sendable {
        var snapshots: [SnapshotRow]
        var charges: [LedgerReader.ChargeRecord]
        var chargeless: [LedgerReader.ChargelessTopUp]
        var failedRuns: [RunRow] = []
        var newest: Timestamp?
        var headHash: String
    }

    /// A step between two consecutive trusted readings: only what the books use of them
    /// (a million steps of two whole rows each was memory written for nothing).
    private struct Step {
        var fromAt: Timestamp
        var toAt: Timestamp
        var credits: Micros
        var usage: Micros

        init(from: SnapshotRow, to: SnapshotRow) {
            fromAt = from.observedAt
            toAt = to.observedAt
            credits = to.totalCredits - from.totalCredits
            usage = to.totalUsage - from.totalUsage
        }
    }

    func reconcile(_ input: Input, calendar: PeriodCalendar, asOf: Timestamp) throws -> Reconciliation {
        let account = options.account
        var findings: [Finding] = []

        // Trusted readings: an all-zero reading after non-zero ones is what a key without
        // management rights gets; it is kept in the ledger but never believed.
        var trusted: [SnapshotRow] = []
        trusted.reserveCapacity(input.snapshots.count)
        var untrusted: [SnapshotRow] = []
        var sawNonZero = false
        for snapshot in input.snapshots {
            let zero = snapshot.totalCredits == .zero && snapshot.totalUsage == .zero
            if zero && sawNonZero {
                untrusted.append(snapshot)
                findings.append(Finding(
                    .warning, .zeroReading, at: snapshot.observedAt, account: account,
                    message: "the reading at \(snapshot.observedAt.iso8601) says total_credits 0 and total_usage 0 "
                        + "after non-zero readings; it was left out of the books. Check that the key is a management key."))
                continue
            }
            if !zero { sawNonZero = true }
            trusted.append(snapshot)
        }

        var steps: [Step] = []
        steps.reserveCapacity(trusted.count)
        for (earlier, later) in zip(trusted, trusted.dropFirst()) {
            let step = Step(from: earlier, to: later)
            steps.append(step)
            if step.credits < .zero {
                findings.append(Finding(
                    .warning, .creditsDecreased, at: later.observedAt, account: account, amount: step.credits,
                    message: "total_credits went down by \(step.credits.magnitude.decimalText) between "
                        + "\(earlier.observedAt.iso8601) and \(later.observedAt.iso8601); running totals should only rise. "
                        + "Ask OpenRouter about a refund or correction."))
            }
            if step.usage < .zero {
                findings.append(Finding(
                    .warning, .usageDecreased, at: later.observedAt, account: account, amount: step.usage,
                    message: "total_usage went down by \(step.usage.magnitude.decimalText) between "
                        + "\(earlier.observedAt.iso8601) and \(later.observedAt.iso8601); running totals should only rise. "
                        + "Ask OpenRouter about a usage correction."))
            }
            let gap = later.observedAt.millisecondsSinceEpoch - earlier.observedAt.millisecondsSinceEpoch
            if gap > options.maxGapSeconds * 1000 {
                findings.append(Finding(
                    .warning, .snapshotGap, at: later.observedAt, account: account,
                    message: "no trusted reading for \(Runway.tenthsText(gap / 360_000)) hours between "
                        + "\(earlier.observedAt.iso8601) and \(later.observedAt.iso8601) (more than "
                        + "\(options.maxGapSeconds / 3600) hours); check that the nightly job runs."))
            }
        }

        // Matching over the whole history.
        var increases: [ChargeMatcher.Increase] = []
        for step in steps where step.credits > .zero {
            increases.append(ChargeMatcher.Increase(from: step.fromAt, to: step.toAt, amount: step.credits))
        }
        let matcher = ChargeMatcher(options: options)
        let matched = matcher.match(increases, input.charges)
        for (index, increase) in increases.enumerated() {
            let explained = matched.explained[index]
            let other = increase.amount - explained
            if other > .zero {
                findings.append(Finding(
                    .info, .unexplainedPurchase, at: increase.to, account: account, amount: other,
                    message: "credits rose by \(increase.amount.decimalText) between \(increase.from.iso8601) and "
                        + "\(increase.to.iso8601); charges explain \(explained.decimalText), so \(other.decimalText) "
                        + "came from elsewhere (a card or web purchase). Record the charge if it was a crypto payment."))
            }
        }

        var lines: [ChargeLine] = []
        lines.reserveCapacity(input.charges.count + input.chargeless.count)
        for (index, charge) in input.charges.enumerated() {
            var line = ChargeLine(
                chargeID: charge.chargeID, topUpKey: charge.topUpKey, reference: charge.reference,
                batch: charge.batch, account: charge.account, origin: charge.origin, wallet: charge.wallet,
                chainID: charge.chainID, amount: charge.amount, createdAt: charge.createdAt,
                expiresAt: charge.expiresAt, state: .pending, memo: charge.memo)
            let expiry = matcher.expiry(of: charge)
            if let window = matched.increase(ofCharge: index) {
                line.state = .settled
                line.matchedReadingAt = increases[window].to
                line.settledAt = charge.paidAt ?? increases[window].to
            } else if charge.status == "paid" {
                // The export says it was paid, but no rise of credits shows it.
                line.state = .settled
                line.settledAt = charge.paidAt
                findings.append(Finding(
                    .warning, .paidChargeUnmatched, at: charge.paidAt ?? charge.createdAt, account: account,
                    amount: charge.amount, reference: line.label,
                    message: "charge \(charge.chargeID) is recorded as paid, but no rise of total_credits matches it; "
                        + "check that its credits arrived (take a reading with `credit-recon fetch`)."))
            } else if charge.status == "expired"
                || expiry.adding(milliseconds: matcher.graceMilliseconds) <= asOf
            {
                line.state = .expired
                findings.append(Finding(
                    .warning, .chargeExpired, at: expiry, account: account, amount: charge.amount,
                    reference: line.label,
                    message: "charge \(charge.chargeID) for \(charge.amount.decimalText) expired at \(expiry.iso8601) "
                        + "without being paid; nothing was bought. Plan it again if the credits are still needed."))
            } else {
                line.state = .pending
            }
            lines.append(line)
        }
        for topUp in input.chargeless {
            var line = ChargeLine(
                chargeID: nil, topUpKey: topUp.key, reference: topUp.reference, batch: topUp.batch,
                account: topUp.account, origin: "api", wallet: topUp.wallet, chainID: topUp.chainID,
                amount: topUp.amount, createdAt: topUp.updatedAt, expiresAt: nil, state: .unknown,
                error: topUp.error, memo: topUp.memo)
            let name = topUp.reference ?? topUp.key
            switch topUp.state {
            case "rejected":
                line.state = .rejected
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
                        + "record it with `credit-recon import charges`."))
            default:
                line.state = .unknown
                if topUp.state == "requesting" && line.error == nil {
                    line.error = "the request was sent by a run that has not finished (or died)"
                }
                findings.append(Finding(
                    .error, .outcomeUnknown, at: topUp.updatedAt, account: account, amount: topUp.amount,
                    reference: name,
                    message: "nobody knows whether the charge request for \(name) (\(topUp.amount.decimalText)) "
                        + "created a charge. Check the OpenRouter dashboard, then run `credit-recon topup "
                        + "--retry-unknown` or record the charge."))
            }
            lines.append(line)
        }

        // The range and its periods.
        // By default the range starts with the first reading or charge, whichever came first.
        let firstInstant = [
            input.snapshots.first?.observedAt, input.charges.map(\.createdAt).min(),
            input.chargeless.map(\.updatedAt).min(),
        ].compactMap { $0 }.min()
        let firstDay = calendar.localDate(of: firstInstant ?? asOf)
        let lastInstant = max(asOf, input.snapshots.last?.observedAt ?? asOf)
        let from = options.from ?? firstDay
        let to = options.to ?? calendar.localDate(of: lastInstant).adding(days: 1)
        guard from < to else { throw ReconcileError.emptyRange(from: from, to: to) }
        var periods: [PeriodSummary] = []
        var day = from
        while day < to {
            let next = min(options.period.next(after: options.period.start(of: day)), to)
            periods.append(PeriodSummary(
                start: day, end: next, startInstant: calendar.start(of: day), endInstant: calendar.start(of: next)))
            day = next
        }
        let rangeStart = periods[0].startInstant
        let rangeEnd = periods[periods.count - 1].endInstant
        func periodIndex(_ instant: Timestamp) -> Int? {
            guard instant >= rangeStart, instant < rangeEnd else { return nil }
            // Binary search: the last period starting at or before `instant`.
            var low = 0
            var high = periods.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if periods[middle].startInstant <= instant { low = middle } else { high = middle - 1 }
            }
            return low
        }

        // Rising steps are the increases, in the same order (readings have distinct times).
        var risingIndex = 0
        for step in steps {
            let rising = step.credits > .zero
            defer { if rising { risingIndex += 1 } }
            guard let index = periodIndex(step.toAt) else { continue }
            periods[index].purchased += step.credits
            periods[index].used += step.usage
            if rising {
                periods[index].purchasedViaCharges += matched.explained[risingIndex]
            }
        }
        // Balances at the boundaries, read straight from the readings (not from the sums),
        // so the identity below is a real check.
        var readBefore = 0  // trusted readings taken before the current period starts
        for index in periods.indices {
            let start = periods[index].startInstant
            let end = periods[index].endInstant
            while readBefore < trusted.count && trusted[readBefore].observedAt < start { readBefore += 1 }
            var readBeforeEnd = readBefore
            while readBeforeEnd < trusted.count && trusted[readBeforeEnd].observedAt < end { readBeforeEnd += 1 }
            let opening = readBefore > 0 ? trusted[readBefore - 1] : (readBeforeEnd > 0 ? trusted[0] : nil)
            if let opening { periods[index].opening = opening.totalCredits - opening.totalUsage }
            if readBeforeEnd > 0 {
                let closing = trusted[readBeforeEnd - 1]
                periods[index].closing = closing.totalCredits - closing.totalUsage
            }
            periods[index].purchasedOther = periods[index].purchased - periods[index].purchasedViaCharges
        }
        for line in lines where line.chargeID != nil {
            if let index = periodIndex(line.createdAt) {
                periods[index].chargesCreated += 1
                periods[index].chargesCreatedAmount += line.amount
            }
            if let reading = line.matchedReadingAt, let index = periodIndex(reading) {
                periods[index].chargesSettled += 1
                periods[index].chargesSettledAmount += line.amount
            }
        }

        let runway = Runway.at(trusted)
        if let runway, let tenths = runway.tenthsOfDays, tenths < options.minRunwayDays * 10 {
            findings.append(Finding(
                .warning, .runwayLow, at: runway.observedAt, account: account, amount: runway.balance,
                message: "the balance of \(runway.balance.decimalText) lasts \(runway.daysText) days at the recent pace "
                    + "of use, less than \(options.minRunwayDays); plan a top-up."))
        }
        for run in input.failedRuns {
            guard let startedAt = try? Timestamp(iso8601: run.startedAt) else { continue }
            let code = run.exitCode.map { " (exit \($0))" } ?? ""
            findings.append(Finding(
                .warning, .runFailed, at: startedAt, account: account, reference: "run \(run.id)",
                message: "`\(run.command)` failed\(code): \(run.summary ?? "no summary was recorded")"))
        }
        for period in periods where !period.balanceCheckHolds {
            let opening = period.opening?.decimalText ?? "none"
            let closing = period.closing?.decimalText ?? "none"
            findings.append(Finding(
                .error, .balanceCheckFailed, at: period.startInstant, account: account,
                message: "the books do not add up for \(period.start)–\(period.end): opening \(opening) + purchased "
                    + "\(period.purchased.decimalText) − used \(period.used.decimalText) ≠ closing \(closing). "
                    + "Run `credit-recon verify` and report this."))
        }

        let scopedFindings = Self.sorted(findings.filter { periodIndex($0.observedAt) != nil }, by: Finding.reportOrder)
        for finding in scopedFindings {
            if let index = periodIndex(finding.observedAt) { periods[index].findings += 1 }
        }
        func inScope(_ line: ChargeLine) -> Bool {
            periodIndex(line.createdAt) != nil
                || line.matchedReadingAt.map({ periodIndex($0) != nil }) == true
                || line.settledAt.map({ periodIndex($0) != nil }) == true
        }
        // Usually every line is in scope: then the lines are kept as they are, not copied.
        var scopedLines = lines
        if !lines.allSatisfy(inScope) {
            scopedLines = []
            scopedLines.reserveCapacity(lines.count)
            for line in lines where inScope(line) { scopedLines.append(line) }
        }
        lines = []
        // Lines read oldest first are in order already when no two share a creation time;
        // that is checked on the times alone before the full comparison is asked for.
        let strictlyByTime = scopedLines.withUnsafeBufferPointer { buffer in
            buffer.indices.dropFirst().allSatisfy { buffer[$0 - 1].createdAt < buffer[$0].createdAt }
        }
        if !strictlyByTime { scopedLines = Self.sorted(scopedLines, by: ChargeLine.reportOrder) }

        return Reconciliation(
            account: account, asOf: asOf, headHash: input.headHash, timeZone: calendar.identifier,
            period: options.period, from: from, to: to, periods: periods, charges: scopedLines,
            findings: scopedFindings, runway: runway,
            trustedReadings: trusted.reduce(0) { periodIndex($1.observedAt) != nil ? $0 + 1 : $0 },
            untrustedReadings: untrusted.reduce(0) { periodIndex($1.observedAt) != nil ? $0 + 1 : $0 })
    }

    /// `items.sorted(by: order)`, the same permutation, without moving the big values
    /// about: the indices are sorted (the same algorithm on the same comparisons gives the
    /// same order), and input that is already in order, as charges read oldest first
    /// mostly are, is returned as it is (issue "Speed").
    static func sorted<T>(_ items: [T], by order: (T, T) -> Bool) -> [T] {
        items.withUnsafeBufferPointer { buffer in
            var inOrder = true
            for index in buffer.indices.dropFirst() where order(buffer[index], buffer[index - 1]) {
                inOrder = false
                break
            }
            if inOrder { return items }
            let permutation = Array(buffer.indices).sorted { order(buffer[$0], buffer[$1]) }
            return permutation.map { buffer[$0] }
        }
    }
}

