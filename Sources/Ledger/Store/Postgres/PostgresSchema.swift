/// The ledger's schema in PostgreSQL: the tables of the SQLite store (`Schema`) in
/// PostgreSQL terms, in a schema of their own (`credit_recon`) so they never meet other
/// tables of the database. Integers (micro-USD, sequence numbers) are `BIGINT`; times the
/// same UTC ISO 8601 text; every text column compares bytes (`COLLATE "C"`, as SQLite's
/// `BINARY`), so rows come back in the same order from either store.
///
/// Migrations are recorded by name in `credit_recon.schema_migrations`, v1, v2 and v4 to v8 with
/// the SQLite store's names (v3 and v9 are indexes of PostgreSQL's own); the journal and the
/// readings are append-only by triggers, and rows of runs, top-ups and charges never deleted.
enum PostgresSchema {
    /// The schema holding the ledger's tables.
    static let schema = "credit_recon"

    /// An entry's time, read from its text: every entry begins `{"account":"…","at":"…"`
    /// (canonical key order; a quote inside the account is escaped, so the first
    /// `","at":"` ends it), and times are written the one way the journal writes them, so
    /// the newest sorts last as bytes. Migration v3 indexes it, and the newest journal
    /// time is read off that index with this very expression.
    static let entryTime = #"split_part(substr(entry, position('","at":"' IN entry) + 8, 40), '"', 1) COLLATE "C""#

    /// The migration that indexes the journal's times (`entryTime`): PostgreSQL's own, a
    /// SQLite ledger has none.
    static let journalTimesMigration = "v3: the journal's times, indexed"

    /// The migration that indexes each account's charges in the order `charges(account:)`
    /// reads them, `created_at` then `seq`: v1's index ends with `charge_id`, so every
    /// report sorted the charges of each moment again. PostgreSQL's own: SQLite's index of
    /// `(account, created_at)` holds equal keys in rowid (`seq`) order already.
    static let chargesByTimeMigration = "v9: charges by time, then sequence"

    /// Named migrations, in order (the names are the SQLite store's, but v3's and v9's), each
    /// a list of statements.
    static let migrations = migrations(in: schema)

    /// The migrations making the ledger's tables in schema `schema` (`pg_temp`, for `verify`
    /// to compare the ledger's with what they make).
    static func migrations(in schema: String) -> [(name: String, statements: [String])] { [
        ("v1: journal, runs, snapshots, top-ups, charges", ["""
            CREATE FUNCTION \(schema).refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$\(refuseChangeBody)$$
            """, journalTable(in: schema),
            """
            CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON \(schema).journal FOR EACH ROW
                EXECUTE FUNCTION \(schema).refuse_change('the journal is append-only: entries cannot be changed or deleted')
            """,
            """
            CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON \(schema).journal FOR EACH STATEMENT
                EXECUTE FUNCTION \(schema).refuse_change('the journal is append-only: it cannot be truncated')
            """] + chargeTables(in: schema) + chargeIndexes(in: schema) + ["""
            CREATE TRIGGER snapshots_append_only BEFORE UPDATE OR DELETE ON \(schema).snapshots FOR EACH ROW
                EXECUTE FUNCTION \(schema).refuse_change('snapshots are append-only: they cannot be changed or deleted')
            """,
            """
            CREATE TRIGGER snapshots_no_truncate BEFORE TRUNCATE ON \(schema).snapshots FOR EACH STATEMENT
                EXECUTE FUNCTION \(schema).refuse_change('snapshots are append-only: they cannot be truncated')
            """]),
        ("v2: key readings, activity days", usageTables(in: schema) + usageIndexes(in: schema) + Schema.usageTableNames.flatMap { table in [
            """
            CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(schema).\(table) FOR EACH ROW
                EXECUTE FUNCTION \(schema).refuse_change('\(table) is append-only: its rows cannot be changed or deleted')
            """,
            """
            CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(schema).\(table) FOR EACH STATEMENT
                EXECUTE FUNCTION \(schema).refuse_change('\(table) is append-only: it cannot be truncated')
            """,
        ] }),
        // `report` is as of the newest entry's time; without the index it read every entry.
        (journalTimesMigration, ["CREATE INDEX journal_by_time ON \(schema).journal ((\(entryTime)))"]),
        (Schema.entryKindsMigration, []),
        (Schema.linkedChargesMigration, []),
        (Schema.activityReadingsMigration, activityReadingsIndex(in: schema)),
        (Schema.voidedChargesMigration, ["CREATE INDEX charges_voided ON \(schema).charges (charge_id) WHERE status = 'void'"]),
        (Schema.keptRowsMigration, Schema.keptTables.flatMap { table in [
            """
            CREATE TRIGGER \(table)_kept_delete BEFORE DELETE ON \(schema).\(table) FOR EACH ROW
                EXECUTE FUNCTION \(schema).refuse_change('\(table) rows are never deleted: the ledger only adds and updates them')
            """,
            """
            CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(schema).\(table) FOR EACH STATEMENT
                EXECUTE FUNCTION \(schema).refuse_change('\(table) cannot be truncated: its rows are never deleted')
            """,
        ] }),
        (chargesByTimeMigration, [
            "DROP INDEX IF EXISTS \(schema).charges_by_created",
            "CREATE INDEX charges_by_time ON \(schema).charges (account, created_at, seq)",
        ]),
    ] }

    /// The guarding triggers of a ledger that applied every migration but `unapplied`, as
    /// `pg_trigger` names them: those that keep `Schema.appendOnlyTables` append-only, and
    /// migration v8's, which refuse deleting rows of `Schema.keptTables`; `verify` reports
    /// any that is missing, changed or disabled.
    static func guardTriggers(without unapplied: [String]) -> [String] {
        Schema.guardedTables(without: unapplied).flatMap { table in
            [Schema.keptTables.contains(table) ? "\(table)_kept_delete" : "\(table)_append_only", "\(table)_no_truncate"]
        }
    }

    /// The body of `refuse_change()`, the function every append-only trigger runs; `check`
    /// compares the stored one with it.
    static let refuseChangeBody = "\nBEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END "

    /// Every projection table in `schema` (`pg_temp`, for `verify`'s replay), column for
    /// column as the SQLite store's, so a replay compares them whole; without the readers'
    /// indexes and foreign keys, as `verify` replays into them (`Schema.projectionTables(in:)`).
    static func projectionTables(in schema: String) -> [String] {
        (chargeTables(in: schema) + usageTables(in: schema)).map(Schema.withoutReferences) + activityReadingsIndex(in: schema)
    }

    /// Migration v6's statements (`Schema.activityReadingsIndex(in:)`).
    static func activityReadingsIndex(in schema: String) -> [String] {
        [
            "DROP INDEX IF EXISTS \(schema).activity_days_by_date",
            """
            CREATE UNIQUE INDEX activity_days_by_reading ON \(schema).activity_days
                (account, date, (coalesce(api_key_hash, '')), observed_at)
            """,
        ]
    }

    /// Migration v1's journal in schema `schema` (`verify` makes one in `pg_temp` to
    /// compare the ledger's columns with).
    static func journalTable(in schema: String) -> String {
        """
        CREATE TABLE \(schema).journal (
            seq BIGINT PRIMARY KEY CHECK (seq > 0),
            kind TEXT COLLATE "C" NOT NULL,
            entry TEXT COLLATE "C" NOT NULL,
            prev_hash TEXT COLLATE "C" NOT NULL CHECK (length(prev_hash) = 64),
            hash TEXT COLLATE "C" NOT NULL CHECK (length(hash) = 64)
        )
        """
    }

    /// The indexes the readers of migration v1's tables use (`Schema.chargeIndexes(in:)`).
    static func chargeIndexes(in schema: String) -> [String] {
        [
            "CREATE INDEX topups_by_reference ON \(schema).topups (account, reference)",
            "CREATE INDEX topups_by_state ON \(schema).topups (state)",
            "CREATE INDEX charges_by_created ON \(schema).charges (account, created_at, charge_id)",
        ]
    }

    /// The indexes the readers of migration v2's tables use (`Schema.usageIndexes(in:)`).
    static func usageIndexes(in schema: String) -> [String] {
        [
            "CREATE INDEX key_readings_by_key ON \(schema).key_readings (account, key_hash, observed_at)",
            "CREATE INDEX activity_rows_by_date ON \(schema).activity_rows (account, date)",
        ]
    }

    /// The tables of migration v1 (`Schema.chargeTables(in:)`).
    static func chargeTables(in schema: String) -> [String] {
        let text = "TEXT COLLATE \"C\""
        return ["""
            CREATE TABLE \(schema).runs (
                id BIGINT PRIMARY KEY,
                account \(text) NOT NULL,
                command \(text) NOT NULL,
                started_at \(text) NOT NULL,
                finished_at \(text),
                outcome \(text),
                exit_code BIGINT,
                summary \(text)
            )
            """, """
            CREATE TABLE \(schema).snapshots (
                id BIGINT PRIMARY KEY,
                account \(text) NOT NULL,
                observed_at \(text) NOT NULL,
                total_credits BIGINT NOT NULL,
                total_usage BIGINT NOT NULL,
                source \(text) NOT NULL,
                origin \(text),
                raw_body \(text),
                run_id BIGINT REFERENCES \(schema).runs (id),
                UNIQUE (account, observed_at)
            )
            """, """
            CREATE TABLE \(schema).topups (
                key \(text) PRIMARY KEY,
                id BIGINT NOT NULL UNIQUE,
                account \(text) NOT NULL,
                batch \(text) NOT NULL,
                reference \(text),
                wallet \(text) NOT NULL,
                chain_id BIGINT NOT NULL,
                amount BIGINT NOT NULL CHECK (amount > 0),
                memo \(text),
                plan_file \(text) NOT NULL,
                plan_line BIGINT NOT NULL,
                state \(text) NOT NULL,
                attempts BIGINT NOT NULL,
                charge_id \(text),
                http_status BIGINT,
                error \(text),
                updated_seq BIGINT NOT NULL,
                run_id BIGINT REFERENCES \(schema).runs (id)
            )
            """, """
            CREATE TABLE \(schema).charges (
                charge_id \(text) NOT NULL UNIQUE,
                seq BIGINT PRIMARY KEY,
                account \(text) NOT NULL,
                origin \(text) NOT NULL,
                topup_key \(text) REFERENCES \(schema).topups (key),
                reference \(text),
                wallet \(text),
                chain_id BIGINT,
                amount BIGINT NOT NULL,
                created_at \(text) NOT NULL,
                expires_at \(text),
                status \(text),
                paid_at \(text),
                memo \(text),
                call_data \(text),
                raw_body \(text),
                source \(text),
                run_id BIGINT REFERENCES \(schema).runs (id)
            )
            """]
    }

    /// The tables of migration v2 (`Schema.usageTables(in:)`).
    static func usageTables(in schema: String) -> [String] {
        let text = "TEXT COLLATE \"C\""
        return ["""
            CREATE TABLE \(schema).key_listings (
                id BIGINT PRIMARY KEY,
                account \(text) NOT NULL,
                observed_at \(text) NOT NULL,
                key_count BIGINT NOT NULL,
                page_count BIGINT NOT NULL,
                run_id BIGINT REFERENCES \(schema).runs (id),
                UNIQUE (account, observed_at)
            )
            """, """
            CREATE TABLE \(schema).key_readings (
                listing_id BIGINT NOT NULL REFERENCES \(schema).key_listings (id),
                key_hash \(text) NOT NULL,
                account \(text) NOT NULL,
                observed_at \(text) NOT NULL,
                name \(text),
                label \(text),
                disabled BIGINT CHECK (disabled IN (0, 1)),
                usage BIGINT NOT NULL,
                byok_usage BIGINT,
                key_limit BIGINT,
                limit_remaining BIGINT,
                limit_reset \(text),
                created_at \(text),
                PRIMARY KEY (listing_id, key_hash)
            )
            """, """
            CREATE TABLE \(schema).activity_days (
                id BIGINT PRIMARY KEY,
                account \(text) NOT NULL,
                date \(text) NOT NULL,
                api_key_hash \(text),
                observed_at \(text) NOT NULL,
                line_count BIGINT NOT NULL,
                raw_body \(text) NOT NULL,
                run_id BIGINT REFERENCES \(schema).runs (id)
            )
            """, """
            CREATE UNIQUE INDEX activity_days_by_date ON \(schema).activity_days (account, date, (coalesce(api_key_hash, '')))
            """, """
            CREATE TABLE \(schema).activity_rows (
                day_id BIGINT NOT NULL REFERENCES \(schema).activity_days (id),
                line BIGINT NOT NULL,
                account \(text) NOT NULL,
                date \(text) NOT NULL,
                model \(text) NOT NULL,
                model_permaslug \(text),
                endpoint_id \(text),
                provider \(text),
                usage BIGINT NOT NULL,
                byok_usage BIGINT,
                requests BIGINT,
                prompt_tokens BIGINT,
                completion_tokens BIGINT,
                reasoning_tokens BIGINT,
                cached_tokens BIGINT,
                PRIMARY KEY (day_id, line)
            )
            """]
    }
}
