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
/// and `Z`, which sorts in time order. The projection tables are created by
/// `projectionTables(in:)` so that `verify` can build the same tables for its replay.
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
                CREATE TRIGGER journal_append_only_update BEFORE UPDATE ON journal
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only: entries cannot be changed'); END;
                CREATE TRIGGER journal_append_only_delete BEFORE DELETE ON journal
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only: entries cannot be deleted'); END;
                """)
            try db.execute(projectionTables(in: "main"))
            try db.execute("""
                CREATE TRIGGER snapshots_append_only_update BEFORE UPDATE ON snapshots
                BEGIN SELECT RAISE(ABORT, 'snapshots are append-only: they cannot be changed'); END;
                CREATE TRIGGER snapshots_append_only_delete BEFORE DELETE ON snapshots
                BEGIN SELECT RAISE(ABORT, 'snapshots are append-only: they cannot be deleted'); END;
                """)
        }
        return migrator
    }

    /// Projection tables, in the order a replay compares them.
    static let projectionTableKeys: [(table: String, key: String)] = [
        ("runs", "id"), ("snapshots", "id"), ("topups", "key"), ("charges", "charge_id"),
    ]

    /// The projection tables in schema `schema` (`main`, or the replay's).
    static func projectionTables(in schema: String) -> String {
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
        CREATE INDEX \(schema).topups_by_reference ON topups (account, reference);
        CREATE INDEX \(schema).topups_by_state ON topups (state);
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
        CREATE INDEX \(schema).charges_by_created ON charges (account, created_at);
        """
    }
}
