#!/bin/bash
# Throughput of acute GVHD (MAGIC timeline), CRS and ICANS daily grading over a
# simulated cohort (10,000 patients x 365 days by default), single core.
# Usage: bench/crit-a-grading.sh [patients] [days]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target-bench}"
cargo build --release -p graftwatch-criteria --example crit_a_throughput
taskset -c 0 "$CARGO_TARGET_DIR/release/examples/crit_a_throughput" "${1:-10000}" "${2:-365}"
