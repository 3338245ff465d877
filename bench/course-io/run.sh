#!/bin/sh
# Reading speed of course files: `graftwatch course validate` on the seed case
# scaled 10x (22,180 observations; 2.2 MB JSON, 1.5 MB CSV), against Python's
# json / csv modules merely parsing the same files (no checks) as a peer.
# Usage: bench/course-io/run.sh   (needs hyperfine, python3; builds --release)
set -eu
cd "$(dirname "$0")/../.."
cargo build --release -p graftwatch-cli
B=${CARGO_TARGET_DIR:-target}/release/graftwatch
T=$(mktemp -d)
python3 - "$T" <<'PY'
import json, sys
c = json.load(open('examples/seed-case/course.json'))
obs = c['observations']
big = []
for k in range(10):
    for o in obs:
        o2 = dict(o)
        if 'sample' in o2:
            o2['sample'] = f"{o2['sample']}-{k}"
        big.append(o2)
c['observations'] = big
json.dump(c, open(sys.argv[1] + '/seed10.json', 'w'), indent=1)
PY
"$B" course convert "$T/seed10.json" "$T/seed10.csv"
hyperfine -N --warmup 2 -m 15 \
  "$B course validate $T/seed10.json" \
  "$B course validate $T/seed10.csv" \
  "python3 -c 'import json;json.load(open(\"$T/seed10.json\"))'" \
  "python3 -c 'import csv;list(csv.reader(open(\"$T/seed10.csv\")))'"
rm -rf "$T"
