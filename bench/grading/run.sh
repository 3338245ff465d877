#!/bin/sh
# Grading throughput on a synthetic cohort (one core): 1,000 / 3,000 /
# 10,000 patients × 365 days × 6 daily observations, plus a per-criterion
# CPU breakdown on 1,000 patients. Results: docs/benchmarks.md (## Grading).
#
# usage: bench/grading/run.sh   (from the repository root)
set -eu
cargo build --release -p graftwatch-grading --example bench_cohort
BIN="${CARGO_TARGET_DIR:-target}/release/examples/bench_cohort"
uname -srm
nproc
uptime
for n in 1000 3000 10000; do
  taskset -c 0 "$BIN" "$n" 365 2>/dev/null || "$BIN" "$n" 365
done
taskset -c 0 "$BIN" 1000 365 --breakdown 2>/dev/null || "$BIN" 1000 365 --breakdown
