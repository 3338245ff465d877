#!/usr/bin/env bash
# Runs the whole graftwatch test suite. Installs the Debian tools the tests
# call (samtools, bcftools, bwa, art_illumina, chromium + chromedriver, pdftoppm, postgresql,
# sqlite3) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=()
command -v samtools >/dev/null 2>&1 || pkgs+=(samtools)
command -v bcftools >/dev/null 2>&1 || pkgs+=(bcftools)
command -v bgzip >/dev/null 2>&1 || pkgs+=(tabix)
command -v bwa >/dev/null 2>&1 || pkgs+=(bwa)
command -v art_illumina >/dev/null 2>&1 || pkgs+=(art-nextgen-simulation-tools)
command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
command -v chromedriver >/dev/null 2>&1 || pkgs+=(chromium-driver)
command -v pdftoppm >/dev/null 2>&1 || pkgs+=(poppler-utils)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || pkgs+=(postgresql)
command -v sqlite3 >/dev/null 2>&1 || pkgs+=(sqlite3)
command -v wrk >/dev/null 2>&1 || pkgs+=(wrk)
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "installing test tools: ${pkgs[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi

cargo test --workspace "$@"

# The server's load benchmark, 5 seconds per case on the debug build (the
# full run is bench/server/run.sh; docs/benchmarks.md). GW_SERVER_SMOKE=0 skips it.
if [ "${GW_SERVER_SMOKE:-1}" != 0 ]; then
  cargo build -q -p graftwatch-cli
  GW="${CARGO_TARGET_DIR:-target}/debug/graftwatch" bench/server/run.sh --smoke
fi
