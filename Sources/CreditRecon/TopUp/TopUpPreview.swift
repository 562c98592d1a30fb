import CreditTypes
import Ledger

/// A validated, keyed plan checked against the ledger: what a run would do. `--dry-run`
/// prints it; the confirmation shows its totals.
public struct TopUpPreview: Sendable {
    /// The batch name (`--batch`, else the plan file's base name).
    public let batch: String
    /// The plan's name in messages and in the ledger (`plan_file`).
    public let planFile: String
    /// Every valid row, in file order.
    public let items: [TopUpItem]
    /// Whether `--retry-unknown` was given.
    public let retryUnknown: Bool
    /// Whether a row to send makes a purchase charged longer ago than the repeat window
    /// (`TopUpEngine.repeatWindow`): that it is no repeat rests on this machine's clock,
    /// which `topup` checks against the API's before its first charge.
    public var clockDecides = false
    /// What every write would refuse the ledger for (`Ledger.damageSigns()`), for a dry run:
    /// the top-up it previews would be refused (74) before anything is sent.
    public var ledgerDamage: [String] = []
    /// Whether there was no ledger to preview against: every row is new to it.
    public var ledgerMissing = false
    /// The top-up at work on the ledger as the preview was made, when rows of the plan are
    /// its, in flight (`TopUpItem.Action.inFlight`).
    public var writerAtWork: RunningWriter?
    /// The run's account (`--account`), for the advice.
    public var account = AccountLabel.defaultAccount

    /// The rows this run would send.
    public var toSend: [TopUpItem] { items.filter { $0.action == .send } }

    /// Rows per action.
    public func count(_ action: TopUpItem.Action) -> Int { items.count { $0.action == action } }

    /// 1 when a person is needed, as the run would exit 1 for it: a damaged ledger (the
    /// top-up would be refused), or rows an earlier run left blocked, unknown or rejected,
    /// which the run would skip; else 0.
    public var exitStatus: ExitStatus {
        ledgerDamage.isEmpty && count(.blocked) + count(.unknown) + count(.rejected) == 0 ? .ok : .attention
    }

    /// Sum of the rows this run would send.
    public var sendTotal: Micros { toSend.reduce(.zero) { $0 + $1.row.amount } }

    /// The rows of other accounts than the run's, whatever they stand at, left for their own
    /// top-ups, by account.
    public var otherAccounts: [String: Int] {
        Dictionary(grouping: items.filter { $0.action == .otherAccount }, by: \.row.account).mapValues(\.count)
    }

    /// `N rows of other accounts (ops: 2), left for …`, when the plan holds any; else `nil`.
    public static func otherAccountsText(_ others: [String: Int]) -> String? {
        guard !others.isEmpty else { return nil }
        let rows = others.values.reduce(0, +)
        let each = others.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { "\(TerminalText.printable($0)): \(others[$0] ?? 0)" }.joined(separator: ", ")
        return "\(rows) row\(rows == 1 ? "" : "s") of other accounts (\(each)) left for their own top-ups: this run's key buys "
            + "credits for its account alone; run topup with --account NAME and that account's key (OPENROUTER_BEARER or "
            + "--bearer-file) for each"
    }

    /// Sum and count of rows to send, per chain id.
    public var sendTotalsByChain: [(chain: Int64, rows: Int, total: Micros)] {
        var totals: [Int64: (Int, Micros)] = [:]
        for item in toSend {
            let current = totals[item.row.chain.rawValue] ?? (0, .zero)
            totals[item.row.chain.rawValue] = (current.0 + 1, current.1 + item.row.amount)
        }
        return totals.keys.sorted().map { ($0, totals[$0]?.0 ?? 0, totals[$0]?.1 ?? .zero) }
    }

    /// The dry-run table: one line per row (new or already done), then totals per chain.
    /// A blocked or unknown row without a reference shows its key (`key row/…`), which
    /// `import charges` takes as its reference.
    public func table() -> String {
        var lines = ["line  action   chain     amount        wallet                                      reference / memo"]
        for item in items {
            let action: String
            switch item.action {
            case .send: action = item.previousState.map { $0 == "planned" ? "new" : "retry" } ?? "new"
            case .done: action = "done"
            case .blocked: action = "blocked"
            case .unknown: action = "unknown"
            case .rejected: action = "rejected"
            case .otherAccount: action = "account"
            case .inFlight: action = "sending"
            }
            // A row a person must settle by `import charges`, without a reference of its own,
            // is named by its key there, as `topup` named it (`status` points here for it).
            let needsKey = item.row.reference == nil && (item.action == .blocked || item.action == .unknown)
            // The screen a person approves charges from: the file's text cannot drive the terminal.
            // A row of another account names it: the action column says only `account`.
            let owner = item.action == .otherAccount ? "for account \(item.row.account)" : nil
            let label = TerminalText.printable(
                [owner, needsKey ? "key \(item.key)" : item.row.reference, item.row.memo].compactMap { $0 }.joined(separator: " / "))
            lines.append(
                "\(pad(String(item.row.line), 6))\(pad(action, 9))\(pad(item.row.chain.name, 10))"
                    + "\(pad(item.row.amount.centsText, 14, right: true))  \(item.row.wallet.checksummed)  \(label)")
        }
        lines.append("")
        lines.append(totalsText())
        return lines.joined(separator: "\n")
    }

    /// Totals for people: what will be sent, per chain, and what is skipped.
    public func totalsText() -> String {
        var lines: [String] = []
        let send = toSend.count
        lines.append("batch \(TerminalText.printable(batch)): \(send) charge\(send == 1 ? "" : "s") to create, \(sendTotal.centsText) USD in total")
        for entry in sendTotalsByChain {
            lines.append("  \(pad(Chain.label(for: entry.chain), 9)) \(entry.rows) row\(entry.rows == 1 ? "" : "s"), \(entry.total.centsText) USD")
        }
        // The last screen before a re-buy: rows of unknown outcome sent again were counted
        // as any other row to create (probe 413).
        let again = toSend.filter { $0.previousState == "unknown" }
        if !again.isEmpty {
            let amount = again.reduce(Micros.zero) { $0 + $1.row.amount }
            lines.append("of those, \(again.count) (\(amount.centsText) USD) had an unknown outcome and \(again.count == 1 ? "is" : "are") "
                + "sent again (--retry-unknown): each whose charge was made and not recorded is bought twice; "
                + "`import charges` those made first")
        }
        let done = count(.done), blocked = count(.blocked), unknown = count(.unknown), rejected = count(.rejected)
        if done + blocked + unknown + rejected > 0 {
            // Each count's advice only where there is a row to act on (probe 416: "0 with an
            // unknown outcome (`import charges` those made …)").
            lines.append("skipped: \(done) already done, \(blocked) blocked" + (blocked > 0 ? " (410, never re-sent)" : "") + ", "
                + "\(unknown) with an unknown outcome" + (unknown > 0 ? " (`import charges` those made, then see `"
                    + "\(TopUpEngine.retryUnknownCommand(planFile: planFile, batch: batch, account: account))`)" : "")
                + ", \(rejected) rejected by the API" + (rejected > 0 ? " (fix the row under a new reference)" : ""))
        }
        if let others = Self.otherAccountsText(otherAccounts) { lines.append(others) }
        if let inFlight = inFlightText { lines.append(inFlight) }
        return lines.joined(separator: "\n")
    }

    /// `3 rows (30.00 USD) in flight: …`, when the plan holds rows of the top-up at work;
    /// else `nil`. They were counted as unknown, or to send (probe 410's future work).
    public var inFlightText: String? {
        let rows = items.filter { $0.action == .inFlight }
        guard !rows.isEmpty else { return nil }
        let amount = rows.reduce(Micros.zero) { $0 + $1.row.amount }
        let who = writerAtWork?.holder.map { " (\(TerminalText.printable($0)))" } ?? ""
        return "\(rows.count) row\(rows.count == 1 ? "" : "s") (\(amount.centsText) USD) in flight: planned or being sent by the "
            + "top-up at work on the ledger\(who), which settles \(rows.count == 1 ? "it" : "them"); nothing to do yet "
            + "(`credit-recon status` follows it; preview again once it ends)"
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
