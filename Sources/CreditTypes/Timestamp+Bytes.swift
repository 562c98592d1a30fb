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

/// Writes times as `Timestamp.iso8601` prints them, remembering the dates of the last two
/// days it wrote: times written by the million mostly fall on a day written just before
/// (a journal entry's own time, then its fact's times, entry after entry), and working the
/// date out again for each was most of the cost.
public struct TimestampText: Sendable {
    private var days: (Int64, Int64) = (.min, .min)
    /// The dates of `days.0` and `days.1`, ten bytes each.
    private var dates = [UInt8](repeating: 0, count: 20)
    /// The place (0 or 1) the next new day takes: the older one's.
    private var older = 0

    public init() {}

    /// Appends `time`'s `iso8601` bytes to `out`.
    public mutating func append(_ time: Timestamp, to out: inout [UInt8]) {
        let (day, msOfDay) = time.millisecondsSinceEpoch.floorDivMod(86_400_000)
        let place: Int
        if day == days.0 {
            place = 0
        } else if day == days.1 {
            place = 1
        } else {
            var text: [UInt8] = []
            CivilDate(daysSinceEpoch: day).appendISOText(to: &text)
            guard text.count == 10 else {  // a year outside 0...9999: not remembered
                out.append(contentsOf: text)
                appendTimeOfDay(msOfDay, to: &out)
                return
            }
            place = older
            older = 1 - older
            if place == 0 { days.0 = day } else { days.1 = day }
            dates.replaceSubrange((place * 10)..<(place * 10 + 10), with: text)
        }
        out.append(contentsOf: dates[(place * 10)..<(place * 10 + 10)])
        appendTimeOfDay(msOfDay, to: &out)
    }

    /// Appends `THH:MM:SS.mmmZ` for `msOfDay` milliseconds after midnight.
    private func appendTimeOfDay(_ msOfDay: Int64, to out: inout [UInt8]) {
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
