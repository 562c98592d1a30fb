import CreditTypes

/// One write transaction's appends: the ledger frames entries and hashes them onto the
/// chain on the calling thread while, on another core, the store writes the batches
/// before, so a large import keeps both busy. A single fact is the same path with a batch
/// of one, handed to the store before `append` returns (a store that sends it to a server
/// may hear of a refusal only at its next statement, at the latest the commit).
///
/// Up to `queued` batches wait for the store, so the caller can validate its next rows
/// while the store works through what it was given. The store writes them one after the
/// other, and nothing else touches its transaction meanwhile: every read, every single
/// append and the commit first wait for all of them (`drain()`), and the first error, if
/// any, surfaces there.
final class AppendSession {
    /// Entries per batch handed to the store.
    static let batchSize = 1024
    /// Batches handed to the store and not yet written, at most.
    static let queued = 8

    private let transaction: any StoreTransaction
    /// The newest entry's number when the session began.
    private let startSeq: Int64
    private(set) var headSeq: Int64
    /// The hash of the newest entry framed, as its 64 hex digits.
    private var head: [UInt8]
    private var filling = AppendBatch()
    /// Batches the store has written, kept for their buffers.
    private var spare: [AppendBatch] = []
    /// The batches with the store, oldest first; each hands its batch back for reuse.
    private var inFlight: [BackgroundWork<Result<AppendBatch, any Error>>] = []

    /// With `checkingRows`, also refuses a ledger whose projection rows are past its head
    /// (`StoreTransaction.newestRowSeq`): entries cut from the journal's end leave their
    /// rows behind, and one that collides with a new row refuses the write (`write`), but
    /// one that does not was read as what the journal holds ("3 already in the ledger",
    /// probe 158). Asked by a ledger's first write, as is whether the journal holds
    /// `witnessed`, the newest entry this host wrote to it (`witnessProblem`).
    init(_ transaction: any StoreTransaction, checkingRows: Bool = false, witnessed: [WitnessedHead] = []) throws {
        self.transaction = transaction
        let chain = try Self.chainHead(in: transaction, checkingRows: checkingRows, witnessed: witnessed)
        startSeq = chain.seq
        headSeq = chain.seq
        head = Array(chain.hash.utf8)
    }

    /// The head a write in `transaction` chains onto, once checked as `init` says; throws
    /// what the write is refused for.
    static func chainHead(in transaction: any StoreTransaction, checkingRows: Bool, witnessed: [WitnessedHead]) throws -> ChainHead {
        let newest = try transaction.headEntry()
        let chain = newest.map { ChainHead(seq: $0.seq, hash: $0.hash) } ?? .empty
        if let problem = headProblem(newest) {
            throw LedgerError.malformedEntry(problem + "; nothing was written")
        }
        if checkingRows, let problem = rowsProblem(try transaction.newestRowSeq(), head: chain.seq) {
            throw LedgerError.malformedEntry(problem + "; nothing was written")
        }
        if let problem = try witnessProblem(witnessed, in: transaction) {
            throw LedgerError.entriesLost(problem + "; nothing was written")
        }
        return chain
    }

    /// What is wrong with the newest entry a write would chain onto, or `nil`.
    ///
    /// The chain goes on from there, so it must be one: a hash of 64 hex digits (their
    /// bytes fill fixed slots of each batch) and a number with room after it. And it must
    /// be what its hash says: a write chained onto an entry edited behind the ledger's back
    /// (and `topup` sent its charges) without a word (probe 138). One entry hashed per
    /// write; `verify` checks the others. Only a change behind the ledger's back gives any
    /// of these.
    static func headProblem(_ newest: StoredHeadEntry?) -> String? {
        guard let newest else { return nil }
        let hash = Array(newest.hash.utf8)
        let hex = hash.count == 64 && hash.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        guard hex, newest.seq >= 0, newest.seq < Int64.max / 2 else {
            return "its newest entry (seq \(newest.seq)) cannot be chained onto: "
                + (hex ? "its number is out of range" : "its hash is not 64 hex digits")
                + ", so it was changed behind the ledger's back"
        }
        guard newest.hashesToItsHash else {
            return "its newest entry (seq \(newest.seq)) does not hash to the hash stored with it, so it was changed behind the "
                + "ledger's back"
        }
        return nil
    }

    /// A journal (`transaction`'s) that does not hold one of `witnessed`, the newest entry
    /// this host wrote to the ledger as each witness keeps it (beside its file and beside
    /// its name), said of the first it lacks; `nil` when it holds them all.
    ///
    /// What was lost is what the ledger's own newest entry does not reach: the charges to
    /// find are the ones made after it, not after the witness's time, which is the lost
    /// entries' last (probe 161: searched from there, nothing was found, and the rows were
    /// bought again).
    static func witnessProblem(_ witnesses: [WitnessedHead], in transaction: any StoreTransaction) throws -> String? {
        try lackedWitness(witnesses, in: transaction).map { try witnessProblem($0, in: transaction) }
    }

    /// What to say of `lacked` (`lackedWitness`'s answer), read in `transaction`.
    static func witnessProblem(
        _ lacked: (witnessed: WitnessedHead, found: String?), in transaction: any StoreTransaction
    ) throws -> String {
        let witnessed = lacked.witnessed
        let said = "it does not hold the newest entry this host wrote to it, entry \(witnessed.seq) with hash "
            + "\(witnessed.hash.prefix(16))… at \(witnessed.at) (as \(witnessed.file) says): "
        // An entry of that number with another hash: not cut, written again (probe 196: an
        // edited entry, the chain's hashes computed again, read as a ledger cut or swapped).
        if let hash = lacked.found {
            // What this host wrote and lost may be older than this journal's newest entry, so
            // no time is given to record the charges after (probe 205: its newest time skipped
            // the lost entries' charges).
            return said + "its entry \(witnessed.seq) has hash \(hash.prefix(16))…: the journal was written again from that entry "
                + "or before (entries changed and the chain's hashes computed again), or another ledger at least as long was "
                + "put in its place, and what it holds from there on is not what this host wrote, so a write now could buy "
                + "again what this host's entries had bought. Find the ledger that holds that entry (`credit-recon verify "
                + "--holds \(witnessed.hash)` on each copy and backup); only if this one was put here on purpose, remove "
                + "\(witnessed.file) and, before any top-up, record with their plan references (`credit-recon import charges`, "
                + "from the Coinbase dashboard) the charges made since this ledger and this host's parted: `verify --holds` "
                + "of an older head a report printed says which entry they still share"
        }
        // Its time read from the entries, which may be damaged too: then said without it.
        let since = switch Result(catching: { try transaction.newestEntryTime() }) {
        case .success(let time?): "after \(time.iso8601), its own newest entry's time"
        case .success(nil): "for every plan row, as it holds no entry"
        case .failure: "after its own newest entry's time"
        }
        return said + "entries were cut from its end, or an older copy of it (a backup) or another ledger was put in its place, "
            + "and a write now could buy again what the missing entries had bought. If it was put there on purpose, remove "
            + "\(witnessed.file), record the charges made \(since), with their plan references (`credit-recon import charges`, "
            + "from the Coinbase dashboard), before any top-up (a plan row whose charge is recorded is then refused until it "
            + "is taken out of the plan), and run the command again; else find the ledger that holds that entry "
            + "(`credit-recon verify --holds \(witnessed.hash)`)"
    }

    /// The first of `witnesses` whose entry the journal does not hold as written, with the
    /// hash the journal holds under its number (`nil`: it has no entry of that number, cut
    /// or shorter); `nil` when it holds them all.
    static func lackedWitness(
        _ witnesses: [WitnessedHead], in transaction: any StoreTransaction
    ) throws -> (witnessed: WitnessedHead, found: String?)? {
        for witnessed in witnesses {
            let hash = try transaction.entryHash(seq: witnessed.seq)
            if hash != witnessed.hash { return (witnessed, hash) }
        }
        return nil
    }

    /// Projection rows past the journal's head (`StoreTransaction.newestRowSeq`), or `nil`.
    static func rowsProblem(_ newestRow: Int64, head: Int64) -> String? {
        guard newestRow > head else { return nil }
        return "its tables hold rows of entries up to \(newestRow), past its newest entry (\(head)): entries were cut from the "
            + "journal's end, or rows written behind the ledger's back"
    }

    /// The chain's head after the entries appended, when any were; `nil` when none was.
    var appendedHead: ChainHead? {
        headSeq == startSeq ? nil : ChainHead(seq: headSeq, hash: String(decoding: head, as: UTF8.self))
    }

    /// Checks, once every batch is written, that the journal's newest entry is the one
    /// this session appended last: a trigger or rule that is not the ledger's can make an
    /// insert "succeed" and store nothing, and the write must fail rather than report a
    /// head it did not store.
    func confirmStored() throws {
        guard headSeq != startSeq else { return }
        let stored = try drained().head()
        guard stored.seq != headSeq || Array(stored.hash.utf8) != head else { return }
        throw LedgerError.malformedEntry(
            "the journal did not keep the entries this write appended (its newest entry is \(stored.seq), not \(headSeq)): "
                + "a trigger or rule that is not the ledger's drops them; nothing was written")
    }

    /// The transaction, once the store has written every batch handed to it.
    func drained() throws -> any StoreTransaction {
        try drain()
        return transaction
    }

    /// Frames `fact` as the next entry and queues it; the batch goes to the store when full
    /// (or at `flush(wait:)`). Returns the entry's sequence number.
    func append(_ fact: consuming Fact, account: consuming String, runID: Int64?, at time: Timestamp) throws -> Int64 {
        headSeq += 1
        filling.append(JournalEntry(seq: headSeq, recordedAt: time, account: account, runID: runID, fact: fact))
        if filling.count >= Self.batchSize { try flush(wait: false) }
        return headSeq
    }

    /// Hashes the queued entries onto the chain and hands them to the store: on another
    /// core while the caller goes on (`wait: false`), or here, done when it returns.
    func flush(wait: Bool) throws {
        if wait {
            try drain()
            filling.chain(after: &head)
            try Self.write(filling, to: transaction)
            filling.removeAll()
            return
        }
        guard filling.count > 0 else { return }
        if inFlight.count >= Self.queued { try takeOldest() }
        var batch = filling
        filling = spare.popLast() ?? AppendBatch()
        batch.chain(after: &head)
        let hashed = batch
        let transaction = UncheckedTransaction(transaction)
        let before = inFlight.last
        inFlight.append(BackgroundWork {
            // After the batch before it.
            if let before, case .failure(let error) = before.wait() { return .failure(error) }
            return Result {
                try Self.write(hashed, to: transaction.value)
                return hashed
            }
        })
    }

    /// Waits until the store has written every batch handed to it, and rethrows the first
    /// error.
    func drain() throws {
        while !inFlight.isEmpty { try takeOldest() }
    }

    /// Waits for the oldest batch with the store.
    private func takeOldest() throws {
        let work = inFlight.removeFirst()
        var done: AppendBatch
        do { done = try work.wait().get() } catch {
            abandon()
            throw error
        }
        done.removeAll()
        spare.append(done)
    }

    /// Waits for the store without caring how it went: the transaction is being rolled back.
    func abandon() {
        for work in inFlight { _ = work.wait() }
        inFlight.removeAll()
    }

    /// Has the store write `batch`'s entries and their projection rows.
    ///
    /// A row the database refuses (a key it holds already) is one the journal did not make:
    /// entries cut from the journal's end left theirs behind, or rows were written behind
    /// the ledger's back. Said as damage, not as this tool's fault (probe 153: 70, "UNIQUE
    /// constraint failed: runs.id").
    private static func write(_ batch: AppendBatch, to transaction: any StoreTransaction) throws {
        guard batch.count > 0 else { return }
        do {
            try transaction.appendJournal(batch)
            let live = transaction.projections(.live)
            // By index, so each entry is lent to the projector rather than copied out.
            try batch.entries.withUnsafeBufferPointer { entries in
                for index in entries.indices { try Projector.apply(entries[index].entry, to: live) }
            }
            try transaction.flush()
        } catch let refusal as any RowRefusal where refusal.isRefusal {
            let first = batch.entries.first?.entry.seq ?? 0, last = batch.entries.last?.entry.seq ?? 0
            throw refusedRow("a row of \(first == last ? "entry \(first)" : "entries \(first)–\(last)")", refusal.refusalText)
        }
    }

    /// A row the database refused, said as damage (74): `which` names it, `reason` is the
    /// database's words.
    static func refusedRow(_ which: String, _ reason: String) -> LedgerError {
        LedgerError.malformedEntry("\(which) was refused (\(reason)): its tables hold rows its journal does not make (entries "
            + "cut from the journal's end, or rows written behind the ledger's back), or a key, check or index someone added "
            + "to them refuses it (`verify` names such a table); nothing was written")
    }
}

/// The transaction, handed to the one thread that uses it while the session waits.
private struct UncheckedTransaction: @unchecked Sendable {
    let value: any StoreTransaction
    init(_ value: any StoreTransaction) { self.value = value }
}
