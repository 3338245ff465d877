#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need when they are
# missing: the build needs libssl-dev + pkg-config (the browser test's
# WebDriver client links OpenSSL); the tests call samtools, bcftools, bwa,
# art_illumina, chromium + chromedriver, pdftoppm, postgresql, sqlite3 and wrk.
# Called by scripts/test.sh and by .ci/run (before clippy compiles anything).
set -euo pipefail

pkgs=()
pkg-config --exists openssl 2>/dev/null || pkgs+=(libssl-dev pkg-config)
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

