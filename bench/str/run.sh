#!/bin/sh
# STR chimerism throughput (release build, one core via taskset, hyperfine):
# 1. examples/str (3 people, 22 autosomal loci): 3 samples and 99 samples
#    (the 3 repeated), default settings (500 bootstrap replicates each);
# 2. a 96-sample run sheet in one call: 8 patients x 12 samples (unrelated
#    and haploidentical donors, CD3 sorts with purity), a negative and a
#    positive control; the plate is written by the ignored test
#    plate_of_96_samples (crates/cli/tests/chimerism_str_real.rs).
# Needs hyperfine (Debian package) and taskset.
# PROFILE=quick-release (opt-level 3, no LTO) for a quick figure; the
# default is the fat-LTO release profile.
set -eu
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
PROFILE="${PROFILE:-release}"
cargo build --profile "$PROFILE" -q -p graftwatch-cli
BIN="$CARGO_TARGET_DIR/$PROFILE/graftwatch"
PLATE="${PLATE:-$CARGO_TARGET_DIR/str-plate-96}"
GW_KEEP_PLATE="$PLATE" cargo test -q -p graftwatch-cli --test chimerism_str_real plate_of_96_samples -- --ignored >/dev/null
REFS="--recipient R-pre=examples/str/references.txt:R-pre --donor UCB-1=examples/str/references.txt:UCB-1 --donor PBSC-1=examples/str/references.txt:PBSC-1"
s3() { echo "--sample d14-$1=examples/str/day14.txt:PB-d14-WB --sample cd3-$1=examples/str/day30.txt:PB-d30-CD3:cd3 --sample cd33-$1=examples/str/day30.txt:PB-d30-CD33:myeloid"; }
S3="$(s3 0)"
S99=""
i=0
while [ $i -lt 33 ]; do S99="$S99 $(s3 $i)"; i=$((i + 1)); done
hyperfine -N --warmup 2 --runs "${RUNS:-10}" \
  "taskset -c 0 $BIN chimerism str --run-sheet $PLATE/sheet.csv --format csv" \
  "taskset -c 0 $BIN chimerism str $REFS $S3 --format csv" \
  "taskset -c 0 $BIN chimerism str $REFS $S99 --format csv" \
  "taskset -c 0 $BIN chimerism str $REFS $S99 --format csv --bootstrap 0"
