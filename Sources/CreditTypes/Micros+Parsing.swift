extension Micros {
    /// Parses decimal text (`12`, `-12.50`, `0.000001`, JSON forms like `1.5e3`) exactly.
    ///
    /// Accepts an optional sign, digits, an optional fraction and an optional exponent,
    /// as JSON numbers allow. Never uses floating point, and never allocates: one pass
    /// finds the parts, a second walks the significant digits.
    public init(
        parsing text: Substring.UTF8View,
        rounding: MicrosRounding = .exact,
        allowExponent: Bool = true
    ) throws(MicrosParseError) {
        if let result = text.withContiguousStorageIfAvailable({ bytes in
            Result { () throws(MicrosParseError) in try Self.parse(bytes, rounding: rounding, allowExponent: allowExponent) }
        }) {
            self = try result.get()
        } else {
            self = try Array(text).withUnsafeBufferPointer { bytes throws(MicrosParseError) in
                try Self.parse(bytes, rounding: rounding, allowExponent: allowExponent)
            }
        }
    }

    /// The amount `bytes` write; see `init(parsing:rounding:allowExponent:)`.
    private static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, rounding: MicrosRounding, allowExponent: Bool
    ) throws(MicrosParseError) -> Micros {
        guard !bytes.isEmpty else { throw .empty }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            index = 1
        }
        // The parts: integer digits, fraction digits (after the point), the exponent; and
        // how many digits lead with zeros, which do not count towards the value.
        var leadingZeros = 0
        var nonZeroSeen = false
        @inline(__always) func scanDigits() -> Range<Int> {
            let start = index
            while index < bytes.count, bytes[index] &- 0x30 < 10 {
                if !nonZeroSeen {
                    if bytes[index] == 0x30 { leadingZeros += 1 } else { nonZeroSeen = true }
                }
                index += 1
            }
            return start..<index
        }
        let integer = scanDigits()
        var fraction = index..<index
        var seenPoint = false
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            seenPoint = true
            index += 1
            fraction = scanDigits()
        }
        var exponent = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            guard integer.count + fraction.count > 0, allowExponent else { throw .notANumber }
            exponent = try parseExponent(UnsafeBufferPointer(rebasing: bytes[(index + 1)...]))
            index = bytes.count
        }
        // Anything else (a second point, a letter, a space) is not a number; nor are "12."
        // and ".5", in JSON or in a finance team's plan.
        guard index == bytes.count, !integer.isEmpty, !(seenPoint && fraction.isEmpty) else { throw .notANumber }

        // The value is the significant digits × 10^(exponent − fraction digits); the ledger
        // keeps value × 10^6, so the digits past the first `keep` fall below a micro-USD.
        let significant = integer.count + fraction.count - leadingZeros
        guard significant > 0 else { return Micros(raw: 0) }
        let shift = exponent - fraction.count + 6
        guard shift < 0 || significant + shift <= 20 else { throw .outOfRange }
        let keep = significant + shift
        var result: UInt64 = 0
        var firstDropped: UInt8 = 0
        var restNonZero = false
        var seen = -leadingZeros
        @inline(__always) func take(_ digits: Range<Int>) throws(MicrosParseError) {
            for position in digits {
                defer { seen += 1 }
                guard seen >= 0 else { continue }
                let digit = bytes[position] &- 0x30
                if seen < keep {
                    let (times10, o1) = result.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
                    if o1 || o2 { throw .outOfRange }
                    result = sum
                } else if seen == keep {
                    firstDropped = digit
                } else if digit != 0 {
                    restNonZero = true
                }
            }
        }
        try take(integer)
        try take(fraction)
        for _ in 0..<max(shift, 0) {
            let (times10, overflow) = result.multipliedReportingOverflow(by: 10)
            if overflow { throw .outOfRange }
            result = times10
        }
        // Digits below a micro-USD: an error, or rounded half to even. When they start
        // below the first dropped place (`keep < 0`), they are less than half a micro-USD.
        if keep < significant && (firstDropped != 0 || restNonZero) {
            switch rounding {
            case .exact:
                throw .tooPrecise
            case .halfEven:
                let roundUp = keep >= 0 && (firstDropped > 5 || (firstDropped == 5 && (restNonZero || result % 2 == 1)))
                if roundUp {
                    let (next, overflow) = result.addingReportingOverflow(1)
                    if overflow { throw .outOfRange }
                    result = next
                }
            }
        }
        guard result <= UInt64(Int64.max) else { throw .outOfRange }
        return Micros(raw: negative ? -Int64(result) : Int64(result))
    }

    /// Parses decimal text; see `init(parsing:rounding:)`.
    public init(parsing text: String, rounding: MicrosRounding = .exact, allowExponent: Bool = true) throws(MicrosParseError) {
        try self.init(parsing: Substring(text).utf8, rounding: rounding, allowExponent: allowExponent)
    }

    /// The largest amount of money taken from any input (an API answer, a CSV cell, an
    /// option), either way: a billion USD, beyond any account's credits, and small enough
    /// that the sums the books make of many thousands of amounts stay exact.
    public static let largestAmount = Micros(raw: 1_000_000_000 * perDollar)

    /// The largest single charge (a charges file's row, a plan row, `--max-amount`): a
    /// million USD. Charges are what the books add up by the thousand, so this keeps those
    /// sums exact for millions of charges.
    public static let largestCharge = Micros(raw: 1_000_000 * perDollar)

    /// Parses an amount of money: as `init(parsing:rounding:allowExponent:)`, and
    /// `outOfRange` beyond `largestAmount` either way.
    public init(parsingAmount text: String, rounding: MicrosRounding = .exact, allowExponent: Bool = true) throws(MicrosParseError) {
        try self.init(parsing: text, rounding: rounding, allowExponent: allowExponent)
        guard magnitude <= Self.largestAmount else { throw .outOfRange }
    }

    private static func parseExponent(_ bytes: UnsafeBufferPointer<UInt8>) throws(MicrosParseError) -> Int {
        var index = 0
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        let count = bytes.count - index
        guard count > 0 else { throw .notANumber }
        var value = 0
        for byte in bytes[index...] {
            guard byte >= 0x30 && byte <= 0x39 else { throw .notANumber }
            value = min(value * 10 + Int(byte - 0x30), 100_000)
        }
        // A value of 10^-100000 or less is as far below a micro-USD as any: too precise, or
        // 0 once rounded. 10^100000 or more is too large.
        guard negative || value < 100_000 else { throw .outOfRange }
        return negative ? -value : value
    }

    /// How many decimals the text writes (`12.50` → 2), for rules like "at most 2 decimals".
    public static func decimalPlaces(in text: Substring.UTF8View) -> Int {
        guard let point = text.firstIndex(of: UInt8(ascii: ".")) else { return 0 }
        return text.distance(from: text.index(after: point), to: text.endIndex)
    }
}
