import CreditTypes

/// The times an imported row may say a reading was taken or a charge was made or paid:
/// not before 2000, nor more than a day after the import's now (a day allows for another
/// machine's clock). A time outside is a mistyped year or offset, and would stretch every
/// later report over the years between.
enum ImportedTime {
    /// 2000-01-01T00:00:00Z.
    static let earliest = Timestamp(millisecondsSinceEpoch: 946_684_800_000)
    /// How far past now a time may be.
    static let allowedAhead: Int64 = 86_400_000

    /// Why `time` cannot be the time of a past event imported at `now`; `nil` when it can.
    static func problem(_ time: Timestamp, now: Timestamp) -> String? {
        if time < earliest {
            return "\(time.iso8601) is before 2000-01-01; check the year"
        }
        let latest = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + allowedAhead)
        if latest < time {
            return "\(time.iso8601) is more than a day after now (\(now.iso8601)), more than another machine's clock "
                + "can be ahead; check the year and the UTC offset"
        }
        return nil
    }
}
