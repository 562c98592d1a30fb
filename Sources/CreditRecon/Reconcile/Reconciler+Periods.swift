import CreditTypes

/// The range step: which local days the report covers.
extension Reconciler {
    /// `--from`/`--to` when given; by default from the day of the first reading or charge,
    /// whichever came first, to the day after the later of `asOf` and the last reading.
    func periodRange(_ input: Input, calendar: PeriodCalendar, asOf: Timestamp) throws -> (from: CivilDate, to: CivilDate) {
        let firstInstant = [
            input.snapshots.first?.observedAt, input.charges.map(\.createdAt).min(),
            input.chargeless.map(\.updatedAt).min(),
        ].compactMap { $0 }.min()
        let firstDay = calendar.localDate(of: firstInstant ?? asOf)
        let lastInstant = max(asOf, input.snapshots.last?.observedAt ?? asOf)
        let from = options.from ?? firstDay
        let to = options.to ?? calendar.localDate(of: lastInstant).adding(days: 1)
        guard from < to else { throw ReconcileError.emptyRange(from: from, to: to) }
        return (from, to)
    }
}
