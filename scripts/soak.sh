#!/usr/bin/env bash
# `make soak` (issue 6): the reliability tests of `make test`, longer. With
# CREDIT_RECON_SOAK=1 the crash test kills `topup` hundreds of times and the fuzzers throw
# tens of thousands of inputs; the fault, signal, hostile-input, secrets, disk-full,
# tampering and concurrency suites run SOAK_ROUNDS times. Every test prints plain
# `SOAK-COUNT name=value` lines; this script adds them up and prints the summary.
#
#   SOAK_ROUNDS=3   rounds of the non-crash suites
#
# Exit 0 only when every test passed and no duplicate charge and no leaked key was found.
set -uo pipefail
cd "$(dirname "$0")/.."

ROUNDS="${SOAK_ROUNDS:-3}"
log="$(mktemp -t soak.XXXXXX)"
trap 'rm -f "$log"' EXIT

if ! swift build --build-tests >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
fi
: >"$log"
started=$(date +%s)
failed=0

echo "soak: crash test (CREDIT_RECON_SOAK=1) and fuzzers" >&2
CREDIT_RECON_SOAK=1 swift test --skip-build --filter 'CrashTests|FuzzCSVTests' >>"$log" 2>&1 || failed=1
for round in $(seq 1 "$ROUNDS"); do
    echo "soak: round $round/$ROUNDS of faults, signals, hostile input, secrets, disk, tampering, concurrency" >&2
    swift test --skip-build \
        --filter 'FaultsTests|SignalTests|HostileInputTests|SecretsTests|ReliabilityDiskFullTests|ReliabilityTamperingTests|ConcurrencyTests' \
        >>"$log" 2>&1 || failed=1
done

grep -E '✘|error:' "$log" | head -40 >&2
grep -h '^skipped:' "$log" | sort -u >&2
total() { grep -o "SOAK-COUNT $1=[0-9]*" "$log" | awk -F= '{ s += $2 } END { print s + 0 }'; }
kills=$(total kills_survived)
unknown=$(total unknown_after_kills)
faults=$(total faults_injected)
refused=$(total hostile_inputs_refused)
fuzzed=$(total fuzz_inputs_survived)
turned=$(total writers_turned_away)
duplicates=$(total duplicates_found)
lost=$(total lost_found)
leaks=$(total leaks_found)
elapsed=$(( $(date +%s) - started ))

echo "soak summary ($elapsed s):"
echo "  kills survived:          $kills (rows left unknown by them: $unknown, each in flight at a kill)"
echo "  faults injected:         $faults"
echo "  hostile inputs refused:  $refused (plus $fuzzed random inputs read without a crash)"
echo "  second writers refused:  $turned"
echo "  duplicates found:        $duplicates (must be 0)"
echo "  lost charges found:      $lost (must be 0)"
echo "  leaks found:             $leaks (must be 0)"
if [ "$failed" -ne 0 ] || [ "$duplicates" -ne 0 ] || [ "$lost" -ne 0 ] || [ "$leaks" -ne 0 ]; then
    echo "soak: FAILED" >&2
    exit 1
fi
echo "soak: passed"
