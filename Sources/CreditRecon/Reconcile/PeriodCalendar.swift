import CreditTypes
import Foundation

/// Calendar days in one time zone, as instants: where a local day starts, which local day
/// an instant falls on.
///
/// This is time, not money, so Foundation's `Calendar` does the zone rules (DST shifts
/// included); no amount ever passes through here.
struct PeriodCalendar: Sendable {
    let calendar: Calendar
    /// The zone's IANA identifier.
    let identifier: String

    init(timeZone name: String) throws(ReconcileError) {
        guard let zone = TimeZone(identifier: name) else {
            // `+05:30`, ISO 8601's offset: said as the offsets Foundation reads are (probe 438:
            // only "not a time zone", where half-hour offsets need the named zone most).
            if let seconds = Self.isoOffsetSeconds(name) { throw .offsetTimeZone(name, seconds: seconds) }
            throw .unknownTimeZone(name, sameButCase: Self.identifier(matchingIgnoringCase: name))
        }
        // Foundation reads `UTC+5`, `GMT+0530` or `UTC-3:30` as a fixed offset (named
        // `GMT+0500`), the sign opposite to POSIX's `TZ=UTC+5`, five hours behind UTC: a day's
        // books could be cut ten hours off the ones meant (probe 333). The tz database's
        // own `Etc/GMT-5` says which it is.
        if Self.isOffset(zone.identifier) { throw .offsetTimeZone(name, seconds: zone.secondsFromGMT()) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        self.calendar = calendar
        // Keep the name as given (Foundation calls UTC "GMT"), so reports say what was asked.
        self.identifier = name
    }

    /// Whether `identifier` is Foundation's name for a fixed offset, `GMT+0500`.
    static func isOffset(_ identifier: String) -> Bool {
        let bytes = Array(identifier.utf8)
        return bytes.count == 8 && identifier.hasPrefix("GMT") && (bytes[3] == UInt8(ascii: "+") || bytes[3] == UInt8(ascii: "-"))
            && bytes[4...].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// The seconds east of UTC of an ISO 8601 offset, `+05:30`, `-0800` or `+5`; `nil` for
    /// anything else.
    static func isoOffsetSeconds(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        let digits = bytes.dropFirst().filter { $0 != UInt8(ascii: ":") }
        guard bytes.dropFirst().allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ":") }),
              bytes.dropFirst().filter({ $0 == UInt8(ascii: ":") }).count <= 1, [1, 2, 4].contains(digits.count) else { return nil }
        let number = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        let (hours, minutes) = digits.count == 4 ? (number / 100, number % 100) : (number, 0)
        guard hours <= 14, minutes < 60 else { return nil }
        return (sign == UInt8(ascii: "-") ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// The tz database's name that `name` spells in another letter case (`europe/london`):
    /// among the names Foundation lists, else among the database's files, one folder at a
    /// time (Foundation lists neither `Asia/Kolkata` nor `Etc/GMT-5`, probe 441).
    static func identifier(matchingIgnoringCase name: String) -> String? {
        let wanted = name.lowercased()
        if let listed = (["UTC", "GMT"] + TimeZone.knownTimeZoneIdentifiers).first(where: { $0.lowercased() == wanted && $0 != name }) {
            return listed
        }
        var folder = ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo"
        var parts: [String] = []
        for part in name.split(separator: "/", omittingEmptySubsequences: false) {
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder),
                  let entry = entries.first(where: { $0.lowercased() == part.lowercased() }) else { return nil }
            parts.append(entry)
            folder += "/" + entry
        }
        let found = parts.joined(separator: "/")
        return found != name && TimeZone(identifier: found) != nil ? found : nil
    }

    /// The local date on which `instant` falls.
    func localDate(of instant: Timestamp) -> CivilDate {
        let parts = calendar.dateComponents([.year, .month, .day], from: Self.date(instant))
        guard let year = parts.year, let month = parts.month, let day = parts.day,
              let date = CivilDate(year: Int64(year), month: Int64(month), day: Int64(day))
        else { return instant.utcDate }
        return date
    }

    /// The instant the local day `date` begins (its first existing minute when a DST shift
    /// skips midnight).
    func start(of date: CivilDate) -> Timestamp {
        var parts = DateComponents()
        parts.year = Int(date.year)
        parts.month = Int(date.month)
        parts.day = Int(date.day)
        guard let day = calendar.date(from: parts) else {
            return Timestamp(millisecondsSinceEpoch: date.daysSinceEpoch * 86_400_000)
        }
        return Timestamp(millisecondsSinceEpoch: Int64((day.timeIntervalSince1970 * 1000).rounded()))
    }

    private static func date(_ instant: Timestamp) -> Date {
        Date(timeIntervalSince1970: TimeInterval(instant.millisecondsSinceEpoch) / 1000)
    }
}
