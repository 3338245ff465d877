#!/bin/bash
# One recorded fuzz campaign (issue 15): runs a built target at nice 19 with
# the limits of docs/fuzzing.md and logs the command, libFuzzer's output and
# the wall time to $FUZZ_TARGET_DIR/logs/TARGET.log.
#
# usage: fuzz/campaign.sh SECONDS TARGET [extra libFuzzer flags ...]
# Build first: cd fuzz && CARGO_TARGET_DIR=$FUZZ_TARGET_DIR cargo +nightly fuzz build -O
set -u
secs=$1; t=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
F=${FUZZ_TARGET_DIR:-$here/target}
bin=$F/x86_64-unknown-linux-gnu/release/$t
mkdir -p "$F/corpus/$t" "$F/artifacts/$t" "$F/logs"
start=$(date +%s)
echo "# $(date -u +%FT%TZ) nice -n 19 $t $* -max_total_time=$secs -runs=10000000 -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10" > "$F/logs/$t.log"
nice -n 19 "$bin" "$F/corpus/$t" "$here/corpus/$t" \
  -artifact_prefix="$F/artifacts/$t/" -max_total_time="$secs" -runs=10000000 \
  -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1 "$@" >> "$F/logs/$t.log" 2>&1
rc=$?
echo "# exit $rc wall $(( $(date +%s) - start )) s" >> "$F/logs/$t.log"
exit $rc
