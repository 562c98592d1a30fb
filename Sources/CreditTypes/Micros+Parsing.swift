/// How to treat digits beyond the sixth decimal when parsing.
public enum MicrosRounding: Sendable {
    /// Digits beyond micro-USD precision are an error (unless they are zeros).
    case exact
    /// Round half to even at micro-USD precision (API totals may carry more decimals
    /// than the ledger keeps; the raw body is stored verbatim beside the value).
    case halfEven
}

/// Why a piece of text is not an amount.
public enum MicrosParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Empty text.
    case empty
    /// Not a decimal number.
    case notANumber
    /// More decimals than micro-USD precision.
    case tooPrecise
    /// Beyond what the ledger can hold.
    case outOfRange

    public var description: String {
        switch self {
        case .empty: return "is empty"
        case .notANumber: return "is not a decimal number"
        case .tooPrecise: return "has more than 6 decimals"
        case .outOfRange: return "is too large"
        }
    }
}

extension Micros {
    /// Parses decimal text (`12`, `-12.50`, `0.000001`, JSON forms like `1.5e3`) exactly.
    ///
    /// Accepts an optional sign, digits, an optional fraction and an optional exponent,
    /// as JSON numbers allow. Never uses floating point.
    public init(
        parsing text: Substring.UTF8View,
        rounding: MicrosRounding = .exact,
        allowExponent: Bool = true
    ) throws(MicrosParseError) {
        if let plain = Self.plainDecimal(text) {
            self = plain
            return
        }
        try self.init(parsingInGeneral: text, rounding: rounding, allowExponent: allowExponent)
    }

    /// The value of a plain decimal that fits without any rounding or range check:
    /// an optional sign, 1–12 digits, and optionally `.` and 1–6 digits. `nil` for any
    /// other text, which the general parser then takes. For every text this path takes,
    /// the general parser gives the same value (see `MicrosTests`). Nearly every amount in
    /// a CSV file is of this form, and this path neither allocates nor goes through
    /// `Substring` indices.
    static func plainDecimal(_ text: Substring.UTF8View) -> Micros? {
        let parsed = text.withContiguousStorageIfAvailable { bytes -> Micros? in
            let count = bytes.count
            var index = 0
            var negative = false
            if count > 0 && (bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+")) {
                negative = bytes[0] == UInt8(ascii: "-")
                index = 1
            }
            var units: Int64 = 0
            let integerStart = index
            while index < count, bytes[index] &- 0x30 < 10 {
                units = units &* 10 &+ Int64(bytes[index] &- 0x30)
                index += 1
            }
            // 12 digits: below 10^12 USD, so × 10^6 stays far below Int64.max.
            guard index > integerStart, index - integerStart <= 12 else { return nil }
            var fraction: Int64 = 0
            var scale: Int64 = 1_000_000
            if index < count {
                guard bytes[index] == UInt8(ascii: ".") else { return nil }
                index += 1
                let fractionStart = index
                while index < count, bytes[index] &- 0x30 < 10, scale > 1 {
                    fraction = fraction &* 10 &+ Int64(bytes[index] &- 0x30)
                    scale /= 10
                    index += 1
                }
                guard index > fractionStart, index == count else { return nil }
            }
            let raw = units &* 1_000_000 &+ fraction &* scale
            return Micros(raw: negative ? -raw : raw)
        }
        return parsed ?? nil
    }

    /// Any decimal text; see `init(parsing:rounding:allowExponent:)`.
    init(
        parsingInGeneral text: Substring.UTF8View,
        rounding: MicrosRounding = .exact,
        allowExponent: Bool = true
    ) throws(MicrosParseError) {
        var bytes = text[...]
        guard !bytes.isEmpty else { throw .empty }
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        // Collect significant digits and the position of the decimal point.
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        var fractionDigits = 0
        var seenPoint = false
        var seenDigit = false
        var integerDigits = 0
        var exponent = 0
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte >= 0x30 && byte <= 0x39 {
                seenDigit = true
                if !(digits.isEmpty && byte == 0x30) { digits.append(byte - 0x30) }
                if seenPoint { fractionDigits += 1 } else { integerDigits += 1 }
            } else if byte == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard seenDigit, allowExponent else { throw .notANumber }
                exponent = try Self.parseExponent(bytes[bytes.index(after: index)...])
                index = bytes.endIndex
                break
            } else {
                throw .notANumber
            }
            index = bytes.index(after: index)
        }
        // "12." and ".5" are not numbers in JSON nor in a finance team's plan.
        guard seenDigit, integerDigits > 0, !(seenPoint && fractionDigits == 0) else { throw .notANumber }
        if digits.isEmpty {
            self.raw = 0
            return
        }
        // value = digits × 10^(exponent − fractionDigits); we want value × 10^6.
        let shift = exponent - fractionDigits + 6
        var result: UInt64 = 0
        func push(_ digit: UInt8) throws(MicrosParseError) {
            let (times10, o1) = result.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            if o1 || o2 { throw .outOfRange }
            result = sum
        }
        if shift >= 0 {
            guard digits.count + shift <= 20 else { throw .outOfRange }
            for digit in digits { try push(digit) }
            for _ in 0..<shift { try push(0) }
        } else {
            let keep = digits.count + shift  // digits at or above micro precision
            let kept = keep > 0 ? digits[..<keep] : []
            let dropped = keep > 0 ? digits[keep...] : digits[...]
            let droppedAllZero = dropped.allSatisfy { $0 == 0 }
            for digit in kept { try push(digit) }
            if !droppedAllZero {
                switch rounding {
                case .exact:
                    throw .tooPrecise
                case .halfEven:
                    // Digits below precision, with leading zeros when keep < 0.
                    let leadingZeros = keep < 0 ? -keep : 0
                    let firstDropped: UInt8 = leadingZeros > 0 ? 0 : (dropped.first ?? 0)
                    let restNonZero = leadingZeros > 0
                        ? true
                        : dropped.dropFirst().contains { $0 != 0 }
                    let roundUp: Bool
                    if firstDropped > 5 { roundUp = true }
                    else if firstDropped < 5 { roundUp = false }
                    else if restNonZero { roundUp = true }
                    else { roundUp = result % 2 == 1 }
                    if roundUp {
                        let (next, overflow) = result.addingReportingOverflow(1)
                        if overflow { throw .outOfRange }
                        result = next
                    }
                }
            }
        }
        guard result <= UInt64(Int64.max) else { throw .outOfRange }
        self.raw = negative ? -Int64(result) : Int64(result)
    }

    /// Parses decimal text; see `init(parsing:rounding:)`.
    public init(parsing text: String, rounding: MicrosRounding = .exact, allowExponent: Bool = true) throws(MicrosParseError) {
        try self.init(parsing: Substring(text).utf8, rounding: rounding, allowExponent: allowExponent)
    }

    private static func parseExponent(_ bytes: Substring.UTF8View.SubSequence) throws(MicrosParseError) -> Int {
        var rest = bytes
        var negative = false
        if let first = rest.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty, rest.count <= 4 else { throw rest.isEmpty ? .notANumber : .outOfRange }
        var value = 0
        for byte in rest {
            guard byte >= 0x30 && byte <= 0x39 else { throw .notANumber }
            value = value * 10 + Int(byte - 0x30)
        }
        return negative ? -value : value
    }

    /// How many decimals the text writes (`12.50` → 2), for rules like "at most 2 decimals".
    public static func decimalPlaces(in text: Substring.UTF8View) -> Int {
        guard let point = text.firstIndex(of: UInt8(ascii: ".")) else { return 0 }
        return text.distance(from: text.index(after: point), to: text.endIndex)
    }
}
