/// How to treat digits beyond the sixth decimal when parsing.
public enum MicrosRounding: Sendable {
    /// Digits beyond micro-USD precision are an error (unless they are zeros).
    case exact
    /// Round half to even at micro-USD precision (API totals may carry more decimals
    /// than the ledger keeps; the raw body is stored verbatim beside the value).
    case halfEven
}
