import CreditTypes
import Ledger

extension SnapshotImport {
    /// A running total of a file's reading against the ledger's readings just before and
    /// after it: going down between them is said as a decrease within the file is, and kept.
    /// A reading typed 200 among fetched ones of 100 was a 100 USD purchase in one day's
    /// books and its reversal the next, and the import said nothing (probe 260).
    ///
    /// Each batch's readings of an account, before they are written, are put in time order
    /// among the ledger's readings of its time range and the one on each side; each two
    /// next to each other, one the file's and one the ledger's (not written by this
    /// import), are compared. The readings this import wrote in its earlier batches are the
    /// file's: they stand between, and are compared with nothing. What a batch finds is
    /// kept until the end (`finish`), and dropped when a later batch puts one of the
    /// file's readings between the two: the last reading of every batch was said against
    /// the ledger's next one, a reading of the next batch coming between (probe 302). An
    /// all-zero reading is passed over, as the report passes over it.
    struct LedgerNeighbourCheck {
        /// What the batches so far found, not yet parted by a reading of a later batch.
        private var found: [LedgerDecrease] = []

        mutating func check(_ batch: [Row], reader: LedgerReader, runID: Int64?) throws {
            for (account, rows) in Dictionary(grouping: batch, by: \.account) {
                let sorted = rows.sorted { $0.snapshot.observedAt < $1.snapshot.observedAt }
                guard let first = sorted.first?.snapshot.observedAt, let last = sorted.last?.snapshot.observedAt else { continue }
                found.removeAll { decrease in
                    decrease.account == account && Self.any(of: sorted, between: decrease.observedAt, decrease.ledgerObservedAt)
                }
                let stored = try reader.snapshots(account: account, around: first, last)
                guard stored.contains(where: { runID == nil || $0.runID != runID }) else { continue }
                // Merged in time order: the file's readings and the ledger's.
                var merged: [(neighbour: Neighbour, credits: Micros, usage: Micros)] = []
                merged.reserveCapacity(sorted.count + stored.count)
                func add(_ held: SnapshotRow) {
                    merged.append((held.runID != nil && held.runID == runID ? .earlierBatch : .held(held), held.totalCredits, held.totalUsage))
                }
                var s = 0
                for row in sorted {
                    while s < stored.count, stored[s].observedAt < row.snapshot.observedAt {
                        add(stored[s])
                        s += 1
                    }
                    merged.append((.row(row), row.snapshot.totalCredits, row.snapshot.totalUsage))
                }
                for held in stored[s...] { add(held) }
                for (earlier, later) in zip(merged, merged.dropFirst()) {
                    // One of the file's and one of the ledger's.
                    let pair: (Row, SnapshotRow, fileIsLater: Bool)
                    switch (earlier.neighbour, later.neighbour) {
                    case (.row(let row), .held(let held)): pair = (row, held, false)
                    case (.held(let held), .row(let row)): pair = (row, held, true)
                    default: continue
                    }
                    guard earlier.credits != .zero || earlier.usage != .zero, later.credits != .zero || later.usage != .zero
                    else { continue }
                    let (row, held, fileIsLater) = pair
                    for (column, from, to) in [("total_credits", earlier.credits, later.credits), ("total_usage", earlier.usage, later.usage)]
                    where to < from {
                        found.append(LedgerDecrease(
                            line: row.line, account: account, observedAt: row.snapshot.observedAt, column: column,
                            value: fileIsLater ? to : from, ledgerObservedAt: held.observedAt,
                            ledgerValue: fileIsLater ? from : to, ledgerIsEarlier: fileIsLater))
                    }
                }
            }
        }

        /// Says what was found, in the file's order, whatever order the accounts were taken in.
        func finish(into summary: inout Summary) {
            let sorted = found.sorted { ($0.line, $0.column, $0.ledgerObservedAt) < ($1.line, $1.column, $1.ledgerObservedAt) }
            summary.ledgerDecreaseCount = sorted.count
            summary.ledgerDecreases = Array(sorted.prefix(SnapshotImport.decreasesListed))
        }

        /// What stands next to what in time: a reading of this batch, one of the ledger's,
        /// or one this import wrote in an earlier batch.
        private enum Neighbour {
            case row(Row)
            case held(SnapshotRow)
            case earlierBatch
        }

        /// Whether one of `rows` (in time order) is strictly between `one` and `other`.
        private static func any(of rows: [Row], between one: Timestamp, _ other: Timestamp) -> Bool {
            let (low, high) = one < other ? (one, other) : (other, one)
            var lower = 0
            var upper = rows.count
            while lower < upper {  // the first row after `low`
                let middle = (lower + upper) / 2
                if rows[middle].snapshot.observedAt <= low { lower = middle + 1 } else { upper = middle }
            }
            return lower < rows.count && rows[lower].snapshot.observedAt < high
        }
    }

    /// A reading of the file whose running total goes down against the ledger's reading
    /// next to it in time: below an earlier one, or above a later one.
    public struct LedgerDecrease: Sendable, Equatable {
        public let line: Int
        public let account: String
        public let observedAt: Timestamp
        /// `total_credits` or `total_usage`.
        public let column: String
        /// The file's value, and the ledger's reading and its value.
        public let value: Micros
        public let ledgerObservedAt: Timestamp
        public let ledgerValue: Micros
        /// Whether the ledger's reading is the earlier of the two (the file's value below
        /// it), else the later (the file's value above it).
        public let ledgerIsEarlier: Bool

        /// `line 2 (default at …): total_usage 50, above 15 at the ledger's later reading of …`.
        public var text: String {
            "line \(line) (\(account) at \(observedAt.iso8601)): \(column) \(value.decimalText), "
                + "\(ledgerIsEarlier ? "below" : "above") \(ledgerValue.decimalText) at the ledger's "
                + "\(ledgerIsEarlier ? "earlier" : "later") reading of \(ledgerObservedAt.iso8601)"
        }
    }
}
