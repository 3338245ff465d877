#!/bin/sh
# STR chimerism throughput: graftwatch chimerism str on examples/str (3 people,
# 22 autosomal loci), 3 samples and 99 samples (the 3 repeated), default
# settings (500 bootstrap replicates per sample). Needs hyperfine.
set -eu
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p graftwatch-cli
BIN="$CARGO_TARGET_DIR/release/graftwatch"
REFS="--recipient R-pre=examples/str/references.txt:R-pre --donor UCB-1=examples/str/references.txt:UCB-1 --donor PBSC-1=examples/str/references.txt:PBSC-1"
s3() { echo "--sample d14-$1=examples/str/day14.txt:PB-d14-WB --sample cd3-$1=examples/str/day30.txt:PB-d30-CD3:cd3 --sample cd33-$1=examples/str/day30.txt:PB-d30-CD33:myeloid"; }
S3="$(s3 0)"
S99=""
i=0
while [ $i -lt 33 ]; do S99="$S99 $(s3 $i)"; i=$((i + 1)); done
hyperfine -N --warmup 2 --runs 20 \
  "$BIN chimerism str $REFS $S3 --format csv" \
  "$BIN chimerism str $REFS $S99 --format csv" \
  "$BIN chimerism str $REFS $S99 --format csv --bootstrap 0"
