#!/usr/bin/env bash
# Runs the whole graftwatch test suite, after installing the Debian tools
# the tests call when they are missing (scripts/install-test-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh

cargo test --workspace "$@"

# The server's load benchmark, 5 seconds per case on the debug build (the
# full run is bench/server/run.sh; docs/benchmarks.md). GW_SERVER_SMOKE=0 skips it.
if [ "${GW_SERVER_SMOKE:-1}" != 0 ]; then
  cargo build -q -p graftwatch-cli
  GW="${CARGO_TARGET_DIR:-target}/debug/graftwatch" bench/server/run.sh --smoke
fi
