import Dispatch
import Synchronization

extension Ledger {
    /// `read(together)`, where `together` reads what `first` and `second` read, but with
    /// `second` run on another core over a second read-only connection while `first` runs
    /// here (issue "Speed": `report` reads a million charges and a million readings).
    ///
    /// Two connections can see two states of the file if a write lands between them. Every
    /// write appends to the journal, so both read the journal's head in their transaction:
    /// when the heads agree, both read the same state and the answer is what one
    /// transaction gives. When they do not, when either part fails, or when no second
    /// connection can be opened, `read(together)` answers, errors included.
    public func readInParallel<First: Sendable, Second: Sendable>(
        _ first: (LedgerReader) throws -> First, _ second: @escaping @Sendable (LedgerReader) throws -> Second,
        together: (LedgerReader) throws -> (First, Second)
    ) throws -> (First, Second) {
        if let other = try? Database(path: path, create: false, readOnly: true) {
            let work = SecondRead(other, second)
            let here = try? withDatabase { db in
                try db.readTransaction { () throws -> HeadAnd<First> in
                    let reader = LedgerReader(db: db)
                    let head = try reader.head()
                    return HeadAnd(seq: head.seq, hash: head.hash, value: try first(reader))
                }
            }
            if let there = work.wait(), let here, here.seq == there.seq, here.hash == there.hash {
                return (here.value, there.value)
            }
        }
        return try read(together)
    }
}

/// A value read in a transaction that saw journal head `seq`/`hash`.
private struct HeadAnd<Value: Sendable>: Sendable {
    let seq: Int64
    let hash: String
    let value: Value
}

/// The second part of `readInParallel`, on its own connection and thread.
private final class SecondRead<Value: Sendable>: Sendable {
    private let result = Mutex<HeadAnd<Value>?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    init(_ db: Database, _ body: @escaping @Sendable (LedgerReader) throws -> Value) {
        let connection = Connection(db)
        DispatchQueue.global().async { [self] in
            let value = try? connection.db.readTransaction { () throws -> HeadAnd<Value> in
                let reader = LedgerReader(db: connection.db)
                let head = try reader.head()
                return HeadAnd(seq: head.seq, hash: head.hash, value: try body(reader))
            }
            result.withLock { $0 = value }
            finished.signal()
        }
    }

    /// The value and the head it saw; `nil` when the read failed.
    func wait() -> HeadAnd<Value>? {
        finished.wait()
        return result.withLock { $0 }
    }

    /// The connection, used by the one thread it is handed to.
    private final class Connection: @unchecked Sendable {
        let db: Database
        init(_ db: Database) { self.db = db }
    }
}
