import CreditTypes
import Ledger

/// The findings about the whole range, and what of the books falls in the range.
extension Reconciler {
    /// A warning when the balance lasts fewer than `minRunwayDays` at the recent pace, and
    /// whatever the threshold when nothing is left (`--min-runway-days 0` silenced an
    /// overdrawn account, probe 188).
    func runwayFindings(_ runway: Runway?) -> [Finding] {
        if let runway, let empty = runway.emptyBalanceText {
            return [Finding(
                .warning, .runwayLow, at: runway.observedAt, account: options.account, amount: runway.balance,
                message: "\(empty); plan a top-up.")]
        }
        guard let runway, let tenths = runway.tenthsOfDays, tenths < options.minRunwayDays * 10 else { return [] }
        return [Finding(
            .warning, .runwayLow, at: runway.observedAt, account: options.account, amount: runway.balance,
            message: "the balance of \(runway.balance.decimalText) lasts \(runway.daysText) days at the recent pace "
                + "of use, less than \(options.minRunwayDays); plan a top-up.")]
    }

    /// A note for each overdraft that ended before `end`: from the first reading overdrawn
    /// to the next one that is not, with its lowest balance, dated when it ended (so a
    /// month's report holds the overdrafts that ended in it). One still open at the last
    /// reading is `runwayFindings`' warning. A month that saw requests refused for days,
    /// then a top-up, said nothing of it (carried from probe 208).
    func overdraftFindings(_ trusted: [SnapshotRow], before end: Timestamp) -> [Finding] {
        var findings: [Finding] = []
        var open: (first: SnapshotRow, lowest: SnapshotRow)?
        for reading in trusted {
            guard reading.observedAt < end else { break }
            let balance = reading.totalCredits - reading.totalUsage
            if balance.raw < 0 {
                if let current = open {
                    if balance < current.lowest.totalCredits - current.lowest.totalUsage { open = (current.first, reading) }
                } else {
                    open = (reading, reading)
                }
                continue
            }
            guard let (first, lowest) = open else { continue }
            open = nil
            let lowestBalance = lowest.totalCredits - lowest.totalUsage
            findings.append(Finding(
                .info, .runwayLow, at: reading.observedAt, account: options.account, amount: lowestBalance,
                message: "the balance was overdrawn from the reading of \(first.observedAt.iso8601) until that of "
                    + "\(reading.observedAt.iso8601), \(balance.decimalText) USD: at its lowest \(lowestBalance.decimalText) USD "
                    + "(\(lowest.observedAt.iso8601)); while it lasted, the account's requests could be refused"))
        }
        return findings
    }

    /// A note for each voided charge, with why, dated at its creation: out of the books,
    /// which an auditor reading them must still be able to tell.
    func voidedChargeFindings(_ voided: [LedgerReader.ChargeRecord]) -> [Finding] {
        voided.map { charge in
            let (id, entry) = ChargeVoided.parse(voidedID: charge.chargeID) ?? (charge.chargeID, 0)
            return Finding(
                .info, .chargeVoided, at: charge.createdAt, account: options.account, amount: charge.amount, reference: id,
                message: "charge \(id) of \(charge.amount.decimalText) USD, recorded from an export, was voided by entry "
                    + "\(entry) (`credit-recon void`): \(charge.memo ?? ""); it is left out of these books")
        }
    }

    /// A warning for each run that failed.
    func failedRunFindings(_ failedRuns: [RunRow]) -> [Finding] {
        var findings: [Finding] = []
        // A `run` job's failed stage is said by the job, whose summary names every stage's
        // outcome: each failed night was two warnings (probe 144). Stages start after their
        // job and before it ends, under its writer lock, so no other run starts among them.
        let jobs = failedRuns.filter { $0.command == "run" && $0.finishedAt != nil }
        for run in failedRuns where run.command == "run" || !jobs.contains(where: { job in
            job.id < run.id && job.finishedAt.map { run.startedAt <= $0 } == true
        }) {
            guard let startedAt = try? Timestamp(iso8601: run.startedAt) else { continue }
            let code = run.exitCode.map { " (exit \($0))" } ?? ""
            let message = run.outcome == nil
                ? "`\(run.command)` never ended: it was killed (a `kill -9`, a timeout, out of memory), the machine "
                    + "stopped while it ran, or the write that ends it failed (a full disk, a file-size limit, the connection to a "
                    + "PostgreSQL ledger lost: a restart, a session ended, the network), and a later "
                    + "command found the books as it left them; check that what it was "
                    + "doing is done (a top-up's rows left `requesting` became `unknown`)"
                : "`\(run.command)` failed\(code): \(run.summary ?? "no summary was recorded")"
            findings.append(Finding(
                .warning, .runFailed, at: startedAt, account: options.account, reference: "run \(run.id)", message: message))
        }
        return findings
    }

    /// An error for each period whose books do not add up: reported, never patched.
    func balanceCheckFindings(_ periods: [PeriodSummary]) -> [Finding] {
        var findings: [Finding] = []
        for period in periods where !period.balanceCheckHolds {
            let opening = period.opening?.decimalText ?? "none"
            let closing = period.closing?.decimalText ?? "none"
            findings.append(Finding(
                .error, .balanceCheckFailed, at: period.startInstant, account: options.account,
                message: "the books do not add up for \(period.start)–\(period.end): opening \(opening) + purchased "
                    + "\(period.purchased.decimalText) − used \(period.used.decimalText) ≠ closing \(closing). "
                    + "Run `credit-recon verify` and report this."))
        }
        return findings
    }

    /// The findings observed in the range, in report order, each counted in its period.
    func scope(_ findings: [Finding], to grid: inout PeriodGrid) -> [Finding] {
        let scoped = Self.sorted(findings.filter { grid.contains($0.observedAt) }, by: Finding.reportOrder)
        for finding in scoped { grid.countFinding(at: finding.observedAt) }
        return scoped
    }

    /// Keeps the charge lines created, matched or settled in the range, in report order.
    func scope(_ lines: inout [ChargeLine], to grid: PeriodGrid) {
        func inScope(_ line: ChargeLine) -> Bool {
            grid.contains(line.createdAt)
                || line.matchedReadingAt.map({ grid.contains($0) }) == true
                || line.settledAt.map({ grid.contains($0) }) == true
        }
        // Usually every line is in scope: then the lines are kept as they are, not copied.
        if !lines.allSatisfy(inScope) {
            var scoped: [ChargeLine] = []
            scoped.reserveCapacity(lines.count)
            for line in lines where inScope(line) { scoped.append(line) }
            lines = scoped
        }
        // Lines read oldest first are in order already when no two share a creation time;
        // that is checked on the times alone before the full comparison is asked for.
        let strictlyByTime = lines.withUnsafeBufferPointer { buffer in
            buffer.indices.dropFirst().allSatisfy { buffer[$0 - 1].createdAt < buffer[$0].createdAt }
        }
        if !strictlyByTime { lines = Self.sorted(lines, by: ChargeLine.reportOrder) }
    }
}
