/// The three CSV files, with exactly the columns of CONTRACT.md § Reports.
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

    static func periodsCSV(_ books: Reconciliation) -> String {
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
        return csv.text
    }

    static func chargesCSV(_ books: Reconciliation) -> String {
        var csv = CSVWriter(header: chargeColumns)
        for line in books.charges {
            csv.append([
                .text(line.chargeID), .text(line.reference), .text(line.batch), .text(line.account),
                .text(line.origin), .text(line.wallet), .integer(line.chainID), .amount(line.amount),
                .time(line.createdAt), .time(line.expiresAt), .text(line.state.rawValue), .time(line.settledAt),
                .text(line.error), .text(line.memo),
            ])
        }
        return csv.text
    }

    static func findingsCSV(_ books: Reconciliation) -> String {
        var csv = CSVWriter(header: findingColumns)
        for finding in books.findings {
            csv.append([
                .text(finding.severity.rawValue), .text(finding.kind.rawValue), .time(finding.observedAt),
                .text(finding.account), .amount(finding.amount), .text(finding.reference), .text(finding.message),
            ])
        }
        return csv.text
    }
}
