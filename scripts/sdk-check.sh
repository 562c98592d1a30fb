#!/usr/bin/env bash
# Runs the official OpenRouter Python SDKs against openrouter-sim, each in a throwaway
# virtual environment under .build (installed from PyPI on first use):
#   0.6.0  (the last with create_coinbase_charge): credits and charges, scripts/sdk_check.py
#   1.3.84 (today's): credits, the current key, the account's keys and the activity,
#          scripts/sdk_check_usage.py
# Each runs against its own fresh simulator on a free port, stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
# The check scripts import sdk_check_common.py; leave no __pycache__ in the work tree.
export PYTHONDONTWRITEBYTECODE=1

# venv VERSION: prints the path of a virtual environment with openrouter==VERSION in it.
venv() {
    local dir=".build/sdk-venv-$1"
    if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c "import openrouter._version as v; assert v.__version__ == '$1'" 2>/dev/null; then
        rm -rf "$dir"
        python3 -m venv "$dir"
        "$dir/bin/pip" install --quiet --disable-pip-version-check "openrouter==$1" >&2
    fi
    echo "$dir"
}
venv_old="$(venv 0.6.0)"
venv_new="$(venv 1.3.84)"

swift build --product openrouter-sim >&2
bin="$(swift build --show-bin-path)"
work="$(mktemp -d)"
sim_pid=""
stop_sim() {
    if [ -n "$sim_pid" ]; then kill -TERM "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
    sim_pid=""
}
trap 'stop_sim; rm -rf "$work"' EXIT

# start_sim ARGS…: starts a fresh simulator and sets $url to its API root.
start_sim() {
    : >"$work/sim.out"
    "$bin/openrouter-sim" --port 0 --initial-credits 1234.567891 --initial-usage 1000.000009 --seed 1 \
        --log-level warning "$@" >"$work/sim.out" 2>"$work/sim.err" &
    sim_pid=$!
    for _ in $(seq 1 100); do
        if [ -s "$work/sim.out" ]; then break; fi
        sleep 0.1
    done
    local line
    line="$(head -n 1 "$work/sim.out")"
    case "$line" in
        "listening on http://127.0.0.1:"*) ;;
        *) echo "sdk-check: openrouter-sim did not start: $(cat "$work/sim.err")" >&2; exit 1 ;;
    esac
    url="${line#listening on }/api/v1"
}

status=0
start_sim
"$venv_old/bin/python" scripts/sdk_check.py "$url" || status=1
stop_sim
echo
start_sim --keys-page 2
"$venv_new/bin/python" scripts/sdk_check_usage.py "$url" || status=1
stop_sim
exit "$status"
