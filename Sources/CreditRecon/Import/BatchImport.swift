import CreditTypes
import Ledger

/// What `import snapshots` and `import charges` share: validation that hands valid rows
/// over in batches, and a write that takes batches, so that one file can be validated on
/// the other core while the rows before are written (`BatchPipeline`, issue "Speed").
protocol BatchImport: Sendable {
    associatedtype Row: Sendable
    associatedtype Summary

    /// Parses and checks every row, handing the valid ones to `emit` `batchRows` at a time,
    /// in file order, with their facts' journal texts, until a row is invalid (after which
    /// only problems are collected) or `emit` returns `false` (stop reading); throws every
    /// problem together.
    func validate(batchRows: Int, emit: (ImportBatch<Row>) -> Bool) throws

    /// Writes the rows of every batch `next` gives that are not yet in the ledger, then
    /// calls `finished` (which throws the file's own problems, if validation found any):
    /// all in one transaction, rolled back by any error. A run is only started by the first
    /// new row, so a file with nothing new writes nothing.
    ///
    /// Before the first `next()`, it tells `anchor` where the chain will stand for the first
    /// row when every row is sure to be written as the next entry of one run (`nil` when
    /// not), so that the validating thread can frame and hash the entries ahead.
    func write(
        batches next: () -> ImportBatch<Row>?, finished: () throws -> Void, anchor: (ChainAnchor?) -> Void, to ledger: Ledger, now: Timestamp
    ) throws -> Summary
}

/// Rows validated together, and the journal texts of their facts, written on the
/// validating thread so that the writing one does not have to (see `FactTexts`).
struct ImportBatch<Row: Sendable>: Sendable {
    var rows: [Row] = []
    var texts: FactTexts? = FactTexts()

    init(capacity: Int) { rows.reserveCapacity(capacity) }

    /// Rows whose texts are left to the writer.
    init(rows: [Row]) {
        self.rows = rows
        texts = nil
    }
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
        try BatchPipeline.run(produce: { send, writersAnchor in
            // The first batch waits for the writer's anchor (it has long been given by then:
            // the writer only opens its transaction); every batch is then framed from where
            // the one before left the chain.
            var asked = false
            var chain: ChainAnchor?  // where the next batch's first entry will stand, while known
            try self.validate(batchRows: Self.batchRows) { batch in
                var batch = batch
                if !asked {
                    asked = true
                    chain = writersAnchor()
                }
                if let from = chain { chain = batch.texts?.chain(from: from) }
                return send(batch)
            }
        }) { next, finished, anchor in
            var rows = 0
            let counted = { () -> ImportBatch<Row>? in
                guard let batch = next() else { return nil }
                rows += batch.rows.count
                progress?(rows)
                return batch
            }
            return try write(batches: counted, finished: finished, anchor: anchor, to: ledger, now: now)
        }
    }

    /// Every valid row of the file, or the file's problems.
    func validRows() throws -> [Row] {
        var rows: [Row] = []
        try validate(batchRows: Self.batchRows) { batch in
            rows.append(contentsOf: batch.rows)
            return true
        }
        return rows
    }

    /// Writes already validated rows, in one transaction.
    func write(rows: [Row], to ledger: Ledger, now: Timestamp) throws -> Summary {
        var batches = [ImportBatch(rows: rows)].makeIterator()
        return try write(batches: { batches.next() }, finished: {}, anchor: { _ in }, to: ledger, now: now)
    }
}
