import CreditTypes

/// What `status` prints.
extension StatusReport {
    /// Lines for people.
    public var lines: [String] {
        var lines = ["account \(account), as of \(now.iso8601)"]
        if let runway, let age = ageMilliseconds {
            lines.append("balance \(runway.balance.centsText) USD at the reading of \(runway.observedAt.iso8601) "
                + "(\(Runway.tenthsText(age / 360_000)) hours old)")
            lines.append("use per day: \(runway.averageDaily7?.centsText ?? "n/a") over 7 days, "
                + "\(runway.averageDaily30?.centsText ?? "n/a") over 30 days")
            lines.append("runway \(runway.daysText) days (threshold \(options.minRunwayDays))")
        } else {
            lines.append("no readings yet")
        }
        lines.append("open charges: \(pending.count) pending (\(pending.amount.centsText)), "
            + "\(unknown.count) unknown (\(unknown.amount.centsText)), \(blocked.count) blocked (\(blocked.amount.centsText))")
        for reason in attention { lines.append("needs attention: \(reason)") }
        return lines
    }

    /// The machine-readable form for `--json`; amounts are exact decimal strings.
    public var json: JSONOutput {
        func money(_ value: Micros?) -> JSONOutput { value.map { .string($0.decimalText) } ?? .null }
        func open(_ charges: OpenCharges) -> JSONOutput {
            .object(["count": .int(Int64(charges.count)), "amount": .string(charges.amount.decimalText)])
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
            "min_runway_days": .int(options.minRunwayDays),
            "open_charges": .object(["pending": open(pending), "unknown": open(unknown), "blocked": open(blocked)]),
            "attention": .array(attention.map(JSONOutput.string)),
            "head_hash": .string(headHash),
            "exit_code": .int(Int64(exitStatus.rawValue)),
        ])
    }
}
