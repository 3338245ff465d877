#!/bin/sh
# Throughput of crit-b's count-based criteria on one core (10,000 patients x 365 days by default).
# Usage: bench/criteria-b/run.sh [patients] [days]
set -e
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target-bench}"
cargo build --release -q -p graftwatch-criteria --example crit_b_throughput
BIN="$CARGO_TARGET_DIR/release/examples/crit_b_throughput"
if command -v taskset >/dev/null 2>&1; then taskset -c 0 "$BIN" "$@"; else "$BIN" "$@"; fi
