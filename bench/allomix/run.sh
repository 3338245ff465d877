#!/usr/bin/env bash
# Benchmark: graftwatch `chimerism ngs` vs allomix 0.4.2 on the same VCF inputs.
#
# Simulated data (count level, 48 SNPs + 24 indels, 5,000x, learned-error
# beta-binomial reads; see docs/chimerism-ngs.md), a recipient plus one
# haploidentical donor (D=1) or plus a haplo donor and a cord unit (D=2).
# Both tools read the same genotypes.vcf (GT/AD/DP/GQ of the pure samples)
# and pileup.vcf (FORMAT/AD of every sample). Reports time per sample
# (wall and CPU) and the mean absolute error of recipient % against truth.
#
# Usage: bench/allomix/run.sh [N_SAMPLES]   (default 20)
# Environment: PROFILE=cargo profile of the graftwatch binaries (default
# quick-release: opt-level 3 without LTO; PROFILE=release for the fat-LTO
# build); GW / SIM = prebuilt binaries (skip the build); ALLOMIX = an
# installed allomix 0.4.2; WORK, VENV.
set -euo pipefail
N=${1:-20}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${WORK:-/tmp/graftwatch-allomix-bench}
VENV=${VENV:-/tmp/allomix-bench-venv}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-bench}
mkdir -p "$WORK"

# ALLOMIX = an installed allomix 0.4.2 executable; otherwise one is
# installed into the venv VENV.
if [ -z "${ALLOMIX:-}" ]; then
  if [ ! -x "$VENV/bin/allomix" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q allomix==0.4.2
  fi
  ALLOMIX="$VENV/bin/allomix"
fi
PROFILE=${PROFILE:-quick-release}
# GW / SIM may point at prebuilt optimised binaries; otherwise build them.
if [ -z "${GW:-}" ] || [ -z "${SIM:-}" ]; then
  (cd "$ROOT" && cargo build -q --profile "$PROFILE" -p graftwatch-cli && cargo build -q --profile "$PROFILE" -p graftwatch-chimerism --example ngs_simulate)
  GW="$CARGO_TARGET_DIR/$PROFILE/graftwatch"
  SIM="$CARGO_TARGET_DIR/$PROFILE/examples/ngs_simulate"
fi
echo "graftwatch: $GW; load: $(uptime)"

for D in 1 2; do
  DIR="$WORK/d$D"
  "$SIM" "$DIR" $((1000 + D)) "$D" "$N"
  SAMPLES=$(tail -n +2 "$DIR/truth.tsv" | cut -f1)
  DONORS="pbsc"; [ "$D" = 2 ] && DONORS="pbsc ucb1"
  AM_ARGS=(detect --genotype-vcf "$DIR/genotypes.vcf" --admix-vcf "$DIR/pileup.vcf" --host-sample recipient)
  GW_ARGS=(chimerism ngs --panel "$DIR/panel.vcf" --recipient "recipient=$DIR/pileup.vcf" --format tsv --threads 1)
  for d in $DONORS; do AM_ARGS+=(--donor-sample "$d"); GW_ARGS+=(--donor "$d=$DIR/pileup.vcf"); done
  for s in $SAMPLES; do AM_ARGS+=(--sample "$s"); GW_ARGS+=(--sample "$s=$DIR/pileup.vcf"); done
  /usr/bin/time -f "%e %U %S" -o "$DIR/allomix.time" "$ALLOMIX" "${AM_ARGS[@]}" --tsv "$DIR/allomix.tsv" > /dev/null 2> "$DIR/allomix.err" || { echo "allomix failed, see $DIR/allomix.err"; exit 1; }
  /usr/bin/time -f "%e %U %S" -o "$DIR/graftwatch.time" "$GW" "${GW_ARGS[@]}" > "$DIR/graftwatch.tsv"
  # Single-sample invocations (process start included).
  FIRST=$(echo "$SAMPLES" | head -1)
  if command -v hyperfine > /dev/null; then
    hyperfine -N --warmup 1 --runs 3 --export-json "$DIR/hf-allomix.json" \
      "$ALLOMIX detect --genotype-vcf $DIR/genotypes.vcf --admix-vcf $DIR/pileup.vcf --host-sample recipient $(for d in $DONORS; do printf -- '--donor-sample %s ' "$d"; done) --sample $FIRST" > /dev/null
    hyperfine -N --warmup 2 --runs 20 --export-json "$DIR/hf-graftwatch.json" \
      "$GW chimerism ngs --panel $DIR/panel.vcf --recipient recipient=$DIR/pileup.vcf $(for d in $DONORS; do printf -- '--donor %s=%s ' "$d" "$DIR/pileup.vcf"; done) --sample $FIRST=$DIR/pileup.vcf --format tsv --threads 1" > /dev/null
  fi
done
python3 "$ROOT/bench/allomix/summarise.py" "$WORK" "$N"
