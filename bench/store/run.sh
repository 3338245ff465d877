#!/usr/bin/env bash
# Store benchmarks (docs/benchmarks.md, "Store").
#
# usage: bench/store/run.sh N [postgres://URL]
#   N     number of synthetic courses (365 days x 6 labs = 2,190 observations each;
#         10,000 = 21.9 M observations, about 1.5 GB of JSON + 0.8 GB of CSV)
#   URL   an empty PostgreSQL database (optional); e.g. a throwaway cluster:
#         runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D /tmp/gwpg -U gw --auth=trust
#         runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/gwpg -l /tmp/gwpg.log \
#             -o "-p 55432 -k /tmp -c listen_addresses=127.0.0.1" -w start
#         -> postgres://gw@127.0.0.1:55432/postgres
# ONLY=sqlite or ONLY=pg runs one backend (with its peer).
# STEPS=append runs only the append benchmark (in the database left by an
# earlier run, or a new one; N is then only used for OUT): one day appended
# to 30-day, 1-year and 2-year histories — alone, with the derived state
# kept current by a long-lived handle (warm: the course at the base in
# memory, as in the server) and by a one-shot handle (cold: the history
# replayed from the database, as in one `graftwatch` command). Columns:
# history_days,appends,median_ms,p95_ms,derived_warm_median_ms,
# derived_warm_p95_ms,derived_cold_median_ms,derived_cold_p95_ms.
# It then prints where such an append's time goes (`store_bench phases DB
# [DAYS...]`, default 30 365 730 1825 days):
# medians of each phase (base course, derive, each SQL statement, commit,
# anchor file) of 20 appends, warm and cold, with the history stored as
# one revision or as one append revision per day:
# history_days,stored_as,mode,phase,median_ms.
# Builds nothing: set SB to an optimised build of the `store_bench` example
# (cargo build --profile quick-release -p graftwatch-store --example store_bench
#  -> target/quick-release/examples/store_bench).
# `store_bench import` runs `Store::import_files`, the code of
# `graftwatch import --defer-derived`, in one process.
set -euo pipefail
N=${1:?N}
PG=${2:-}
OUT=${OUT:-/tmp/gwbench}
SB=${SB:-target/release/examples/store_bench}
STEPS=${STEPS:-import alerts append}
has() { case " $STEPS " in *" $1 "*) return 0;; *) return 1;; esac; }
if has import && [ ! -f "$OUT/observations.csv" ]; then
  # Three shards in parallel (per-patient seeds: the same files as one run).
  for k in 0 1 2; do python3 "$(dirname "$0")/gen_courses.py" "$N" 365 "$OUT" $k 3 & done
  wait
  cat "$OUT"/observations.[012].csv > "$OUT/observations.csv" && rm "$OUT"/observations.[012].csv
fi
export XDG_DATA_HOME=$OUT/xdg-data XDG_CONFIG_HOME=$OUT/xdg-config
t() { local s; s=$(date +%s.%N); "$@"; echo "$(echo "$(date +%s.%N) - $s" | bc) s wall: $*" >&2; }
echo "load: $(cat /proc/loadavg)" >&2

mkdir -p "$OUT"
if [ "${ONLY:-}" != pg ]; then
if has import; then
echo "== SQLite: graftwatch import vs sqlite3 .import" >&2
rm -f "$OUT"/gw.sqlite3* "$OUT"/raw.sqlite3 "$OUT"/raw.sqlite3-journal
t $SB import "$OUT/gw.sqlite3" "$OUT/courses"
sqlite3 "$OUT/raw.sqlite3" "CREATE TABLE obs (patient TEXT, date TEXT, kind TEXT, value REAL, unit TEXT)"
t sqlite3 "$OUT/raw.sqlite3" -cmd ".mode csv" ".import $OUT/observations.csv obs"
echo "load: $(cat /proc/loadavg)" >&2
fi
if has alerts; then
echo "== SQLite: derived state for every patient, then patients --alerts" >&2
$SB alerts "$OUT/gw.sqlite3"
fi
if has append; then
echo "== SQLite: append one day to 30-day / 1-year / 2-year histories (in the N-patient database)" >&2
echo "load: $(cat /proc/loadavg)" >&2
$SB append "$OUT/gw.sqlite3"
echo "== SQLite: where an append's time goes" >&2
$SB phases "$OUT/gw.sqlite3"
echo "load: $(cat /proc/loadavg)" >&2
fi
fi

if [ -n "$PG" ] && [ "${ONLY:-}" != sqlite ]; then
  echo "load: $(cat /proc/loadavg)" >&2
  if has import; then
    echo "== PostgreSQL: graftwatch import vs psql \\copy" >&2
    psql "$PG" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public"
    t $SB import "$PG" "$OUT/courses"
    psql "$PG" -qc "CREATE TABLE raw_obs (patient TEXT, date TEXT, kind TEXT, value DOUBLE PRECISION, unit TEXT)"
    t psql "$PG" -qc "\\copy raw_obs FROM '$OUT/observations.csv' WITH (FORMAT csv)"
    echo "load: $(cat /proc/loadavg)" >&2
  fi
  if has alerts; then $SB alerts "$PG"; fi
  if has append; then
    echo "== PostgreSQL: append one day (in the N-patient database)" >&2
    echo "load: $(cat /proc/loadavg)" >&2
    $SB append "$PG"
    echo "== PostgreSQL: where an append's time goes" >&2
    $SB phases "$PG"
    echo "load: $(cat /proc/loadavg)" >&2
  fi
fi
echo "load: $(cat /proc/loadavg)" >&2
