#!/usr/bin/env bash
# Time reading + validating + rendering the seed case to HTML and SVG
# (crates/report/examples/render.rs), release build, with hyperfine.
# Usage: bench/report/run.sh   (from the repository root)
set -euo pipefail
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target-bench}"
cargo build -q --release -p graftwatch-report --example render
bin="$CARGO_TARGET_DIR/release/examples/render"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
hyperfine --warmup 3 --runs 30 \
  "$bin examples/seed-case/course.json $out/r.html $out/r.svg" \
  "$bin examples/seed-case/course.csv $out/r2.html $out/r2.svg" 2>&1 || true
ls -l "$out"
