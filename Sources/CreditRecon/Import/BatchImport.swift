import CreditTypes
import Ledger

/// What `import snapshots` and `import charges` share: validation that hands valid rows
/// over in batches, and a write that takes batches, so that one file can be validated on
/// the other core while the rows before are written (`BatchPipeline`).
protocol BatchImport: Sendable {
    associatedtype Row: Sendable
    associatedtype Summary

    /// Parses and checks every row, handing the valid ones to `emit` `batchRows` at a time,
    /// in file order, until a row is invalid (after which only problems are collected) or
    /// `emit` returns `false` (stop reading); throws every problem together.
    func validate(batchRows: Int, emit: ([Row]) -> Bool) throws

    /// Writes the rows of every batch `next` gives that are not yet in the ledger, then
    /// calls `finished` (which throws the file's own problems, if validation found any):
    /// all in one transaction, rolled back by any error. A run is only started by the first
    /// new row, so a file with nothing new writes nothing.
    func write(batches next: () -> [Row]?, finished: () throws -> Void, to ledger: Ledger, now: Timestamp) throws -> Summary
}

extension BatchImport {
    /// Rows per batch handed from validation to writing.
    static var batchRows: Int { 4096 }

    /// Validates the file on another core while writing the rows validated so far, all in
    /// one transaction that commits only when every row is valid and none contradicts the
    /// ledger (the problems are thrown as validating first would throw them, and nothing is
    /// kept). Memory stays bounded by a few batches, however long the file. `progress` hears
    /// how many rows have been checked and handed to the writer, after every batch.
    func validateWhileWriting(to ledger: Ledger, now: Timestamp, progress: ((Int) -> Void)?) throws -> Summary {
        try BatchPipeline.run(produce: { send in
            try self.validate(batchRows: Self.batchRows, emit: send)
        }) { next, finished in
            var rows = 0
            let counted = { () -> [Row]? in
                guard let batch = next() else { return nil }
                rows += batch.count
                progress?(rows)
                return batch
            }
            return try write(batches: counted, finished: finished, to: ledger, now: now)
        }
    }

    /// Every valid row of the file, or the file's problems.
    func validRows() throws -> [Row] {
        var rows: [Row] = []
        try validate(batchRows: Self.batchRows) { batch in
            rows.append(contentsOf: batch)
            return true
        }
        return rows
    }

    /// Writes already validated rows, in one transaction.
    func write(rows: [Row], to ledger: Ledger, now: Timestamp) throws -> Summary {
        var batches = [rows].makeIterator()
        return try write(batches: { batches.next() }, finished: {}, to: ledger, now: now)
    }
}
