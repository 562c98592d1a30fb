/// What went wrong with the ledger, in words a person can act on.
public enum LedgerError: Error, Sendable, CustomStringConvertible, RowRefusal {
    /// The disk (or the database's size limit) is full; nothing of the failed write was kept.
    case diskFull(path: String)
    /// `verify`'s scratch copy of the tables did not fit where the store keeps it (`room`);
    /// the ledger was only read.
    case scratchFull(path: String, reason: String, room: ScratchRoom)
    /// The file cannot be opened, read or written.
    case io(path: String, detail: String)
    /// Another process holds the database's write lock.
    case busy(path: String)
    /// Another writer holds the ledger's writer lock (`Ledger.lockWriter(at:)`): `lock`
    /// names the lock, `holder` the process holding it when it is known. `heldHere` when
    /// that is this very process, under another name of the ledger: two of the ledgers a
    /// command was given are one (a usage error, 64; waiting would never help). `runs`, the
    /// runs the holder announced in the lock file, when it did.
    case writerBusy(lock: String, holder: String?, heldHere: Bool = false, runs: [Int64] = [])
    /// The SQLite writer lock's file has been held with a shared lock, which no writer
    /// takes, for longer than a glance (`status` holds one for an instant): another program.
    case lockHeldShared(path: String, seconds: Int64)
    /// The SQLite writer lock's file was removed or replaced while this command held it,
    /// and another writer made it again (`holder`, its pid, when it still holds it): the
    /// write that found it was rolled back (75).
    case writerLockLost(lock: String, holder: String?)
    /// The PostgreSQL session holding this command's writer lock was ended by the server (an
    /// administrator, a restart, the network), so another writer may hold the lock now: the
    /// write that found it was rolled back (74, as a connection lost). `location` is the
    /// ledger's URL without the password.
    case writerSessionLost(location: String)
    /// Another process (`holder`, its pid) still holds the SQLite writer lock on a lock file
    /// that was removed by hand while it ran, or moved (to `movedTo`) (75).
    case writerOnRemovedLock(lock: String, holder: String, movedTo: String? = nil)
    /// The writer lock's file cannot be created beside the ledger; `advice`, what to do
    /// when it is not a matter of this user's rights.
    /// `exists`: the lock file is there, and it could not be opened.
    case cannotCreateLock(path: String, reason: String, advice: String? = nil, exists: Bool = false)
    /// The lock file's path holds something this tool did not make (`what`): a symbolic
    /// link, a hard link, a folder, a device, or a file of other data (a ledger named after
    /// another's lock file). It is left as it is.
    case lockNotOurs(path: String, what: String)
    /// The ledger file has other names (`names` hard links in all): SQLite keeps its
    /// write-ahead log and its locks beside a name, not the file.
    case manyNames(path: String, names: Int)
    /// The file was written by a newer credit-recon.
    case newerSchema(migration: String)
    /// The ledger at `location` was written by an earlier credit-recon and needs `migration`,
    /// which `verify` does not apply: it writes nothing to the ledger it checks.
    case olderSchema(location: String, migration: String)
    /// A stored entry cannot be read back; the ledger has been damaged.
    case malformedEntry(String)
    /// The journal lacks the newest entry this host wrote to it (`HeadWitness`), saying
    /// what to do: cut from its end, or another copy put in its place.
    case entriesLost(String)
    /// The write contradicts what the ledger already holds.
    case conflict(String)
    /// The database server holding the ledger cannot be reached, refuses the login, or
    /// dropped the connection; `location` is its URL without the password.
    case server(location: String, detail: String)
    /// The database server cannot take this session now but will later (no connection left
    /// for the user, still starting up): try again later (75). `location` is its URL
    /// without the password.
    case serverBusy(location: String, detail: String)
    /// A statement's wait for a lock that other sessions hold (`holders`, each described)
    /// was given up when the command was asked to stop (`because`: `SIGTERM`), and nothing
    /// of its transaction was committed (75). `location` is the URL without the password.
    case lockWaitGivenUp(location: String, because: String, holders: [String])
    /// The database refused `user` a statement for lack of rights (`detail`, the server's
    /// words); `location` is its URL without the password.
    case notPermitted(location: String, user: String, detail: String)
    /// The database lets the session only read (PostgreSQL's `default_transaction_read_only`,
    /// or a standby server) and a statement would write; `detail` is the server's words.
    case readOnlySession(location: String, user: String, detail: String)
    /// A copy's target already holds entries (a copy only goes into an empty ledger).
    case notEmpty(location: String, entries: Int64, sameHead: Bool)
    /// The database holds no ledger (none of its tables), and the ledger was opened to be
    /// read, not created. `writer`: the credit-recon writer of another process at work on
    /// the database meanwhile (a `ledger copy`, a first import), as the lock names it, whose
    /// books appear once it commits.
    case noLedger(location: String, writer: String? = nil)
    /// The SQLite file (or the PostgreSQL database's ledger schema) holds tables, but no
    /// ledger: something else's, or a ledger's remains. It is left as it was.
    case otherDatabase(location: String, tables: [String])
    /// The file is no SQLite database at all (a CSV or text file named as the ledger, or a
    /// ledger whose first page was overwritten). It is left as it was.
    case notADatabase(location: String)
    /// `--ledger` names no ledger a store can open (a malformed `postgresql://` URL).
    case badLocation(String)
    /// Any other failure of the database under the ledger (a bug, or damage), in the
    /// database's words: the statement, never the values.
    case store(String)
    /// A constraint of the database refused a row (a key twice, a value out of range), in
    /// the database's words; said like `store`.
    case refused(String)

    /// Where a store keeps `verify`'s scratch copy of the tables.
    public enum ScratchRoom: Sendable {
        case sqliteTemporaryFolder
        case postgresServer
    }

    /// A constraint refused a row (`refused`).
    var isRefusal: Bool {
        if case .refused = self { true } else { false }
    }

    var refusalText: String {
        if case .refused(let detail) = self { detail } else { description }
    }

    /// Whether this is a writer lock lost to another writer (`writerLockLost`): nothing more
    /// the command would write can be.
    public var isWriterLockLost: Bool {
        if case .writerLockLost = self { return true }
        return false
    }

    /// What a lost writer lock (`writerLockLost`, `writerSessionLost`) is, without what to do
    /// about it, which depends on the command; empty for any other error.
    public var lostLockCause: String {
        switch self {
        case .writerLockLost(let lock, let holder):
            let who = holder.map { "credit-recon process \($0) holds the one there now" }
                ?? "something made it again, another writer perhaps, which may have written since"
            return "this command's writer lock was lost: its lock file \(lock) was removed or replaced while the command "
                + "ran, and \(who); nothing more was written"
        case .writerSessionLost(let location):
            return "cannot use the ledger at \(location): this command's writer lock was lost: the server ended the session "
                + "that held it (an administrator, a restart or the network), so another writer may hold it now; nothing "
                + "more was written"
        default:
            return ""
        }
    }

    /// `session 6700 (psql, user ann, running a statement for 12 s)`, or `sessions …, …`: the
    /// holders of a lock as `lockWaitGivenUp` gives them.
    public static func sessions(_ holders: [String]) -> String {
        let named = holders.filter { $0.first?.isNumber == true }
        guard !named.isEmpty else { return "another session" }
        return (named.count == 1 ? "session " : "sessions ") + named.joined(separator: ", ")
    }

    /// The name the server's `detail` quotes after `marker` (`in database "books"`), as an
    /// identifier a statement can take (`"books"`), or `nil` when it quotes none.
    static func quotedName(after marker: String, in detail: String) -> String? {
        guard let start = detail.range(of: marker + "\"")?.upperBound, let end = detail[start...].lastIndex(of: "\""),
              end > start else { return nil }
        return "\"" + detail[start..<end].replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public var description: String {
        switch self {
        case .diskFull(let path):
            // The write that failed, not the run: a top-up's rows written before it stay (probe
            // 442: "nothing from this run was written" beside the charges it listed).
            return "the disk holding the ledger \(path) is full, or a quota or this process's file-size limit (ulimit -f) is "
                + "reached; the write that needed the room was undone, and the ledger holds what it held before it"
                + (path.hasPrefix("postgres") ? "" : " (a command that only reads needs room there too, for the -shm file SQLite "
                    + "keeps beside the ledger)")
                + ". Free some space (or raise the limit) and run the same command again."
        case .scratchFull(let path, let reason, let room):
            let (place, advice) = switch room {
            case .sqliteTemporaryFolder:
                ("in SQLite's temporary folder", "Point SQLITE_TMPDIR (or TMPDIR) at a folder with room")
            case .postgresServer:
                ("on the PostgreSQL server (a session's temporary tables go to its temp_tablespaces, by default the "
                    + "database's own)", "Free room on the server's disk, or have its administrator set temp_tablespaces "
                    + "for this user to a tablespace with room,")
            }
            return "cannot verify the ledger \(path): the scratch copy of its tables that verify replays the journal "
                + "into does not fit \(place) (\(reason)); it needs about as much room as the ledger's tables. "
                + "\(advice) and run verify again; the ledger was only read."
        case .io(let path, let detail):
            return "cannot use the ledger \(path): \(detail). Check the path, its permissions and the disk."
        case .busy(let path):
            return "the ledger \(path) is busy with another writer; try again when it has finished."
        case .writerBusy(let lock, let holder, false, let runs):
            let who = holder.map { "credit-recon process \($0)" } ?? "another credit-recon process"
            // The runs it announced name what it is doing: `status` says it (probe 328: a `run`
            // was said to be a writer or a copy).
            if let last = runs.last {
                let named = runs.count == 1 ? "run \(last)" : "runs " + runs.dropLast().map(String.init).joined(separator: ", ") + " and \(last)"
                return "the ledger is being written by \(who), at its \(named) (lock \(lock)); `credit-recon status` says what "
                    + "it is doing; try again when it has finished"
            }
            // A `ledger copy` holds the writer lock of its source, which it only reads, and of
            // its target: said, or the user looked for a writer that was not there (probes 250, 251).
            return "the ledger is being written by \(who) (lock \(lock)): a command writing it, or a `ledger copy` from "
                + "it or into it, which holds the writer lock of both ledgers; try again when it has finished"
        case .lockHeldShared(let path, let seconds):
            return "the lock file \(path) has been held shared for more than \(seconds) s, by a program that is not a "
                + "credit-recon writer (`status` holds it so for an instant only); `fuser \(path)` names it. Try again "
                + "when it has let go"
        case .writerLockLost:
            return lostLockCause + ". Run the command again when that writer has finished: it goes on from what was "
                + "stored. Never remove a lock file by hand: its lock falls by itself when its writer ends"
        case .writerSessionLost:
            return lostLockCause + ". Run the command again: it takes the lock anew and goes on from what was stored"
        case .writerOnRemovedLock(let lock, let holder, nil):
            return "the ledger is being written by credit-recon process \(holder), whose lock file \(lock) was removed "
                + "while it ran (the lock is still its own, on the removed file); try again when it has finished. Never "
                + "remove a lock file by hand: its lock falls by itself when its writer ends"
        case .writerOnRemovedLock(let lock, let holder, let movedTo?):
            return "the ledger is being written by credit-recon process \(holder), whose lock file \(lock) was moved to "
                + "\(movedTo) while it ran (the lock is still its own, on that file); try again when it has finished. "
                + "Never move or remove a lock file by hand: its lock falls by itself when its writer ends"
        case .writerBusy(let lock, _, true, _):
            return "the ledger is being written by this very credit-recon process (lock \(lock)): two of the ledgers "
                + "it was given are one ledger under two names; name two different ledgers"
        case .cannotCreateLock(let path, let reason, let advice, true):
            // Not the folder's rights, which the advice below points to (probe 379).
            return "cannot open the lock file \(path), which is there already: \(reason); " + (advice ?? "run the command "
                + "as the user who writes this ledger, or work on a copy")
        case .cannotCreateLock(let path, let reason, let advice, false):
            return "cannot create the lock file \(path): \(reason); " + (advice ?? "check that this user may write the "
                + "ledger's folder and the ledger (run the command as its owner), or work on a copy")
        case .lockNotOurs(let path, let what):
            return "the lock file \(path) is \(what), not a file credit-recon made; it was left as it is (the writer "
                + "lock writes its pid into that file). Move \(path) aside (look at what it holds before you remove it) "
                + "and run the command again"
        case .manyNames(let path, let names):
            let what = path.hasSuffix("-wal") ? "the ledger's write-ahead log" : "the ledger"
            return "\(what) \(path) is one file with \(names) names (hard links): SQLite keeps a ledger's write-ahead log and "
                + "its locks beside each name, so commands given two names would each write as if alone, and one's entries "
                + "would be lost. Give it one name: find the others (find / -xdev -samefile '\(path)') and remove "
                + "them, or keep a copy made with cp instead; nothing was changed"
        case .newerSchema(let migration):
            return "the ledger was written by a newer credit-recon (it has migration \"\(migration)\"); "
                + "upgrade credit-recon before using it."
        case .olderSchema(let location, let migration):
            return "the ledger \(location) was written by an earlier credit-recon: it needs migration \"\(migration)\" "
                + "before it can be checked, and verify writes nothing to the ledger it checks. Run any other command on it "
                + "once, as a user that may write it (`credit-recon --ledger '\(location)' status` applies the migration), "
                + "then verify it (to keep this ledger as it is, do both on a copy of it)"
        case .malformedEntry(let detail):
            // Not "restore from a backup" alone: tables that differ from a sound journal are
            // built again from it, and a backup thrown away for them was books lost.
            return "the ledger is damaged: \(detail). Run `credit-recon verify` to see what is: when only its tables "
                + "differ from a sound journal, `credit-recon ledger copy --to NEW` builds them again from the journal in "
                + "a new ledger; a journal that is not sound needs the ledger restored from a backup."
        case .entriesLost(let detail):
            return "the ledger is not as this host left it: \(detail)"
        case .conflict(let detail):
            return detail
        case .server(let location, let detail), .serverBusy(let location, let detail):
            return "cannot use the ledger at \(location): \(detail)"
        case .lockWaitGivenUp(let location, let signal, let holders):
            return "gave up, on \(signal), waiting for a lock of the ledger at \(location) held by "
                + "\(Self.sessions(holders)); nothing of this command's transaction was committed"
        case .notPermitted(let location, let user, let detail) where detail.contains("row-level security"):
            // Not a right to grant: a policy the ledger does not use (FORCE applies it to the
            // tables' owner too), which `verify` names the same way.
            return "cannot use the ledger at \(location): row-level security refuses user \"\(user)\" the ledger's rows "
                + "(\(detail)); the ledger uses none: drop the policies and DISABLE ROW LEVEL SECURITY on its tables, then "
                + "run the command again; nothing of this command's transaction was committed"
        case .notPermitted(let location, let user, let detail) where detail.contains("permission denied for database "):
            // The ledger's schema not made yet, for want of CREATE on the database: the GRANTs on
            // a schema that is not there helped nothing (probe 339).
            let database = detail.components(separatedBy: "permission denied for database ").last ?? ""
            let name = database.isEmpty || database.contains(where: { $0 == " " || $0 == "\"" || $0 == ";" }) ? "the database" : database
            return "cannot use the ledger at \(location): user \"\(user)\" may not create its schema \(PostgresSchema.schema) "
                + "(\(detail)), which the first command on a new ledger makes; nothing of this command's transaction was "
                + "committed. Grant it once, as the database's owner: GRANT CREATE ON DATABASE \(name) TO \"\(user)\"; or run "
                + "the first command as that owner, then grant this user the rights on the schema"
        case .notPermitted(let location, let user, let detail) where detail.contains("permission denied to create temporary tables"):
            // verify's scratch copy: TEMP alone, not the rights of a writer (probe 346).
            let database = Self.quotedName(after: "in database ", in: detail) ?? "the database"
            return "cannot use the ledger at \(location): user \"\(user)\" may not make verify's scratch copy of the tables (\(detail)); "
                + "nothing was written. Grant it, as the database's owner: GRANT TEMP ON DATABASE \(database) TO \"\(user)\""
        case .notPermitted(let location, let user, let detail):
            // Which rights, in the statement that grants them (probe 316: "the rights on the
            // database" named none), a reader's apart from a writer's: an auditor told to take
            // INSERT and UPDATE was made a writer (probe 346). A refused statement's
            // transaction is rolled back; a writer is refused before its first write
            // (`LedgerStore.refuseWithoutWriteRights()`).
            let schema = PostgresSchema.schema
            return "cannot use the ledger at \(location): user \"\(user)\" may not do this: \(detail); nothing of this "
                + "command's transaction was committed. To read the ledger (status, report, export, verify, ledger copy "
                + "from it), as the tables' owner: GRANT USAGE ON SCHEMA \(schema) TO \"\(user)\"; GRANT SELECT ON ALL TABLES "
                + "IN SCHEMA \(schema) TO \"\(user)\" (verify also GRANT TEMP ON DATABASE, as the database's owner); to write "
                + "to it, also: GRANT INSERT ON ALL TABLES IN SCHEMA \(schema) TO \"\(user)\"; GRANT UPDATE ON "
                + Schema.keptTables.map { "\(schema).\($0)" }.joined(separator: ", ") + " TO \"\(user)\""
        case .readOnlySession(let location, let user, let detail):
            return "cannot use the ledger at \(location): the server lets this session only read (\(detail)): "
                + "default_transaction_read_only is on for user \"\(user)\" or for the database, or the server is a "
                + "standby. Run the command against the primary server, as a user whose transactions may write "
                + "(ALTER ROLE \"\(user)\" SET default_transaction_read_only = off); nothing was written"
        case .badLocation(let detail):
            return detail
        case .noLedger(let location, nil):
            return "the database \(location) holds no credit-recon ledger"
        case .noLedger(let location, let writer?):
            return "the database \(location) holds no credit-recon ledger yet: \(writer) is writing to it now (a ledger "
                + "copy, or a first fetch or import), and its books appear once that commits; try again when it has finished"
        case .notADatabase(let location):
            return "\(location) is not a SQLite database, so not a credit-recon ledger (a CSV or text file named as the "
                + "ledger?); nothing was changed. Name a ledger file instead (--ledger or CREDIT_RECON_LEDGER; for a copy, "
                + "--to); if this was the ledger, its first page was overwritten: restore it from a backup"
        case .otherDatabase(let location, let tables):
            // Names from a file of unknown origin: no control character reaches the terminal.
            let printable = tables.prefix(5).map { name in
                String(String.UnicodeScalarView(name.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
            }
            let shown = printable.joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
            return "\(location) holds tables of something else (\(shown)), not a credit-recon ledger; nothing was changed "
                + "in it. Name another file or database for the ledger (a new file, or a database without tables, starts a new ledger)"
        case .notEmpty(let location, let entries, let sameHead):
            // The same head: a copy made before (one whose COMMIT's answer was lost, say),
            // not other books.
            let already = sameHead
                ? " ending at this ledger's head hash: the copy is already there (check it with "
                    + "`credit-recon --ledger '\(location)' verify`)"
                : ""
            return "the ledger \(location) already holds \(entries) journal entr\(entries == 1 ? "y" : "ies")\(already); "
                + "a copy goes only into an empty ledger (a new file, or a database without the ledger's tables)"
        case .store(let detail), .refused(let detail):
            return "ledger error: \(detail)"
        }
    }
}
