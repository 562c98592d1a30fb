import CreditTypes

/// Write access inside a transaction: appends facts to the journal and projections.
public struct LedgerWriter {
    let session: AppendSession
    /// The runs this transaction started (`run.started` entries), in order.
    private(set) var startedRuns: [Int64] = []

    /// Reads within the same transaction; they see every fact appended so far.
    public var reader: LedgerReader { LedgerReader(session: session) }

    /// Appends `fact`, hash-chained to the previous entry, and applies it to the
    /// projections before returning. Returns the entry's sequence number.
    @discardableResult
    public mutating func append(_ fact: Fact, account: String, runID: Int64?, at time: Timestamp) throws -> Int64 {
        let seq = try session.append(fact, account: account, runID: runID, at: time)
        try session.flush(wait: true)
        if case .runStarted = fact { startedRuns.append(seq) }
        return seq
    }

    /// Appends one fact per element of `items`, in order, each recorded at `time` under
    /// `runID`: the same entries, hashes and projection rows as appending them one by one.
    /// The store writes them in batches on another core while the next ones are framed;
    /// they are all written by the time anything reads the ledger or the transaction ends.
    public mutating func append<Items: Sequence>(
        contentsOf items: Items, runID: Int64?, at time: Timestamp,
        _ fact: (Items.Element) throws -> (fact: Fact, account: String)
    ) throws {
        for item in items {
            let (fact, account) = try fact(item)
            let seq = try session.append(fact, account: account, runID: runID, at: time)
            if case .runStarted = fact { startedRuns.append(seq) }
        }
        try session.flush(wait: false)
    }
}
