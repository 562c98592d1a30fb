/// An exact amount of US dollars, held as an integer number of micro-USD (1 USD = 1,000,000).
///
/// Money never passes through `Double`: amounts are parsed from decimal text, summed as
/// integers with overflow checks, and printed as decimal text.
public struct Micros: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Micro-USD per dollar.
    public static let perDollar: Int64 = 1_000_000
    /// Zero dollars.
    public static let zero = Micros(raw: 0)

    /// The amount in micro-USD.
    public let raw: Int64

    /// Wraps an integer number of micro-USD.
    public init(raw: Int64) { self.raw = raw }

    /// A whole number of dollars; `nil` when it does not fit.
    public init?(dollars: Int64) {
        let (value, overflow) = dollars.multipliedReportingOverflow(by: Self.perDollar)
        if overflow { return nil }
        self.raw = value
    }

    public static func < (lhs: Micros, rhs: Micros) -> Bool { lhs.raw < rhs.raw }

    /// The sum, or `nil` on overflow.
    public func adding(_ other: Micros) -> Micros? {
        let (value, overflow) = raw.addingReportingOverflow(other.raw)
        return overflow ? nil : Micros(raw: value)
    }

    /// The difference, or `nil` on overflow.
    public func subtracting(_ other: Micros) -> Micros? {
        let (value, overflow) = raw.subtractingReportingOverflow(other.raw)
        return overflow ? nil : Micros(raw: value)
    }

    /// Sum that traps on overflow: only for values already bounded by validation
    /// (a ledger cannot hold 9.2 trillion dollars of credits).
    public static func + (lhs: Micros, rhs: Micros) -> Micros { Micros(raw: lhs.raw + rhs.raw) }
    /// Difference that traps on overflow; see `+`.
    public static func - (lhs: Micros, rhs: Micros) -> Micros { Micros(raw: lhs.raw - rhs.raw) }
    /// Accumulates; see `+`.
    public static func += (lhs: inout Micros, rhs: Micros) { lhs = lhs + rhs }
    /// Subtracts in place; see `-`.
    public static func -= (lhs: inout Micros, rhs: Micros) { lhs = lhs - rhs }
    /// The negated amount.
    public static prefix func - (value: Micros) -> Micros { Micros(raw: -value.raw) }

    /// The absolute amount.
    public var magnitude: Micros { Micros(raw: raw < 0 ? -raw : raw) }

    /// Plain decimal text without trailing zeros: `1234.5`, `-3.25`, `0`, `12`.
    public var description: String { decimalText }

    /// Plain decimal text without trailing zeros: `1234.5`, `-3.25`, `0`, `12`.
    public var decimalText: String {
        let negative = raw < 0
        // Int64.min has no positive counterpart; work on the magnitude as UInt64.
        let magnitude = raw.magnitude
        let whole = magnitude / UInt64(Self.perDollar)
        var fraction = magnitude % UInt64(Self.perDollar)
        var text = negative ? "-" : ""
        text += String(whole)
        if fraction != 0 {
            var digits = 6
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            let fractionText = String(fraction)
            text += "."
            text += String(repeating: "0", count: digits - fractionText.count)
            text += fractionText
        }
        return text
    }

    /// To the nearest cent, halves away from zero: for a figure computed, not booked (an
    /// average), whose micro-dollars mean nothing to a reader.
    public var nearestCent: Micros {
        let cent: Int64 = 10_000
        let rest = raw % cent
        let down = raw - rest
        guard rest.magnitude * 2 >= UInt64(cent) else { return Micros(raw: down) }
        let (up, overflow) = down.addingReportingOverflow(raw < 0 ? -cent : cent)
        return Micros(raw: overflow ? down : up)  // beyond Int64, the cent below
    }

    /// Decimal text with exactly two decimals (for people: `1234.50`); exact when the
    /// amount has at most two decimals, otherwise all six are shown so nothing is hidden.
    public var centsText: String {
        if raw % 10_000 == 0 {
            let cents = raw / 10_000
            let sign = cents < 0 ? "-" : ""
            let magnitude = cents.magnitude
            let fraction = magnitude % 100
            return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
        }
        return decimalText
    }
}
