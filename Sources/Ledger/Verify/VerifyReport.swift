/// What `verify` found.
public struct VerifyReport: Sendable {
    /// Journal entries checked.
    public var entries: Int64 = 0
    /// The newest entry's hash.
    public var headHash: String = JournalEntry.genesisHash
    /// Problems, in the order found; empty when the ledger is sound.
    public var problems: [String] = []
    /// The database's own check's verdict in its own words (SQLite's `PRAGMA
    /// integrity_check`: `ok`, or what it found); what else was found is in `problems`.
    public var integrity: String = ""
    /// The listing stopped at `verify`'s limit of problems: there may be more.
    public var stoppedAtLimit = false
    /// The head hashes `verify` was asked to find, in the order asked, each with the entry
    /// that has it.
    public var held: [HeldHead] = []
    /// Every entry of the journal was read: a head hash not found is in none. False when
    /// the listing stopped at the limit before the journal's end (or there is no journal).
    public var readWholeJournal = true
    /// A log of writes beside the ledger's file, read as part of the ledger (SQLite's
    /// `-wal`, when it holds any): worth naming when the ledger is not sound, since one that
    /// is not this ledger's own reads as changes to it.
    public var log: WriteAheadLog?

    /// The journal itself is as it was written, whatever else is not: every entry chains,
    /// hashes and replays, and the database's files are whole. When it is and the ledger is
    /// not sound, only the tables built from it (or their guards) were changed, and a new
    /// ledger built from it (`ledger copy`) mends them; when it is not, only a backup does.
    public var journalIsSound = true
    /// A table's rows differ from what the journal records, or a table is missing or made
    /// otherwise: the tables were changed, or entries cut from the journal's end (which the
    /// chain cannot show; the tables still hold what they said). Either way it is no longer
    /// only the guards that were changed.
    public var tablesDiffer = false
    /// The newest entry the tables' rows carry, when it is past the journal's head: entries
    /// were cut from the journal's end and left their rows behind (or rows were written
    /// behind the ledger's back), so a ledger built from the journal (`ledger copy`) would
    /// leave out what they recorded; `nil` when no row is past the head.
    public var rowsPastHead: Int64?
    /// The journal lacks the newest entry this host wrote to it (`HeadWitness`): entries
    /// were cut from its end, or another copy was put in its place, which no chain shows.
    public var witnessedEntryMissing = false
    /// Of those, a journal holding another entry under that number: written again, or
    /// another ledger at least as long in its place (not cut, nor a backup put back).
    public var witnessedEntryRewritten = false
    /// Row-level security is on some of the ledger's tables (PostgreSQL): rows this role
    /// cannot see read as missing, so the other findings may be nothing but that.
    public var rowsMayBeHidden = false
    /// The only problems are triggers or rules on the ledger's tables that the ledger did not
    /// make (`StoreCheck.foreign`), or tables set unlogged (`StoreCheck.unlogged`): its own
    /// guards are in place and the tables agree with the journal, so undoing them is the
    /// mend, before a copy or a backup.
    public var foreignTriggersOnly: Bool { !undoInPlace.isEmpty }
    /// When `foreignTriggersOnly`, the statements that undo what was done (`DROP TRIGGER`,
    /// and on PostgreSQL `DROP RULE`, `ALTER TABLE … SET LOGGED`), as the store has them.
    public var undoInPlace: [String] = []

    /// Sound: the chain, the projections and the database's own check all agree.
    public var isSound: Bool { problems.isEmpty }
    /// Whether the server's statistics count journal rows deleted (PostgreSQL): entries were
    /// cut, whatever head the chain still holds.
    public var journalRowsDeleted = false
}
