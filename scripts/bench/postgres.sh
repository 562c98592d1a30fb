# The PostgreSQL cases of `make bench`, sourced by scripts/bench.sh (its `timed`, `median`,
# `ratio`, `row`, `verdict`, `progress`, `$CR`, `$SNAPS`, `$CHARGES`, `$ROWS`, `$RUNS`,
# `$work`). A throwaway server of its own (scripts/throwaway-postgres.sh), stopped when its
# cases are done (or by the script's watchdog when the bench dies); every reference runs on
# that same server, with `psql`.
postgres_cases() {
    progress "PostgreSQL: starting a throwaway server"
    local line
    line=$(scripts/throwaway-postgres.sh $$)
    read -r PG_PORT PG_PASSWORD PG_FOLDER PG_BIN <<<"$line"
    export PGPASSWORD="$PG_PASSWORD" PGOPTIONS="-c client_min_messages=warning"
    local psql=("$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres)
    pg() { "${psql[@]}" "$@"; }
    pg_url() { echo "postgresql://postgres@127.0.0.1:$PG_PORT/$1?sslmode=disable"; }
    fresh_db() { pg -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; }

    # import snapshots into an empty PostgreSQL ledger vs \copy into a plain three-column table.
    progress "PostgreSQL: import snapshots"
    local ours=() refs=() o r x
    for _ in $(seq "$RUNS"); do
        fresh_db books
        timed "$CR" --ledger "$(pg_url books)" import snapshots "$SNAPS"; ours+=("$ELAPSED")
        fresh_db ref
        pg -d ref -c "CREATE TABLE t (observed_at text, total_credits text, total_usage text)"
        timed "${psql[@]}" -d ref -c "\\copy t FROM '$SNAPS' CSV HEADER"; refs+=("$ELAPSED")
    done
    o=$(median "${ours[@]}"); r=$(median "${refs[@]}"); x=$(ratio "$o" "$r")
    row "pg: import snapshots ${ROWS} rows (empty)" "${o}s" "${r}s" "${x}x" "<= 2.0x" "$(verdict "$x" le 2.0)"
    # Context: psql's \copy of the very rows the ledger stores (its journal and readings, in
    # tables with the same keys and checks), which bounds how close an import can get.
    pg -d books -c "\\copy (SELECT * FROM credit_recon.journal) TO '$work/journal.csv' CSV" \
        -c "\\copy (SELECT * FROM credit_recon.snapshots) TO '$work/snapshots.csv' CSV"
    fresh_db floor
    "$PG_BIN/pg_dump" -h 127.0.0.1 -p "$PG_PORT" -U postgres -s -n credit_recon books | pg -d floor >/dev/null
    timed "${psql[@]}" -d floor -c "SET session_replication_role = replica" \
        -c "\\copy credit_recon.journal FROM '$work/journal.csv' CSV" -c "\\copy credit_recon.snapshots FROM '$work/snapshots.csv' CSV"
    row "  vs psql copying the ledger's rows" "${o}s" "${ELAPSED}s" "$(ratio "$o" "$ELAPSED")x" "(context)" ""
    rm -f "$work/journal.csv" "$work/snapshots.csv"
    pg -d postgres -c "DROP DATABASE floor" >/dev/null  # or autovacuum would visit its 1M rows during later cases
    # The cases below run once each: a checkpoint before each, so none of them pays for
    # writing out the dirty pages the cases before it left.
    pg -d postgres -c "CHECKPOINT" >/dev/null

    # The books the other cases read: ROWS charges, then ROWS readings into them.
    progress "PostgreSQL: import charges, then snapshots into the ledger with entries"
    fresh_db books
    timed "$CR" --ledger "$(pg_url books)" import charges "$CHARGES"
    row "pg: import charges ${ROWS} rows (empty, 1 run)" "${ELAPSED}s" "" "" "(figure)" ""
    pg -d postgres -c "CHECKPOINT" >/dev/null
    timed "$CR" --ledger "$(pg_url books)" import snapshots "$SNAPS"
    row "pg: import snapshots (ledger with entries, 1 run)" "${ELAPSED}s" "" "" "(figure)" ""

    # An import into books that already hold a few readings (a backfill after the first
    # fetches): each batch asks which of its rows the ledger holds, while the statistics
    # still describe a table of two readings. A figure.
    progress "PostgreSQL: import snapshots into a ledger holding two readings"
    fresh_db held
    { head -n 1 "$SNAPS"; sed -n '2,3p' "$SNAPS" | sed 's/^2014-/2013-/'; } >"$work/two-readings.csv"
    "$CR" --ledger "$(pg_url held)" import snapshots "$work/two-readings.csv" >/dev/null
    pg -d held -c "ANALYZE" -c "CHECKPOINT" >/dev/null
    timed "$CR" --ledger "$(pg_url held)" import snapshots "$SNAPS"
    row "pg: import snapshots (ledger with 2 readings, 1 run)" "${ELAPSED}s" "" "" "(figure)" ""
    pg -d postgres -c "DROP DATABASE held" >/dev/null

    # report --period month vs psql computing the same monthly figures from plain tables.
    progress "PostgreSQL: report"
    fresh_db ref
    pg -d ref -c "CREATE TABLE snaps (observed_at text, total_credits text, total_usage text)" \
        -c "\\copy snaps FROM '$SNAPS' CSV HEADER" \
        -c "CREATE TABLE charges (charge_id text, amount text, wallet text, chain_id text, created_at text, expires_at text, reference text, status text, paid_at text, memo text)" \
        -c "\\copy charges FROM '$CHARGES' CSV HEADER" -c "VACUUM ANALYZE" >/dev/null
    # The ledger's tables are vacuumed too, like the reference's: otherwise autovacuum's
    # pass over the 2M freshly imported entries (about 50 s on this machine) runs on the same
    # two cores as some of the timed reports and not as others.
    pg -d books -c "VACUUM ANALYZE" >/dev/null
    pg -d postgres -c "CHECKPOINT" >/dev/null  # the pages both vacuums dirtied, written before the clock starts
    cat >"$work/report-pg.sql" <<'SQL'
WITH s AS (
    SELECT observed_at AS t, round(total_credits::numeric * 1000000)::bigint AS c,
           round(total_usage::numeric * 1000000)::bigint AS u
    FROM snaps),
d AS (
    SELECT t, c - u AS bal, c - lag(c) OVER w AS dc, u - lag(u) OVER w AS du, row_number() OVER w AS n
    FROM s WINDOW w AS (ORDER BY t)),
m AS (
    SELECT substr(t, 1, 7) AS month, sum(greatest(coalesce(dc, 0), 0)) AS purchased,
           sum(greatest(coalesce(du, 0), 0)) AS used, max(CASE WHEN n = 1 THEN bal END) AS first_bal
    FROM d GROUP BY 1),
ch AS (
    SELECT substr(created_at, 1, 7) AS month, count(*) AS created,
           sum(round(amount::numeric * 1000000)::bigint) AS created_amount, sum((status = 'paid')::int) AS settled
    FROM charges GROUP BY 1)
SELECT m.month, m.purchased, m.used,
       max(first_bal) OVER () + sum(m.purchased - m.used) OVER (ORDER BY m.month) AS closing,
       ch.created, ch.created_amount, ch.settled
FROM m LEFT JOIN ch USING (month) ORDER BY m.month;
SQL
    ours=(); refs=()
    for _ in $(seq "$RUNS"); do
        rm -rf "$work/reports-pg"; sync  # as the SQLite report's case does
        ALLOWED_STATUS=1 timed "$CR" --ledger "$(pg_url books)" report --period month --out "$work/reports-pg"; ours+=("$ELAPSED")
        timed "${psql[@]}" -d ref -f "$work/report-pg.sql"; refs+=("$ELAPSED")
    done
    o=$(median "${ours[@]}"); r=$(median "${refs[@]}"); x=$(ratio "$o" "$r")
    row "pg: report --period month (${ROWS} snaps+charges)" "${o}s" "${r}s" "${x}x" "<= 2.0x" "$(verdict "$x" le 2.0)"

    # verify: a figure, beside psql hashing what the chain hashes.
    progress "PostgreSQL: verify"
    local entries
    entries=$(pg -d books -c "SELECT count(*) FROM credit_recon.journal")
    ours=(); refs=()
    for _ in $(seq "$RUNS"); do
        timed "$CR" --ledger "$(pg_url books)" verify; ours+=("$ELAPSED")
        timed sh -c "${psql[*]} -d books -c 'SELECT prev_hash || entry FROM credit_recon.journal ORDER BY seq' | sha256sum"
        refs+=("$ELAPSED")
    done
    o=$(median "${ours[@]}"); r=$(median "${refs[@]}"); x=$(ratio "$o" "$r")
    row "pg: verify ${entries}-entry ledger" "${o}s" "${r}s" "${x}x" "(figure)" ""
    scripts/throwaway-postgres.sh --stop "$PG_FOLDER"
}
