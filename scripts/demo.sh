#!/usr/bin/env bash
# The `make run` demo. Until the reconciliation stage lands it imports the sample
# snapshot history into a fresh demo ledger and verifies it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/debug
DEMO=.demo
rm -rf "$DEMO"
mkdir -p "$DEMO" reports
export CREDIT_RECON_LEDGER="$DEMO/ledger.sqlite"
"$BIN/credit-recon" import snapshots samples/snapshots.csv
"$BIN/credit-recon" verify
echo "demo ledger: $CREDIT_RECON_LEDGER"
