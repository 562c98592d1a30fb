import CreditTypes
import Ledger

/// What `status` prints.
extension StatusReport {
    /// Lines for people.
    public var lines: [String] {
        var lines = ["account \(TerminalText.printable(account)), as of \(now.iso8601)"]
        if let runway, let age = ageMilliseconds {
            lines.append("balance \(runway.balance.centsText) USD at the reading of \(runway.observedAt.iso8601) "
                // Under an hour in minutes: "0.0 hours after now" stood beside the line saying it was (probe 384);
                // from 59.95 minutes, which would read "60.0 minutes", in hours (probe 388).
                + (age < -StatusReport.clockSkew
                    ? (-age < 3_597_000 ? "(dated \(Runway.roundedTenths(-age, per: 6_000)) minutes after now)"
                        : "(dated \(Runway.roundedTenths(-age, per: 360_000)) hours after now)")
                    : "(\(Runway.roundedTenths(max(age, 0), per: 360_000)) hours old)"))
            // Averages to the cent (--json has them to the micro-dollar).
            // Use under half a cent a day is not none: "0.00" stood beside a runway measured by it.
            func perDay(_ pace: Micros?) -> String {
                guard let pace else { return "n/a" }
                return pace > .zero && pace.nearestCent == .zero ? "under 0.01" : pace.nearestCent.centsText
            }
            let week = "\(perDay(runway.averageDaily7)) \(runway.span(days: 7))"
            let month = "\(perDay(runway.averageDaily30)) \(runway.span(days: 30))"
            // Readings of under a week: both averages are over the same days, said once; so are
            // both across a gap older than a month, from the same reading: the week's words say
            // the month's gap too (probe 281: "8.71 over the last 36.0 days (…)" twice).
            let oneSpan = runway.averageDaily7 == runway.averageDaily30 && runway.span7Milliseconds == runway.span30Milliseconds
            lines.append("use per day: " + (week == month || oneSpan ? week : "\(week), \(month)"))
            let fromNow = runwayFromNowTenths.flatMap { $0 == runway.tenthsOfDays ? nil : Runway.tenthsText($0) }
            lines.append("runway \(runway.daysPhrase)" + (fromNow.map { " at the reading, \($0) days from now at that pace" } ?? "")
                + " (threshold \(options.minRunwayDays) days)")
        } else {
            lines.append("no readings yet")
        }
        lines.append("open charges: \(pending.count) pending (\(pending.amount.centsText)"
            + (awaitingReading.count > 0 ? "; \(awaitingReading.count) of them past \(awaitingReading.count == 1 ? "its" : "their") "
                + "expiry (\(awaitingReading.amount.centsText)): whether paid shows at the next reading, `\(AccountLabel.command("fetch", account: account))`" : "")
            + "), "
            + "\(unknown.count) unknown (\(unknown.amount.centsText)), \(blocked.count) blocked (\(blocked.amount.centsText))"
            + (planned.count > 0 ? "; \(planned.count) planned, not sent (\(planned.amount.centsText))" : "")
            + (expired.count > 0
                ? "; \(expired.count) expired unpaid in the last \(Self.recentDays) days (\(expired.amount.centsText))" : "")
            + (rejected.count > 0 ? "; \(rejected.count) rejected in the last \(Self.recentDays) days (\(rejected.amount.centsText))" : "")
            + (paidUnmatched.isEmpty ? "" : "; \(paidUnmatched.count) recorded paid in the last \(Self.recentDays) days, credits "
                + "not shown (\(paidUnmatched.reduce(Micros.zero) { $0 + ($1.amount ?? .zero) }.centsText))")
            + (inFlight.count > 0 ? "; \(inFlight.count) being sent by the running top-up (\(inFlight.amount.centsText))" : ""))
        if let runningWriter { lines.append(Self.writerLine(runningWriter, runs: runningRuns)) }
        if let writerUnseen {
            lines.append("whether a writer is at work cannot be told (\(TerminalText.printable(writerUnseen))): rows a running "
                + "top-up is sending show here as unknown or never sent")
        }
        lines += keyLines
        for reason in attention { lines.append("needs attention: \(TerminalText.printable(reason))") }
        return lines
    }

    /// `a writer is at work: process 4242, run 17 (topup, started 2026-…)`; for a `run` job,
    /// the job, then the stage it is at (`runs`: its runs not ended, newest first). The stage
    /// alone read as a `fetch` started by hand (probe 144).
    static func writerLine(_ writer: RunningWriter, runs: [RunRow]) -> String {
        let who = writer.holder.map { ": \(TerminalText.printable($0))" } ?? ""
        let what = runs.last.map { ", run \($0.id) (\(TerminalText.printable($0.command)), started \($0.startedAt))" } ?? ""
        let stage = runs.count > 1 ? runs.first.map { ", at its \(TerminalText.printable($0.command)) (run \($0.id))" } ?? "" : ""
        return "a writer is at work on the ledger\(who)\(what)\(stage)"
    }

    /// What each enabled key can still spend and which are nearest their limits; without a
    /// listing in the ledger, how to get one.
    var keyLines: [String] {
        guard let keysReadAt else {
            return ["keys: none read yet; `\(AccountLabel.command("fetch", account: account))` reads them (GET /keys) unless --no-keys is given"]
        }
        let enabled = enabledKeys
        let disabled = keys.count - enabled.count
        guard !enabled.isEmpty else {
            return ["keys listed at \(keysReadAt.iso8601): none enabled" + (disabled > 0 ? " (\(disabled) disabled)" : "")]
        }
        var lines = ["keys listed at \(keysReadAt.iso8601): \(enabled.count) enabled, \(disabled) disabled; "
            + "each can spend the smaller of the balance and what is left of its limit"]
        for standing in enabled {
            let key = standing.key
            var limit = "no limit"
            if let cap = key.limit {
                limit = "\(key.limitRemaining?.centsText ?? "n/a") left of its \(cap.centsText) limit"
                    + (key.limitReset.map { ", resets \(TerminalText.printable($0))" } ?? "")
            }
            lines.append("  \(key.shown) can spend \(standing.spendable.map { "\($0.centsText) USD" } ?? "n/a") (\(limit))")
        }
        let nearest = keysNearestLimits
        if !nearest.isEmpty {
            lines.append("nearest their limits: " + nearest.map { standing in
                "\(standing.key.shown) \(Self.percentText(basisPoints: standing.remainingBasisPoints ?? 0)) left"
            }.joined(separator: ", "))
        }
        return lines
    }

    /// `412` basis points → `4.12 %`.
    static func percentText(basisPoints: Int64) -> String {
        let sign = basisPoints < 0 ? "-" : ""
        let magnitude = basisPoints.magnitude
        let hundredths = magnitude % 100
        return "\(sign)\(magnitude / 100).\(hundredths < 10 ? "0" : "")\(hundredths) %"
    }

    /// The machine-readable form for `--json`; amounts are exact decimal strings.
    public var json: JSONOutput {
        func money(_ value: Micros?) -> JSONOutput { value.map { .string($0.decimalText) } ?? .null }
        func open(_ charges: OpenCharges) -> JSONOutput {
            .object(["count": .int(Int64(charges.count)), "amount": .string(charges.amount.decimalText)])
        }
        func text(_ value: String?) -> JSONOutput { value.map(JSONOutput.string) ?? .null }
        let keys = self.keys.map { standing -> JSONOutput in
            let key = standing.key
            return .object([
                "hash": .string(key.hash), "name": text(key.name), "disabled": key.disabled.map(JSONOutput.bool) ?? .null,
                "usage": money(key.usage), "limit": money(key.limit), "limit_remaining": money(key.limitRemaining),
                "limit_reset": text(key.limitReset), "spendable": money(standing.spendable),
                "remaining_basis_points": standing.remainingBasisPoints.map(JSONOutput.int) ?? .null,
            ])
        }
        return .object([
            "account": .string(account),
            "now": .string(now.iso8601),
            "balance": money(runway?.balance),
            "last_reading_at": runway.map { .string($0.observedAt.iso8601) } ?? .null,
            "last_reading_age_seconds": ageMilliseconds.map { .int($0 / 1000) } ?? .null,
            "average_daily_use_7d": money(runway?.averageDaily7),
            "average_daily_use_30d": money(runway?.averageDaily30),
            "runway_days": runway?.tenthsOfDays.map { .string(Runway.tenthsText($0)) } ?? .null,
            "runway_days_from_now": runwayFromNowTenths.map { .string(Runway.tenthsText($0)) } ?? .null,
            "max_gap_hours": .int(options.maxGapSeconds / 3600),
            "min_runway_days": .int(options.minRunwayDays),
            "min_key_remaining": .string(options.minKeyRemaining.decimalText),
            "open_charges": .object([
                "pending": open(pending), "pending_past_expiry": open(awaitingReading), "unknown": open(unknown), "blocked": open(blocked), "planned": open(planned),
                "in_flight": open(inFlight), "expired_recently": open(expired), "rejected_recently": open(rejected),
                "paid_unmatched_recently": .object([
                    "count": .int(Int64(paidUnmatched.count)),
                    "amount": .string(paidUnmatched.reduce(Micros.zero) { $0 + ($1.amount ?? .zero) }.decimalText),
                ]),
            ]),
            "last_run_failed": failedRun.map { run in
                .object([
                    "run_id": .int(run.id), "command": .string(run.command), "started_at": .string(run.startedAt),
                    "finished_at": text(run.finishedAt), "exit_code": run.exitCode.map(JSONOutput.int) ?? .null,
                    "summary": text(run.summary),
                ])
            } ?? .null,
            "running_writer": runningWriter.map { writer in
                .object([
                    "holder": text(writer.holder),
                    "run_id": runningRuns.last.map { .int($0.id) } ?? .null,
                    "command": text(runningRuns.last?.command),
                    "started_at": text(runningRuns.last?.startedAt),
                    "stage": runningRuns.count > 1 ? runningRuns.first.map { stage in
                        .object(["run_id": .int(stage.id), "command": .string(stage.command)])
                    } ?? .null : .null,
                ])
            } ?? .null,
            "running_writer_unseen": text(writerUnseen),
            "keys_read_at": keysReadAt.map { .string($0.iso8601) } ?? .null,
            "keys": .array(keys),
            "nearest_limits": .array(keysNearestLimits.map { .string($0.key.hash) }),
            "attention": .array(attention.map(JSONOutput.string)),
            "attention_kinds": .array(attentionItems.map { .string($0.kind) }),
            "head_hash": .string(headHash),
            "exit_code": .int(Int64(exitStatus.rawValue)),
        ])
    }
}
