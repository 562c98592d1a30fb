import CreditTypes

/// An account's stored activity, the whole account's (not one key's): each UTC day as it
/// was last read, and the days read again because the API came to answer them otherwise
/// (each reading stays in the ledger; the newest is the day's).
public struct StoredActivity: Sendable, Equatable {
    /// Each day's newest reading, by date.
    public let days: [ActivityDayRow]
    /// Their lines, by date, then line.
    public let lines: [ActivityLineRow]
    /// Each reading that took an earlier one's place, by date, then in the order stored.
    public let readAgain: [ActivityReadAgain]

    /// No activity stored.
    public static let none = StoredActivity(readings: [], lines: [])

    /// Sorts `readings` (the account's, by date, then id) and `lines` (theirs, by date, then
    /// day, then line) into the days as last read and the days read again.
    init(readings: [ActivityDayRow], lines: [ActivityLineRow]) {
        let newest = Dictionary(readings.map { ($0.date, $0) }, uniquingKeysWith: { $1 })
        let current = Set(newest.values.map(\.id))
        days = readings.filter { current.contains($0.id) }
        self.lines = lines.filter { current.contains($0.dayID) }
        var usage: [Int64: Micros?] = [:]
        for (id, dayLines) in Dictionary(grouping: lines, by: \.dayID) { usage[id] = ActivityLine.total(dayLines.map(\.line)) }
        var again: [ActivityReadAgain] = []
        for (earlier, later) in zip(readings, readings.dropFirst()) where earlier.date == later.date {
            again.append(ActivityReadAgain(
                reading: later, usage: usage[later.id] ?? .zero, earlier: earlier, earlierUsage: usage[earlier.id] ?? .zero))
        }
        readAgain = again
    }
}
