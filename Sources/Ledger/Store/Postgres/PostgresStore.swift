import PostgresNIO
import Synchronization

/// The ledger in a PostgreSQL database, for books shared by several hosts.
///
/// Appends are serialized by the database: every write transaction first takes a
/// transaction-scoped advisory lock of the ledger (`pg_advisory_xact_lock`), then reads the
/// head, so writers on different hosts append one chain. Readers read a repeatable-read
/// snapshot and never wait for writers. A command's writer lock is a session advisory lock
/// on a connection of its own (`PostgresWriterLock`).
final class PostgresStore: LedgerStore {
    func announce(runs: [Int64]) { PostgresWriterLock.announce(runs: runs, location) }

    /// Asked on the store's own connection, outside any transaction: a report logged in once
    /// more to ask it (probe 410's change).
    func runningWriter() throws(WriterUnseen) -> RunningWriter? {
        do {
            return try withConnection(tablesPendingAllowed: true) { connection in
                try PostgresWriterLock.runningWriter(on: connection.session)
            }
        } catch {
            throw WriterUnseen(reason: "cannot ask \(location) for its writer lock: \(error)")
        }
    }

    let name: String
    let location: PostgresLocation
    let unappliedMigrations: [String]
    var tablesPending: Bool { connection.withLock { $0.tablesPending } }
    /// Why every write is refused: an earlier build's ledger, read as it is by a user that
    /// may not migrate it (`migrate`), is never written unmigrated (an older build would
    /// then meet entries it cannot read).
    private let writeRefusal: LedgerError?
    /// Opened to be checked (`verify`): nothing is written, not even a migration, by this
    /// store or its second readers.
    private let checking: Bool
    private let connection: Mutex<Connection>
    /// Shared with the second readers (`secondReader()`).
    private let stop: LockWaitStop

    /// The session, used only with `connection` locked.
    final class Connection: @unchecked Sendable {
        let session: PostgresSession
        let transaction: PostgresTransaction
        /// The database holds no ledger yet and gets its tables with the first write, in
        /// that write's transaction (`tablesWithFirstWrite`), or before the first read.
        var tablesPending: Bool
        init(_ session: PostgresSession, tablesPending: Bool) {
            self.session = session
            transaction = PostgresTransaction(session: session)
            self.tablesPending = tablesPending
        }
    }

    /// The advisory lock keys of a ledger (`pg_advisory_lock(class, key)`): the class is
    /// credit-recon's, the keys the lock's role. A ledger is a database, and advisory locks
    /// are per database.
    enum LockKey: Int32 {
        static let lockClass: Int32 = 0x4352_4543  // "CREC"
        /// The class of the locks a writer's session holds on the runs it started, each
        /// keyed by the run's id (its low 32 bits): how `status` tells its runs from a
        /// crashed writer's (`PostgresWriterLock.announce`).
        static let runClass: Int32 = 0x4352_5255  // "CRRU"
        /// Held by a writing command for as long as it runs (a session lock).
        case writer = 1
        /// Held by each write transaction while it appends (a transaction lock).
        case append = 2
        /// Held while the schema is created or migrated.
        case migrate = 3
    }

    /// Connects to the ledger at `location` and migrates its tables when a migration is
    /// pending. With `create`, a database without them gets them; without, it is refused
    /// (`noLedger`), so that one connection both opens a ledger and tells whether there is one.
    /// With `tablesWithFirstWrite` as well, that database gets them in the transaction of the
    /// first write (or before the first read), so a write that fails leaves it as it was.
    /// With `checking` (`verify`), a pending migration is not applied: the ledger is read as
    /// an earlier build left it (`MigrationRecord.readableWithout`), or refused
    /// (`olderSchema`) when it cannot be.
    init(
        _ location: PostgresLocation, create: Bool, checking: Bool = false, tablesWithFirstWrite: Bool = false,
        purpose: String = "ledger", stop: LockWaitStop = LockWaitStop()
    ) throws {
        self.location = location
        self.checking = checking
        self.stop = stop
        name = location.description
        let session = try PostgresSession(location, purpose: purpose, stop: stop)
        var holds = try Self.holdsLedger(session)
        if !holds {
            // The ledger's schema holding tables but no ledger (another tool's, or a ledger's
            // remains): refused as it is, not met with a failed CREATE TABLE (exit 70).
            let tables = try session.query(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = '\(PostgresSchema.schema)' "
                    + "ORDER BY table_name") { try $0.text() }
            // Another host's first write made the ledger between the two statements (each
            // sees what was committed when it began): its tables are the ledger's.
            holds = try tables.contains("schema_migrations") && Self.holdsLedger(session)
            if !holds && !tables.isEmpty {
                throw LedgerError.otherDatabase(location: name + " (its schema \(PostgresSchema.schema))", tables: tables)
            }
        }
        guard holds || create else {
            throw LedgerError.noLedger(location: name, writer: PostgresWriterLock.otherWriter(on: session, location))
        }
        let pending = !holds && tablesWithFirstWrite
        var unapplied: [String] = []
        var refusal: LedgerError?
        if checking {
            unapplied = try Self.pendingMigrations(session).map(\.name)
            if let migration = MigrationRecord.neededToRead(unapplied) {
                throw LedgerError.olderSchema(location: name, migration: migration)
            }
        } else if !pending, let unmigrated = try Self.migrate(session, holdsLedger: holds, location: location) {
            (unapplied, refusal) = (unmigrated.migrations, unmigrated.refusal)
        }
        unappliedMigrations = unapplied
        writeRefusal = refusal
        connection = Mutex(Connection(session, tablesPending: pending))
    }

    /// The schema holds the ledger's record of migrations: a `schema_migrations` table of
    /// the one column `name` (Rails' and golang-migrate's, of a `version`, are another
    /// tool's). Read from the catalog, which every user may read.
    private static func holdsLedger(_ session: PostgresSession) throws -> Bool {
        try session.query(
            "SELECT coalesce((SELECT array_agg(attname::text ORDER BY attnum) FROM pg_catalog.pg_attribute "
                + "WHERE attrelid = to_regclass('\(PostgresSchema.schema).schema_migrations') AND attnum > 0 "
                + "AND NOT attisdropped) = ARRAY['name'], false)") { try $0.bool() }.first ?? false
    }

    /// Applies the migrations not yet applied, in one transaction under the migration lock,
    /// so two hosts opening a new ledger at once create it once. A ledger that is up to
    /// date is only read (a reader's role need not be allowed to create anything).
    ///
    /// A ledger already there is migrated only while no other process's writer holds its
    /// writer lock (`writerBusy`, 75): a command that reads (`status`) applied one while an
    /// older build's fetch was writing, which went on appending to a ledger it would refuse
    /// (probe 141). This process's own writer, holding the lock already, goes on; otherwise
    /// the migration's transaction holds the writer lock itself, so that no writer starts
    /// while it runs (probe 180: an older build's import took the lock mid-migration, and
    /// appended to a ledger it would refuse).
    ///
    /// A user (or a session) that may only read gets the ledger as the earlier build left
    /// it, when it lacks only migrations it can be read without (`readableWithout`): the
    /// names, and the refusal every write then meets. Otherwise nil.
    @discardableResult
    private static func migrate(
        _ session: PostgresSession, holdsLedger holds: Bool, location: PostgresLocation? = nil
    ) throws -> (migrations: [String], refusal: LedgerError)? {
        let pending = try holds ? pendingMigrations(session) : []
        if holds, pending.isEmpty { return nil }
        try session.execute("BEGIN")
        do {
            // Read again under the migration lock (each read of a pending v7 scans the journal
            // for its entries): what is applied, when the ledger is there already.
            var due: [(name: String, statements: [String])]?
            if holds, let location {
                func busy(_ writer: PostgresWriterLock.Holder?) -> LedgerError {
                    LedgerError.writerBusy(
                        lock: "advisory \(LockKey.lockClass), \(LockKey.writer.rawValue) on \(location); the ledger needs migration "
                            + pending.map { "\"\($0.name)\"" }.joined(separator: ", ") + ", applied while no writer is at work",
                        holder: writer?.application == nil ? nil : writer?.description, heldHere: false)
                }
                // Another process migrating waits here, and then finds nothing left to apply.
                try session.execute("SELECT pg_advisory_xact_lock(\(LockKey.lockClass), \(LockKey.migrate.rawValue))")
                due = try pendingMigrations(session)
                if due?.isEmpty == true {
                    try session.execute("COMMIT")
                    return nil
                }
                if let writer = try PostgresWriterLock.otherProcessesHolder(on: session, location) { throw busy(writer) }
                if PostgresWriterLock.heldBy(location) == nil {
                    let taken = try session.query(
                        "SELECT pg_try_advisory_xact_lock(\(LockKey.lockClass), \(LockKey.writer.rawValue))") { try $0.bool() }.first
                    if taken != true { throw busy(try PostgresWriterLock.otherProcessesHolder(on: session, location)) }
                }
            }
            try applyMigrations(session, due)
            try session.execute("COMMIT")
            return nil
        } catch LedgerError.notPermitted(let name, let user, let detail) where holds,
                LedgerError.readOnlySession(let name, let user, let detail) where holds {
            // A ledger written by an older build, opened by a user (or a session) that may only read it.
            _ = try? session.execute("ROLLBACK")
            let refusal = LedgerError.server(location: name, detail: "the ledger needs migration "
                + pending.map { "\"\($0.name)\"" }.joined(separator: ", ") + " of this credit-recon, which user \"\(user)\" "
                + "may not apply (\(detail)); run any credit-recon command once as the user that created the ledger "
                + "(it applies the migration), then this one again")
            let names = pending.map(\.name)
            guard MigrationRecord.neededToRead(names) == nil else { throw refusal }
            return (names, refusal)
        } catch {
            _ = try? session.execute("ROLLBACK")
            throw error
        }
    }

    /// Applies the migrations not yet applied in the transaction under way, under the
    /// migration lock (held until it ends), creating the schema and its record first.
    /// `due`: the migrations to apply, read under that lock already; read here when `nil`.
    private static func applyMigrations(_ session: PostgresSession, _ due: [(name: String, statements: [String])]? = nil) throws {
        let s = PostgresSchema.schema
        try session.execute("SELECT pg_advisory_xact_lock(\(LockKey.lockClass), \(LockKey.migrate.rawValue))")
        try session.execute("CREATE SCHEMA IF NOT EXISTS \(s)")
        try session.execute("CREATE TABLE IF NOT EXISTS \(s).schema_migrations (name TEXT COLLATE \"C\" PRIMARY KEY)")
        for migration in try due ?? pendingMigrations(session) {
            do {
                try session.execute(migration.statements)
            } catch LedgerError.serverBusy(let location, let detail) {
                // A `status` given 75 for another program's lock on a table could not tell
                // why a reader needed one (probe 362).
                throw LedgerError.serverBusy(location: location, detail: "applying migration \"\(migration.name)\" (every "
                    + "command of this build but verify applies it to a ledger an earlier build left, readers too): " + detail)
            }
            var binds = PostgresBindings()
            binds.append(migration.name)
            try session.execute("INSERT INTO \(s).schema_migrations (name) VALUES ($1)", binds)
        }
    }

    /// The migrations the database has not applied (see `MigrationRecord.pending`).
    private static func pendingMigrations(_ session: PostgresSession) throws -> [(name: String, statements: [String])] {
        let applied = Set(try session.query("SELECT name FROM \(PostgresSchema.schema).schema_migrations") { try $0.text() })
        func exists(_ relation: String) throws -> Bool {
            try session.query("SELECT to_regclass('\(PostgresSchema.schema).\(relation)') IS NOT NULL") { try $0.bool() }.first ?? false
        }
        let pending = Set(try MigrationRecord.pending(
            applied: applied, known: PostgresSchema.migrations.map(\.name), journalExists: { try exists("journal") },
            holds: { trace in
                switch trace {
                case .relation(let relation): return try exists(relation)
                case .entries(let kind):
                    var binds = PostgresBindings()
                    binds.append(kind)
                    return try exists("journal") && session.query(
                        "SELECT EXISTS (SELECT 1 FROM \(PostgresSchema.schema).journal WHERE kind = $1)", binds) { try $0.bool() }
                        .first == true
                case .trigger(let trigger):
                    var binds = PostgresBindings()
                    binds.append(trigger)
                    return try session.query(
                        """
                        SELECT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                            JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = '\(PostgresSchema.schema)' AND t.tgname::text = $1)
                        """, binds) { try $0.bool() }.first == true
                }
            }))
        return PostgresSchema.migrations.filter { pending.contains($0.name) }
    }

    func write<T: Sendable>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        if let writeRefusal { throw writeRefusal }
        let result = try transaction("BEGIN ISOLATION LEVEL READ COMMITTED", commit: true, tablesInside: true) { connection in
            connection.transaction.appendedEntries = 0
            // Before waiting for another writer's appends: one that took the lock this one
            // lost may hold them for a whole import (the lost lock was said after it, probe 72).
            try checkWriterLock(connection.session)
            if connection.tablesPending { try Self.applyMigrations(connection.session) }
            // Appends wait here for another host's transaction; the head is read after.
            try connection.session.execute("SELECT pg_advisory_xact_lock(\(LockKey.lockClass), \(LockKey.append.rawValue))")
            try checkWriterLock(connection.session)
            let result = try body(connection.transaction)
            // Again before COMMIT: a long write (an import) may outlive the lock's session.
            try checkWriterLock(connection.session)
            return result
        }
        refreshStatisticsAfterBulkWrite()
        return result
    }

    /// Stops a write whose command held the writer lock and lost it (its session ended by
    /// the server, an administrator or the network): another writer may hold it now. Asked
    /// inside the write transaction, so the transaction is rolled back and nothing is written.
    private func checkWriterLock(_ session: PostgresSession) throws {
        guard let pid = PostgresWriterLock.heldBy(location), try !PostgresWriterLock.isHeld(by: pid, on: session) else { return }
        throw LedgerError.writerSessionLost(location: location.description)
    }

    /// Entries a write must append before the planner's statistics are refreshed after it.
    static let bulkWrite = 10_000

    /// After a write that appended many entries (an import), `ANALYZE`s the ledger's
    /// tables, as PostgreSQL advises after loading data: until autovacuum gets to them,
    /// which can take minutes, the planner judges the tables by their old size and may
    /// read a million rows by a sort instead of an index. It samples a few thousand rows
    /// of each table. The write is committed by then, so a failure here does not fail the
    /// command (autovacuum does the same later); a role that may not analyze a table only
    /// gets the server's warning. It runs in a session of its own, so that a connection
    /// lost under it cannot fail what the command does next with the committed write (read
    /// the new head; it did, with "not committed"), and waits at most `analyzeLockWait` for
    /// a table another session holds: the command holds the writer lock meanwhile.
    private func refreshStatisticsAfterBulkWrite() {
        guard (try? withConnection(tablesPendingAllowed: true, { $0.transaction.appendedEntries })) ?? 0 >= Self.bulkWrite,
              let session = try? PostgresSession(location, purpose: "statistics")
        else { return }
        let tables = ["journal"] + Schema.projectionTableKeys.map(\.table)
        _ = try? session.execute("BEGIN")
        _ = try? session.execute("SET LOCAL lock_timeout = '\(Self.analyzeLockWait)'")
        if (try? session.execute("ANALYZE " + tables.map { "\(PostgresSchema.schema).\($0)" }.joined(separator: ", "))) != nil {
            _ = try? session.execute("COMMIT")
        } else {
            _ = try? session.execute("ROLLBACK")
        }
    }

    /// How long the statistics' refresh waits for a table's lock before it leaves the
    /// refresh to autovacuum.
    static let analyzeLockWait = "2s"

    func read<T: Sendable>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", commit: true) { connection in
            // The readers read whole tables in the order of an index. Left to itself the
            // planner may prefer a parallel scan and a sort, which spills to disk and takes
            // cores from the client decoding the rows; and the JIT compiles for a scan that
            // only streams rows.
            try connection.session.execute(
                "SELECT set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)")
            return try body(connection.transaction)
        }
    }

    func readReplaying<T: Sendable>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        // READ WRITE, even where the user's transactions are read-only by default (an
        // auditor's role): the replay writes its temporary tables, which the rollback drops.
        do {
            return try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ, READ WRITE", commit: false) { connection in
                try connection.transaction.beginReplay()
                return try body(connection.transaction)
            }
        } catch LedgerError.diskFull {
            // Only the temporary tables are written: the room for them, not the ledger, is short.
            throw LedgerError.scratchFull(path: name, reason: "the server's disk is full", room: .postgresServer)
        }
    }

    func secondReader() -> (any LedgerStore)? {
        try? PostgresStore(location, create: false, checking: checking, purpose: "reader", stop: stop)
    }

    func giveUpLockWaits(because reason: String) { stop.stop(because: reason) }

    /// PostgreSQL checks each page as it reads it: what this store checks is that the
    /// triggers keeping the journal and the readings append-only are there and guard: on
    /// their own table, enabled for every session (not only replicas), firing before each
    /// row's UPDATE or DELETE (or before a TRUNCATE) with no `WHEN` condition and no column
    /// list (`UPDATE OF kind` lets the other columns change), and running `refuse_change()`
    /// as the schema made it. Any of those changed lets rows be edited with no error.
    func check() throws -> StoreCheck { try guards() }

    func witnessedHeads() throws(LedgerError) -> [WitnessedHead] { [] }

    func witness(_ head: ChainHead) {}

    /// The rights a writer needs: USAGE on the schema, SELECT and INSERT on the ledger's
    /// tables, UPDATE on those whose rows change (`Schema.keptTables`). Without UPDATE on
    /// `topups`, a `topup` committed its run and its planned rows, then was refused, saying
    /// nothing was committed (probe 346).
    func refuseWithoutWriteRights() throws {
        if let writeRefusal { throw writeRefusal }  // a migration it may not apply, which says who can
        try withConnection(tablesPendingAllowed: true) { connection in
            if connection.tablesPending { return }  // the first write makes the tables: they are its user's
            let s = PostgresSchema.schema
            var wanted: [(table: String, right: String)] = []
            for table in Schema.ledgerTables {
                for right in ["SELECT", "INSERT"] + (Schema.keptTables.contains(table) ? ["UPDATE"] : []) {
                    wanted.append((table, right))
                }
            }
            var binds = PostgresBindings()
            binds.append(wanted.map(\.table))
            binds.append(wanted.map(\.right))
            let lacking = try connection.session.query(
                """
                SELECT w.t, w.r FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w (t, r, n)
                WHERE NOT has_table_privilege(format('%I.%I', '\(s)', w.t), w.r) ORDER BY w.n
                """, binds
            ) { (table: try $0.text(), right: try $0.text()) }
            let usage = try connection.session.query("SELECT has_schema_privilege('\(s)', 'USAGE')") { try $0.bool() }.first ?? false
            guard !lacking.isEmpty || !usage else { return }
            let user = location.user
            var grants = usage ? [] : ["GRANT USAGE ON SCHEMA \(s) TO \"\(user)\""]
            var said: [String] = usage ? [] : ["USAGE on schema \(s)"]
            for right in ["SELECT", "INSERT", "UPDATE"] {
                let tables = lacking.filter { $0.right == right }.map(\.table)
                guard !tables.isEmpty else { continue }
                said.append("\(right) on \(tables.joined(separator: ", "))")
                grants.append("GRANT \(right) ON \(tables.map { "\(s).\($0)" }.joined(separator: ", ")) TO \"\(user)\"")
            }
            throw LedgerError.server(
                location: name,
                detail: "user \"\(user)\" may not write to it: it lacks \(said.joined(separator: "; ")); nothing was written. A writer "
                    + "needs USAGE on the schema, SELECT and INSERT on the ledger's tables and UPDATE on "
                    + Schema.keptTables.joined(separator: ", ") + "; as the tables' owner: " + grants.joined(separator: "; "))
        }
    }

    func guards() throws -> StoreCheck {
        try withConnection(tablesPendingAllowed: true) { connection in
            // No tables yet: the first write makes them, guards and all (`ledger copy` asks
            // before it copies into a database it may leave as it found it).
            if connection.tablesPending { return StoreCheck() }
            let guarding = PostgresSchema.guardTriggers(without: unappliedMigrations)
            var binds = PostgresBindings()
            binds.append(guarding)
            binds.append(PostgresSchema.refuseChangeBody)
            // tgtype: ROW 1, BEFORE 2, DELETE 8, UPDATE 16, TRUNCATE 32.
            let present = try connection.session.query(
                """
                SELECT t.tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace pn ON pn.oid = p.pronamespace
                WHERE n.nspname = '\(PostgresSchema.schema)' AND t.tgname::text = ANY($1) AND t.tgenabled IN ('O', 'A')
                  AND pn.nspname = '\(PostgresSchema.schema)' AND p.proname = 'refuse_change' AND p.prosrc = $2
                  AND t.tgqual IS NULL AND t.tgattr = ''::int2vector
                  AND ((t.tgname::text = c.relname || '_append_only' AND t.tgtype = 27)
                    OR (t.tgname::text = c.relname || '_kept_delete' AND t.tgtype = 11)
                    OR (t.tgname::text = c.relname || '_no_truncate' AND t.tgtype = 34))
                """, binds
            ) { try $0.text() }
            var names = PostgresBindings()
            names.append(guarding)
            let foreign = try connection.session.query(
                """
                SELECT c.relname::text || '.' || t.tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = '\(PostgresSchema.schema)' AND NOT t.tgisinternal AND NOT (t.tgname::text = ANY($1))
                UNION ALL
                SELECT tablename::text || '.' || rulename::text FROM pg_rules WHERE schemaname = '\(PostgresSchema.schema)'
                ORDER BY 1
                """, names
            ) { try $0.text() }
            // Row-level security, and its policies: the ledger sets none.
            let secured = try connection.session.query(
                """
                SELECT c.relname::text || COALESCE(' (polic' || CASE WHEN count(p.oid) = 1 THEN 'y ' ELSE 'ies ' END
                    || string_agg(p.polname::text, ', ' ORDER BY p.polname::text) || ')', '')
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_policy p ON p.polrelid = c.oid
                WHERE n.nspname = '\(PostgresSchema.schema)' AND c.relkind IN ('r', 'p')
                GROUP BY c.relname, c.relrowsecurity HAVING c.relrowsecurity OR count(p.oid) > 0
                ORDER BY 1
                """
            ) { try $0.text() }
            // Tables set UNLOGGED, which a crash empties: the ledger makes none (its record of
            // migrations neither: emptied, it reads as edited away, probe 375).
            var ledgerTables = PostgresBindings()
            ledgerTables.append(Schema.ledgerTables + ["schema_migrations"])
            let unlogged = try connection.session.query(
                """
                SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = '\(PostgresSchema.schema)' AND c.relname = ANY($1) AND c.relpersistence = 'u'
                ORDER BY 1
                """, ledgerTables
            ) { try $0.text() }
            // Rows of append-only tables updated or deleted, which the triggers refuse, and
            // rows of any ledger table deleted, which the ledger never does (the journal's
            // tail cut with the top-ups and charges it made, probe 158): the server counts
            // changes that got past them, committed or not.
            var tables = PostgresBindings()
            tables.append(Schema.appendOnlyTables)
            tables.append(Schema.ledgerTables)
            let changed = try connection.session.query(
                """
                SELECT relname::text || ' ' || concat_ws(' and ',
                    CASE WHEN n_tup_upd > 0 AND relname = ANY($1) THEN n_tup_upd || ' updated' END,
                    CASE WHEN n_tup_del > 0 THEN n_tup_del || ' deleted' END)
                FROM pg_stat_user_tables
                WHERE schemaname = '\(PostgresSchema.schema)' AND relname = ANY($2)
                  AND ((relname = ANY($1) AND n_tup_upd > 0) OR n_tup_del > 0)
                ORDER BY 1
                """, tables
            ) { try $0.text() }
            return StoreCheck(
                unguarded: guarding.filter { !present.contains($0) },
                foreign: foreign.filter { Schema.isLedgerTable(String($0.prefix { $0 != "." })) },
                rowSecurity: secured.filter { Schema.isLedgerTable(String($0.prefix { $0 != " " })) },
                unlogged: unlogged,
                dropsForeign: ["DROP TRIGGER", "DROP RULE"],
                bypassed: changed,
                guardedTables: Schema.guardedTables(without: unappliedMigrations))
        }
    }

    /// The ledger's tables whose definition differs from the migrations': a column added,
    /// dropped, retyped, made nullable or given another collation; a key, a check or a
    /// reference dropped, added or changed; an index of the migrations' dropped or changed
    /// (migration v9's missing beside its record, probe 362), or one added that can refuse a
    /// row: unique, partial or on an expression, which can fail on a row (probe 366). The
    /// migrations the ledger applied make the same tables in `pg_temp`, in a transaction
    /// rolled back, and the catalog's text of both is compared, without the schema's name or
    /// the indexes' and constraints' own: one renamed is the same, and an index of a
    /// database administrator's own that refuses no row is no change (it was, and the rows
    /// of its table went uncompared, probe 364). A column added made the comparison of rows
    /// fail (70, "unequal number of entries in row expressions"), and one retyped was
    /// compared by value (probe 173).
    func reshapedTables() throws -> [ReshapedTable] {
        // Each column, key, constraint and index of table `t` in words, without its own name,
        // and whether it is an index that refuses no row (`plain`: not unique, on columns
        // alone, of every row). An index's storage parameters (`WITH (fillfactor=…)`) change
        // nothing it refuses, and one the server does not keep up (`indisready` false: a
        // build that failed) refuses nothing and keeps nothing (probe 373: both said not sound).
        func definitions(_ schema: String) -> String {
            let table = "to_regclass('\(schema).' || t)"
            return """
            SELECT 'column ' || a.attname::text || ' ' || format_type(a.atttypid, a.atttypmod)
                    || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END || coalesce(' COLLATE ' || c.collname::text, '') AS d,
                    false AS plain
                FROM pg_attribute a LEFT JOIN pg_collation c ON c.oid = a.attcollation
                WHERE a.attrelid = \(table) AND a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT CASE WHEN indisunique THEN 'unique index ' ELSE 'index ' END
                    || regexp_replace(regexp_replace(pg_get_indexdef(indexrelid), '^.+? ON \\S+ USING ', 'USING '), ' WITH \\([^)]*\\)', ''),
                    NOT (indisunique OR indisprimary OR indisexclusion) AND indexprs IS NULL AND indpred IS NULL
                FROM pg_index WHERE indrelid = \(table) AND indisready
            UNION ALL
            SELECT 'constraint ' || replace(pg_get_constraintdef(oid), '\(PostgresSchema.schema).', ''), false
                FROM pg_constraint WHERE conrelid = \(table)
            """
        }
        // Its columns' names in order, or in byte order (`sorted`): the same columns in
        // another order read otherwise by a comparison of rows.
        func names(_ schema: String, sorted: Bool) -> String {
            """
            (SELECT array_agg(attname::text ORDER BY \(sorted ? "attname::text COLLATE \"C\"" : "attnum")) FROM pg_attribute
             WHERE attrelid = to_regclass('\(schema).' || t) AND attnum > 0 AND NOT attisdropped)
            """
        }
        let differences = try transaction("BEGIN READ WRITE", commit: false) { connection in
            try connection.session.execute(PostgresSchema.migrations(in: "pg_temp")
                .filter { !unappliedMigrations.contains($0.name) }.flatMap(\.statements))
            var binds = PostgresBindings()
            binds.append(Schema.ledgerTables)
            let ledger = PostgresSchema.schema
            return try connection.session.query("""
                SELECT t, 'lacks ' || d FROM unnest($1::text[]) AS t,
                    LATERAL (SELECT d FROM (\(definitions("pg_temp"))) AS made EXCEPT SELECT d FROM (\(definitions(ledger))) AS held) AS lacking
                WHERE to_regclass('\(ledger).' || t) IS NOT NULL
                UNION ALL
                SELECT t, 'has ' || d || CASE WHEN d LIKE 'column %' THEN '' ELSE ', which can refuse a row' END
                FROM unnest($1::text[]) AS t,
                    LATERAL (SELECT d FROM (\(definitions(ledger))) AS held WHERE NOT plain
                             EXCEPT SELECT d FROM (\(definitions("pg_temp"))) AS made) AS added
                WHERE to_regclass('\(ledger).' || t) IS NOT NULL
                UNION ALL
                SELECT t, 'has its columns in another order' FROM unnest($1::text[]) AS t
                WHERE to_regclass('\(ledger).' || t) IS NOT NULL
                    AND \(names(ledger, sorted: false)) IS DISTINCT FROM \(names("pg_temp", sorted: false))
                    AND \(names(ledger, sorted: true)) = \(names("pg_temp", sorted: true))
                ORDER BY 1, 2
                """, binds) { (table: try $0.text(), difference: try $0.text()) }
        }
        return Schema.ledgerTables.compactMap { table in
            let found = differences.filter { $0.table == table }.map(\.difference)
            return found.isEmpty ? nil : ReshapedTable(table: table, differences: found)
        }
    }

    func missingTables() throws -> [String] {
        let tables = Set(try withConnection { connection in
            try connection.session.query(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = '\(PostgresSchema.schema)'") { try $0.text() }
        })
        return Schema.ledgerTables.filter { !tables.contains($0) }
    }

    /// Runs `body` between `begin` and a commit (or a rollback when `commit` is off or
    /// `body` throws). With `tablesInside`, a ledger whose tables are pending gets them from
    /// `body`, in the transaction, and has them once it commits.
    private func transaction<T>(
        _ begin: String, commit: Bool, tablesInside: Bool = false, _ body: (Connection) throws -> T
    ) throws -> T {
        try withConnection(tablesPendingAllowed: tablesInside) { connection in
            try connection.session.execute(begin)
            do {
                let result = try body(connection)
                if commit {
                    try connection.session.commit()
                    connection.tablesPending = false
                } else {
                    try connection.session.execute("ROLLBACK")
                }
                return result
            } catch {
                connection.transaction.forgetHeldRows()
                connection.session.forgetUnanswered()
                _ = try? connection.session.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` on the session (whose failures are already `LedgerError`s). A ledger
    /// whose tables are pending gets them first, in a transaction of their own, unless
    /// `tablesPendingAllowed` (a write makes them in its own transaction).
    private func withConnection<T>(tablesPendingAllowed: Bool = false, _ body: (Connection) throws -> T) throws -> T {
        try connection.withLock { connection in
            if connection.tablesPending, !tablesPendingAllowed {
                try Self.migrate(connection.session, holdsLedger: false)
                connection.tablesPending = false
            }
            return try body(connection)
        }
    }
}
