// Reports print one or more times per charge and finding, and the journal one or more
// per entry: a million times each. These write the bytes straight into a buffer instead
// of building each `iso8601` out of six small `String`s.
// `TimestampBytesTests` checks them against the `String` forms.
extension Timestamp {
    /// Appends `iso8601`'s UTF-8 bytes (`2026-01-31T23:59:59.000Z`) to `out`.
    public func appendISO8601(to out: inout [UInt8]) {
        let (days, msOfDay) = millisecondsSinceEpoch.floorDivMod(86_400_000)
        let civil = CivilDate(daysSinceEpoch: days)
        civil.appendISOText(to: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(msOfDay / 3_600_000, 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(msOfDay / 60_000 % 60, 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(msOfDay / 1000 % 60, 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendDigits(msOfDay % 1000, 3, to: &out)
        out.append(UInt8(ascii: "Z"))
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
