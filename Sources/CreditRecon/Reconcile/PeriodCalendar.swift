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
        guard let zone = TimeZone(identifier: name) else { throw .unknownTimeZone(name) }
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
