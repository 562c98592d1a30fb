import CreditTypes

extension SnapshotImport {
    /// Finds the running totals a file has going down, as rows stream by: each account's
    /// newest row in file order is compared with the next, whichever of the two is earlier
    /// in time, so a file in time order is checked reading by reading and any other order
    /// still has every decrease it shows between the rows compared. An all-zero reading
    /// after non-zero ones is passed over, as the report passes over it (what a key without
    /// management rights reads).
    struct DecreaseCheck {
        private struct Reading {
            let line: Int
            let observedAt: Timestamp
            let credits: Micros
            let usage: Micros
        }

        private var account = ""
        private var last: Reading?
        /// The other accounts' newest rows, while rows of one account come in a run.
        private var others: [String: Reading] = [:]

        mutating func check(_ row: Row, into summary: inout Summary) {
            let snapshot = row.snapshot
            let reading = Reading(
                line: row.line, observedAt: snapshot.observedAt, credits: snapshot.totalCredits, usage: snapshot.totalUsage)
            if row.account != account {
                if let last { others[account] = last }
                account = row.account
                last = others.removeValue(forKey: account)
            }
            guard let previous = last else {
                last = reading
                return
            }
            let zero = reading.credits == .zero && reading.usage == .zero
            let previousZero = previous.credits == .zero && previous.usage == .zero
            if zero && !previousZero { return }
            if !previousZero {
                let (earlier, later) = previous.observedAt < reading.observedAt ? (previous, reading) : (reading, previous)
                if later.credits < earlier.credits {
                    note("total_credits", earlier: earlier, later: later, from: earlier.credits, to: later.credits, into: &summary)
                }
                if later.usage < earlier.usage {
                    note("total_usage", earlier: earlier, later: later, from: earlier.usage, to: later.usage, into: &summary)
                }
            }
            last = reading
        }

        private func note(
            _ column: String, earlier: Reading, later: Reading, from: Micros, to: Micros, into summary: inout Summary
        ) {
            summary.decreaseCount += 1
            guard summary.decreases.count < SnapshotImport.decreasesListed else { return }
            summary.decreases.append(Decrease(
                line: later.line, account: account, observedAt: later.observedAt, column: column,
                earlierLine: earlier.line, from: from, to: to))
        }
    }
}
