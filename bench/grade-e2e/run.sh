#!/bin/sh
# `grade` end to end (read + validate + grade, all criteria, no --daily) on a
# course of ~1 million observations: the seed case's observations copied 400
# times (chimerism sample ids made unique per copy), as JSON and as CSV.
# Prints throughput and peak memory / file size; one core (taskset -c 0).
# Usage: bench/grade-e2e/run.sh   (needs python3; builds the example --release)
set -eu
cd "$(dirname "$0")/../.."
cargo build --release -p graftwatch-decision --example bench_grade_e2e
B=${CARGO_TARGET_DIR:-target}/release/examples/bench_grade_e2e
T=$(mktemp -d)
python3 - "$T" <<'PY'
import json, sys
c = json.load(open('examples/seed-case/course.json'))
obs = c['observations']
big = []
for k in range(400):
    for o in obs:
        o2 = dict(o)
        if 'sample' in o2:
            o2['sample'] = f"{o2['sample']}-{k}"
        big.append(o2)
c['observations'] = big
json.dump(c, open(sys.argv[1] + '/seed400.json', 'w'), indent=1)
PY
"$B" "$T/seed400.json" >/dev/null 2>&1 || true
for i in 1 2 3; do taskset -c 0 "$B" "$T/seed400.json"; done
rm -rf "$T"
