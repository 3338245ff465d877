#!/bin/sh
# `grade` end to end (read + validate + grade, all criteria, no --daily) on a
# course of ~1 million observations: the seed case's observations copied 400
# times (chimerism sample ids made unique per copy, copy k timed k minutes
# after midnight so that no row repeats another), as JSON and as long CSV,
# each in the generator's order (not date order) and sorted by date
# (bench/grade-e2e/make_courses.py). Prints CPU time per phase, throughput
# and peak memory / file size; one core (taskset -c 0), three runs per file.
# Usage: bench/grade-e2e/run.sh   (needs python3; builds the example --release)
#        PROFILE=profiling bench/grade-e2e/run.sh   (release code without LTO:
#        builds in a fraction of the time, for iterating; figures in
#        docs/benchmarks.md say which profile they used)
#        PROFILE=quick-release bench/grade-e2e/run.sh   (the profile of the
#        fourth round's figures)
set -eu
cd "$(dirname "$0")/../.."
PROFILE=${PROFILE:-release}
cargo build --profile "$PROFILE" -p graftwatch-decision --example bench_grade_e2e
B=${CARGO_TARGET_DIR:-target}/$PROFILE/examples/bench_grade_e2e
uptime
T=$(mktemp -d)
python3 bench/grade-e2e/make_courses.py "$T"
for f in seed400-unordered.json seed400-sorted.json seed400-unordered.csv seed400-sorted.csv; do
    echo "== $f"
    "$B" "$T/$f" >/dev/null 2>&1 || true
    for i in 1 2 3; do taskset -c 0 "$B" "$T/$f"; done
done
rm -rf "$T"
