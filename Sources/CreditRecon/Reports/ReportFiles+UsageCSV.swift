import CreditTypes

/// `usage_by_key.csv` and `usage_by_model.csv`, with exactly the columns of CONTRACT.md §
/// Reports.
extension ReportFiles {
    static let usageByKeyColumns = [
        "period_start", "period_end", "account", "key_hash", "key_name", "disabled", "used", "limit", "limit_remaining",
    ]
    static let usageByModelColumns = [
        "date", "account", "model", "provider", "endpoint_id", "usage", "byok_usage", "requests", "prompt_tokens",
        "completion_tokens", "reasoning_tokens", "cached_tokens",
    ]

    /// `usage_by_key.csv`: per period, one row per key read in it, then the unattributed row;
    /// the rows of a period add up to its `used` in `periods.csv`.
    static func usageByKeyCSV(_ books: Reconciliation, into csv: inout ReportText) {
        csv.appendHeader(usageByKeyColumns)
        for row in books.keyUsage {
            csv.append(row.start)
            csv.append(byte: comma)
            csv.append(row.end)
            csv.append(byte: comma)
            csv.append(csvText: books.account)
            csv.append(byte: comma)
            if let key = row.key {
                csv.append(csvText: key.hash)
                csv.append(byte: comma)
                csv.append(csvText: key.name)
                csv.append(byte: comma)
                if let disabled = key.disabled { csv.append(disabled ? "true" : "false") }
                csv.append(byte: comma)
                csv.append(decimal: row.used)
                csv.append(byte: comma)
                if let limit = key.limit { csv.append(decimal: limit) }
                csv.append(byte: comma)
                if let remaining = key.limitRemaining { csv.append(decimal: remaining) }
            } else {
                csv.append(KeyPeriodUsage.unattributedHash)
                csv.append(",,,")
                csv.append(decimal: row.used)
                csv.append(",,")
            }
            csv.append("\r\n")
            csv.drainIfFull()
        }
    }

    /// `usage_by_model.csv`: every stored activity row of the UTC days in scope, as the API
    /// gave it.
    static func usageByModelCSV(_ books: Reconciliation, into csv: inout ReportText) {
        csv.appendHeader(usageByModelColumns)
        for row in books.activity {
            let line = row.line
            csv.append(row.date)
            csv.append(byte: comma)
            csv.append(csvText: row.account)
            csv.append(byte: comma)
            csv.append(csvText: line.model)
            csv.append(byte: comma)
            csv.append(csvText: line.provider)
            csv.append(byte: comma)
            csv.append(csvText: line.endpointID)
            csv.append(byte: comma)
            csv.append(decimal: line.usage)
            csv.append(byte: comma)
            if let byok = line.byokUsage { csv.append(decimal: byok) }
            for count in [line.requests, line.promptTokens, line.completionTokens, line.reasoningTokens, line.cachedTokens] {
                csv.append(byte: comma)
                if let count { csv.append(integer: count) }
            }
            csv.append("\r\n")
            csv.drainIfFull()
        }
    }
}
