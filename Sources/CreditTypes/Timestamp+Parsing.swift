/// Why a piece of text is not an instant.
public struct TimestampParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The offending text.
    public let text: String
    public var description: String {
        "\"\(text)\" is not a time: use ISO 8601 such as 2026-01-31T23:59:59Z or 2026-01-31"
    }
}

extension Timestamp {
    /// Parses ISO 8601: `2026-01-31`, `2026-01-31T23:59`, `2026-01-31T23:59:59`,
    /// `…:59.123`, each optionally followed by `Z`, `+02:00` or `+0200`; a space may stand
    /// for `T`. Text without an offset is taken as UTC.
    public init(iso8601 text: String) throws(TimestampParseError) {
        var utf8 = text
        guard let value = utf8.withUTF8({ Self.parse($0) }) else { throw TimestampParseError(text: text) }
        self = value
    }

    /// Parses ISO 8601 from UTF-8 bytes, exactly as `init(iso8601:)` does; `nil` when
    /// they are not a time. For readers of many rows: no `String` or array per value.
    public static func parse(iso8601 bytes: UnsafeBufferPointer<UInt8>) -> Timestamp? { parse(bytes) }

    /// Parses an epoch number as the API may send it: seconds, or milliseconds when the
    /// magnitude says so (anything past the year 5138 in seconds is taken as milliseconds).
    public init(epoch value: Int64) {
        if value.magnitude >= 100_000_000_000 {
            self.init(millisecondsSinceEpoch: value)
        } else {
            self.init(millisecondsSinceEpoch: value * 1000)
        }
    }

    /// A position in the bytes being parsed. A struct with mutating methods rather than
    /// nested functions capturing a `var`: those made every step a runtime exclusivity
    /// check.
    private struct Cursor {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0

        var atEnd: Bool { i == b.count }

        mutating func digits(_ count: Int) -> Int64? {
            guard i + count <= b.count else { return nil }
            var value: Int64 = 0
            for k in 0..<count {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                value = value * 10 + Int64(c - 0x30)
            }
            i += count
            return value
        }

        mutating func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
    }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var at = Cursor(b: b)
        guard let year = at.digits(4), at.expect(UInt8(ascii: "-")), let month = at.digits(2),
              at.expect(UInt8(ascii: "-")), let day = at.digits(2),
              let date = CivilDate(year: year, month: month, day: day)
        else { return nil }
        var ms = date.daysSinceEpoch * 86_400_000
        if at.atEnd { return Timestamp(millisecondsSinceEpoch: ms) }
        guard at.expect(UInt8(ascii: "T")) || at.expect(UInt8(ascii: "t")) || at.expect(UInt8(ascii: " ")) else { return nil }
        guard let hour = at.digits(2), hour < 24, at.expect(UInt8(ascii: ":")), let minute = at.digits(2), minute < 60 else {
            return nil
        }
        ms += hour * 3_600_000 + minute * 60_000
        // A leap second, read as the last millisecond before midnight, only where UTC inserts
        // one, at 23:59:60 UTC: 10:00:60 is no time (probe 255: stored as 10:00:59). Read as
        // 23:59:59.000 it came before a reading at 23:59:59.700 taken a moment earlier, and the
        // use between them went down, across the month's edge (probe 266).
        var leap = false
        let minuteStart = ms
        // And only on a day UTC inserts one, the last of June or December: 15 January's was
        // taken as 23:59:59.999 (probe 350).
        func finished(_ ms: Int64) -> Timestamp? {
            let time = Timestamp(millisecondsSinceEpoch: ms)
            if leap {
                let date = time.utcDate
                guard ms.floorDivMod(86_400_000).1 == 86_399_999, (date.month, date.day) == (6, 30) || (date.month, date.day) == (12, 31)
                else { return nil }
            }
            return time
        }
        if at.expect(UInt8(ascii: ":")) {
            guard let second = at.digits(2), second < 61 else { return nil }
            leap = second == 60
            ms += min(second, 59) * 1000
            if at.expect(UInt8(ascii: ".")) || at.expect(UInt8(ascii: ",")) {
                var scale: Int64 = 100
                var any = false
                while at.i < b.count, b[at.i] >= 0x30, b[at.i] <= 0x39 {
                    ms += Int64(b[at.i] - 0x30) * scale
                    scale /= 10
                    any = true
                    at.i += 1
                }
                guard any else { return nil }
            }
            if leap { ms = minuteStart + 59_999 }
        }
        if at.atEnd { return finished(ms) }
        if at.expect(UInt8(ascii: "Z")) || at.expect(UInt8(ascii: "z")) {
            return at.atEnd ? finished(ms) : nil
        }
        let sign: Int64
        if at.expect(UInt8(ascii: "+")) { sign = 1 } else if at.expect(UInt8(ascii: "-")) { sign = -1 } else { return nil }
        guard let offsetHours = at.digits(2), offsetHours < 24 else { return nil }
        _ = at.expect(UInt8(ascii: ":"))
        guard let offsetMinutes = at.digits(2), offsetMinutes < 60, at.atEnd else { return nil }
        ms -= sign * (offsetHours * 3_600_000 + offsetMinutes * 60_000)
        // An offset can carry 0000-01-01 or 9999-12-31 out of the years the ledger writes
        // back (four digits), which it could then not read.
        guard Self.writableRange.contains(ms) else { return nil }
        return finished(ms)
    }

    /// The instants whose UTC time has a four-digit year, 0000 to 9999: the ones
    /// `iso8601` writes as text `init(iso8601:)` reads back.
    public static let writableRange: ClosedRange<Int64> =
        CivilDate(year: 0, month: 1, day: 1)!.daysSinceEpoch * 86_400_000
            ... (CivilDate(year: 9999, month: 12, day: 31)!.daysSinceEpoch + 1) * 86_400_000 - 1
}
