import CreditTypes

extension Ledger {
    /// The problems `verify` lists before it stops (`VerifyReport.stoppedAtLimit`).
    public static let verifyProblemLimit = 20

    /// Proves the ledger is what its journal says: recomputes the hash chain, replays every
    /// entry into a scratch copy of the projections and compares it row by row with the
    /// stored ones, and runs the store's check of the database (`StoreCheck`: SQLite's
    /// `PRAGMA integrity_check`, and that the append-only triggers are in place) on the other
    /// core while the comparison runs (the chain and the replay keep both cores busy; the
    /// comparison, one).
    ///
    /// Stops collecting after `limit` problems; the first one names the broken entry. After
    /// a broken entry the replay stops (what follows is replayed onto a broken state), but
    /// the chain is still checked, each entry against the stored hash before it, so every
    /// other entry edited, removed or swapped is named too. A
    /// file the database's check finds damaged gets that verdict first, and the chain's
    /// findings after it when the journal can still be read; missing triggers come after
    /// the chain's findings, which name what was changed. A table missing from the database,
    /// or made otherwise than the migrations make it (`LedgerStore.reshapedTables()`), is
    /// said before the chain's findings and not compared; without the journal's table there
    /// is nothing to replay.
    ///
    /// `holds`: head hashes (lower-case hex) to look for among the entries' stored hashes
    /// (`VerifyReport.held`), so that a head a report printed can be found in the chain it
    /// came from.
    ///
    /// `progress` is told the entries checked after each batch of them, then when the
    /// comparison starts; what it throws stops the verification there and is thrown.
    public func verify(
        limit: Int = Ledger.verifyProblemLimit, holds: [String] = [], progress: (VerifyProgress) throws -> Void = { _ in }
    ) throws -> VerifyReport {
        let missing = try store.missingTables()
        // Compared neither: a table made again otherwise may lack a column the comparison reads.
        let changed = try store.reshapedTables(), reshaped = changed.map(\.table)
        var checking: BackgroundWork<Result<StoreCheck, any Error>>?
        var stopped: (any Error)?
        let outcome = Result {
            guard !missing.contains("journal") else {
                var report = VerifyReport()
                report.held = holds.map { HeldHead(hash: $0, entry: nil) }
                report.readWholeJournal = false
                return report
            }
            return try store.readReplaying { transaction in
                try Self.checkChainAndReplay(
                    transaction, skipping: missing + reshaped, limit: limit, holds: holds, progress: { event in
                    do { try progress(event) } catch {
                        stopped = error
                        throw error
                    }
                }) {
                    checking = store.secondReader().map { other in BackgroundWork { Result { try other.check() } } }
                }
            }
        }
        // Stopped by its caller: no check of the database's files, which a failed scan gets.
        if let stopped { throw stopped }
        let check: StoreCheck
        if let checking, case .success(let found) = checking.wait() {
            check = found
        } else {
            do {
                check = try store.check()
            } catch {
                // The read's own failure first: a wait given up on the server closed the
                // session, and the check on it said only that the connection was lost.
                _ = try outcome.get()
                throw error
            }
        }
        // A damaged file makes the chain's findings moot; a missing guard does not. A journal
        // made otherwise whose entries cannot be read (a column renamed) is a finding: it was
        // 74, "lacks a column … run verify" (probe 178).
        var unreadJournal: String?
        if reshaped.contains("journal"), case .failure(LedgerError.malformedEntry(let detail)) = outcome {
            unreadJournal = detail
        }
        var report = check.damage.isEmpty && unreadJournal == nil ? try outcome.get() : (try? outcome.get()) ?? VerifyReport()
        if unreadJournal != nil {
            report.journalIsSound = false
            report.readWholeJournal = false
            report.held = holds.map { HeldHead(hash: $0, entry: nil) }
        }
        report.journalIsSound = report.journalIsSound && check.damage.isEmpty && !missing.contains("journal")
        report.tablesDiffer = report.tablesDiffer || !missing.isEmpty || !reshaped.isEmpty
        // A sound chain that lacks what this host wrote to it (probe 161: verify said sound,
        // what_to_do null, of the ledger every writer refused).
        // Not of a journal that is missing, or cannot be read: that is said already.
        let witnesses = try store.witnessedHeads()
        // Read once: what it lacks, and whether an entry of that number is there (written again).
        let lacked = missing.contains("journal") ? nil : try? store.read { transaction -> (String, Bool)? in
            try AppendSession.lackedWitness(witnesses, in: transaction).map {
                (try AppendSession.witnessProblem($0, in: transaction), $0.found != nil)
            }
        }
        let witnessed = lacked?.0
        report.witnessedEntryMissing = witnessed != nil
        report.witnessedEntryRewritten = lacked?.1 == true
        report.problems = check.damage + missingTablesProblem(missing) + reshapedTablesProblem(changed, unreadJournal: unreadJournal)
            + report.problems + check.guardProblems + (witnessed.map { [$0] } ?? [])
        report.rowsMayBeHidden = !check.rowSecurity.isEmpty
        report.journalRowsDeleted = check.journalRowsDeleted
        let mendable = [check.foreignProblem, check.unloggedProblem].compactMap { $0 }
        if !mendable.isEmpty, report.problems == mendable { report.undoInPlace = check.undoStatements }
        report.integrity = check.verdict
        report.log = check.log
        report.stoppedAtLimit = report.problems.count >= limit
        return report
    }

    /// What to say of the ledger's tables the database lacks, and what to do.
    private func missingTablesProblem(_ missing: [String]) -> [String] {
        if missing.isEmpty { return [] }
        if missing.contains("journal") {
            return ["the journal table is missing: the ledger has lost its entries, which every other table is built "
                + "from; restore the ledger from a backup"]
        }
        return ["table\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) missing: the ledger's tables "
            + "were changed outside credit-recon, so the journal cannot be compared with \(missing.count == 1 ? "it" : "them"); "
            + "`credit-recon --ledger \(path) ledger copy --to NEW` builds every table again from the journal, in a new "
            + "ledger, and checks its chain"]
    }

    /// A difference quoting the database's catalog, which whoever changed the table wrote,
    /// cut at 300 characters, saying how long it was (probe 371: a 5 MB expression on one line).
    static func quoted(_ difference: String) -> String {
        let limit = 300, refusing = ", which can refuse a row"
        let text = difference.hasSuffix(refusing) ? String(difference.dropLast(refusing.count)) : difference
        guard text.unicodeScalars.count > limit else { return difference }
        return String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit)))
            + "… (cut: \(text.unicodeScalars.count) characters in all)" + (text == difference ? "" : refusing)
    }

    /// What to say of the ledger's tables made otherwise than the migrations make them.
    /// `unreadJournal`: why the entries of a journal made otherwise could not be read.
    private func reshapedTablesProblem(_ changed: [ReshapedTable], unreadJournal: String? = nil) -> [String] {
        // What differs, table by table: an administrator compared the schemas by hand (probe 366).
        func what(_ tables: [ReshapedTable]) -> String {
            " (" + tables.map { changed in
                (tables.count == 1 ? "" : "\(changed.table): ") + changed.differences.map(Self.quoted).joined(separator: "; ")
            }.joined(separator: "; ") + ")"
        }
        let reshaped = changed.map(\.table)
        // The journal is what the others are compared with: its entries are still checked,
        // where they can be read.
        let journalChanged = "table journal is not as credit-recon makes it (its columns, keys, constraints or indexes were "
            + "changed outside credit-recon)"
        let journalDiffers = what(changed.filter { $0.table == "journal" })
        let journal = !reshaped.contains("journal") ? []
            : unreadJournal.map { ["\(journalChanged), and its entries cannot be read as it now stands (\($0))\(journalDiffers): "
                + "only a backup restores them"] }
            ?? ["\(journalChanged); its entries are still checked and replayed\(journalDiffers); `credit-recon --ledger \(path) "
                + "ledger copy --to NEW` builds a new ledger from them and checks its chain"]
        let others = changed.filter { $0.table != "journal" }
        if others.isEmpty { return journal }
        let one = others.count == 1
        return ["table\(one ? "" : "s") \(others.map(\.table).joined(separator: ", ")) \(one ? "is" : "are") not as credit-recon makes "
            + "\(one ? "it" : "them") (\(one ? "its" : "their") columns, keys, constraints or indexes were changed outside "
            + "credit-recon), so the journal is not compared with \(one ? "it" : "them")\(what(others)); `credit-recon --ledger "
            + "\(path) ledger copy --to NEW` builds every table again from the journal, in a new ledger, and checks its chain"] + journal
    }

    /// Rows of the journal checked per batch; each batch is hashed and decoded on another
    /// core while the one before is replayed here.
    private static let chainBatch = 16384

    /// The chain and the replay, then `comparing()` (as the comparison starts), then the
    /// comparison of every table but the `missing` ones.
    private static func checkChainAndReplay(
        _ transaction: any StoreTransaction, skipping missing: [String], limit: Int, holds: [String],
        progress: (VerifyProgress) throws -> Void, comparing: () -> Void
    ) throws -> VerifyReport {
        var report = VerifyReport()
        var expectedSeq: Int64 = 1
        var previous = Array(JournalEntry.genesisHash.utf8)
        /// The `prev_hash` of the entry `previous` is the hash of, as stored: the hash of the
        /// entry before it (each batch's last, for the next batch's first).
        var previousPrev = previous
        let replay = RunReferenceCheck(transaction.projections(.replay))
        var pending: (rows: JournalRows, checked: BackgroundWork<[CheckedRow]>)?
        /// An entry was found broken: only the chain is checked from there on, and the
        /// report keeps the head and count before it (the last sound head).
        var broken = false
        var entries: Int64 = 0
        let wanted = holds.map { Array($0.utf8) }
        // The empty chain's head, which `verify` prints as the last sound head of a journal
        // broken at its first entry, is every ledger's, before entry 1.
        var heldAt: [Int64?] = holds.map { $0 == JournalEntry.genesisHash ? 0 : nil }

        /// Whether to read on: the limit not reached.
        func replayBatch(_ rows: JournalRows, _ checked: [CheckedRow]) throws -> Bool {
            try rows.bytes.withUnsafeBufferPointer { bytes in
                func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[range]) }
                for (offset, row) in rows.rows.enumerated() {
                    let seq = row.seq
                    // What is wrong, and with which entry when it is not this one.
                    let problem: (Int64?, String)?
                    /// Whether the entry before this one is unproven: a link broken between
                    /// them may be that entry's change (its hash recomputed), so the last sound
                    /// head is the one before it (probe 317: the edited entry was called sound).
                    var linkBroken = false
                    let links = previous.withUnsafeBufferPointer { slice(row.prevHash).hasSameBytes(as: $0) }
                    if seq != expectedSeq {
                        problem = (nil, "expected entry \(expectedSeq) here; entries are missing or out of order")
                        // Nor is the entry before the gap proven when this one does not link to
                        // it: an entry edited, its hash computed again, and the next one removed
                        // was called the last sound head (probe 387).
                        linkBroken = entries > 0 && !links
                    } else if !links {
                        // The first entry has no entry before it: its prev_hash is the 64 zeros (probe 233: "entry 0's hash").
                        problem = (nil, seq == 1
                            ? "prev_hash is not the 64 zeros the first entry's must be: the entry was changed"
                            : "prev_hash does not match entry \(seq - 1)'s hash: an entry was changed, removed or swapped")
                        linkBroken = seq > 1
                    } else if !checked[offset].hashMatches {
                        problem = (nil, "its hash does not match its content: the entry was edited")
                    } else if !checked[offset].isCanonical {
                        problem = (nil, "its text is not canonical JSON: it reads as an entry, but credit-recon writes "
                            + "that entry otherwise (its spacing, key order or escapes were changed outside credit-recon, "
                            + "and the chain's hashes recomputed)")
                    } else if !broken {
                        problem = try replayEntry(checked[offset].entry, seq: seq, kind: slice(row.kind), into: replay)
                    } else {
                        problem = nil
                    }
                    if let (at, problem) = problem {
                        report.problems.append("journal entry \(at ?? seq): \(problem)")
                        if !broken {
                            broken = true
                            if linkBroken {
                                let before = offset > 0 ? Array(slice(rows.rows[offset - 1].prevHash)) : previousPrev
                                report.headHash = String(decoding: before, as: UTF8.self)
                                report.entries = entries - 1
                            } else {
                                report.headHash = String(decoding: previous, as: UTF8.self)
                                report.entries = entries
                            }
                        }
                        if report.problems.count >= limit { return false }
                    }
                    for index in wanted.indices where heldAt[index] == nil
                        && wanted[index].withUnsafeBufferPointer(slice(row.hash).hasSameBytes) {
                        heldAt[index] = seq
                    }
                    // On from what is stored: the next entry is checked against this one as it is.
                    previous.replaceSubrange(previous.indices, with: slice(row.hash))
                    // Wrapping: a number edited to the largest there is can have no entry after it,
                    // and must be named (entries missing), not end verify in an overflow.
                    expectedSeq = seq &+ 1
                    entries = seq
                }
                if let last = rows.rows.last { previousPrev = Array(slice(last.prevHash)) }
                try progress(.checked(entries: entries))
                return true
            }
        }

        var reading = true
        try transaction.scanJournal(batchSize: chainBatch) { rows in
            let next = (rows, BackgroundWork { CheckedRow.check(rows) })
            if let (rows, checked) = pending {
                do { reading = try replayBatch(rows, checked.wait()) } catch {
                    _ = next.1.wait()  // the batch under way finishes first
                    throw error
                }
            }
            pending = next
            return reading
        }
        if reading, let (rows, checked) = pending {
            reading = try replayBatch(rows, checked.wait())
        } else {
            _ = pending?.checked.wait()  // stopped early: let the last batch finish first
        }
        var sound = !broken
        if sound {
            // The replay's rows held back for a batch are written now; a refused one names its entry.
            do { try transaction.flush() } catch let refused as ReplayRowRefused {
                report.problems.append("journal entry \(refused.seq): cannot be replayed: \(refused)")
                sound = false
            }
        }
        if !broken {
            // A truncated journal still chains; the projections show what it lost.
            report.headHash = String(decoding: previous, as: UTF8.self)
            report.entries = entries
        }
        report.held = zip(holds, heldAt).map(HeldHead.init)
        report.readWholeJournal = reading
        report.journalIsSound = sound
        try progress(.comparing)
        comparing()
        // Rows of entries past the journal's head: entries cut from its end left them behind
        // (or rows were written behind the ledger's back), and a copy of the journal would
        // leave out what they recorded (a charge, bought again then). Said first, as the
        // reason the rows below differ. (Every table is needed to ask; a missing one is named.)
        if sound, missing.isEmpty {
            let newestRow = try transaction.newestRowSeq()
            if newestRow > entries {
                report.rowsPastHead = newestRow
                report.problems.append("the tables hold rows of entries up to \(newestRow), past the journal's newest entry "
                    + "(\(entries)): entries were cut from the journal's end and left their rows behind, or rows were written "
                    + "behind the ledger's back")
                report.tablesDiffer = true
            }
        }
        if sound {
            for (table, key) in Schema.projectionTableKeys where report.problems.count < limit && !missing.contains(table) {
                let (extra, missing) = try transaction.differingKeys(table: table, key: key, limit: limit)
                report.problems += ReplayDifferences.sentences(table: table, extra: extra, missing: missing)
                if !extra.isEmpty || !missing.isEmpty { report.tablesDiffer = true }
            }
        }
        return report
    }

    /// Replays a decoded entry; what is wrong, with the entry it is wrong with when it is
    /// an earlier one (a row held back for a batch), or `nil`. Throws what is not the
    /// journal's fault (a full disk under the replay, a lost connection): no finding.
    private static func replayEntry(
        _ decoded: Result<JournalEntry, LedgerError>, seq: Int64, kind: UnsafeBufferPointer<UInt8>,
        into replay: any ProjectionWriter
    ) throws -> (Int64?, String)? {
        do {
            let entry = try decoded.get()
            var entryKind = entry.fact.kind
            guard entry.seq == seq, entryKind.withUTF8({ $0.hasSameBytes(as: kind) }) else {
                return (nil, "its content says entry \(entry.seq) of kind \(entry.fact.kind)")
            }
            try Projector.apply(entry, to: replay)
            return nil
        } catch let refused as ReplayRowRefused {
            return (refused.seq, "cannot be replayed: \(refused)")
        } catch let refusal as any RowRefusal where refusal.isRefusal {
            return (nil, "cannot be replayed: \(refusal)")
        } catch LedgerError.malformedEntry(let detail) {
            // The detail alone: "the ledger is damaged … run verify" is what verify is saying.
            return (nil, "cannot be replayed: \(detail)")
        }
    }
}

/// What `verify` learns of a row without the rows before it.
private struct CheckedRow: Sendable {
    /// The stored hash is the hash of the stored `prev_hash` and text.
    let hashMatches: Bool
    /// The decoded entry, or why it cannot be decoded.
    let entry: Result<JournalEntry, LedgerError>
    /// The text is the decoded entry's canonical text, byte for byte (true when it cannot
    /// be decoded: `entry` says so). An entry written again in other JSON (spaces, keys
    /// reordered) with the chain recomputed decodes to the same fact, but it is not what
    /// the ledger wrote, and the readers, which read entries by their canonical layout,
    /// refuse it.
    let isCanonical: Bool

    static func check(_ rows: JournalRows) -> [CheckedRow] {
        // One buffer for the batch: encoding an entry again costs no allocation.
        var canonical = CanonicalWriter()
        return rows.bytes.withUnsafeBufferPointer { bytes in
            rows.rows.map { row in
                let text = UnsafeBufferPointer(rebasing: bytes[row.text])
                var hash = Array(bytes[row.prevHash])
                ChainHash.advance(&hash, entry: UnsafeRawBufferPointer(text))
                let entry = Result { () throws(LedgerError) -> JournalEntry in try EntryDecoder.decode(text, seq: row.seq) }
                var isCanonical = true
                if case .success(let decoded) = entry {
                    canonical.removeAll()
                    decoded.write(into: &canonical)
                    isCanonical = canonical.bytes.withUnsafeBufferPointer { text.hasSameBytes(as: $0) }
                }
                return CheckedRow(
                    hashMatches: hash.withUnsafeBufferPointer {
                        UnsafeBufferPointer(rebasing: bytes[row.hash]).hasSameBytes(as: $0)
                    },
                    entry: entry, isCanonical: isCanonical)
            }
        }
    }
}
