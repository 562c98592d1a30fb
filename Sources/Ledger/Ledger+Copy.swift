extension Ledger {
    /// What `copy(into:progress:)` did.
    public struct CopyOutcome: Sendable {
        /// Entries copied.
        public var entries: Int64
        /// The head hash of both ledgers.
        public var headHash: String
    }

    /// Copies every entry of this ledger into `target`, which must hold none: each entry is
    /// read, decoded and appended there as the same fact, account, run and time, so the
    /// target frames the same canonical texts, chains the same hashes and builds its
    /// projections by the same projector. All in one write transaction of the target: it
    /// commits only when the copied chain ends at this ledger's head hash (a source whose
    /// stored entries are not what its chain says is refused, and nothing is written).
    ///
    /// Reads one consistent state of this ledger (writers may go on meanwhile). `progress`
    /// is told the entries copied so far after each batch; what it throws stops the copy
    /// there, and nothing is written.
    ///
    /// A target whose journal is empty but whose other tables hold rows, or whose guards
    /// (the append-only triggers) are missing or changed, is no empty ledger either: the copy
    /// would fail on a stray row, or commit books that can be edited in place.
    public func copy(into target: Ledger, progress: (Int64) throws -> Void = { _ in }) throws -> CopyOutcome {
        // A source that lacks what this host wrote to it copied into books that bought its
        // lost rows again (probe 161).
        let witnesses = try store.witnessedHeads()
        if let problem = try store.read({ try AppendSession.witnessProblem(witnesses, in: $0) }) {
            // A file cut short lacks its newest entries for that reason, said first (probe 351:
            // the copy alone did not name the cut).
            let cut = (try? store.guards().file) ?? nil
            throw LedgerError.entriesLost((cut.map { $0 + "; " } ?? "") + problem + "; nothing was copied")
        }
        // So did a copy to where a ledger this host wrote is gone, from a source that does not
        // hold what it had written; one that does (the same books, copied back from
        // PostgreSQL) is no loss (probe 162).
        for witnessed in try target.store.witnessedHeads() {
            guard try store.read({ try $0.entryHash(seq: witnessed.seq) }) != witnessed.hash else { continue }
            throw LedgerError.entriesLost(
                "\(target.store.name) held a ledger this host wrote, up to entry \(witnessed.seq) with hash \(witnessed.hash.prefix(16))… "
                    + "at \(witnessed.at) (as \(witnessed.file) says), which \(path) does not hold: a copy there would buy again "
                    + "what that ledger's entries had bought. Copy it to another path, or, if it is meant to replace that "
                    + "ledger, remove \(witnessed.file) and copy again; nothing was copied")
        }
        let guards = try target.store.guards()
        let unguarded = guards.unguarded
        guard unguarded.isEmpty else {
            throw LedgerError.badLocation(
                "\(target.path) is no empty ledger: its append-only trigger\(unguarded.count == 1 ? "" : "s") "
                    + "\(unguarded.joined(separator: ", ")) \(unguarded.count == 1 ? "is" : "are") missing, changed or disabled, so the "
                    + "copy could be edited in place; copy into a new file or database")
        }
        if let problem = guards.foreignProblem ?? guards.rowSecurityProblem {
            throw LedgerError.badLocation("\(target.path) is no empty ledger: it has \(problem); copy into a new file or database")
        }
        if let problem = guards.unloggedProblem {
            throw LedgerError.badLocation("\(target.path) is no empty ledger: \(problem); copy into a new file or database")
        }
        // Every right the copy needs, named at once: the server refused one table's, then on
        // the next try another's (probe 353).
        try target.store.refuseWithoutWriteRights()
        return try store.read { source in
            let expected = try source.head()
            return try target.write(checkingFirst: false) { writer in
                let held = try writer.session.drained().head()
                guard held.seq == 0 else {
                    throw LedgerError.notEmpty(location: target.path, entries: held.seq, sameHead: held == expected)
                }
                let stray = try writer.session.drained().tablesWithRows()
                guard stray.isEmpty else {
                    throw LedgerError.badLocation(
                        "\(target.path) is no empty ledger: its journal is empty, but \(stray.joined(separator: ", ")) "
                            + "\(stray.count == 1 ? "holds rows" : "hold rows") written outside credit-recon; copy into a new file or database")
                }
                var copied: Int64 = 0
                // Each stored link of the source's chain, checked as it is read: a stored hash
                // changed behind the ledger's back (not its entry) left the recomputed head the
                // same, and the copy said "the same chain" of a source verify finds broken.
                var previous = ArraySlice(JournalEntry.genesisHash.utf8)
                try source.scanJournal(batchSize: 4096) { rows in
                    try rows.bytes.withUnsafeBufferPointer { bytes in
                        for row in rows.rows {
                            let entry = try EntryDecoder.decode(UnsafeBufferPointer(rebasing: bytes[row.text]), seq: row.seq)
                            let seq = try writer.session.append(entry.fact, account: entry.account, runID: entry.runID, at: entry.recordedAt)
                            guard seq == row.seq else {
                                throw LedgerError.malformedEntry(
                                    "journal entry \(row.seq) follows entry \(seq - 1): entries are missing")
                            }
                            guard bytes[row.prevHash].elementsEqual(previous) else {
                                throw LedgerError.malformedEntry(
                                    "journal entry \(row.seq)'s prev_hash is not the hash stored with entry \(row.seq - 1): "
                                        + "the stored hashes were changed outside credit-recon")
                            }
                            previous = ArraySlice(bytes[row.hash])
                        }
                    }
                    try writer.session.flush(wait: false)
                    copied += Int64(rows.rows.count)
                    try progress(copied)
                    return true
                }
                try writer.session.flush(wait: true)
                let head = try writer.session.drained().head()
                guard head == expected else {
                    throw LedgerError.malformedEntry(
                        "the copy ends at hash \(head.hash) after \(head.seq) entries, but \(path) says \(expected.hash) "
                            + "after \(expected.seq): its stored entries are not what its chain records")
                }
                return CopyOutcome(entries: head.seq, headHash: head.hash)
            }
        }
    }
}
