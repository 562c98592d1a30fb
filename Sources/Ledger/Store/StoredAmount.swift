import CreditTypes

extension Micros {
    /// An amount read back from the ledger (`raw` micro-USD in `what`): nothing larger than
    /// `Micros.largestAmount` is ever taken in, so a larger one was written behind the
    /// ledger's back, and would overflow the books' sums: a damaged ledger (74), not a trap.
    static func stored(_ raw: Int64, in what: @autoclosure () -> String) throws(LedgerError) -> Micros {
        guard raw.magnitude <= Micros.largestAmount.raw.magnitude else {
            throw LedgerError.malformedEntry(
                "\(what()) holds \(Micros(raw: raw).decimalText) USD, beyond the largest amount any input may give "
                    + "(\(Micros.largestAmount.decimalText) USD)")
        }
        return Micros(raw: raw)
    }
}
