import CreditTypes

/// The range step: which local days the report covers.
extension Reconciler {
    /// `--from`/`--to` when given; by default from the day of the first reading, charge or
    /// failed run, whichever came first, to the day after the latest of `asOf`, the last
    /// reading, the last charge and the last failed run (an import may date a charge up to a
    /// day ahead, and a charge or a failed run left out of the range would hide its
    /// findings: a run refused for a clock behind the books is dated by that clock).
    func periodRange(_ input: Input, calendar: PeriodCalendar, asOf: Timestamp) throws -> (from: CivilDate, to: CivilDate) {
        let failed = input.failedRuns.compactMap { try? Timestamp(iso8601: $0.startedAt) }
        // A voided charge's finding is dated at its creation: the range it is in (probe 334: an
        // account whose voided charge was its oldest reported no `charge_voided`).
        let firstInstant = [
            input.snapshots.first?.observedAt, input.charges.map(\.createdAt).min(), input.voided.map(\.createdAt).min(),
            input.chargeless.map(\.updatedAt).min(), failed.min(),
        ].compactMap { $0 }.min()
        let firstDay = calendar.localDate(of: firstInstant ?? asOf)
        let lastInstant = [
            asOf, input.snapshots.last?.observedAt, input.charges.map(\.createdAt).max(), input.voided.map(\.createdAt).max(),
            input.charges.compactMap(\.paidAt).max(), input.chargeless.map(\.updatedAt).max(), failed.max(),
        ].compactMap { $0 }.max() ?? asOf
        let from = options.from ?? firstDay
        let to = options.to ?? calendar.localDate(of: lastInstant).adding(days: 1)
        guard from < to else {
            throw ReconcileError.emptyRange(from: from, to: to, given: (options.from != nil, options.to != nil))
        }
        return (from, to)
    }
}
