/// An account label, from the command line, the environment or a snapshots file's
/// `account` column: it is kept in the ledger for good and matched byte for byte.
public enum AccountLabel {
    /// The account of a command given none (`--account`, `CREDIT_RECON_ACCOUNT`).
    public static let defaultAccount = "default"

    /// `WORDS` as an advice spells a command for `account`'s books: `credit-recon --account
    /// 'X' WORDS` for any account but the default one, which is said as `credit-recon WORDS`,
    /// or, `named` false, `WORDS` alone. Pasted, a command without the account acted on the
    /// default account's books (probe 441: `import charges` of a blocked row of `team a`).
    public static func command(_ words: String, account: String, named: Bool = true) -> String {
        account == defaultAccount ? (named ? "credit-recon " : "") + words
            : "credit-recon \(ShellWord.option("--account", account)) " + words
    }

    /// Why `label` cannot name an account, or `nil`.
    public static func problem(_ label: String) -> String? {
        problem(label, naming: "an account label", column: "account",
                ifEmpty: "give an account label, or leave the setting out for \"default\"")
    }

    /// Why `label` cannot be `naming` (a name kept in the ledger for good and matched byte
    /// for byte: an account label, a batch name), or `nil`.
    public static func problem(_ label: String, naming: String, column: String, ifEmpty: String) -> String? {
        if label.isEmpty { return "is empty; \(ifEmpty)" }
        // U+2028 and U+2029 too: a line break of their own (probe 261: `Team\u{2028}B` kept,
        // `Team B` in an export's heading).
        if label.unicodeScalars.contains(where: { [.control, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory) }) {
            return "holds a control character or a line break (a tab, a line feed, U+2028); \(naming) is one line of text"
        }
        // Anywhere in it, not only at its ends: reports show one as `?`, so `a\u{202E}b` and
        // `a?b` read as one account in accounts.csv (probe 335).
        if let format = label.unicodeScalars.first(where: { $0.properties.generalCategory == .format }) {
            return "holds a format character (\(LookAlikeName.named(format))), which shows nothing or reorders what follows, "
                + "and which every report shows as ?; \(naming) is plain text"
        }
        if label.first == " " || label.last == " " {
            return "begins or ends with a space; remove it: \(naming) is matched byte for byte"
        }
        return LookAlikeName.problem(label, column: column, another: column)
    }

    /// `problem(label)` to say after the value, where the caller quotes it already (an
    /// option's `--account: "é" …`): the value is not quoted twice.
    public static func reason(_ label: String) -> String? { afterValue(label, problem(label)) }

    /// `problem(label, naming:column:ifEmpty:)` to say after the value, likewise.
    public static func reason(_ label: String, naming: String, column: String, ifEmpty: String) -> String? {
        afterValue(label, problem(label, naming: naming, column: column, ifEmpty: ifEmpty))
    }

    /// `problem` without the quoted `label` it may start with.
    private static func afterValue(_ label: String, _ problem: String?) -> String? {
        let quoted = "\"\(label)\" "
        return problem.map { $0.hasPrefix(quoted) ? String($0.dropFirst(quoted.count)) : $0 }
    }
}
