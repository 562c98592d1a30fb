/// One transaction of a store: the journal and projection writes, and the readers'
/// queries, all seeing what the transaction wrote so far.
protocol StoreTransaction: AnyObject, StoreQueries {
    /// The newest entry as stored (`nil` for an empty journal): what a write chains onto,
    /// which it checks first (`AppendSession`).
    func headEntry() throws -> StoredHeadEntry?

    /// The highest entry number any projection row carries (`Schema.newestRowSeq`), 0 for
    /// none: above the journal's head, rows were left by entries cut from its end.
    func newestRowSeq() throws -> Int64

    /// Appends `batch`'s entries to the journal.
    func appendJournal(_ batch: AppendBatch) throws

    /// The projection tables: the live ones, or in `verify`, the scratch copy the journal
    /// is replayed into (see `LedgerStore.readReplaying`).
    func projections(_ target: ProjectionTarget) -> any ProjectionWriter

    /// Writes what the transaction holds back for batching, so the next read sees it.
    func flush() throws

    /// The keys (ascending, at most `limit` each, each column as `ReplayDifferences` writes
    /// it) of the live rows of `table` the replay does not have exactly (`extra`) and of the
    /// replayed rows the live table does not have exactly (`missing`); `key` names the
    /// table's key columns.
    func differingKeys(table: String, key: [String], limit: Int) throws -> (extra: [[String]], missing: [[String]])

    /// Reads the journal in order, `batchSize` rows at a time, handing each batch to
    /// `body` until it returns `false` or the journal ends.
    func scanJournal(batchSize: Int, _ body: (JournalRows) throws -> Bool) throws
}
