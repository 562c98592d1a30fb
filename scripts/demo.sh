#!/usr/bin/env bash
# The `make run` demo: a month of books driven through the real commands against
# openrouter-sim, ending in reports/.
#
# Story (2026-10-25 → 2026-11-24): the account is read every night; usage happens every
# day; on 10-28 a web-flow purchase is made outside the API; on 11-02 a one-row top-up
# meets production's `410 Gone`, so finance buys through the web flow and records the
# export (linked by reference); on 11-12 the nightly `run` tops up the rest of the plan,
# 8 charges are paid and 1 is left to expire; on 11-18 someone pays by card.
# Where the usage goes: three keys exist before the first reading. "prod-backend" (no
# limit) spends on anthropic/claude-sonnet-4.5 and openai/gpt-4o; "data-pipeline" (limit
# 150 USD) runs a nightly batch on google/gemini-2.5-flash and ends the month with 7.50 USD
# left (5 % of its limit); "staging" (limit 50 USD) is disabled on 11-09 and keeps its
# history. On 11-14 a fourth key, "hackathon", is made (its first reading's use is its own:
# it was made after the reading before), spends on meta-llama/llama-3.3-70b-instruct and is
# deleted on 11-20 after that day's use, which no key reading explains any more
# (unattributed). Some days someone chats in the browser with openai/gpt-4o on no key
# (unattributed too, but in the activity). Every day's total is the same as before the
# keys were added, so the account's figures do not change.
# The simulator's clock and credit-recon's --now move in lockstep.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.build/debug}    # where credit-recon and openrouter-sim are (tests point it at their build)
DEMO=${DEMO:-.demo}         # the demo's ledger and logs (recreated on every run)
OUT=${OUT:-reports}
rm -rf "$DEMO"
mkdir -p "$DEMO"

"$BIN/openrouter-sim" --port 0 --seed 2026 --initial-credits 500 --initial-usage 12.5 --charge-ttl 3600 \
  >"$DEMO/sim.out" 2>"$DEMO/sim.log" &
SIM_PID=$!
trap 'kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$DEMO/sim.out" 2>/dev/null && break
  sleep 0.1
done
SIM=$(sed -n 's/^listening on //p' "$DEMO/sim.out" | head -n 1)
[ -n "$SIM" ] || { echo "openrouter-sim did not start; see $DEMO/sim.log" >&2; exit 69; }
echo "openrouter-sim listening on $SIM"

# The books: a SQLite file under .demo/, or shared books in PostgreSQL when
# CREDIT_RECON_LEDGER is a postgresql:// URL (an empty database; password in the URL or PGPASSWORD).
export CREDIT_RECON_LEDGER="${CREDIT_RECON_LEDGER:-$DEMO/ledger.sqlite}"
export OPENROUTER_BASE_URL="$SIM/api/v1"
export OPENROUTER_API_KEY=sim-management-key   # the simulator's key, not a real one
export CREDIT_RECON_LOG_LEVEL=warning

ledger_query() { # ledger_query SQL: one column per line, read behind the tool's back (for the story only)
  case "$CREDIT_RECON_LEDGER" in
    postgres://*|postgresql://*) psql -X -q -A -t "$CREDIT_RECON_LEDGER" -c "SET search_path = credit_recon; $1" ;;
    *) sqlite3 "$CREDIT_RECON_LEDGER" "$1" ;;
  esac
}
case "$CREDIT_RECON_LEDGER" in
  postgres://*|postgresql://*)
    if [ "$(ledger_query "SELECT to_regclass('journal') IS NOT NULL" 2>/dev/null)" = "t" ]; then
      echo "demo: the database of CREDIT_RECON_LEDGER already holds books; give the demo an empty database" >&2
      exit 64
    fi ;;
esac
admin_answer() { curl -fsS -X POST -H 'content-type: application/json' -d "$2" "$SIM/_sim/$1"; }
admin() { admin_answer "$@" >/dev/null; }
admin_delete() { curl -fsS -X DELETE "$SIM/_sim/$1" >/dev/null; }
new_key() { # new_key NAME [LIMIT]: creates a key, prints its hash
  local body="{\"name\":\"$1\"${2:+,\"limit\":\"$2\"}}"
  admin_answer keys "$body" | python3 -c 'import json, sys; print(json.load(sys.stdin)["hash"])'
}
at() { # at TIME: move both clocks
  NOW="$1"
  admin clock "{\"now\":\"$NOW\"}"
}
cr() { CREDIT_RECON_NOW="$NOW" "$BIN/credit-recon" "$@"; }
expect() { # expect CODE command…: run, and stop the demo if the exit code is not the expected one
  local want=$1; shift
  set +e; "$@"; local got=$?; set -e
  if [ "$got" -ne "$want" ]; then echo "demo: '$*' exited $got, expected $want" >&2; exit 70; fi
}

# Daily use in USD, one figure per day (deterministic): the account's total for the day.
USAGE=(18.42 22.10 19.87 25.03 17.66 21.95 24.48 16.31 23.74 20.09 26.12 19.55 22.87 18.93 24.21
       21.38 17.84 25.67 20.76 23.15 19.02 22.44 26.91 18.27 21.63 24.88 20.35 17.99 23.52 22.06)
# How each day's total is spent (USD, 0 for none): data-pipeline 4.75 every night; staging
# until it is disabled on 11-09; hackathon from 11-14 to 11-20; browser chat on no key;
# prod-backend the rest of the day's total, 35 % of it (whole cents, rounded down) on
# openai/gpt-4o and the remainder on anthropic/claude-sonnet-4.5.
PIPELINE=4.75
STAGING=(1.20 1.45 0.95 1.60 1.10 1.35 1.25 0.90 1.50 1.15 1.40 1.05 1.30 1.55 1.00
         0    0    0    0    0    0    0    0    0    0    0    0    0    0    0)
HACKATHON=(0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 2.35 3.10 2.80 1.95 3.40 2.65 2.20 0 0 0)
CHAT=(0    1.85 0    0    2.40 0    0    1.15 0    0    3.05 0    0    0.95 0
      0    2.10 0    0    1.60 0    0    2.75 0    0    1.30 0    0    1.90 0)

cents() { # cents USD: exact whole cents of a figure with no decimals or exactly two ("18.42" -> 1842)
  case "$1" in
    0) echo 0 ;;
    *[0-9].[0-9][0-9]) echo $(( 10#${1%.*} * 100 + 10#${1#*.} )) ;;
    *) echo "demo: $1 is not an amount with two decimals" >&2; exit 70 ;;
  esac
}
use() { # use CENTS KEY_HASH|- MODEL PROVIDER: one use at the simulator's clock (none for 0 cents)
  local amount=$1 key=$2 model=$3 provider=$4
  [ "$amount" -gt 0 ] || return 0
  # A made-up but steady shape: about 3 requests a dollar, 1,800 prompt and 350 completion tokens each.
  local requests=$(( amount * 3 / 100 + 1 ))
  local body
  body=$(printf '{"amount":"%d.%02d","model":"%s","provider":"%s","requests":%d,"prompt_tokens":%d,"completion_tokens":%d%s}' \
    $((amount / 100)) $((amount % 100)) "$model" "$provider" "$requests" $((requests * 1800)) $((requests * 350)) \
    "$([ "$key" = - ] || printf ',"key":"%s"' "$key")")
  admin usage "$body"
}
spend_day() { # spend_day INDEX: the day's total, split as above
  local i=$1 total pipeline staging hackathon chat rest
  total=$(cents "${USAGE[$i]}"); pipeline=$(cents "$PIPELINE"); staging=$(cents "${STAGING[$i]}")
  hackathon=$(cents "${HACKATHON[$i]}"); chat=$(cents "${CHAT[$i]}")
  rest=$(( total - pipeline - staging - hackathon - chat ))
  [ "$rest" -gt 0 ] || { echo "demo: day $i: the keys spend more than the day's ${USAGE[$i]}" >&2; exit 70; }
  use "$pipeline" "$KEY_PIPELINE" google/gemini-2.5-flash "Google Vertex"
  use "$staging" "$KEY_STAGING" anthropic/claude-sonnet-4.5 Anthropic
  if [ "$hackathon" -gt 0 ]; then
    [ -n "$KEY_HACKATHON" ] || { echo "demo: day $i: hackathon spends while it has no key" >&2; exit 70; }
    use "$hackathon" "$KEY_HACKATHON" meta-llama/llama-3.3-70b-instruct Together
  fi
  use "$chat" - openai/gpt-4o OpenAI
  use $(( rest * 35 / 100 )) "$KEY_PROD" openai/gpt-4o OpenAI
  use $(( rest - rest * 35 / 100 )) "$KEY_PROD" anthropic/claude-sonnet-4.5 Anthropic
}

# The keys, then the first reading, then one day after another.
at 2026-10-25T00:00:00Z
KEY_PROD=$(new_key prod-backend)
KEY_PIPELINE=$(new_key data-pipeline 150)
KEY_STAGING=$(new_key staging 50)
KEY_HACKATHON=""
cr fetch
day=0
for date in $(python3 -c "
import datetime as d
s = d.date(2026, 10, 25)
print(' '.join(str(s + d.timedelta(days=i)) for i in range(1, 31)))"); do
  prev=$(python3 -c "import datetime as d; print(d.date.fromisoformat('$date') - d.timedelta(days=1))")
  # The morning's events, then the day's use at 13:00, then the afternoon's: the clocks only
  # move forward.
  case "$prev" in
    2026-11-02)  # production answers 410: the row is blocked …
      at 2026-11-02T09:00:00Z
      admin faults '{"coinbase":"gone"}'
      head -n 2 samples/topups.csv >"$DEMO/first-row.csv"
      echo "== 2026-11-02 09:00 topup of one row while the API answers 410 (exit 1 expected)"
      expect 1 cr topup "$DEMO/first-row.csv" --batch november --yes
      # … so finance pays 250 through the web flow and records the export.
      at 2026-11-02T09:31:12Z; admin purchase '{"amount":"250"}'
      at 2026-11-02T12:00:00Z
      echo "== 2026-11-02 12:00 import charges samples/charges.csv"
      cr import charges samples/charges.csv
      admin faults '{"coinbase":"available"}' ;;
    2026-11-12)  # the nightly job with the plan: 9 new charges (A-01 is already recorded)
      at 2026-11-12T10:00:00Z
      echo "== 2026-11-12 10:00 run --plan samples/topups.csv"
      # Exit 1: the report already lists the web charge abandoned on 11-01 for a person.
      expect 1 cr run --plan samples/topups.csv --batch november --yes --out "$DEMO/reports-2026-11-12"
      # The wallets pay every charge but the last one, which expires.
      minute=5
      for id in $(ledger_query \
          "SELECT charge_id FROM charges WHERE origin = 'api' AND reference <> '2026-11-A-10' ORDER BY reference"); do
        at "2026-11-12T10:$(printf %02d $minute):00Z"; admin "charges/$id/pay" '{}'
        minute=$((minute + 4))
      done ;;
    2026-11-09)  # staging is switched off; its readings stay in the books
      at 2026-11-09T09:00:00Z; admin "keys/$KEY_STAGING/disable" '{}' ;;
    2026-11-14)  # a key for the hackathon, made after last night's reading
      at 2026-11-14T09:00:00Z; KEY_HACKATHON=$(new_key hackathon) ;;
  esac
  at "${prev}T13:00:00Z"; spend_day "$day"
  case "$prev" in
    2026-10-28)  # web-flow purchase outside the API (recorded later from the export)
      at 2026-10-28T16:20:45Z; admin purchase '{"amount":"500"}' ;;
    2026-11-18)  # a card purchase: no charge explains it
      at 2026-11-18T14:00:00Z; admin purchase '{"amount":"100"}' ;;
    2026-11-20)  # the hackathon is over: its key is deleted before tonight's reading shows today's use
      at 2026-11-20T18:00:00Z; admin_delete "keys/$KEY_HACKATHON"; KEY_HACKATHON="" ;;
  esac
  at "${date}T00:00:00Z"
  if [[ "$date" > 2026-11-22 ]]; then
    # data-pipeline has 12.25 USD of its 150 left on 11-23, under 10 %: each fetch from then
    # on says key_limit_low.
    echo "== $date 00:00 fetch: data-pipeline under 10 % of its limit (exit 1 expected)"
    expect 1 cr fetch >/dev/null
  else
    cr fetch >/dev/null
  fi
  day=$((day + 1))
done

echo "== 2026-11-24 00:05 the nightly run (no plan): fetch, then the month's report"
at 2026-11-24T00:05:00Z
# Exit 1 is expected: the report lists the expired charge and the card purchase for a person.
expect 1 cr run --out "$OUT"
cr verify
cr status || true
echo
usage_files=""
for file in usage_by_key.csv usage_by_model.csv usage.svg; do [ ! -e "$OUT/$file" ] || usage_files="$usage_files, $file"; done
echo "Reports: $OUT/reconciliation.md (start here), periods.csv, charges.csv, findings.csv, balance.svg$usage_files"
SHOWN=$(printf '%s' "$CREDIT_RECON_LEDGER" | sed -E 's#^(postgres(ql)?://[^:/@]*):[^@]*@#\1@#')  # never the password
echo "Demo ledger: $SHOWN (try: credit-recon --ledger $SHOWN verify)"
