import CreditTypes

/// How a report cuts time into periods.
public enum PeriodKind: String, Sendable, CaseIterable {
    /// Calendar days in the report's time zone.
    case day
    /// ISO weeks, Monday to Monday.
    case week
    /// Calendar months.
    case month

    /// The first day of the period that holds `date`.
    func start(of date: CivilDate) -> CivilDate {
        switch self {
        case .day: return date
        case .week: return date.adding(days: -date.isoWeekday)
        case .month: return date.firstOfMonth
        }
    }

    /// The first day of the period after the one starting on `start`.
    func next(after start: CivilDate) -> CivilDate {
        switch self {
        case .day: return start.adding(days: 1)
        case .week: return start.adding(days: 7)
        case .month: return start.firstOfNextMonth
        }
    }
}
