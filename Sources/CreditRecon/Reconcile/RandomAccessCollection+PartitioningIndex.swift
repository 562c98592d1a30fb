extension RandomAccessCollection {
    /// The first index where `isAfter` holds, in a collection ordered so that it is false,
    /// then true; `endIndex` when it holds nowhere. A binary search.
    func partitioningIndex(where isAfter: (Element) throws -> Bool) rethrows -> Index {
        var low = startIndex
        var count = self.count
        while count > 0 {
            let half = count / 2
            let middle = index(low, offsetBy: half)
            if try isAfter(self[middle]) {
                count = half
            } else {
                low = index(after: middle)
                count -= half + 1
            }
        }
        return low
    }
}
