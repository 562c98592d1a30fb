#!/usr/bin/env bash
# `make bench`: release build, deterministic inputs under .bench/, every
# case run several times next to its reference, and a table of medians and ratios taken in
# the same run.
#
#   BENCH_ROWS=1000000  rows in the big plan, charge export and snapshot history
#   BENCH_RUNS=5        runs per case (the median is reported; the machine may be noisy)
#   BENCH_SDK_RUNS=1    runs of the Python SDK reference (each takes ~16 s); 0 uses 16.2 s
#   BENCH_BIN=DIR       use already-built binaries in DIR instead of the release build
#   BENCH_ONLY=postgresql  only the PostgreSQL cases (a throwaway server of the bench's own)
#   BENCH_ONLY=usage       only the cases of issue 18: fetch of keys and activity, report over key readings
#
# The machine may be shared, so every figure is a median and every ratio is taken against
# a reference measured in the same run, on the same files.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${BENCH_ROWS:-1000000}"
RUNS="${BENCH_RUNS:-5}"
SDK_RUNS="${BENCH_SDK_RUNS:-1}"
SDK_MEASURED_BY_ISSUE=16.2
KEY=sim-management-key

if [ -n "${BENCH_BIN:-}" ]; then
    bin="$BENCH_BIN"
else
    # A scratch path of its own, so the bench never holds the shared debug build's lock.
    swift build -c release --product credit-recon --scratch-path .build-release >&2
    swift build -c release --product openrouter-sim --scratch-path .build-release >&2
    swift build -c release --product bench-key-readings --scratch-path .build-release >&2
    bin=.build-release/release
fi
CR="$bin/credit-recon"
SIM="$bin/openrouter-sim"
command -v sqlite3 >/dev/null || { echo "bench: the sqlite3 shell is missing (make deps installs it)" >&2; exit 1; }
if [ ! -x /usr/bin/time ]; then
    echo "bench: installing GNU time (/usr/bin/time measures each run's peak memory)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time
fi

# The input generator needs Keccak-256 (pycryptodome), kept in a virtual environment of its own.
BENCH_PY=.build/bench-venv/bin/python
if ! { [ -x "$BENCH_PY" ] && "$BENCH_PY" -c 'import Crypto.Hash.keccak' 2>/dev/null; }; then
    echo "bench: installing pycryptodome into .build/bench-venv (for the inputs' EIP-55 wallets)" >&2
    python3 -m venv .build/bench-venv
    .build/bench-venv/bin/pip install --quiet --disable-pip-version-check pycryptodome
fi
echo "generating inputs (${ROWS} rows) under .bench/ ..." >&2
"$BENCH_PY" scripts/bench/gen_inputs.py .bench "$ROWS"
PLAN=.bench/plan-$ROWS.csv
CHARGES=.bench/charges-$ROWS.csv
SNAPS=.bench/snapshots-$ROWS.csv

work="$(mktemp -d "$PWD/.bench/run.XXXXXX")"
sim_pid=""
stop_sim() {
    if [ -n "$sim_pid" ]; then kill -TERM "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
    sim_pid=""
}
cleanup() { stop_sim; rm -rf "$work"; }
trap cleanup EXIT

# timed CMD...: runs CMD, sets ELAPSED (seconds, ms resolution), CPU_S (user + system
# seconds) and RSS_MB (peak). Fails loudly.
timed() {
    local start end status=0
    # Every command starts with nothing left to write back: otherwise the previous run's
    # gigabyte of dirty pages (and the deletion of its file) is flushed during this one.
    sync
    start=$(date +%s%N)
    /usr/bin/time -f "%M %U %S" -o "$work/rss" "$@" >"$work/out" 2>"$work/err" || status=$?
    end=$(date +%s%N)
    if [ "$status" -ne 0 ] && [ "$status" -ne "${ALLOWED_STATUS:-0}" ]; then
        echo "bench: '$*' exited $status" >&2; tail -n 20 "$work/err" >&2; tail -n 5 "$work/out" >&2; exit 1
    fi
    ELAPSED=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')
    RSS_MB=$(awk 'NF == 3 && $1 ~ /^[0-9]+$/ { printf "%.1f", $1 / 1024 }' "$work/rss")
    CPU_S=$(awk 'NF == 3 && $1 ~ /^[0-9]+$/ { printf "%.3f", $2 + $3 }' "$work/rss")
}
median() { python3 scripts/bench/median.py "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

rows_out=()
# row CASE OURS REF RATIO TARGET VERDICT
row() { rows_out+=("$(printf '%-44s %9s %9s %8s  %-22s %s' "$@")"); }
verdict() { awk -v r="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == "le") ? (r <= t) : (r >= t); print ok ? "met" : "MISSED" }'; }

fresh_ref() { rm -f "$work/ref.db"; }

# floor LEDGER TABLE: the sqlite3 shell copying, in one transaction, the rows LEDGER stores
# for an import (its journal and TABLE, plus the runs they point to) into an empty file with
# the same schema and the settings a new ledger is built with (16 KB pages, rollback journal
# in memory, no fsync, foreign keys on). Sets ELAPSED. Context, not a target: what SQLite
# alone takes to store those bytes, with nothing to parse, validate or hash.
floor() {
    local db="$1" table="$2"
    rm -f "$work/floor.db"
    sqlite3 "$db" .schema >"$work/floor.sql"
    sqlite3 "$work/floor.db" "PRAGMA page_size=16384" ".read $work/floor.sql"
    timed sqlite3 "$work/floor.db" "PRAGMA journal_mode=MEMORY" "PRAGMA synchronous=OFF" \
        "PRAGMA cache_size=-65536" "PRAGMA foreign_keys=ON" "ATTACH '$db' AS src" "BEGIN" \
        "INSERT INTO runs SELECT * FROM src.runs" "INSERT INTO journal SELECT * FROM src.journal ORDER BY seq" \
        "INSERT INTO $table SELECT * FROM src.$table ORDER BY rowid" "COMMIT"
    rm -f "$work/floor.db"
}

progress() { echo "bench: $*" >&2; }

# start_sim OPTIONS...: openrouter-sim on a free port in the background; sets URL (its API root).
start_sim() {
    "$SIM" --port 0 --log-level warning "$@" >"$work/sim.out" 2>"$work/sim.err" &
    sim_pid=$!
    for _ in $(seq 1 100); do [ -s "$work/sim.out" ] && break; sleep 0.1; done
    local line; line="$(head -n 1 "$work/sim.out")"
    case "$line" in
        "listening on http://127.0.0.1:"*) URL="${line#listening on }/api/v1" ;;
        *) echo "bench: openrouter-sim did not start: $(cat "$work/sim.err")" >&2; exit 1 ;;
    esac
}

print_table() {
    echo
    echo "make bench: ${ROWS} rows, median of ${RUNS} runs, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf '%-44s %9s %9s %8s  %-22s %s\n' case ours reference ratio target verdict
    for line in "${rows_out[@]}"; do echo "$line"; done
}

# shellcheck source=scripts/bench/postgres.sh
. scripts/bench/postgres.sh
# shellcheck source=scripts/bench/usage.sh
. scripts/bench/usage.sh
case "${BENCH_ONLY:-}" in
    postgresql) postgres_cases; print_table; exit 0 ;;
    usage) usage_cases; print_table; exit 0 ;;
    "") ;;
    *) echo "bench: BENCH_ONLY=${BENCH_ONLY} is not one of postgresql, usage" >&2; exit 64 ;;
esac

# --- plan check ------------------------------------------------------------------------
progress "plan check"
ours=(); refs=(); rss=()
for _ in $(seq "$RUNS"); do
    timed "$CR" plan check "$PLAN"; ours+=("$ELAPSED"); rss+=("$RSS_MB")
    fresh_ref; timed sqlite3 -cmd '.mode csv' "$work/ref.db" ".import $PLAN t"; refs+=("$ELAPSED")
done
o=$(median "${ours[@]}"); r=$(median "${refs[@]}"); x=$(ratio "$o" "$r"); m=$(median "${rss[@]}")
row "plan check ${ROWS} rows" "${o}s" "${r}s" "${x}x" "<= 1.0x" "$(verdict "$x" le 1.0)"
row "  peak RSS" "${m}MB" "" "" "<= 64 MB" "$(verdict "$m" le 64)"

# --- imports ---------------------------------------------------------------------------
# import_case KIND FILE LEDGER TABLE LABEL: `import KIND FILE` into a new LEDGER next to the
# shell's `.import` of FILE, then two context rows: the bytes each stores (journal text,
# hashes, projection TABLE and indexes against the plain table, which bounds how close an
# import can get) and the shell copying the very rows the ledger stores (`floor`). The copy
# is timed in every run, right after that run's import, and its median reported: a single
# copy varied from 1.6 to 3.0 s on this machine.
import_case() {
    local kind="$1" file="$2" ledger="$3" table="$4" label="$5"
    progress "import $kind"
    ours=(); refs=(); floors=()
    for _ in $(seq "$RUNS"); do
        rm -f "$ledger"*
        timed "$CR" --ledger "$ledger" import "$kind" "$file"; ours+=("$ELAPSED")
        fresh_ref; timed sqlite3 -cmd '.mode csv' "$work/ref.db" ".import $file t"; refs+=("$ELAPSED")
        floor "$ledger" "$table"; floors+=("$ELAPSED")
    done
    o=$(median "${ours[@]}"); r=$(median "${refs[@]}"); x=$(ratio "$o" "$r"); f=$(median "${floors[@]}")
    row "$label" "${o}s" "${r}s" "${x}x" "<= 2.0x" "$(verdict "$x" le 2.0)"
    lb=$(stat -c %s "$ledger"); rb=$(stat -c %s "$work/ref.db")
    row "  bytes stored: ledger vs .import table" "$((lb / 1048576))MB" "$((rb / 1048576))MB" "$(ratio "$lb" "$rb")x" "(context)" ""
    row "  bytes stored per row: ledger vs .import" "$((lb / ROWS))B" "$((rb / ROWS))B" "" "(context)" ""
    row "  floor: sqlite3 copying those rows" "${f}s" "${r}s" "$(ratio "$f" "$r")x" "(context)" ""
    row "  vs sqlite3 copying the ledger's rows" "${o}s" "${f}s" "$(ratio "$o" "$f")x" "(context)" ""
}
import_case charges "$CHARGES" "$work/charges.sqlite" charges "import charges ${ROWS} rows (empty ledger)"
import_case snapshots "$SNAPS" "$work/snaps.sqlite" snapshots "import snapshots ${ROWS} rows (empty ledger)"

# --- import snapshots into a ledger that already holds entries (a backfill into live books) ---
# Each run starts from a copy of the charges ledger (ROWS charges), copied before the clock
# starts; the last run's ledger (ROWS charges + ROWS readings) is the one verify and report read.
progress "import snapshots into a ledger with entries"
# Its floor (context, like the empty cases'): the sqlite3 shell appending the rows that import
# stores (the journal and readings of the empty-ledger import above, numbered after the
# charges) to the same copy of the charges ledger, with the ledger's own settings (WAL,
# synchronous=FULL) and the checkpoint at close that every durable write ends with.
backfill_floor() {
    rm -f "$work"/floor.sqlite*
    cp "$work/charges.sqlite" "$work/floor.sqlite"
    local offset; offset=$(sqlite3 "$work/floor.sqlite" "SELECT max(seq) FROM journal")
    timed sqlite3 "$work/floor.sqlite" "PRAGMA journal_mode=WAL" "PRAGMA synchronous=FULL" "PRAGMA cache_size=-65536" \
        "PRAGMA foreign_keys=ON" "ATTACH '$work/snaps.sqlite' AS src" "BEGIN IMMEDIATE" \
        "INSERT INTO journal SELECT seq + $offset, kind, entry, prev_hash, hash FROM src.journal ORDER BY seq" \
        "INSERT INTO snapshots SELECT id + $offset, account, observed_at, total_credits, total_usage, source, origin, raw_body, NULL FROM src.snapshots ORDER BY rowid" \
        "COMMIT"
    rm -f "$work"/floor.sqlite*
}
ours=(); refs=(); floors=()
for _ in $(seq "$RUNS"); do
    rm -f "$work"/books.sqlite*
    cp "$work/charges.sqlite" "$work/books.sqlite"
    timed "$CR" --ledger "$work/books.sqlite" import snapshots "$SNAPS"; ours+=("$ELAPSED")
    fresh_ref; timed sqlite3 -cmd '.mode csv' "$work/ref.db" ".import $SNAPS t"; refs+=("$ELAPSED")
    backfill_floor; floors+=("$ELAPSED")
done
o=$(median "${ours[@]}"); r=$(median "${refs[@]}"); x=$(ratio "$o" "$r"); f=$(median "${floors[@]}")
row "import snapshots ${ROWS} rows (ledger with entries)" "${o}s" "${r}s" "${x}x" "<= 2.5x" "$(verdict "$x" le 2.5)"
row "  floor: sqlite3 appending those rows (WAL)" "${f}s" "${r}s" "$(ratio "$f" "$r")x" "(context)" ""
row "  vs sqlite3 appending the ledger's rows" "${o}s" "${f}s" "$(ratio "$o" "$f")x" "(context)" ""

# --- verify the 2*ROWS-entry ledger vs the shell hashing what the chain hashes ------------
progress "verify"
entries=$(sqlite3 "$work/books.sqlite" "SELECT count(*) FROM journal")
ours=(); refs=(); rss=()
for _ in $(seq "$RUNS"); do
    timed "$CR" --ledger "$work/books.sqlite" verify; ours+=("$ELAPSED"); rss+=("$RSS_MB")
    timed sh -c "sqlite3 '$work/books.sqlite' 'SELECT prev_hash || entry FROM journal' | sha256sum"; refs+=("$ELAPSED")
done
o=$(median "${ours[@]}"); r=$(median "${refs[@]}"); x=$(ratio "$o" "$r"); m=$(median "${rss[@]}")
row "verify ${entries}-entry ledger" "${o}s" "${r}s" "${x}x" "<= 3.0x" "$(verdict "$x" le 3.0)"
row "  peak RSS (the replay in a temporary file)" "${m}MB" "" "" "(context)" ""

# --- report --period month over ROWS snapshots and ROWS charges -------------------------
progress "report"
rm -f "$work/report-ref.db"
sqlite3 -cmd '.mode csv' "$work/report-ref.db" ".import $SNAPS snaps" ".import $CHARGES charges"
cat >"$work/report.sql" <<'SQL'
WITH s AS (
    SELECT observed_at AS t, CAST(round(total_credits * 1000000) AS INTEGER) AS c,
           CAST(round(total_usage * 1000000) AS INTEGER) AS u
    FROM snaps),
d AS (
    SELECT t, c - u AS bal, c - lag(c) OVER w AS dc, u - lag(u) OVER w AS du,
           row_number() OVER w AS n
    FROM s WINDOW w AS (ORDER BY t)),
m AS (
    SELECT substr(t, 1, 7) AS month, sum(max(coalesce(dc, 0), 0)) AS purchased,
           sum(max(coalesce(du, 0), 0)) AS used, max(CASE WHEN n = 1 THEN bal END) AS first_bal
    FROM d GROUP BY 1),
ch AS (
    SELECT substr(created_at, 1, 7) AS month, count(*) AS created,
           sum(CAST(round(amount * 1000000) AS INTEGER)) AS created_amount,
           sum(status = 'paid') AS settled
    FROM charges GROUP BY 1)
SELECT m.month, m.purchased, m.used,
       max(first_bal) OVER () + sum(m.purchased - m.used) OVER (ORDER BY m.month) AS closing,
       ch.created, ch.created_amount, ch.settled
FROM m LEFT JOIN ch USING (month) ORDER BY m.month;
SQL
# The last run's files (324 MB) are removed, and the removal written out, before the clock
# starts: a report right after an unsynced removal of that size took up to 1.7 s more of
# system time, the file system's work for the harness.
# Its CPU time (user + system) beside the reference's is context: the report writes and
# syncs its files (320 MB at 1M rows) where the reference prints a few lines, so its wall
# time also holds how fast the disk takes them then (320 MB with fsync took 0.25 to 2.5 s
# on this machine, one run after another).
ours=(); refs=(); ocpu=(); rcpu=()
for _ in $(seq "$RUNS"); do
    rm -rf "$work/reports"; sync
    ALLOWED_STATUS=1 timed "$CR" --ledger "$work/books.sqlite" report --period month --out "$work/reports"; ours+=("$ELAPSED"); ocpu+=("$CPU_S")
    timed sqlite3 "$work/report-ref.db" ".read $work/report.sql"; refs+=("$ELAPSED"); rcpu+=("$CPU_S")
done
o=$(median "${ours[@]}"); r=$(median "${refs[@]}"); x=$(ratio "$o" "$r")
row "report --period month (${ROWS} snaps+charges)" "${o}s" "${r}s" "${x}x" "<= 2.0x" "$(verdict "$x" le 2.0)"
oc=$(median "${ocpu[@]}"); rc=$(median "${rcpu[@]}")
row "  cpu time (user + system)" "${oc}s" "${rc}s" "$(ratio "$oc" "$rc")x" "(context)" ""
row "  bytes written: its files" "$(( $(du -sb "$work/reports" | cut -f1) / 1048576 ))MB" "" "" "(context)" ""

# --- export --period month over the same ledger, against report ---------------------------
progress "export"
ours=(); refs=()
for _ in $(seq "$RUNS"); do
    timed "$CR" --ledger "$work/books.sqlite" export --format beancount --period month --out "$work/books.beancount"
    ours+=("$ELAPSED")
    rm -rf "$work/reports"; sync
    ALLOWED_STATUS=1 timed "$CR" --ledger "$work/books.sqlite" report --period month --out "$work/reports"; refs+=("$ELAPSED")
done
o=$(median "${ours[@]}"); r=$(median "${refs[@]}"); x=$(ratio "$o" "$r")
row "export beancount --period month (same)" "${o}s" "${r}s" "${x}x" "<= 2.0x of report" "$(verdict "$x" le 2.0)"

# --- topup against openrouter-sim ------------------------------------------------------
created_rows() { sqlite3 "$1" "SELECT count(*) FROM topups WHERE state = 'created'"; }

progress "topup at 50 ms latency"
start_sim --latency-ms 50
ours=()
for _ in $(seq "$RUNS"); do
    rm -f "$work"/topup.sqlite*
    OPENROUTER_API_KEY=$KEY ALLOWED_STATUS=1 timed "$CR" --ledger "$work/topup.sqlite" --base-url "$URL" \
        topup .bench/plan-300.csv --concurrency 8 --yes
    ours+=("$ELAPSED")
    n=$(created_rows "$work/topup.sqlite"); [ "$n" = 300 ] || { echo "bench: topup created $n of 300 rows" >&2; exit 1; }
done
o=$(median "${ours[@]}")
sdk_note=""
if [ "$SDK_RUNS" -gt 0 ] && { [ -x .build/sdk-venv/bin/python ] && .build/sdk-venv/bin/python -c 'import openrouter' 2>/dev/null \
        || { python3 -m venv .build/sdk-venv && .build/sdk-venv/bin/pip install --quiet --disable-pip-version-check openrouter==0.6.0; }; }; then
    refs=()
    for _ in $(seq "$SDK_RUNS"); do
        timed .build/sdk-venv/bin/python scripts/bench/sdk_topup.py "$URL" .bench/plan-300.csv "$KEY"; refs+=("$ELAPSED")
    done
    r=$(median "${refs[@]}")
else
    r=$SDK_MEASURED_BY_ISSUE; sdk_note=" (SDK not run: the issue's 16.2 s)"
fi
stop_sim
x=$(ratio "$r" "$o")
row "topup 300 rows, --concurrency 8, 50 ms" "${o}s" "${r}s" "${x}x" ">= 6x faster" "$(verdict "$x" ge 6)${sdk_note}"

progress "topup under a 40/s rate limit"
start_sim --rate-limit 40
ours=()
for _ in $(seq "$RUNS"); do
    rm -f "$work"/topup.sqlite*
    sleep 1.1  # let the simulator's rate window drain between runs
    OPENROUTER_API_KEY=$KEY ALLOWED_STATUS=1 timed "$CR" --ledger "$work/topup.sqlite" --base-url "$URL" \
        topup .bench/plan-200.csv --concurrency 8 --rate-limit 40 --yes
    ours+=("$ELAPSED")
    n=$(created_rows "$work/topup.sqlite"); [ "$n" = 200 ] || { echo "bench: topup created $n of 200 rows" >&2; exit 1; }
done
stop_sim
o=$(median "${ours[@]}"); x=$(ratio "$o" 5)
row "topup 200 rows under 40/s (all created)" "${o}s" "5.000s" "${x}x" "<= 1.25x" "$(verdict "$x" le 1.25)"

usage_cases
postgres_cases
print_table
