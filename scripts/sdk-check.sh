#!/usr/bin/env bash
# Runs the official OpenRouter Python SDK (0.6.0, the last with create_coinbase_charge)
# against openrouter-sim: installs it into a throwaway virtual environment under .build,
# starts the simulator on a free port, runs scripts/sdk_check.py, stops the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.build/sdk-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import openrouter' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check openrouter==0.6.0
fi

swift build --product openrouter-sim >&2
bin="$(swift build --show-bin-path)"
work="$(mktemp -d)"
sim_pid=""
cleanup() {
    if [ -n "$sim_pid" ]; then kill -TERM "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$bin/openrouter-sim" --port 0 --initial-credits 1234.567891 --initial-usage 1000.000009 --seed 1 \
    --log-level warning >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 1 100); do
    if [ -s "$work/sim.out" ]; then break; fi
    sleep 0.1
done
line="$(head -n 1 "$work/sim.out")"
case "$line" in
    "listening on http://127.0.0.1:"*) ;;
    *) echo "sdk-check: openrouter-sim did not start: $(cat "$work/sim.err")" >&2; exit 1 ;;
esac
url="${line#listening on }/api/v1"
"$venv/bin/python" scripts/sdk_check.py "$url"
