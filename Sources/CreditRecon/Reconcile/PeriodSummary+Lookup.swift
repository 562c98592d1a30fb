import CreditTypes

extension [PeriodSummary] {
    /// The index of the period `instant` falls in (periods in time order, each ending where
    /// the next starts), or `nil` outside them: a binary search.
    func index(containing instant: Timestamp) -> Int? {
        guard let first = self.first, let last = self.last,
              instant >= first.startInstant, instant < last.endInstant else { return nil }
        var low = 0
        var high = count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if self[middle].startInstant <= instant { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
