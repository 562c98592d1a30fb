import CreditTypes

extension [PeriodSummary] {
    /// The index of the period `instant` falls in (periods in time order, each ending where
    /// the next starts), or `nil` outside them: a binary search.
    func index(containing instant: Timestamp) -> Int? {
        guard let first = self.first, let last = self.last,
              instant >= first.startInstant, instant < last.endInstant else { return nil }
        return partitioningIndex { $0.startInstant > instant } - 1
    }
}
