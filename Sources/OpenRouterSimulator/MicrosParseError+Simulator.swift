import CreditTypes

extension MicrosParseError {
    /// Why the text is no amount, in the simulator's terms: it holds what a signed 64-bit
    /// count of micro-USD holds, not just the ledger's billion, so "too large" gives that bound.
    var simulatorReason: String {
        guard self == .outOfRange else { return description }
        return "is too large (the simulator holds at most \(Micros(raw: .max).decimalText) USD either way)"
    }
}
