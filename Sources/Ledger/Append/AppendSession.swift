import CreditTypes

/// One write transaction's appends: the ledger frames and hashes entries on the calling
/// thread while the store writes the batch before on another core, so a large import
/// keeps both busy. A single fact is the same path with a batch of one, written before
/// `append` returns.
///
/// At most one batch is with the store at a time, and nothing else touches the store's
/// transaction meanwhile: every read, every single append and the commit first wait for
/// it (`drain()`), and its error, if any, surfaces there.
final class AppendSession {
    /// Entries per batch handed to the store.
    static let batchSize = 1024

    private let transaction: any StoreTransaction
    private(set) var headSeq: Int64
    /// The newest entry's hash, as its 64 hex digits.
    private var head: [UInt8]
    private var filling = AppendBatch()
    /// The batch the store is writing, and the batch it will hand back for reuse.
    private var inFlight: BackgroundWork<Result<AppendBatch, any Error>>?

    init(_ transaction: any StoreTransaction) throws {
        self.transaction = transaction
        let chain = try transaction.head()
        headSeq = chain.seq
        head = Array(chain.hash.utf8)
    }

    /// The transaction, once the store has written every batch handed to it.
    func drained() throws -> any StoreTransaction {
        try drain()
        return transaction
    }

    /// The newest entry's hash.
    var headHash: String { String(decoding: head, as: UTF8.self) }

    /// Frames and hashes `fact` as the next entry and queues it; the batch goes to the
    /// store when full (or at `flush(wait:)`). Returns the entry's sequence number.
    func append(_ fact: Fact, account: String, runID: Int64?, at time: Timestamp) throws -> Int64 {
        headSeq += 1
        filling.append(JournalEntry(seq: headSeq, recordedAt: time, account: account, runID: runID, fact: fact), head: &head)
        if filling.count >= Self.batchSize { try flush(wait: false) }
        return headSeq
    }

    /// Hands the queued entries to the store: on another core while the caller goes on
    /// (`wait: false`), or here, done when it returns.
    func flush(wait: Bool) throws {
        try drain()
        guard filling.count > 0 || wait else { return }
        var batch = AppendBatch()
        swap(&batch, &filling)
        if wait {
            filling = try Self.write(batch, to: transaction)
            filling.removeAll()
        } else {
            let transaction = UncheckedTransaction(transaction)
            inFlight = BackgroundWork { [batch] in Result { try Self.write(batch, to: transaction.value) } }
        }
    }

    /// Waits for the batch the store is writing, if any, and rethrows its error.
    func drain() throws {
        guard let work = inFlight else { return }
        inFlight = nil
        var done = try work.wait().get()
        done.removeAll()
        if filling.count == 0 { filling = done }  // its buffers, kept for the next batch
    }

    /// Waits for the store without caring how it went: the transaction is being rolled back.
    func abandon() {
        _ = inFlight?.wait()
        inFlight = nil
    }

    private static func write(_ batch: AppendBatch, to transaction: any StoreTransaction) throws -> AppendBatch {
        guard batch.count > 0 else { return batch }
        try transaction.appendJournal(batch)
        let live = transaction.projections(.live)
        for entry in batch.entries { try Projector.apply(entry.entry, to: live) }
        try transaction.flush()
        return batch
    }
}

/// The transaction, handed to the one thread that uses it while the session waits.
private struct UncheckedTransaction: @unchecked Sendable {
    let value: any StoreTransaction
    init(_ value: any StoreTransaction) { self.value = value }
}
