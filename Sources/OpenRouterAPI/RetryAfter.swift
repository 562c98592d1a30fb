import CreditTypes

/// The `Retry-After` header (RFC 9110 § 10.2.3): a number of seconds, or an HTTP date.
enum RetryAfter {
    /// The longest wait read: far past any retry budget, and small enough to count in
    /// milliseconds without overflow.
    static let longest: Duration = .seconds(1_000_000_000_000)

    /// How long the server asks us to wait (at most `longest`), or `nil` when the header is
    /// absent or unreadable.
    static func parse(_ value: String?, now: Timestamp) -> Duration? {
        guard let text = value?.trimmingSpaces(), !text.isEmpty else { return nil }
        // Digits past Int64 are a wait as long as any: read as nothing, the 429 was retried
        // at once, again and again (probe 264).
        if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return Int64(text).map { min(.seconds($0), longest) } ?? longest
        }
        // Some servers send fractional seconds; read them without floating point.
        if let micros = try? Micros(parsing: text, rounding: .halfEven, allowExponent: false), micros.raw >= 0 {
            return min(.microseconds(micros.raw), longest)
        }
        guard let date = parseHTTPDate(text) else { return nil }
        let ms = date.millisecondsSinceEpoch - now.millisecondsSinceEpoch
        return .milliseconds(max(0, ms))
    }

    /// IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT` — the only form RFC 9110 says to send.
    static func parseHTTPDate(_ text: String) -> Timestamp? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int64(parts[1]), let year = Int64(parts[3]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let monthIndex = months.firstIndex(of: String(parts[2])) else { return nil }
        let time = parts[4].split(separator: ":")
        // Each field in its range, so no server's date can overflow the arithmetic below.
        guard time.count == 3, let h = Int64(time[0]), let m = Int64(time[1]), let s = Int64(time[2]),
              (0...23).contains(h), (0...59).contains(m), (0...60).contains(s), (1...9999).contains(year),
              let date = CivilDate(year: year, month: Int64(monthIndex + 1), day: day)
        else { return nil }
        return Timestamp(millisecondsSinceEpoch: ((date.daysSinceEpoch * 24 + h) * 60 + m) * 60_000 + s * 1000)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}

extension RetryAfter {
    /// `612 ms` or `1.5 s`, for log lines.
    static func describe(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return ms < 1000 ? "\(ms) ms" : "\(APIError.seconds(duration)) s"
    }
}
