import CreditTypes
import Ledger

/// The reconciled books as a double-entry journal (DESIGN.md § Books for accountants).
///
/// Per period, in order: the opening balance (the first period with a reading), each
/// settled charge on the day it settled (kept inside the period whose reading showed its
/// credits), what those charges paid beyond the credits they explain (the matching
/// tolerance, to `other:Charge-Differences`), the purchases no charge explains (equal to
/// `periods.csv`'s `purchased_other`), the use per key and the unattributed rest,
/// then a balance assertion on the credits account at the period's end equal to its
/// closing balance in `periods.csv`. The credits postings of a period add up to its
/// `purchased − used` exactly, so the assertions hold whenever the report's balance check
/// does.
struct ExportJournal {
    let books: Reconciliation
    let accounts: ExportAccounts
    let format: ExportFormat

    /// The calendar of the books' time zone, which their dates are in.
    let calendar: PeriodCalendar

    /// The accounts posted to, each checked before anything is written.
    private let credits: String
    private let unattributed: String
    private let keyAccounts: [String: String]
    private let differences: String
    private let roles: [(account: String, role: AccountRole)]
    /// The settled charges, and what they paid beyond the credits they explain, by period.
    private let settled: [[ChargeLine]]
    private let chargeDifferences: [Micros]

    /// Refuses (before anything is written) an account name the format does not take.
    init(books: Reconciliation, accounts: ExportAccounts, format: ExportFormat) throws {
        self.books = books
        self.accounts = accounts
        self.format = format
        calendar = try PeriodCalendar(timeZone: books.timeZone)
        let credits = accounts[.credits]
        let usage = accounts[.usage]
        let unattributed = usage + ":" + AccountName.unattributed

        // Each key is named by its first reading in the ledger, and told apart from every
        // other key of the account, not only those of the range: the next range's file books
        // it to the same account, and so does this range's exported again after the key was
        // renamed (by its latest reading, the rename moved it, probe 327). Only the keys with
        // use in the range get one.
        let inRange = Set(books.keyUsage.compactMap { $0.key?.hash })
        let keyAccounts = AccountName.keyAccounts(books.everyKey, usage: usage)
            .filter { inRange.contains($0.key) }
        // The settled charges, by the period whose reading showed their credits.
        var settled = [[ChargeLine]](repeating: [], count: books.periods.count)
        for line in books.charges where line.state == .settled {
            guard let reading = line.matchedReadingAt, let index = books.periods.index(containing: reading) else { continue }
            settled[index].append(line)
        }
        // What each period's charges paid beyond the credits they explain: a charge matches
        // a rise within the tolerance, and `periods.csv` counts only the rise.
        let chargeDifferences = books.periods.indices.map { index in
            settled[index].reduce(Micros.zero) { $0 + $1.amount } - books.periods[index].purchasedViaCharges
        }
        let differences = accounts[.other] + ":" + AccountName.chargeDifferences
        let roles: [(account: String, role: AccountRole)] = [
            (credits, .credits), (accounts[.charges], .charges), (accounts[.other], .other), (accounts[.opening], .opening),
            (unattributed, .usage),
        ] + (chargeDifferences.contains { $0 != .zero } ? [(differences, .other)] : [])
            + Set(keyAccounts.values).sorted().map { ($0, .usage) }
        let posted = roles.map(\.account)
        for account in posted {
            if let problem = AccountName.problem(account, format: format) {
                throw ExportError.badAccount(account, format: format, problem)
            }
        }
        self.credits = credits
        self.unattributed = unattributed
        self.keyAccounts = keyAccounts
        self.differences = differences
        self.roles = roles
        self.settled = settled
        self.chargeDifferences = chargeDifferences
    }

    /// How many bytes the journal is about: room for it when it is kept in memory.
    var capacity: Int { 400 * books.charges.count + 4096 * books.periods.count + 4096 }

    /// Appends the journal to `text`; how many transactions and balance assertions it has.
    func render(into text: inout ReportText) -> (transactions: Int, assertions: Int) {
        var journal = JournalWriter(format: format, text: text)
        defer { text = journal.text }
        journal.comment("credit-recon export (\(format.rawValue)) of account \(TerminalText.quoted(books.account))")
        journal.comment("scope: \(books.from.isoText) up to (not including) \(books.to.isoText), "
            + "\(books.periods.count) \(books.period.rawValue) periods, time zone \(books.timeZone); as of \(books.asOf.iso8601)")
        journal.comment("ledger head hash: \(books.headHash)")
        journal.comment("to check it against a ledger: credit-recon verify --holds \(books.headHash)")
        journal.comment("USD exact to the micro-dollar; a balance assertion on \(credits) at every period boundary "
            + "equals periods.csv's closing balance")
        // Assertions dated past the as-of time read as books closed there (probe 137).
        if let ahead = books.periodsAhead { journal.comment(ahead) }
        if let damaged = books.ledgerDamaged { journal.comment(damaged.message) }
        // A voided charge's transaction is gone from the journal: said, as the report's finding
        // says it, for books that booked it from an earlier export (probe 464).
        for voided in books.findings where voided.kind == .chargeVoided { journal.comment(voided.message) }
        journal.blank()
        journal.preamble(accounts: roles, on: books.from)

        // One pass over the key usage rows, not one per period.
        let usageByPeriod = Dictionary(grouping: books.keyUsage.lazy.filter { $0.used != .zero }, by: \.start)
        // The periods in which total_usage, or a key's usage, went down: their use may be
        // negative, which read as an expense for nothing said (probe 329). Which of them:
        // a key's fall was said as the account's (probe 345).
        let fell = books.findings.filter { $0.kind == .usageDecreased }
        let totalFell = Set(fell.filter { $0.reference == nil }.compactMap { books.periods.index(containing: $0.observedAt) })
        let keyFell = Set(fell.filter { $0.reference != nil }.compactMap { books.periods.index(containing: $0.observedAt) })
        func fellNote(_ index: Int) -> String {
            let what = [totalFell.contains(index) ? "total_usage" : nil, keyFell.contains(index) ? "a key's usage" : nil]
                .compactMap { $0 }
            guard !what.isEmpty else { return "" }
            return " (\(what.joined(separator: " and ")) went down in it, see the report's usage_decreased: a negative "
                + "amount is use taken back)"
        }

        var opened = false
        for (index, period) in books.periods.enumerated() {
            guard let opening = period.opening else { continue }
            let lastDay = period.end.adding(days: -1)
            if !opened {
                opened = true
                // The books open at the first reading when it falls inside the period: the
                // balance was not known on the period's first day (probe 137).
                let firstRead = period.openingReadAt.flatMap { $0 >= period.startInstant ? $0 : nil }
                journal.transaction(
                    date: firstRead.map { calendar.localDate(of: $0) } ?? period.start,
                    narration: firstRead.map { "Opening balance of the credits at the first reading, \($0.iso8601)" }
                        ?? "Opening balance of the credits carried into \(period.start.isoText)",
                    metadata: [], postings: [(credits, opening), (accounts[.opening], .zero - opening)])
            }

            // The lines put in order by their places, not moved: each is a dozen texts to retain.
            let lines = settled[index]
            let dates = lines.map { line in
                min(max(calendar.localDate(of: line.settledAt ?? line.matchedReadingAt ?? period.startInstant), period.start), lastDay)
            }
            let order = lines.indices.sorted { a, b in
                if dates[a] != dates[b] { return dates[a] < dates[b] }
                if lines[a].settledAt != lines[b].settledAt {
                    return (lines[a].settledAt ?? period.startInstant) < (lines[b].settledAt ?? period.startInstant)
                }
                return (lines[a].chargeID ?? "") < (lines[b].chargeID ?? "")
            }
            for place in order {
                journal.transaction(
                    date: dates[place],
                    narration: "Coinbase charge \(lines[place].chargeID ?? "")" + (lines[place].reference.map { " for \($0)" } ?? ""),
                    metadata: metadata(lines[place]),
                    postings: [(credits, lines[place].amount), (accounts[.charges], .zero - lines[place].amount)])
            }
            let difference = chargeDifferences[index]
            if difference != .zero {
                journal.transaction(
                    date: lastDay,
                    narration: "Settled charges paid \(difference.magnitude.decimalText) USD "
                        + (difference > .zero ? "more" : "less") + " than the credits they explain (within the matching "
                        + "tolerance), \(period.start.isoText) to \(period.end.isoText)",
                    metadata: [], postings: [(credits, .zero - difference), (differences, difference)])
            }
            // The rises no charge explains and the falls, each its own transaction: netted, a
            // fall of 50 inside a month of 200 bought read as 150 bought (probe 137).
            let fell = period.creditsFell
            for (amount, what) in [(period.purchasedOther - fell, "Purchases no charge explains (card, web)"),
                                   (fell, "Credits taken back (total_credits went down, see the report's credits_decreased)")]
            where amount != .zero {
                journal.transaction(
                    date: lastDay, narration: "\(what), \(period.start.isoText) to \(period.end.isoText)",
                    metadata: [], postings: [(credits, amount), (accounts[.other], .zero - amount)])
            }

            var postings: [(account: String, amount: Micros)] = []
            var used = Micros.zero
            for row in usageByPeriod[period.start] ?? [] {
                let account = row.key.flatMap { keyAccounts[$0.hash] } ?? unattributed
                postings.append((account, row.used))
                used += row.used
            }
            if used != .zero || !postings.isEmpty {
                postings.append((credits, .zero - used))
                journal.transaction(
                    date: lastDay, narration: "Use \(period.start.isoText) to \(period.end.isoText)" + fellNote(index),
                    metadata: [], postings: postings)
            }
            if let closing = period.closing {
                journal.assertion(
                    date: period.end, account: credits, balance: closing,
                    note: "Closing balance of \(period.start.isoText) to \(period.end.isoText) (periods.csv)")
            }
        }
        return (journal.transactions, journal.assertions)
    }

    private func metadata(_ line: ChargeLine) -> [(String, String)] {
        var pairs: [(String, String)] = []
        if let id = line.chargeID { pairs.append(("charge_id", id)) }
        if let reference = line.reference { pairs.append(("reference", reference)) }
        if let wallet = line.wallet { pairs.append(("wallet", wallet)) }
        if let chain = line.chainID { pairs.append(("chain_id", String(chain))) }
        if let settled = line.settledAt { pairs.append(("settled_at", settled.iso8601)) }
        pairs.append(("origin", line.origin))
        if let memo = line.memo { pairs.append(("memo", memo)) }
        return pairs
    }
}
