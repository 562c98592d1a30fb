/// A file's column naming the currency of its amounts (`currency`, `amount_currency`,
/// `currency_code`). Every amount the ledger keeps is USD: a row whose cell names another
/// currency is refused, where an unknown column was ignored and `EUR 25` was booked as
/// 25 USD (probe 448). An empty cell, or `USD` in any letter case, says nothing new.
enum StatedCurrency {
    static let spec = CSVColumns.Spec("currency", aliases: ["amount_currency", "currency_code"])

    /// Why `cell` (the row's field of that column, `nil` without one) cannot go with a USD
    /// amount, or `nil`.
    static func problem(_ cell: String?) -> String? {
        guard let cell else { return nil }
        let value = cell.trimmingASCIIWhitespace()
        guard !value.isEmpty, value.uppercased() != "USD" else { return nil }
        // What shows nothing or as a space is named: `"USD "` of a no-break space read as
        // the `USD ` that is taken (probe 454).
        let hidden = value.unicodeScalars.filter(CSVColumns.isHidden)
        let holding = hidden.isEmpty ? "" : " (it holds \(hidden.map(LookAlikeName.named).joined(separator: ", ")))"
        return "\(TerminalText.quoted(value))\(holding) is not USD, and every amount here is USD; write the row's amount in "
            + "USD (with USD or nothing here), or, if this column names something else (what a charge was paid in) and the "
            + "amount is USD already, rename the column"
    }
}
