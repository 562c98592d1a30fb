import CreditTypes
import Foundation
import Ledger

/// `export`: reconciles the ledger as `report` does and writes the books as a double-entry
/// journal (CONTRACT.md § Export), to a file (atomically) or to standard output.
public enum ExportStage {
    /// What to export and how.
    public struct Options: Sendable, Equatable {
        /// The books: account, range, periods, time zone.
        public var reconcile: ReconcileOptions
        public var format: ExportFormat
        /// The accounts of every role.
        public var accounts: ExportAccounts
        /// The file to write; `nil` for standard output.
        public var outFile: String?

        public init(reconcile: ReconcileOptions, format: ExportFormat, accounts: ExportAccounts = ExportAccounts(),
                    outFile: String? = nil) {
            self.reconcile = reconcile
            self.format = format
            self.accounts = accounts
            self.outFile = outFile
        }
    }

    /// What an export wrote.
    public struct Outcome: Sendable {
        public let format: ExportFormat
        /// The journal, for standard output; empty when it was written into `outFile`, as
        /// it was rendered.
        public let bytes: [UInt8]
        public let outFile: String?
        public let transactions: Int
        public let assertions: Int
        public let books: Reconciliation

        /// Periods whose books do not add up: their assertions cannot hold.
        public var failedBalanceChecks: Int { books.periods.count { !$0.balanceCheckHolds } }

        /// Charges recorded as paid that the journal leaves out: no rise of the credits
        /// shows them yet (`paid_charge_unmatched` at warning level), so they are no
        /// purchase of the books until a reading does.
        public var paidChargesLeftOut: [Finding] {
            books.findings.filter { $0.kind == .paidChargeUnmatched && $0.severity >= .warning }
        }

        /// 1 when a period's books do not add up (the checkers will refuse its assertion),
        /// or the ledger is damaged (the journal may not be the books it was given; probe 351:
        /// exported from a ledger cut short, exit 0, a head `verify` does not vouch for), else
        /// 0: the export judges nothing else; `report` does.
        public var exitStatus: ExitStatus { failedBalanceChecks > 0 || books.ledgerDamaged != nil ? .attention : .ok }
    }

    /// Reconciles and renders; writes the file when `options.outFile` is set, making its
    /// folder when missing as `report` does. `progress`
    /// hears the reading, the reconciling, then the journal being written.
    public static func run(ledger: Ledger, options: Options, progress: (ReportProgress) -> Void = { _ in }) throws -> Outcome {
        let books = try Reconciler(options: options.reconcile).reconcile(ledger, progress: progress)
        progress(ReportProgress(.writing(options.outFile ?? "the journal to standard output")))
        let journal = try ExportJournal(books: books, accounts: options.accounts, format: options.format)
        var counts = (transactions: 0, assertions: 0)
        var text = ReportText()
        if let path = options.outFile {
            try AtomicFile.write(to: path, ifAFolder: "--out names the file written: pass a file's path, or move the folder away") {
                counts = journal.render(into: &$0)
            }
        } else {
            text = ReportText(capacity: journal.capacity)
            counts = journal.render(into: &text)
        }
        return Outcome(
            format: options.format, bytes: text.bytes, outFile: options.outFile,
            transactions: counts.transactions, assertions: counts.assertions, books: books)
    }
}

extension ExportStage.Outcome {
    /// What `export --out FILE` prints for people.
    public var summaryLines: [String] {
        var lines = [
            "wrote a \(format.rawValue) journal to \(TerminalText.printable(outFile ?? "standard output")) for "
                + "\(TerminalText.printable(books.account)), "
                + "\(books.from.isoText) up to \(books.to.isoText) (\(books.periods.count) \(books.period.rawValue) periods, "
                + "\(books.timeZone)): \(transactions) transaction\(transactions == 1 ? "" : "s"), "
                + "\(assertions) balance assertion\(assertions == 1 ? "" : "s")",
            "used \(books.totals.used.decimalText), closing balance \(books.totals.closing?.decimalText ?? "–")",
            "ledger head \(books.headHash)",
        ]
        lines += warningLines
        return lines
    }

    /// What the journal's reader must know, for standard error when the journal itself
    /// goes to standard output: periods that do not add up, paid charges left out, and
    /// periods not over at the as-of time (the journal's own comment says so too).
    public var warningLines: [String] {
        var lines: [String] = []
        if let damaged = books.ledgerDamaged { lines.append(damaged.message) }
        if let ahead = books.periodsAhead { lines.append(ahead) }
        if failedBalanceChecks > 0 {
            lines.append("\(failedBalanceChecks) period(s) do not add up (see `credit-recon report`): their balance "
                + "assertions will fail in the checker")
        }
        let leftOut = paidChargesLeftOut
        if !leftOut.isEmpty {
            let total = leftOut.reduce(Micros.zero as Micros?) { sum, finding in sum?.adding(finding.amount ?? .zero) }
            lines.append("\(leftOut.count) charge\(leftOut.count == 1 ? "" : "s") recorded as paid"
                + (total.map { " (\($0.decimalText) USD)" } ?? "") + " \(leftOut.count == 1 ? "is" : "are") not in the "
                + "journal: no rise of total_credits shows \(leftOut.count == 1 ? "its" : "their") credits "
                + "(paid_charge_unmatched in `credit-recon report`, which says what to check: readings after the payment "
                + "may never show them); \(leftOut.count == 1 ? "it joins" : "they join") an export made once a reading "
                + "shows \(leftOut.count == 1 ? "its" : "their") credits")
        }
        return lines
    }

    /// The `--json` summary; amounts are exact decimal strings.
    public var json: JSONOutput {
        .object([
            "format": .string(format.rawValue),
            "out": outFile.map(JSONOutput.string) ?? .null,
            "account": .string(books.account),
            "from": .string(books.from.isoText),
            "to": .string(books.to.isoText),
            "period": .string(books.period.rawValue),
            "timezone": .string(books.timeZone),
            "transactions": .int(Int64(transactions)),
            "balance_assertions": .int(Int64(assertions)),
            "used": .string(books.totals.used.decimalText),
            "closing_balance": books.totals.closing.map { .string($0.decimalText) } ?? .null,
            "paid_charges_left_out": .int(Int64(paidChargesLeftOut.count)),
            "head_hash": .string(books.headHash),
            "ledger_damaged": books.ledgerDamaged.map { .string($0.message) } ?? .null,
            "exit_code": .int(Int64(exitStatus.rawValue)),
        ])
    }
}
