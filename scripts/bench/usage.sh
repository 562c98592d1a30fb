# The cases of issue 18 ("Where the usage went") in `make bench`, sourced by scripts/bench.sh
# (its `timed`, `median`, `ratio`, `row`, `verdict`, `progress`, `start_sim`, `stop_sim`,
# `$CR`, `$SIM`, `$KEY`, `$ROWS`, `$RUNS`, `$work`, `$bin`).
#
#   fetch   one `fetch` into an empty ledger from openrouter-sim at 50 ms latency, holding
#           100 keys and a month of use on keys and models: beside the floor its requests
#           set, since fetch makes them one after another (/key, /credits, the /keys pages
#           until an empty one, one /activity per day)
#   report  `report --period month` over ROWS snapshots and ROWS key readings (100 keys,
#           ROWS/100 listings, appended by bench-key-readings), beside the sqlite3 shell
#           computing each key's use per month from the same ledger's key_readings
USAGE_KEYS=100
USAGE_DAYS=32     # more than the API's 30-day window, so every day fetch reads has use
USAGE_LATENCY_MS=50

usage_cases() {
    [ -x "$bin/bench-key-readings" ] || {
        echo "bench: $bin/bench-key-readings is missing (swift build -c release --product bench-key-readings)" >&2; exit 1; }
    # --- fetch: 100 keys, 30 days of activity, 50 ms a request -------------------------
    progress "usage: fetch from openrouter-sim at ${USAGE_LATENCY_MS} ms latency (${USAGE_KEYS} keys, ${USAGE_DAYS} days of use)"
    # Credits above the use the script makes (about 98 USD): an overdrawn balance is a
    # warning, and `fetch` exits 1.
    start_sim --latency-ms "$USAGE_LATENCY_MS" --initial-credits 1000
    local sim_root="${URL%/api/v1}" now before after requests ours=() o f x stored
    # /key, /credits, the pages of 100 keys and the empty one that ends the listing, 30 days.
    local expected=$((2 + (USAGE_KEYS + 99) / 100 + 1 + 30))
    now=$(python3 scripts/bench/sim_usage.py "$sim_root" "$USAGE_KEYS" "$USAGE_DAYS")
    api_requests() { curl -fsS "$sim_root/_sim/state" | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_requests"])'; }
    for _ in $(seq "$RUNS"); do
        rm -f "$work"/fetch.sqlite*
        before=$(api_requests)
        OPENROUTER_API_KEY=$KEY CREDIT_RECON_NOW=$now timed "$CR" --ledger "$work/fetch.sqlite" --base-url "$URL" fetch
        after=$(api_requests)
        ours+=("$ELAPSED")
        requests=$((after - before))
        [ "$requests" = "$expected" ] || { echo "bench: fetch made $requests requests, $expected expected" >&2; exit 1; }
        stored=$(sqlite3 "$work/fetch.sqlite" "SELECT (SELECT count(*) FROM key_readings) || ' ' || (SELECT count(*) FROM activity_days)")
        [ "$stored" = "$USAGE_KEYS 30" ] || { echo "bench: fetch stored '$stored' (key readings, activity days), not '$USAGE_KEYS 30'" >&2; exit 1; }
    done
    stop_sim
    o=$(median "${ours[@]}")
    f=$(awk -v n="$requests" -v ms="$USAGE_LATENCY_MS" 'BEGIN { printf "%.3f", n * ms / 1000 }')
    x=$(ratio "$o" "$f")
    row "fetch ${USAGE_KEYS} keys, 30 days, ${USAGE_LATENCY_MS} ms vs floor" "${o}s" "${f}s" "${x}x" "(figure)" ""
    row "  requests made one after another" "$requests" "" "" "(context)" ""

    # --- report over ROWS snapshots + ROWS key readings --------------------------------
    local listings=$((ROWS / USAGE_KEYS)) books=".bench/usage-$ROWS.sqlite"
    progress "usage: building $books (${ROWS} snapshots, then ${USAGE_KEYS} keys x ${listings} listings)"
    rm -f "$books" "$books"-* "$books".*
    timed "$CR" --ledger "$books" import snapshots ".bench/usage-snapshots-$ROWS.csv"
    local made_snapshots=$ELAPSED
    timed "$bin/bench-key-readings" "$books" "$USAGE_KEYS" "$listings"
    local made_keys=$ELAPSED
    local readings
    readings=$(sqlite3 "$books" "SELECT count(*) FROM key_readings")
    [ "$readings" = $((USAGE_KEYS * listings)) ] || { echo "bench: $books holds $readings key readings" >&2; exit 1; }

    progress "usage: report"
    # Each key's use per month: the sum of the rises of its running `usage` between
    # consecutive readings, in the month of the later one (integer micro-USD, as stored).
    cat >"$work/usage-keys.sql" <<'SQL'
SELECT substr(observed_at, 1, 7) AS month, key_hash, sum(max(usage - previous, 0)) AS used
FROM (SELECT key_hash, observed_at, usage,
             lag(usage) OVER (PARTITION BY account, key_hash ORDER BY observed_at) AS previous
      FROM key_readings)
WHERE previous IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2;
SQL
    # Context: the same, plus the monthly table of the account's readings that the report
    # also computes (no charges in this ledger).
    cat >"$work/usage-all.sql" <<'SQL'
WITH d AS (
    SELECT observed_at AS t, total_credits - total_usage AS bal,
           total_credits - lag(total_credits) OVER w AS dc, total_usage - lag(total_usage) OVER w AS du,
           row_number() OVER w AS n
    FROM snapshots WINDOW w AS (PARTITION BY account ORDER BY observed_at)),
m AS (
    SELECT substr(t, 1, 7) AS month, sum(max(coalesce(dc, 0), 0)) AS purchased,
           sum(max(coalesce(du, 0), 0)) AS used, max(CASE WHEN n = 1 THEN bal END) AS first_bal
    FROM d GROUP BY 1)
SELECT month, purchased, used, max(first_bal) OVER () + sum(purchased - used) OVER (ORDER BY month) AS closing
FROM m ORDER BY month;
SQL
    cat "$work/usage-keys.sql" >>"$work/usage-all.sql"
    local refs=() alls=() r a
    ours=()
    for _ in $(seq "$RUNS"); do
        rm -rf "$work/usage-reports"; sync  # as the report case does
        ALLOWED_STATUS=1 timed "$CR" --ledger "$books" report --period month --out "$work/usage-reports"; ours+=("$ELAPSED")
        timed sqlite3 "$books" ".read $work/usage-keys.sql"; refs+=("$ELAPSED")
        timed sqlite3 "$books" ".read $work/usage-all.sql"; alls+=("$ELAPSED")
    done
    o=$(median "${ours[@]}"); r=$(median "${refs[@]}"); a=$(median "${alls[@]}"); x=$(ratio "$o" "$r")
    row "report month (${ROWS} snaps+key readings)" "${o}s" "${r}s" "${x}x" "<= 2.0x" "$(verdict "$x" le 2.0)"
    row "  vs sqlite3 with the monthly table too" "${o}s" "${a}s" "$(ratio "$o" "$a")x" "(context)" ""
    row "  its ledger: import snapshots (1 run)" "${made_snapshots}s" "" "" "(figure)" ""
    row "  its ledger: bench-key-readings (1 run)" "${made_keys}s" "" "" "(figure)" ""
}
