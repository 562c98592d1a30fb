/// The CSV files of the books, with exactly the columns of CONTRACT.md § Reports.
extension ReportFiles {
    static let periodColumns = [
        "period_start", "period_end", "opening_balance", "purchased", "purchased_via_charges", "purchased_other",
        "used", "closing_balance", "charges_created", "charges_created_amount", "charges_settled",
        "charges_settled_amount", "findings",
    ]
    static let chargeColumns = [
        "charge_id", "reference", "batch", "account", "origin", "wallet", "chain_id", "amount", "created_at",
        "expires_at", "state", "settled_at", "error", "memo",
    ]
    static let findingColumns = ["severity", "kind", "observed_at", "account", "amount", "reference", "message"]

    /// `periods.csv`: one line per period, so it is small and built as text.
    static func periodsCSV(_ books: Reconciliation, into bytes: inout ReportText) {
        var csv = CSVWriter(header: periodColumns)
        for period in books.periods {
            csv.append([
                .text(period.start.isoText), .text(period.end.isoText), .amount(period.opening),
                .amount(period.purchased), .amount(period.purchasedViaCharges), .amount(period.purchasedOther),
                .amount(period.used), .amount(period.closing), .integer(period.chargesCreated),
                .amount(period.chargesCreatedAmount), .integer(period.chargesSettled),
                .amount(period.chargesSettledAmount), .integer(period.findings),
            ])
        }
        bytes.append(csv.text)
    }

    /// `charges.csv`, appended to `csv` (one line per charge; see `ReportText`).
    static func chargesCSV(_ books: Reconciliation, into csv: inout ReportText) {
        csv.appendHeader(chargeColumns)
        for line in books.charges {
            csv.append(csvText: line.chargeID)
            csv.append(byte: comma)
            csv.append(csvText: line.reference)
            csv.append(byte: comma)
            csv.append(csvText: line.batch)
            csv.append(byte: comma)
            csv.append(csvText: line.account)
            csv.append(byte: comma)
            csv.append(csvText: line.origin)
            csv.append(byte: comma)
            csv.append(csvText: line.wallet)
            csv.append(byte: comma)
            if let chainID = line.chainID { csv.append(integer: chainID) }
            csv.append(byte: comma)
            csv.append(decimal: line.amount)
            csv.append(byte: comma)
            csv.append(csvTime: line.createdAt)
            csv.append(byte: comma)
            csv.append(csvTime: line.expiresAt)
            csv.append(byte: comma)
            csv.append(csvText: line.state.rawValue)
            csv.append(byte: comma)
            csv.append(csvTime: line.settledAt)
            csv.append(byte: comma)
            csv.append(csvText: line.error)
            csv.append(byte: comma)
            csv.append(csvText: line.memo)
            csv.append("\r\n")
            csv.drainIfFull()
        }
    }

    /// `findings.csv`, appended to `csv`.
    static func findingsCSV(_ books: Reconciliation, into csv: inout ReportText) {
        csv.appendHeader(findingColumns)
        for finding in books.findings {
            csv.append(csvText: finding.severity.rawValue)
            csv.append(byte: comma)
            csv.append(csvText: finding.kind.rawValue)
            csv.append(byte: comma)
            csv.append(csvTime: finding.observedAt)
            csv.append(byte: comma)
            csv.append(csvText: finding.account)
            csv.append(byte: comma)
            if let amount = finding.amount { csv.append(decimal: amount) }
            csv.append(byte: comma)
            csv.append(csvText: finding.reference)
            csv.append(byte: comma)
            csv.append(csvText: finding.message)
            csv.append("\r\n")
            csv.drainIfFull()
        }
    }

    static let comma = UInt8(ascii: ",")
}
