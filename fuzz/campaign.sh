#!/bin/bash
# One recorded fuzz campaign (issue 15): runs a built target with the limits
# of docs/fuzzing.md and logs the command, libFuzzer's output and the wall
# time to $FUZZ_TARGET_DIR/logs/TARGET.log.
#
# usage: fuzz/campaign.sh SECONDS TARGET [extra libFuzzer flags ...]
# Environment:
#   FUZZ_TARGET_DIR  cargo target dir of the fuzz build (default fuzz/target)
#   RUNS             execution cap (default 10000000; -1 = until SECONDS)
#   NICE             nice level (default 19)
#   VMEM_KB          address-space limit in KiB (`ulimit -v`). Builds without
#                    a sanitizer (`-s none`) have no malloc hooks, so
#                    `-malloc_limit_mb` cannot see a large allocation; with
#                    VMEM_KB=2200000 any allocation near 2 GB fails and the
#                    process aborts, which libFuzzer records as a crash.
#   FUZZ_TMPDIR      where harnesses that read from a path write their scratch
#                    file (default /dev/shm when it exists: on a loaded disk
#                    the write made panel_vcf run at 400 instead of 7,900
#                    executions/s)
# Build first: cd fuzz && CARGO_TARGET_DIR=$FUZZ_TARGET_DIR cargo +nightly fuzz build -O [-s none]
set -u
secs=$1; t=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
F=${FUZZ_TARGET_DIR:-$here/target}
runs=${RUNS:-10000000}
nice_level=${NICE:-19}
bin=$F/x86_64-unknown-linux-gnu/release/$t
mkdir -p "$F/corpus/$t" "$F/artifacts/$t" "$F/logs"
if [ -z "${FUZZ_TMPDIR:-}" ] && [ -d /dev/shm ]; then FUZZ_TMPDIR=/dev/shm; fi
export TMPDIR=${FUZZ_TMPDIR:-${TMPDIR:-/tmp}}
start=$(date +%s)
log=$F/logs/$t.log
echo "# $(date -u +%FT%TZ) nice -n $nice_level ulimit -v ${VMEM_KB:-unlimited} $t $* -max_total_time=$secs -runs=$runs -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 TMPDIR=$TMPDIR" >> "$log"
(
  if [ -n "${VMEM_KB:-}" ]; then ulimit -v "$VMEM_KB"; fi
  exec nice -n "$nice_level" "$bin" "$F/corpus/$t" "$here/corpus/$t" \
    -artifact_prefix="$F/artifacts/$t/" -max_total_time="$secs" -runs="$runs" \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1 "$@"
) >> "$log" 2>&1
rc=$?
echo "# exit $rc wall $(( $(date +%s) - start )) s" >> "$log"
exit $rc
