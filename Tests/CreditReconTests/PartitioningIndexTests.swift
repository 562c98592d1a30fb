import Testing
@testable import CreditRecon

/// `partitioningIndex(where:)`, the reconciler's one binary search, against the standard
/// library's linear `firstIndex(where:)`, its specification: every sorted array of up to 7
/// values from 0...3, every threshold, both comparisons, and slices that do not start at 0.
struct PartitioningIndexTests {
    /// Every non-decreasing array of `length` values from `lowest...3`.
    static func sortedArrays(length: Int, lowest: Int = 0) -> [[Int]] {
        guard length > 0 else { return [[]] }
        return (lowest...3).flatMap { first in sortedArrays(length: length - 1, lowest: first).map { [first] + $0 } }
    }

    @Test func findsWhatALinearSearchFinds() {
        var checked = 0
        for length in 0...7 {
            for array in Self.sortedArrays(length: length) {
                for threshold in -1...4 {
                    let atOrAbove: (Int) -> Bool = { $0 >= threshold }
                    let above: (Int) -> Bool = { $0 > threshold }
                    #expect(array.partitioningIndex(where: atOrAbove) == (array.firstIndex(where: atOrAbove) ?? array.endIndex))
                    #expect(array.partitioningIndex(where: above) == (array.firstIndex(where: above) ?? array.endIndex))
                    let slice = array.dropFirst(length / 2)
                    #expect(slice.partitioningIndex(where: above) == (slice.firstIndex(where: above) ?? slice.endIndex))
                    checked += 1
                }
            }
        }
        #expect(checked == 6 * 330)
    }
}
