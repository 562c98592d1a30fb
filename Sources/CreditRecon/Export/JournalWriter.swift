import CreditTypes

/// Writes journal text in one format: the preamble, transactions and balance assertions,
/// amounts in `USD` with exactly six decimals (the micro-dollar, never rounded).
///
/// beancount checks a `balance` with a tolerance inferred from its decimals, which would
/// let a micro-dollar through; every assertion therefore carries an explicit `~ 0`.
/// hledger checks assertions exactly, so it needs none.
struct JournalWriter {
    let format: ExportFormat
    private(set) var text: ReportText
    private(set) var transactions = 0
    private(set) var assertions = 0

    init(format: ExportFormat, capacity: Int) {
        self.format = format
        text = ReportText(capacity: capacity)
    }

    /// Amounts line up at this column.
    private static let amountColumn = 56

    mutating func comment(_ line: String) {
        text.append("; ")
        text.append(Self.oneLine(line))
        text.append("\n")
    }

    mutating func blank() { text.append("\n") }

    /// The currency and every account, declared on `date` (before any posting).
    mutating func preamble(accounts: [String], on date: CivilDate) {
        switch format {
        case .beancount:
            text.append("option \"operating_currency\" \"USD\"\n\n")
            text.append(date)
            text.append(" commodity USD\n")
            for account in accounts {
                text.append(date)
                text.append(" open ")
                text.append(account)
                text.append(" USD\n")
            }
        case .hledger:
            text.append("commodity 1000.000000 USD\n")
            for account in accounts {
                text.append("account ")
                text.append(account)
                text.append("\n")
            }
        }
        blank()
    }

    /// A balanced transaction: `postings` must add up to zero.
    mutating func transaction(
        date: CivilDate, narration: String, metadata: [(String, String)], postings: [(account: String, amount: Micros)]
    ) {
        transactions += 1
        text.append(date)
        switch format {
        case .beancount:
            text.append(" * \"OpenRouter\" \"")
            text.append(Self.quoted(narration))
            text.append("\"\n")
            for (key, value) in metadata {
                text.append("    ")
                text.append(key)
                text.append(": \"")
                text.append(Self.quoted(value))
                text.append("\"\n")
            }
        case .hledger:
            text.append(" * OpenRouter | ")
            text.append(Self.description(narration))
            text.append("\n")
            for (key, value) in metadata {
                text.append("    ; ")
                text.append(key)
                text.append(": ")
                text.append(Self.oneLine(value))
                text.append("\n")
            }
        }
        for posting in postings { self.posting(posting.account, posting.amount) }
        blank()
    }

    /// `account`'s balance at the start of `date` is exactly `balance`.
    mutating func assertion(date: CivilDate, account: String, balance: Micros, note: String) {
        assertions += 1
        switch format {
        case .beancount:
            comment(note)
            text.append(date)
            text.append(" balance ")
            text.append(account)
            pad(from: 11 + 9 + account.utf8.count)
            text.append(Self.amount(balance))
            text.append(" ~ 0 USD\n")
        case .hledger:
            // hledger has no balance directive: a posting of nothing that asserts the balance,
            // dated the first day after the period, written before that day's transactions.
            text.append(date)
            text.append(" * OpenRouter | ")
            text.append(Self.description(note))
            text.append("\n")
            text.append("    ")
            text.append(account)
            pad(from: 4 + account.utf8.count)
            text.append("0 USD = ")
            text.append(Self.amount(balance))
            text.append(" USD\n")
        }
        blank()
    }

    private mutating func posting(_ account: String, _ amount: Micros) {
        text.append("    ")
        text.append(account)
        let amountText = Self.amount(amount)
        pad(from: 4 + account.utf8.count + amountText.utf8.count)
        text.append(amountText)
        text.append(" USD\n")
    }

    /// Spaces up to the amount column, and always at least two (they end an account name).
    private mutating func pad(from used: Int) {
        for _ in 0..<max(2, Self.amountColumn - used) { text.append(byte: UInt8(ascii: " ")) }
    }

    /// `-12.345678`: six decimals, exact.
    static func amount(_ value: Micros) -> String {
        let magnitude = value.raw.magnitude
        let fraction = String(magnitude % 1_000_000)
        return (value.raw < 0 ? "-" : "") + String(magnitude / 1_000_000) + "."
            + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    /// Text inside a beancount string: `\` and `"` escaped, on one line.
    static func quoted(_ text: String) -> String {
        var out = ""
        for character in oneLine(text) {
            if character == "\\" || character == "\"" { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// An hledger description: on one line, without `;` (it starts a comment).
    static func description(_ text: String) -> String {
        String(oneLine(text).map { $0 == ";" ? "," : $0 })
    }

    /// Line breaks, tabs and other control characters become spaces.
    static func oneLine(_ text: String) -> String {
        String(text.map { character in
            character.isNewline || character.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f } ? " " : character
        })
    }
}
