/// The idempotency key of a plan row (DESIGN.md § The top-up flow, step 2).
///
/// A row with a `reference` is keyed by it (within its account); a row without one by
/// `batch / wallet / chain / amount / n-th occurrence`, so editing other rows of a plan,
/// or reordering it, leaves a row's key unchanged. Free-text parts are percent-escaped so
/// a `/` inside a reference or batch name cannot make two keys collide.
enum TopUpKey {
    /// How the key of a row without a reference begins (`row/ACCOUNT/BATCH/…`); no
    /// reference may (`PlanReader`), so `import charges` can tell a key from a reference.
    static let unreferencedPrefix = "row/"
    /// How the key of a row with a reference begins (`ref/ACCOUNT/REFERENCE`).
    static let referencedPrefix = "ref/"

    /// Whether `reference` begins as the key of a row without a reference does, in any
    /// letter case, with its slash escaped or look-alike: `ROW/…` (probe 106) or `row／…`
    /// (probe 323) naming no row is a key mistyped too, as a `ref/…` key is, though a plan's
    /// reference may begin so (plans written before this rule hold such rows).
    static func hasKeyShape(_ reference: String) -> Bool {
        LookAlikeName.skeleton(reference.removingPercentEncoding ?? reference).hasPrefix(unreferencedLook)
    }

    /// What `unreferencedPrefix` looks like (`LookAlikeName.skeleton`).
    static let unreferencedLook = LookAlikeName.skeleton(unreferencedPrefix)

    /// The key of `row`, or (`account`) of the same row planned for another account.
    static func make(row: PlanRow, batch: String, occurrence: Int, account: String? = nil) -> String {
        let account = escape(account ?? row.account)
        if let reference = row.reference {
            return referencedPrefix + "\(account)/\(escape(reference))"
        }
        return unreferencedPrefix + "\(account)/\(escape(batch))/\(row.wallet.checksummed)/\(row.chain.rawValue)/"
            + "\(row.amount.decimalText)/\(occurrence)"
    }

    /// What identifies a row without a reference apart from its occurrence.
    struct Occurrence: Hashable {
        let account: String
        let wallet: EthereumAddress
        let chain: Chain
        let amountRaw: Int64
    }

    private static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "/" || $0 == "%" }) else { return text }
        var out = ""
        for character in text {
            switch character {
            case "%": out += "%25"
            case "/": out += "%2F"
            default: out.append(character)
            }
        }
        return out
    }
}
