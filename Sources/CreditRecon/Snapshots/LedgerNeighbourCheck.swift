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
    /// import), are compared. An all-zero reading is passed over, as the report passes over it.
    enum LedgerNeighbourCheck {
        static func check(
            _ batch: [Row], reader: LedgerReader, runID: Int64?, into summary: inout Summary
        ) throws {
            var found: [LedgerDecrease] = []
            for (account, rows) in Dictionary(grouping: batch, by: \.account) {
                let sorted = rows.sorted { $0.snapshot.observedAt < $1.snapshot.observedAt }
                guard let first = sorted.first?.snapshot.observedAt, let last = sorted.last?.snapshot.observedAt else { continue }
                let stored = try reader.snapshots(account: account, around: first, last)
                    .filter { runID == nil || $0.runID != runID }
                guard !stored.isEmpty else { continue }
                // Merged in time order: the file's readings and the ledger's.
                var merged: [(row: Row?, stored: SnapshotRow?, credits: Micros, usage: Micros)] = []
                merged.reserveCapacity(sorted.count + stored.count)
                var s = 0
                for row in sorted {
                    while s < stored.count, stored[s].observedAt < row.snapshot.observedAt {
                        let held = stored[s]
                        merged.append((nil, held, held.totalCredits, held.totalUsage))
                        s += 1
                    }
                    merged.append((row, nil, row.snapshot.totalCredits, row.snapshot.totalUsage))
                }
                for held in stored[s...] { merged.append((nil, held, held.totalCredits, held.totalUsage)) }
                for (earlier, later) in zip(merged, merged.dropFirst()) {
                    // One of the file's and one of the ledger's.
                    guard let row = earlier.row ?? later.row, let held = earlier.stored ?? later.stored,
                          earlier.credits != .zero || earlier.usage != .zero, later.credits != .zero || later.usage != .zero
                    else { continue }
                    let fileIsLater = later.row != nil
                    for (column, from, to) in [("total_credits", earlier.credits, later.credits), ("total_usage", earlier.usage, later.usage)]
                    where to < from {
                        found.append(LedgerDecrease(
                            line: row.line, account: account, observedAt: row.snapshot.observedAt, column: column,
                            value: fileIsLater ? to : from, ledgerObservedAt: held.observedAt,
                            ledgerValue: fileIsLater ? from : to, ledgerIsEarlier: fileIsLater))
                    }
                }
            }
            // In the file's order, whatever order the accounts were taken in.
            found.sort { ($0.line, $0.column, $0.ledgerObservedAt) < ($1.line, $1.column, $1.ledgerObservedAt) }
            summary.ledgerDecreaseCount += found.count
            summary.ledgerDecreases += found.prefix(SnapshotImport.decreasesListed - summary.ledgerDecreases.count)
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
