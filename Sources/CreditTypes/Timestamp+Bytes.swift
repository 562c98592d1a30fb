// Reports print one or more times per charge and finding, and the journal one or more
// per entry: a million times each. These write the bytes straight into a buffer instead
// of building each `iso8601` out of six small `String`s. `TimestampBytesTests` checks
// them against the `String` forms.
extension Timestamp {
    /// Appends `iso8601`'s UTF-8 bytes (`2026-01-31T23:59:59.000Z`) to `out`.
    public func appendISO8601(to out: inout [UInt8]) {
        var text = TimestampText()
        text.append(self, to: &out)
    }
}

/// Writes times as `Timestamp.iso8601` prints them, remembering the date of the last day
/// it wrote: times written by the million mostly fall on the day of the one before, and
/// working the date out again for each was most of the cost.
public struct TimestampText: Sendable {
    private var day: Int64 = .min
    private var date: [UInt8] = []

    public init() {}

    /// Appends `time`'s `iso8601` bytes to `out`.
    public mutating func append(_ time: Timestamp, to out: inout [UInt8]) {
        let (days, msOfDay) = time.millisecondsSinceEpoch.floorDivMod(86_400_000)
        if days != day {
            day = days
            date.removeAll(keepingCapacity: true)
            CivilDate(daysSinceEpoch: days).appendISOText(to: &date)
        }
        out.append(contentsOf: date)
        // The time of day, written on the stack and appended in one copy.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 14) { text in
            func put(_ value: Int64, width: Int, at end: Int) {
                var rest = value
                for index in stride(from: end, to: end - width, by: -1) {
                    text[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
            }
            text[0] = UInt8(ascii: "T")
            put(msOfDay / 3_600_000, width: 2, at: 2)
            text[3] = UInt8(ascii: ":")
            put(msOfDay / 60_000 % 60, width: 2, at: 5)
            text[6] = UInt8(ascii: ":")
            put(msOfDay / 1000 % 60, width: 2, at: 8)
            text[9] = UInt8(ascii: ".")
            put(msOfDay % 1000, width: 3, at: 12)
            text[13] = UInt8(ascii: "Z")
            out.append(contentsOf: UnsafeBufferPointer(text))
        }
    }
}

extension CivilDate {
    /// Appends `isoText`'s UTF-8 bytes (`2026-01-31`) to `out`.
    public func appendISOText(to out: inout [UInt8]) {
        guard (0...9999).contains(year) else {
            // Outside four digits `pad` has its own rules (signs, widths); keep them.
            out.append(contentsOf: isoText.utf8)
            return
        }
        appendDigits(year, 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(month, 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(day, 2, to: &out)
    }
}

/// Appends a non-negative `value` below 10^`width`, zero-padded to `width` digits, exactly
/// as `pad(value, width)` prints it.
@inline(__always)
func appendDigits(_ value: Int64, _ width: Int, to out: inout [UInt8]) {
    var divisor: Int64 = 1
    for _ in 1..<width { divisor &*= 10 }
    var rest = value
    while divisor > 0 {
        out.append(UInt8(truncatingIfNeeded: 0x30 &+ rest / divisor))
        rest %= divisor
        divisor /= 10
    }
}
