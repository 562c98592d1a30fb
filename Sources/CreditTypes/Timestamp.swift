/// An instant, held as milliseconds since 1970-01-01T00:00:00Z.
///
/// The ledger stores time as UTC ISO 8601 with milliseconds and `Z`
/// (`2026-01-31T23:59:59.000Z`); that text sorts in time order, so SQL can compare it.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch.
    public let millisecondsSinceEpoch: Int64

    /// Wraps milliseconds since the Unix epoch.
    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

    /// The current time from the system clock.
    public static func now() -> Timestamp {
        let instant = ContinuousClockEpoch.nowMilliseconds()
        return Timestamp(millisecondsSinceEpoch: instant)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// This instant moved by a number of milliseconds.
    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }

    /// This instant moved by a number of seconds.
    public func adding(seconds: Int64) -> Timestamp { adding(milliseconds: seconds * 1000) }

    /// `2026-01-31T23:59:59.000Z`.
    public var description: String { iso8601 }

    /// UTC ISO 8601 with milliseconds and `Z`: `2026-01-31T23:59:59.000Z`.
    public var iso8601: String {
        // Written as bytes (Timestamp+Bytes.swift), not out of six small strings.
        var out: [UInt8] = []
        out.reserveCapacity(24)
        appendISO8601(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The UTC calendar date of this instant.
    public var utcDate: CivilDate {
        CivilDate(daysSinceEpoch: millisecondsSinceEpoch.floorDivMod(86_400_000).0)
    }
}

@inline(__always)
func pad(_ value: Int64, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

extension Int64 {
    /// Floor division and the matching non-negative remainder.
    func floorDivMod(_ divisor: Int64) -> (Int64, Int64) {
        var quotient = self / divisor
        var remainder = self % divisor
        if remainder < 0 { quotient -= 1; remainder += divisor }
        return (quotient, remainder)
    }
}
