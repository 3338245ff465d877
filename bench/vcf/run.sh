#!/usr/bin/env bash
# VCF/BCF reader benchmark: read_panel, read_vcf_ad and read_vcf_gt on a
# synthetic mpileup-style VCF (plain, bgzipped, BCF), median of ROUNDS.
# Results: docs/benchmarks.md, "VCF/BCF record parsing".
#
# Usage: bench/vcf/run.sh [WORKDIR] [N_MARKERS] [ROUNDS]
# Environment: BIN=path/to/vcf_bench uses a prebuilt example binary
# (e.g. one built at an earlier revision, for an A/B comparison); otherwise
# it is built with `--profile quick-release`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/graftwatch-vcf-bench}
n=${2:-200000}
rounds=${3:-3}
if [ ! -f "$work/pileup.bcf" ]; then
  python3 "$root/bench/vcf/make_data.py" "$work" "$n" 4
  bgzip -kf "$work/pileup.vcf"
  bcftools view -Ob -o "$work/pileup.bcf" "$work/pileup.vcf"
fi
if [ -z "${BIN:-}" ]; then
  (cd "$root" && cargo build -q --profile quick-release -p graftwatch-genomics-io --example vcf_bench)
  BIN="${CARGO_TARGET_DIR:-$root/target}/quick-release/examples/vcf_bench"
fi
uptime
for f in pileup.vcf pileup.vcf.gz pileup.bcf; do
  "$BIN" "$work/panel.vcf" "$work/$f" s2 "$rounds"
done
