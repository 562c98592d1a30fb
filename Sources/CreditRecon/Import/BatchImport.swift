import CreditTypes
import Ledger

/// What `import snapshots` and `import charges` share: validation that hands valid rows
/// over in batches, straight to a write that appends them as they come. The ledger stores
/// one batch on another core while the next is validated and framed here, so an import
/// needs no thread of its own.
protocol BatchImport: Sendable {
    associatedtype Row: Sendable
    associatedtype Summary

    /// Parses and checks every row, handing the valid ones to `emit` `batchRows` at a time,
    /// in file order, until a row is invalid (after which only problems are collected) or
    /// `emit` returns `false` (stop reading); throws every problem together, or what `emit`
    /// throws. `now` bounds the times of past events (`ImportedTime`).
    func validate(batchRows: Int, now: Timestamp, emit: ([Row]) throws -> Bool) throws

    /// Writes the rows not yet in the ledger of every batch that `rows` hands to the closure
    /// it is given, all in one transaction, rolled back by any error (`rows` throws the
    /// file's own problems, if validation found any). A run is only started by the first
    /// new row, so a file with nothing new writes nothing.
    func write(to ledger: Ledger, now: Timestamp, rows: (([Row]) throws -> Bool) throws -> Void) throws -> Summary
}

extension BatchImport {
    /// Rows per batch handed from validation to writing.
    static var batchRows: Int { 4096 }

    /// Validates the file and writes what is new as it goes, in one transaction that
    /// commits only when every row is valid and none contradicts the ledger (otherwise every
    /// problem is thrown and nothing is kept). Memory stays bounded by a batch, however long
    /// the file. `progress` hears how many rows have been checked and written, after every
    /// batch; what it throws stops the import there, and nothing is kept. `finishing` hears
    /// that the file's last batch was handed over: what is left is the write's commit, which
    /// nothing stops (a checkpoint of a large import takes seconds).
    func validateWhileWriting(
        to ledger: Ledger, now: Timestamp, progress: ((Int) throws -> Void)?, finishing: (() -> Void)?
    ) throws -> Summary {
        var checked = 0
        return try write(to: ledger, now: now) { emit in
            try validate(batchRows: Self.batchRows, now: now) { batch in
                let more = try emit(batch)
                checked += batch.count
                try progress?(checked)
                return more
            }
            finishing?()
        }
    }

    /// Every valid row of the file, or the file's problems.
    func validRows(now: Timestamp) throws -> [Row] {
        var rows: [Row] = []
        try validate(batchRows: Self.batchRows, now: now) { batch in
            rows.append(contentsOf: batch)
            return true
        }
        return rows
    }
}
