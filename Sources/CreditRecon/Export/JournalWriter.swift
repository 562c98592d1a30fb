import CreditTypes

/// Writes journal text in one format: the preamble, transactions and balance assertions,
/// amounts in `USD` with exactly six decimals (the micro-dollar, never rounded), straight
/// into bytes, and into the file as they are written (`ReportText.drainIfFull`).
///
/// beancount checks a `balance` with a tolerance inferred from its decimals, which would
/// let a micro-dollar through; every assertion therefore carries an explicit `~ 0`.
/// hledger checks assertions exactly, so it needs none.
struct JournalWriter {
    let format: ExportFormat
    private(set) var text: ReportText
    private(set) var transactions = 0
    private(set) var assertions = 0

    init(format: ExportFormat, text: ReportText) {
        self.format = format
        self.text = text
    }

    /// Amounts line up at this column.
    private static let amountColumn = 56

    mutating func comment(_ line: String) {
        text.append("; ")
        append(line, as: .plain)
        text.append("\n")
    }

    mutating func blank() { text.append("\n") }

    /// The currency (hledger's display of it; beancount's operating currency) and every
    /// account, declared on `date` (before any posting).
    ///
    /// hledger tells an account's type by its first name (`Assets`, `Expenses`, …); one
    /// mapped under another (`OpenRouter:Credits`) is declared with its role's type, or
    /// `hledger bs` left the credits out of the balance sheet (probe 156). Beancount
    /// refuses such names (`AccountName.problem`).
    mutating func preamble(accounts: [(account: String, role: AccountRole)], on date: CivilDate) {
        switch format {
        case .beancount:
            // No `commodity USD` directive: beancount needs none, and refuses a second one,
            // which made two accounts' files (or a main file declaring USD) fail to include.
            text.append("option \"operating_currency\" \"USD\"\n\n")
            for (account, _) in accounts {
                text.append(date)
                text.append(" open ")
                text.append(account)
                text.append(" USD\n")
            }
        case .hledger:
            text.append("commodity 1000.000000 USD\n")
            // Every transaction's payee, declared as the accounts are: `hledger check payees`
            // refused the journal without it (probe 352).
            text.append("payee OpenRouter\n")
            for (account, role) in accounts {
                text.append("account ")
                text.append(account)
                if AccountRole.hledgerType(of: account) == nil {
                    text.append("  ; type: ")
                    text.append(role.hledgerType)
                }
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
            append(narration, as: .beancountString)
            text.append("\"\n")
            for (key, value) in metadata {
                text.append("    ")
                text.append(key)
                text.append(": \"")
                append(value, as: .beancountString)
                text.append("\"\n")
            }
        case .hledger:
            text.append(" * OpenRouter | ")
            append(narration, as: .hledgerDescription)
            text.append("\n")
            for (key, value) in metadata {
                text.append("    ; ")
                text.append(key)
                text.append(": ")
                append(value, as: .hledgerTagValue)
                text.append("\n")
            }
        }
        for posting in postings { self.posting(posting.account, posting.amount) }
        blank()
        text.drainIfFull()
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
            pad(from: 10 + 9 + Self.columns(account) + Self.amountWidth(balance))
            append(amount: balance)
            text.append(" ~ 0 USD\n")
        case .hledger:
            // hledger has no balance directive: a posting of nothing that asserts the balance,
            // dated the first day after the period, written before that day's transactions.
            text.append(date)
            text.append(" * OpenRouter | ")
            append(note, as: .hledgerDescription)
            text.append("\n")
            text.append("    ")
            text.append(account)
            pad(from: 4 + Self.columns(account))
            text.append("0 USD = ")
            append(amount: balance)
            text.append(" USD\n")
        }
        blank()
        text.drainIfFull()
    }

    private mutating func posting(_ account: String, _ amount: Micros) {
        text.append("    ")
        text.append(account)
        pad(from: 4 + Self.columns(account) + Self.amountWidth(amount))
        append(amount: amount)
        text.append(" USD\n")
    }

    /// The columns `account` takes: its characters, not its bytes (`Ünïcødé-Ключ` took 8
    /// columns too many, its amount out of line, probe 207).
    static func columns(_ account: String) -> Int {
        account.utf8.allSatisfy { $0 < 0x80 } ? account.utf8.count : account.count
    }

    /// Spaces up to the amount column, and always at least two (they end an account name).
    private mutating func pad(from used: Int) {
        for _ in 0..<max(2, Self.amountColumn - used) { text.append(byte: UInt8(ascii: " ")) }
    }

    /// `-12.345678`: six decimals, exact.
    private mutating func append(amount value: Micros) {
        let magnitude = value.raw.magnitude
        if value.raw < 0 { text.append(byte: UInt8(ascii: "-")) }
        text.append(integer: Int64(magnitude / 1_000_000))
        text.append(byte: UInt8(ascii: "."))
        let fraction = magnitude % 1_000_000
        var place: UInt64 = 100_000
        while place > 0 {
            text.append(byte: UInt8(truncatingIfNeeded: 0x30 &+ fraction / place % 10))
            place /= 10
        }
    }

    /// How many characters `append(amount:)` writes.
    static func amountWidth(_ value: Micros) -> Int {
        var whole = value.raw.magnitude / 1_000_000
        var width = (value.raw < 0 ? 1 : 0) + 1 + 6 + 1
        while whole >= 10 {
            width += 1
            whole /= 10
        }
        return width
    }

    /// How free text is written.
    enum TextMode {
        /// On one line: line breaks, tabs and other control characters become spaces.
        case plain
        /// Inside a beancount string: one line, `\` and `"` escaped.
        case beancountString
        /// An hledger description: one line, `;` (it would start a comment) written `,`.
        case hledgerDescription
        /// An hledger tag's value: one line, `,` (it would end the value, and what follows
        /// could read as tags of its own) written `;`.
        case hledgerTagValue
    }

    /// Writes `value`, its runs of ordinary bytes copied whole: C0 controls and DEL, and the line breaks of other scripts
    /// (NEL U+0085, U+2028, U+2029), become spaces; a direction override or isolate
    /// (U+202A–U+202E, U+2066–U+2069), which would show the text around it in another order
    /// in an editor, becomes `?`, as in the reports; the rest of the UTF-8 is kept as it is.
    private mutating func append(_ value: String, as mode: TextMode) {
        var value = value
        value.withUTF8 { utf8 in
            /// Where the bytes written as they are begin: copied a run at a time.
            var plain = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                // What the bytes at `index` become, and how many they are; `nil`: the byte as it is.
                let written: (text: StaticString, count: Int)?
                if byte < 0x20 || byte == 0x7f {
                    written = (" ", 1)
                } else if byte == 0xc2, index + 1 < utf8.count, utf8[index + 1] == 0x85 {
                    written = (" ", 2)
                } else if byte == 0xe2, index + 2 < utf8.count, utf8[index + 1] == 0x80,
                          utf8[index + 2] == 0xa8 || utf8[index + 2] == 0xa9 {
                    written = (" ", 3)
                } else if byte == 0xe2, index + 2 < utf8.count,
                          utf8[index + 1] == 0x80 && (0xaa...0xae).contains(utf8[index + 2])
                              || utf8[index + 1] == 0x81 && (0xa6...0xa9).contains(utf8[index + 2]) {
                    written = ("?", 3)
                } else if mode == .beancountString && byte == UInt8(ascii: "\\") {
                    written = ("\\\\", 1)
                } else if mode == .beancountString && byte == UInt8(ascii: "\"") {
                    written = ("\\\"", 1)
                } else if mode == .hledgerDescription && byte == UInt8(ascii: ";") {
                    written = (",", 1)
                } else if mode == .hledgerTagValue && byte == UInt8(ascii: ",") {
                    written = (";", 1)
                } else {
                    written = nil
                }
                guard let written else {
                    index += 1
                    continue
                }
                if plain < index { text.append(utf8: UnsafeBufferPointer(rebasing: utf8[plain..<index])) }
                text.append(written.text)
                index += written.count
                plain = index
            }
            if plain < utf8.count { text.append(utf8: UnsafeBufferPointer(rebasing: utf8[plain...])) }
        }
    }
}
