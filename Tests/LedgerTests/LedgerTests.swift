import CSQLite
import CreditTypes
import Foundation
import Testing
@testable import Ledger

@Suite("SQLite store: the file, its settings, migrations and statements")
struct LedgerTests {
    @Test func newLedgerIsPrivateAndConfigured() throws {
        let temp = try TemporaryLedger()
        let mode = try FileManager.default.attributesOfItem(atPath: temp.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let db = try temp.raw()
        #expect(try db.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try db.scalarInt("PRAGMA synchronous") == 2)  // FULL
        #expect(try temp.ledger.headHash() == JournalEntry.genesisHash)
    }

    /// A ledger file removed (or replaced by a restore) while a command has it open: the
    /// next write is refused (74) instead of committed into a file no later command opens,
    /// where a top-up reported its charges created and the next run sent them again.
    @Test(arguments: [false, true]) func aWriteIntoALedgerRemovedMeanwhileIsRefused(replaced: Bool) throws {
        let temp = try TemporaryLedger()
        let run = Fact.runStarted(RunStarted(command: "topup"))
        _ = try temp.ledger.write { try $0.append(run, account: "a", runID: nil, at: t0) }
        let kept = try Data(contentsOf: URL(fileURLWithPath: temp.path))
        try FileManager.default.removeItem(atPath: temp.path)
        if replaced { try kept.write(to: URL(fileURLWithPath: temp.path)) }
        let error = #expect(throws: LedgerError.self) {
            _ = try temp.ledger.write { try $0.append(run, account: "a", runID: nil, at: t0) }
        }
        guard case .io(let path, let detail)? = error else {
            Issue.record("not an I/O refusal: \(String(describing: error))")
            return
        }
        #expect(path == temp.path)
        #expect(detail == "the file was removed or replaced while this command ran, so this write was not kept")
    }

    /// A replay the database cannot write for reasons of its own is no finding about the
    /// journal: `verify` fails with the database's error instead of naming a sound entry
    /// as one that "cannot be replayed". (Here the connection allows too few statement
    /// parameters for the replay's inserts, a failure that is neither the journal's nor a
    /// constraint's; on a real machine, a full temporary folder. A row a constraint
    /// refuses is still the entry's fault: `StoreConformanceTests`.)
    @Test func aReplayTheDatabaseCannotWriteIsAnErrorNotAFinding() throws {
        let temp = try TemporaryLedger()
        try temp.ledger.write { try $0.append(contentsOf: StoreConformanceTests.bulk(3000), runID: nil, at: t0) { $0 } }
        #expect(try temp.ledger.verify().isSound)
        guard let store = temp.ledger.store as? SQLiteStore else {
            Issue.record("not a SQLite store")
            return
        }
        try store.withConnection { _ = sqlite3_limit($0.db.handle, SQLITE_LIMIT_VARIABLE_NUMBER, 4) }
        let error = #expect(throws: LedgerError.self) { _ = try temp.ledger.verify() }
        #expect(String(describing: error).contains("too many SQL variables"), "\(String(describing: error))")
        try store.withConnection { _ = sqlite3_limit($0.db.handle, SQLITE_LIMIT_VARIABLE_NUMBER, 32766) }
        #expect(try temp.ledger.verify().isSound, "the ledger was only read")
    }

    /// A failed batch INSERT (out of memory under `ulimit -v`) is quoted by its start: the
    /// whole statement, thousands of placeholders, made a 30 KB message (probe 54).
    @Test func aFailedStatementIsQuotedByItsStart() {
        let sql = "INSERT INTO journal (seq, kind, entry, prev_hash, hash) VALUES " + String(repeating: "(?, ?, ?, ?, ?), ", count: 4096)
        let text = SQLiteError(code: SQLITE_NOMEM, message: "out of memory", sql: sql).description
        #expect(text == "SQLite error 7: out of memory — in `\(sql.prefix(SQLiteError.sqlShown))…`")
        #expect(SQLiteError(code: SQLITE_ERROR, message: "no", sql: "SELECT 1").description == "SQLite error 1: no — in `SELECT 1`")
    }

    /// The replay fills SQLite's temporary folder (the only thing `verify` writes): the
    /// error names that folder and what to do, not the ledger's disk, and is a ledger I/O
    /// error (74), not a finding.
    @Test func aFullScratchFolderIsNamedAsSuch() throws {
        let temp = try TemporaryLedger()
        let store = try SQLiteStore(path: temp.path, create: false)
        for full in [SQLiteError(code: SQLITE_FULL, message: "database or disk is full"),
                     SQLiteError(code: SQLITE_IOERR, extendedCode: SQLITE_IOERR | (3 << 8), message: "disk I/O error", systemErrno: EFBIG)] {
            let error = #expect(throws: LedgerError.self) {
                _ = try store.readReplaying { _ -> Int in throw full }
            }
            guard case .scratchFull(let path, let reason, .sqliteTemporaryFolder)? = error else {
                Issue.record("not scratchFull: \(String(describing: error))")
                continue
            }
            #expect(path == temp.path)
            #expect(reason == full.message)
            #expect(String(describing: error!).contains("Point SQLITE_TMPDIR"))
        }
        // Anything else is what it was.
        #expect {
            _ = try store.readReplaying { _ -> Int in throw SQLiteError(code: SQLITE_ERROR, message: "near \"x\": syntax error") }
        } throws: { error in
            guard case .store(let detail)? = error as? LedgerError else { return false }
            return detail.contains("near \"x\": syntax error")
        }
    }

    /// A guard trigger made again under its own name, but refusing nothing (an empty body,
    /// or a `WHEN` that never holds), is missing to `verify`: by name alone it let rows be
    /// edited with no error while `verify` said the ledger was sound. The text a migration
    /// gave is what SQLite keeps, and every ledger since the first build carries it (the
    /// stored-format fixture verifies sound).
    @Test(arguments: [
        "CREATE TRIGGER journal_append_only_update BEFORE UPDATE ON journal BEGIN SELECT 1; END",
        """
        CREATE TRIGGER journal_append_only_update BEFORE UPDATE ON journal WHEN 0
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only: entries cannot be changed'); END
        """,
    ])
    func aTriggerMadeAgainThatNoLongerGuardsIsMissingToVerify(trigger: String) throws {
        let temp = try TemporaryLedger()
        try temp.ledger.appendAll(lifecycle())
        #expect(try temp.ledger.verify().isSound)
        try temp.raw().execute("DROP TRIGGER journal_append_only_update; " + trigger)
        try temp.raw().execute("UPDATE journal SET kind = kind WHERE seq = 1")  // no longer refused
        let report = try temp.ledger.verify()
        #expect(report.problems == ["append-only trigger journal_append_only_update missing, changed or disabled: "
            + "the journal or the readings can be changed in place"])
    }

    /// An entry whose text was written again with other spacing is said as that where the
    /// journal's newest time is read: "does not begin with its account and time" was said
    /// of one that did (probe 257).
    @Test func anEntryWrittenAgainWithOtherSpacingIsSaidSo() throws {
        let temp = try TemporaryLedger()
        try temp.ledger.appendAll(lifecycle())
        try temp.raw().execute("DROP TRIGGER journal_append_only_update")
        try temp.raw().execute(#"UPDATE journal SET entry = replace(entry, '{"account":', '{"account": ') WHERE seq = 1"#)
        #expect {
            _ = try temp.ledger.read { try $0.newestJournalTime() }
        } throws: { error in
            String(describing: error).contains("journal entry 1 is not written as credit-recon writes entries (it must begin "
                + #"{"account":…,"at":…}, with no space): its text was changed, its spacing or key order among what may be"#)
        }
    }

    @Test func migrationsRunOnceAndInOrder() throws {
        let temp = try TemporaryLedger()
        _ = try Ledger(path: temp.path)  // reopening applies nothing again
        let names = try temp.raw().statement("SELECT name FROM schema_migrations").rows { $0.text(0) }
        #expect(names == Schema.migrator.migrations.map(\.name))
    }

    /// Two processes open a ledger that needs a migration (readers open without the writer
    /// lock): the one that read the pending migrations before the other applied them skips
    /// them under the write lock, instead of failing on tables already there.
    @Test func aMigrationAppliedMeanwhileByAnotherProcessIsSkipped() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("l.sqlite").path
        let first = try Database(path: path), second = try Database(path: path)
        let stale = try Schema.migrator.pending(first)
        #expect(stale.count == Schema.migrator.migrations.count)
        try Schema.migrator.migrate(second)
        try Schema.migrator.apply(stale, to: first)
        #expect(try first.scalarInt("SELECT count(*) FROM schema_migrations") == Int64(Schema.migrator.migrations.count))
    }

    /// The migrations a ledger lacks are applied together or not at all: one that fails
    /// (the disk full, `ulimit -f`) leaves the ledger as it was, the ones before it undone,
    /// as the error says ("the write that needed the room was undone"); v7 was applied and v8 not
    /// (probe 365).
    @Test func migrationsAFailureStopsAreAllUndone() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try Database(path: folder.appendingPathComponent("l.sqlite").path)
        struct Failed: Error {}
        var migrator = Migrator()
        migrator.register("v1: a table") { try $0.execute("CREATE TABLE a (x INTEGER)") }
        migrator.register("v2: an index") { try $0.execute("CREATE INDEX a_by_x ON a (x)") }
        migrator.register("v3: fails") { _ in throw Failed() }
        #expect(throws: Failed.self) { try migrator.migrate(db) }
        #expect(try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'a_by_x')") == 0)
        #expect(try db.scalarInt("SELECT count(*) FROM schema_migrations") == 0)
    }

    @Test func ledgerFromANewerVersionIsRefused() throws {
        let temp = try TemporaryLedger()
        try temp.raw().run("INSERT INTO schema_migrations (name) VALUES ('v99: from the future')")
        #expect {
            _ = try Ledger(path: temp.path)
        } throws: { error in
            guard case LedgerError.newerSchema(let name)? = error as? LedgerError else { return false }
            return name == "v99: from the future"
        }
    }

    @Test func sqliteErrorsNameTheStatementButNotTheValues() throws {
        let temp = try TemporaryLedger()
        let db = try temp.raw()
        #expect {
            try db.run("INSERT INTO runs (id, account, command, started_at) VALUES (?, ?, ?, NULL)",
                       [.integer(1), .text("secret-value"), .text("x")])
        } throws: { error in
            guard let error = error as? SQLiteError else { return false }
            return error.isConstraint && error.description.contains("INSERT INTO runs")
                && !error.description.contains("secret-value")
        }
    }
    /// Bound texts are packed into the statement's own buffer (`Statement.bind`): each
    /// value reads back exactly, whatever its length, after a longer or shorter binding
    /// before it, and a text ends at an embedded NUL as a C string does.
    @Test func boundTextsReadBackExactlyAcrossRebinds() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (a TEXT, b INTEGER, c TEXT, d TEXT)")
        let rows: [[SQLValue]] = [
            [.text(""), .integer(1), .null, .text("short")],
            [.text(String(repeating: "é", count: 200)), .integer(-2), .text("x"), .text("")],
            [.text("a"), .integer(3), .text(String(repeating: "z", count: 300)), .text("naïve 🙂")],
            [.null, .integer(4), .text(""), .null],
        ]
        for row in rows {
            try db.run("INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)", row)
        }
        try db.run("INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)", [.text("before\0after"), .integer(5), .null, .null])
        let read = try db.statement("SELECT a, b, c, d FROM t ORDER BY rowid").rows { row in
            (0..<4).map { row.value(Int32($0)) }
        }
        #expect(read == rows + [[.text("before"), .integer(5), .null, .null]])
    }

    /// Rows are made column after column (`StatementCursor`, `ColumnReadable`): a NULL where
    /// a value must be is an error naming the column, not an empty text or a 0, and a time
    /// that is not one is an error naming the row.
    @Test func rowsAreReadColumnByColumnAndRefuseWhatTheyCannotHold() throws {
        let db = try Database(path: ":memory:")
        try db.execute(
            "CREATE TABLE key_listings (id INTEGER, account TEXT, observed_at TEXT, key_count INTEGER, page_count INTEGER, run_id INTEGER)")
        try db.run("INSERT INTO key_listings VALUES (1, 'a', ?, 2, 1, NULL)", [.text(t0.iso8601)])
        let select = "SELECT \(KeyListingRow.columns) FROM key_listings WHERE id = ?"
        #expect(try db.statement(select).first([.integer(1)], as: KeyListingRow.self)
                == KeyListingRow(id: 1, account: "a", observedAt: t0, keyCount: 2, pageCount: 1, runID: nil))

        try db.run("INSERT INTO key_listings VALUES (2, NULL, ?, 2, 1, NULL)", [.text(t0.iso8601)])
        try db.run("INSERT INTO key_listings VALUES (3, 'a', ?, NULL, 1, NULL)", [.text(t0.iso8601)])
        try db.run("INSERT INTO key_listings VALUES (4, 'a', 'yesterday', 2, 1, NULL)")
        func refusal(_ id: Int64) -> String {
            do {
                _ = try db.statement(select).first([.integer(id)], as: KeyListingRow.self)
                return "read"
            } catch {
                return "\(error)"
            }
        }
        #expect(refusal(2).contains("column account cannot be read as text (it is NULL)"), "\(refusal(2))")
        #expect(refusal(3).contains("column key_count cannot be read as an integer (it is NULL)"), "\(refusal(3))")
        #expect(refusal(4).contains("key listing 4 has an unreadable time \"yesterday\""), "\(refusal(4))")
    }
}
