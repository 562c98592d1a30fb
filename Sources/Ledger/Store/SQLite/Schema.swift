/// The ledger's schema, as ordered migrations.
///
/// `journal.hash` carries no UNIQUE index: the chain already makes every hash distinct
/// (each one covers its predecessor), `verify` proves it, and an index over random
/// 64-character keys would make every large import rewrite pages all over a B-tree.
///
/// `charges.seq` (the entry that created the charge) is the table's rowid and `charge_id`
/// a unique key: charges are appended in `seq` order, so an import appends to the
/// table's B-tree instead of maintaining a third index.
///
/// Money columns hold integer micro-USD; times are UTC ISO 8601 text with milliseconds
/// and `Z`, which sorts in time order. Each migration creates its projection tables
/// (`chargeTables(in:)`, `usageTables(in:)`) and then the indexes its readers use
/// (`chargeIndexes(in:)`, `usageIndexes(in:)`), so that `verify` can build the same
/// tables, without those indexes, for its replay (`projectionTables(in:)`).
enum Schema {
    static var migrator: Migrator {
        var migrator = Migrator()
        migrator.register("v1: journal, runs, snapshots, top-ups, charges") { db in
            try db.execute("""
                CREATE TABLE journal (
                    seq INTEGER PRIMARY KEY NOT NULL CHECK (seq > 0),
                    kind TEXT NOT NULL,
                    entry TEXT NOT NULL,
                    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
                    hash TEXT NOT NULL CHECK (length(hash) = 64)
                ) STRICT;
                """)
            try db.execute(appendOnlyTriggers(of: "journal"))
            try db.execute(chargeTables(in: "main") + "\n" + chargeIndexes(in: "main"))
            try db.execute(appendOnlyTriggers(of: "snapshots"))
        }
        migrator.register("v2: key readings, activity days") { db in
            try db.execute(usageTables(in: "main") + "\n" + usageIndexes(in: "main"))
            // What the API said is kept as it said it, like the readings.
            for table in usageTableNames {
                try db.execute(appendOnlyTriggers(of: table))
            }
        }
        // No table changes: the journal may now hold `charge.status` entries, which a build
        // before them could not read; the name makes it refuse the ledger as a newer one.
        migrator.register(entryKindsMigration) { _ in }
        // Nor here: the journal may now hold `charge.linked` entries.
        migrator.register(linkedChargesMigration) { _ in }
        migrator.register(activityReadingsMigration) { db in try db.execute(activityReadingsIndex(in: "main")) }
        // No table changes: the journal may now hold `charge.voided` entries, and an index
        // finds the charges they voided.
        migrator.register(voidedChargesMigration) { db in try db.execute(voidedChargesIndex(in: "main")) }
        migrator.register(keptRowsMigration) { db in try db.execute(keptRowTriggers.map { $0.sql + ";" }.joined(separator: "\n")) }
        return migrator
    }

    /// The migration that marks the `charge.status` entries (in both stores).
    static let entryKindsMigration = "v4: charge.status entries"

    /// The migration that marks the `charge.linked` entries (in both stores).
    static let linkedChargesMigration = "v5: charge.linked entries"

    /// The migration that lets a day of activity be read again (in both stores): a day the
    /// API now answers otherwise is stored beside the earlier reading, which stays.
    static let activityReadingsMigration = "v6: activity days read again"

    /// The migration that marks the `charge.voided` entries (in both stores).
    static let voidedChargesMigration = "v7: charge.voided entries"

    /// The migration whose triggers refuse deleting the rows of `keptTables`.
    static let keptRowsMigration = "v8: runs, top-ups and charges never deleted"
    // v3 and v9 are PostgreSQL's own (`PostgresSchema`): the next migration of both stores is v10.

    /// Migration v7's index: the voided charges, few, which an import of charges asks for
    /// (a row repeating one is not recorded again).
    static func voidedChargesIndex(in schema: String) -> String {
        "CREATE INDEX \(schema).charges_voided ON charges (charge_id) WHERE status = 'void';"
    }

    /// Migration v6's statements in schema `schema`: one reading of a day per moment, where
    /// v2 allowed one reading of a day (`activity_days_by_date`).
    static func activityReadingsIndex(in schema: String) -> String {
        """
        DROP INDEX IF EXISTS \(schema).activity_days_by_date;
        CREATE UNIQUE INDEX \(schema).activity_days_by_reading ON activity_days (account, date, coalesce(api_key_hash, ''), observed_at);
        """
    }

    /// The projection tables that name every account the ledger holds (the others' rows
    /// belong to a row of these), with `runs` that did not end `ok`: a run that failed
    /// before storing anything is its account's news, while an import whose rows all name
    /// other accounts is not an account of its own.
    static let accountTables = ["snapshots", "topups", "charges", "key_listings", "activity_days"]

    /// Which runs name an account the ledger holds (see `accountTables`).
    static let accountRuns = "outcome IS NULL OR outcome <> 'ok'"

    /// Every table of the ledger: the journal, then the projections.
    static let ledgerTables = ["journal"] + projectionTableKeys.map(\.table)

    /// Whether `name` is one of the ledger's tables or its record of migrations: where a
    /// trigger (or rule) the ledger did not make is its business (`StoreCheck.foreign`).
    static func isLedgerTable(_ name: String) -> Bool {
        name == "schema_migrations" || ledgerTables.contains(name)
    }

    /// The tables whose rows are never changed: the journal, the readings and the usage
    /// tables (what the API said is kept as it said it). Each store guards them by triggers.
    static let appendOnlyTables = ["journal", "snapshots"] + usageTableNames

    /// The triggers that refuse changing or deleting rows of `appendOnlyTables`
    /// (migrations v1 and v2), by name, each with the statement that creates it. SQLite
    /// keeps that statement's text as it was given (`sqlite_master.sql`), so `verify`
    /// reports a trigger that is missing or that says anything else: one made again under
    /// the same name with a body that refuses nothing guards nothing.
    static let appendOnlyTriggers: [(name: String, sql: String)] = appendOnlyTables.flatMap { table in
        // The words of migration v1, which every ledger since the first build carries.
        let (subject, rows) = switch table {
        case "journal": ("the journal is", "entries")
        case "snapshots": ("snapshots are", "they")
        default: ("\(table) is", "its rows")
        }
        return [("UPDATE", "update", "changed"), ("DELETE", "delete", "deleted")].map { event, suffix, done in
            let name = "\(table)_append_only_\(suffix)"
            return (name, """
                CREATE TRIGGER \(name) BEFORE \(event) ON \(table)
                BEGIN SELECT RAISE(ABORT, '\(subject) append-only: \(rows) cannot be \(done)'); END
                """)
        }
    }

    /// The tables whose rows the ledger changes but never deletes: a run ends, a top-up moves
    /// on, a charge gets its status. Migration v8 guards them: emptied (`TRUNCATE`, which no
    /// server statistics count), the next `topup` bought every plan row again (probe 293).
    static let keptTables = ["runs", "topups", "charges"]

    /// The triggers of migration v8 that refuse deleting rows of `keptTables`, as
    /// `appendOnlyTriggers` are kept.
    static let keptRowTriggers: [(name: String, sql: String)] = keptTables.map { table in
        let name = "\(table)_kept_delete"
        return (name, """
            CREATE TRIGGER \(name) BEFORE DELETE ON \(table)
            BEGIN SELECT RAISE(ABORT, '\(table) rows are never deleted: the ledger only adds and updates them'); END
            """)
    }

    /// The tables triggers guard in a ledger that applied every migration but `unapplied`:
    /// the append-only ones, and `keptTables` once migration v8 is applied.
    static func guardedTables(without unapplied: [String]) -> [String] {
        appendOnlyTables + (unapplied.contains(keptRowsMigration) ? [] : keptTables)
    }

    /// The guarding triggers of a ledger that applied every migration but `unapplied`.
    static func guardTriggers(without unapplied: [String]) -> [(name: String, sql: String)] {
        appendOnlyTriggers + (unapplied.contains(keptRowsMigration) ? [] : keptRowTriggers)
    }

    /// The statements that create `table`'s append-only triggers.
    private static func appendOnlyTriggers(of table: String) -> String {
        appendOnlyTriggers.filter { $0.name.hasPrefix(table + "_append_only_") }.map { $0.sql + ";" }.joined(separator: "\n")
    }

    /// The tables of migration v2, append-only like `snapshots`.
    static let usageTableNames = ["key_listings", "key_readings", "activity_days", "activity_rows"]

    /// The highest entry number the projection rows of schema `schema` carry, 0 for none:
    /// each row's key (or the entry that last changed a top-up) is the number of an entry,
    /// so none is above the journal's head unless entries were cut from its end and their
    /// rows left behind. Each by its table's primary key or unique index, but a top-up's
    /// last change (a table of plan rows).
    static func newestRowSeq(in schema: String) -> String {
        let columns = [("runs", "id"), ("snapshots", "id"), ("charges", "seq"), ("topups", "id"), ("topups", "updated_seq"),
                       ("key_listings", "id"), ("activity_days", "id")]
        return "SELECT COALESCE(max(s), 0) FROM ("
            + columns.map { "SELECT max(\($0.1)) AS s FROM \(schema).\($0.0)" }.joined(separator: " UNION ALL ") + ") AS newest"
    }

    /// Projection tables and their keys (one column or several), in the order a replay
    /// compares them.
    static let projectionTableKeys: [(table: String, key: [String])] = [
        ("runs", ["id"]), ("snapshots", ["id"]), ("topups", ["key"]), ("charges", ["charge_id"]),
        ("key_listings", ["id"]), ("key_readings", ["listing_id", "key_hash"]),
        ("activity_days", ["id"]), ("activity_rows", ["day_id", "line"]),
    ]

    /// Every projection table in schema `schema` without the readers' indexes and without
    /// foreign keys: what `verify` replays into (the projections write and look up rows by
    /// key only, the comparison walks the keys, and the replay checks the runs rows name
    /// itself, `RunReferenceCheck`).
    static func projectionTables(in schema: String) -> String {
        withoutReferences(chargeTables(in: schema) + "\n" + usageTables(in: schema)) + "\n" + activityReadingsIndex(in: schema)
    }

    /// `sql` without the `REFERENCES table(column)` clauses of its foreign keys, in either
    /// store's spelling (`runs(id)`, `credit_recon.runs (id)`).
    static func withoutReferences(_ sql: String) -> String {
        var rest = Substring(sql)
        var kept = ""
        while let clause = rest.firstRange(of: " REFERENCES "), let end = rest[clause.upperBound...].firstIndex(of: ")") {
            kept += rest[..<clause.lowerBound]
            rest = rest[rest.index(after: end)...]
        }
        return kept + rest
    }

    /// The indexes the readers of migration v1's tables use; none is unique (the tables
    /// carry their own constraints).
    static func chargeIndexes(in schema: String) -> String {
        """
        CREATE INDEX \(schema).topups_by_reference ON topups (account, reference);
        CREATE INDEX \(schema).topups_by_state ON topups (state);
        CREATE INDEX \(schema).charges_by_created ON charges (account, created_at);
        """
    }

    /// The indexes the readers of migration v2's tables use; none is unique.
    static func usageIndexes(in schema: String) -> String {
        """
        CREATE INDEX \(schema).key_readings_by_key ON key_readings (account, key_hash, observed_at);
        CREATE INDEX \(schema).activity_rows_by_date ON activity_rows (account, date);
        """
    }

    /// The tables of migration v1: runs, readings, top-ups, charges.
    static func chargeTables(in schema: String) -> String {
        """
        CREATE TABLE \(schema).runs (
            id INTEGER PRIMARY KEY NOT NULL,
            account TEXT NOT NULL,
            command TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT,
            exit_code INTEGER,
            summary TEXT
        ) STRICT;
        CREATE TABLE \(schema).snapshots (
            id INTEGER PRIMARY KEY NOT NULL,
            account TEXT NOT NULL,
            observed_at TEXT NOT NULL,
            total_credits INTEGER NOT NULL,
            total_usage INTEGER NOT NULL,
            source TEXT NOT NULL,
            origin TEXT,
            raw_body TEXT,
            run_id INTEGER REFERENCES runs(id),
            UNIQUE (account, observed_at)
        ) STRICT;
        CREATE TABLE \(schema).topups (
            key TEXT PRIMARY KEY NOT NULL,
            id INTEGER NOT NULL UNIQUE,
            account TEXT NOT NULL,
            batch TEXT NOT NULL,
            reference TEXT,
            wallet TEXT NOT NULL,
            chain_id INTEGER NOT NULL,
            amount INTEGER NOT NULL CHECK (amount > 0),
            memo TEXT,
            plan_file TEXT NOT NULL,
            plan_line INTEGER NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            charge_id TEXT,
            http_status INTEGER,
            error TEXT,
            updated_seq INTEGER NOT NULL,
            run_id INTEGER REFERENCES runs(id)
        ) STRICT;
        CREATE TABLE \(schema).charges (
            charge_id TEXT NOT NULL UNIQUE,
            seq INTEGER PRIMARY KEY NOT NULL,
            account TEXT NOT NULL,
            origin TEXT NOT NULL,
            topup_key TEXT REFERENCES topups(key),
            reference TEXT,
            wallet TEXT,
            chain_id INTEGER,
            amount INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT,
            status TEXT,
            paid_at TEXT,
            memo TEXT,
            call_data TEXT,
            raw_body TEXT,
            source TEXT,
            run_id INTEGER REFERENCES runs(id)
        ) STRICT;
        """
    }

    /// The tables of migration v2: every `GET /keys` listing (`key_listings`) with a row
    /// per key (`key_readings`), and every stored day of `GET /activity`
    /// (`activity_days`, one per account and day until migration v6 lets a day be read
    /// again) with its rows (`activity_rows`).
    /// `disabled` is 0 or 1 (NULL when the API did not say); `key_limit` is NULL for a key
    /// without a limit.
    static func usageTables(in schema: String) -> String {
        """
        CREATE TABLE \(schema).key_listings (
            id INTEGER PRIMARY KEY NOT NULL,
            account TEXT NOT NULL,
            observed_at TEXT NOT NULL,
            key_count INTEGER NOT NULL,
            page_count INTEGER NOT NULL,
            run_id INTEGER REFERENCES runs(id),
            UNIQUE (account, observed_at)
        ) STRICT;
        CREATE TABLE \(schema).key_readings (
            listing_id INTEGER NOT NULL REFERENCES key_listings(id),
            key_hash TEXT NOT NULL,
            account TEXT NOT NULL,
            observed_at TEXT NOT NULL,
            name TEXT,
            label TEXT,
            disabled INTEGER CHECK (disabled IN (0, 1)),
            usage INTEGER NOT NULL,
            byok_usage INTEGER,
            key_limit INTEGER,
            limit_remaining INTEGER,
            limit_reset TEXT,
            created_at TEXT,
            PRIMARY KEY (listing_id, key_hash)
        ) STRICT;
        CREATE TABLE \(schema).activity_days (
            id INTEGER PRIMARY KEY NOT NULL,
            account TEXT NOT NULL,
            date TEXT NOT NULL,
            api_key_hash TEXT,
            observed_at TEXT NOT NULL,
            line_count INTEGER NOT NULL,
            raw_body TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id)
        ) STRICT;
        CREATE UNIQUE INDEX \(schema).activity_days_by_date ON activity_days (account, date, coalesce(api_key_hash, ''));
        CREATE TABLE \(schema).activity_rows (
            day_id INTEGER NOT NULL REFERENCES activity_days(id),
            line INTEGER NOT NULL,
            account TEXT NOT NULL,
            date TEXT NOT NULL,
            model TEXT NOT NULL,
            model_permaslug TEXT,
            endpoint_id TEXT,
            provider TEXT,
            usage INTEGER NOT NULL,
            byok_usage INTEGER,
            requests INTEGER,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            reasoning_tokens INTEGER,
            cached_tokens INTEGER,
            PRIMARY KEY (day_id, line)
        ) STRICT;
        """
    }
}
