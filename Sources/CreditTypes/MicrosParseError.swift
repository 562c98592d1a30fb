/// Why a piece of text is not an amount.
public enum MicrosParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Empty text.
    case empty
    /// Not a decimal number.
    case notANumber
    /// More decimals than micro-USD precision.
    case tooPrecise
    /// Beyond what the ledger can hold, or, for an amount of money, beyond
    /// `Micros.largestAmount`.
    case outOfRange

    public var description: String {
        switch self {
        case .empty: return "is empty"
        case .notANumber: return "is not a decimal number"
        case .tooPrecise: return "has more than 6 decimals"
        case .outOfRange: return "is too large (an amount may be at most 1000000000 USD either way)"
        }
    }
}
