import Ledger

/// Account names a format accepts, and the sub-account each key's use is booked to.
enum AccountName {
    /// beancount's five root accounts (its default option values).
    static let beancountRoots: Set<String> = ["Assets", "Liabilities", "Equity", "Income", "Expenses"]

    /// Why `format` refuses `name`, or `nil` when it accepts it.
    ///
    /// beancount: a root of the five, then components that start with an upper-case letter
    /// or a decimal digit (Unicode's Lu and Nd: `Ⓐ` and `½` are neither) and hold only
    /// letters, digits and `-`. hledger is lenient, but a name must not be empty, hold an
    /// empty component, a space other than U+0020 or two in a row (they end the name in a
    /// posting), a tab, a line break, a `;` (a comment), or start with `(` or `[` (virtual
    /// postings) or `!` or `*` (a posting's status).
    static func problem(_ name: String, format: ExportFormat) -> String? {
        let components = name.split(separator: ":", omittingEmptySubsequences: false)
        switch format {
        case .beancount:
            guard let root = components.first, beancountRoots.contains(String(root)) else {
                return "a beancount account starts with Assets, Liabilities, Equity, Income or Expenses"
            }
            guard components.count > 1 else { return "a beancount account needs a component after its root" }
            for component in components.dropFirst() {
                guard let first = component.unicodeScalars.first, Self.beginsBeancountComponent(first) else {
                    return "each component of a beancount account starts with a capital letter or a digit (\"\(component)\")"
                }
                guard component.unicodeScalars.allSatisfy({ Self.beancountLetters.contains($0.properties.generalCategory) || $0 == "-" })
                else {
                    return "a beancount account component holds only letters, digits and - (\"\(component)\")"
                }
            }
            return nil
        case .hledger:
            if name.isEmpty { return "the account name is empty" }
            if components.contains(where: \.isEmpty) { return "an hledger account must not have an empty component" }
            if name.first == "(" || name.first == "[" { return "an hledger account must not start with ( or [" }
            if name.first == "!" || name.first == "*" { return "an hledger account must not start with ! or * (a posting's status)" }
            if name.first == " " || name.last == " " { return "an hledger account must not start or end with a space" }
            if name.contains("  ") { return "two spaces in a row end an hledger account name" }
            if name.contains(where: { $0 == ";" || $0.isNewline || $0 == "\t" || ($0.asciiValue ?? 0x20) < 0x20 }) {
                return "an hledger account must not hold a semicolon, a tab or a line break"
            }
            if name.unicodeScalars.contains(where: { $0 != " " && $0.properties.isWhitespace }) {
                return "an hledger account must not hold a space other than the plain one (U+0020): hledger ends the name there"
            }
            // A direction override before the amounts of every posting and assertion line
            // (probe 261: U+202E written as it was; beancount refuses it, being no letter).
            if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .format }) {
                return "an hledger account must not hold a character that shows nothing or turns the direction of the text "
                    + "after it (a format character): an editor would show the posting's amount out of its place"
            }
            return nil
        }
    }

    /// The general categories of what a beancount component holds besides `-`: letters
    /// and decimal digits (`[\p{L}\p{Nd}]`).
    static let beancountLetters: Set<Unicode.GeneralCategory> = [
        .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber,
    ]

    /// The component naming a key's use: its name in capitalised words joined by `-`
    /// (`prod backend` → `Prod-Backend`), valid in both formats (characters beancount does
    /// not take in a name, such as `½` or `Ⓐ`, separate words as spaces do).
    static func component(forKeyName name: String?) -> String {
        let words = (name ?? "").unicodeScalars.split { !beancountLetters.contains($0.properties.generalCategory) }
            .map { String(String.UnicodeScalarView($0)) }
        let text = words.map(capitalized).joined(separator: "-")
        guard let first = text.unicodeScalars.first else { return "Key" }
        return beginsBeancountComponent(first) ? text : "Key-" + text
    }

    /// `word` with its first letter in upper case, when that is letters only: `ǰ` upper-cases
    /// to `J` and a combining caron, which no account component may hold, so it stays.
    private static func capitalized(_ word: String) -> String {
        guard let first = word.unicodeScalars.first else { return word }
        let upper = first.properties.uppercaseMapping
        let head = upper.unicodeScalars.allSatisfy { beancountLetters.contains($0.properties.generalCategory) } ? upper : String(first)
        return head + String(String.UnicodeScalarView(word.unicodeScalars.dropFirst()))
    }

    /// Whether a beancount component may begin with `scalar`: an upper-case letter or a
    /// decimal digit (`[\p{Lu}\p{Nd}]`).
    static func beginsBeancountComponent(_ scalar: Unicode.Scalar) -> Bool {
        [.uppercaseLetter, .decimalNumber].contains(scalar.properties.generalCategory)
    }

    /// The usage sub-account of every key, by hash, given the keys in the order the ledger
    /// first read them: its name's component, or, when a key read before it (or
    /// `Unattributed`) has that account, the component and the first eight characters of its
    /// hash, else the whole hash. First come, first named: a key read later never renames
    /// one read before it (an account in the main books would break), and two keys never
    /// post to one account, nor to two that differ only in case: hledger's queries match
    /// account names ignoring case, so even the exact `balance 'Usage:Unattributed$'` added a
    /// key named `UNATTRIBUTED` to the rest no key explains (probe 111).
    static func keyAccounts(_ keys: [KeyReading], usage: String) -> [String: String] {
        var taken: Set<String> = [(usage + ":" + unattributed).lowercased()]
        var accounts: [String: String] = [:]
        for key in keys where accounts[key.hash] == nil {
            let base = usage + ":" + component(forKeyName: key.name)
            let hash = key.hash.filter { $0.isLetter || $0.isNumber }
            var candidates = [base, base + "-" + hash.prefix(8), base + "-" + hash]
            var next = 2
            while let candidate = candidates.first, taken.contains(candidate.lowercased()) {
                candidates.removeFirst()
                if candidates.isEmpty {  // a hash another key's name spells out: numbered
                    candidates.append(base + "-" + hash + "-\(next)")
                    next += 1
                }
            }
            accounts[key.hash] = candidates[0]
            taken.insert(candidates[0].lowercased())
        }
        return accounts
    }

    /// The component for use no key explains.
    static let unattributed = "Unattributed"
    /// The sub-account of `other` taking what settled charges paid beyond the rise of
    /// credits they explain (within the matching tolerance), or short of it.
    static let chargeDifferences = "Charge-Differences"
}
