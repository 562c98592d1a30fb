import Ledger

/// `ledger copy --to`: moves books from one store to another (SQLite to PostgreSQL or
/// back) by copying every entry into an empty ledger, then proving the copy with `verify`.
public struct LedgerCopy {
    /// What the copy did, and the target's verification.
    public struct Outcome: Sendable {
        public var copied: Ledger.CopyOutcome
        public var verification: VerifyReport
        /// The target, named without a password.
        public var target: String
        /// What a write would refuse the source for (`Ledger.damageSigns()`), found before the
        /// copy: the copy holds its journal as it stands, which is the mend only when its head
        /// is one printed before the damage (probe 217: a source with a trigger dropped, or
        /// its journal cut or rewritten, was copied with no word of it, and the copy verified).
        public var sourceDamage: [String] = []
    }

    let source: CommandContext
    let target: CommandContext

    /// Copies the ledger of `context` to `destination` (a path or URL, as `--ledger` takes
    /// it; a URL without a password takes the same password options as the source).
    public init(context: CommandContext, to destination: String) {
        source = context
        var target = context
        target.ledgerPath = destination
        target.ledgerSource = "--to"
        self.target = target
    }

    /// Copies under the target's writer lock; `progress` is told the entries copied so far,
    /// and `verifying` how far the target's verification has got. A missing target file is
    /// created and put in place only when the copy succeeds; an empty one (0 bytes, as
    /// `mktemp` makes it) is the empty ledger asked for, not a truncated one.
    ///
    /// A signal raising `interruption` stops the copy at its next batch (`StoppedBySignal`,
    /// nothing written), or its check at the next, the copy committed (`CopyCheckFailed`).
    public func run(
        stoppedBy interruption: Interruption = Interruption(),
        progress: (Int64) -> Void, verifying: (VerifyProgress) -> Void = { _ in }
    ) throws -> Outcome {
        let from = try source.ledgerLocation(), to = try target.ledgerLocation()
        let itself = UsageError.usage("ledger copy: --to names the ledger being copied (\(to)); give another path or URL")
        guard from.description != to.description else { throw itself }
        // Opened as `verify` opens a ledger: nothing written to it, not even a migration, so
        // copying an older build's books out leaves that build its ledger (probes 176, 180:
        // the source was migrated, and the laptop's older build refused it, 78).
        let books = try source.ledgerToCheck()
        // The source's writer lock too: an entry appended to it during the copy would not be
        // in the copy, and a user who moves the books to the target would lose it. Writers
        // of the source are refused (75, naming this copy) until it is done. A source that
        // cannot have a lock file (read-only storage) is only checked after the copy.
        let sourceLock = try Self.lockIfWritable(from)
        let lock: LedgerWriterLock
        do {
            lock = try target.lockWriter()
        } catch LedgerError.writerBusy(_, _, heldHere: true, _) {
            // The source's lock, taken above: the source under another name (`./l.sqlite`,
            // its full path, a link to it; `localhost` for `127.0.0.1` in its URL). Said as
            // "being written by" this very process, it was 75, "try again", which never helps.
            throw itself
        } catch LedgerError.otherDatabase(let location, let tables) {
            // Not an input that is missing (66): a target unfit for the copy, as one that
            // holds entries is (64, as --help says).
            throw LedgerError.badLocation(String(describing: LedgerError.otherDatabase(location: location, tables: tables)))
        }
        defer { withExtendedLifetime((sourceLock, lock)) {} }
        // Into the target as an import goes into its ledger: a new SQLite file built beside
        // its path, a database's tables made in the copy's transaction, so a copy that fails
        // (or is killed) leaves the target as it found it.
        let left = try target.leftByAStoppedWrite()
        let stopped = "the copy wrote nothing, and \(left); run it again to copy the ledger"
        // A signal stops the copy at its next batch, or as it waits for another session's
        // lock on either ledger, from the moment each is open (the target's checks before
        // the copy, and the source's damage, read where a signal gives up a wait: read
        // before, a lock held on the source held the copy past a signal).
        var sourceDamage: [String] = []
        func copy(into copy: Ledger) throws -> Ledger.CopyOutcome {
            sourceDamage = try books.damageSigns()
            return try books.copy(into: copy) { entries in
                try interruption.stopIfSignalled(stopped)
                progress(entries)
            }
        }
        let copied: Ledger.CopyOutcome
        do {
            copied = try interruption.givingUpLockWaits(outcome: stopped) { opened in
                opened(books)
                if case .file = to, target.ledgerFile == .truncated {
                    let truncated = try Ledger(to)
                    opened(truncated)
                    return try copy(into: truncated)
                }
                return try target.withLedgerForImport(copying: true, opened: opened, copy(into:))
            }
        } catch let error as LedgerError where !error.lostLockCause.isEmpty {
            throw CopyTargetLockLost(target: to.description, error: error)
        }
        // Also under the source's lock: one lost meanwhile (a PostgreSQL session the server
        // ended, a lock file removed by hand) let another writer append to the source, and
        // the copy said "the same chain" without the newest entries (probe 70).
        let head = try books.read { try $0.head() }
        guard head.hash == copied.headHash else {
            throw CopyOutdated(source: from.description, target: to.description, copied: copied, sourceEntries: head.seq)
        }
        let verification: VerifyReport
        do {
            verification = try target.openLedger(mustExist: true).verify { event in
                try interruption.stopIfSignalled("nothing more was checked")
                verifying(event)
            }
        } catch {
            throw CopyCheckFailed(target: to.description, copied: copied, error: error)
        }
        return Outcome(copied: copied, verification: verification, target: to.description, sourceDamage: sourceDamage)
    }

    /// The writer lock of `location`, or `nil` when its lock file cannot be made (a ledger
    /// on read-only storage, or in another user's folder).
    private static func lockIfWritable(_ location: LedgerLocation) throws(LedgerError) -> LedgerWriterLock? {
        do {
            return try Ledger.lockWriter(at: location)
        } catch {
            if case .cannotCreateLock = error { return nil }
            throw error
        }
    }
}
