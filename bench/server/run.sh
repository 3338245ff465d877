#!/usr/bin/env bash
# Load benchmark of `graftwatch serve` (docs/benchmarks.md, "Server"):
# wrk, 50 connections, on loopback, against SQLite and a throwaway
# PostgreSQL cluster, with N synthetic patients:
#   static     GET /assets/graftwatch.css             (the same server's ceiling)
#   dashboard  GET /ward                              (the ward dashboard page, first 50 of N patients
#                                                      in "needs attention" order; one audit entry each)
#   list       GET /api/patients?limit=100            (ward list data, one audit entry per request)
#   writes     POST /api/patients/{id}/observations   (validated, one revision + one audit entry each)
# Zero errors are required (non-2xx or socket errors fail the run), and the
# database is checked afterwards: one append revision per completed write,
# and at least one audit entry per completed dashboard request.
# Targets (issue 18, 2 cores, N = 10,000): dashboard >= 500 req/s with
# p99 <= 100 ms; audited writes >= 200/s.
#
# usage: bench/server/run.sh [--smoke] [--patients N] [--duration S] [--backend sqlite|postgres|both]
#   --smoke   5 s per case, 500 patients, 10 connections (CI: checks zero
#             errors and no lost write, not speed; works with a debug build)
# GW: the graftwatch binary (default: cargo build --profile quick-release -p graftwatch-cli).
# COURSES: a directory of courses generated earlier (see below).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=10000; DUR=60; BACKEND=both; CONN=50; THREADS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) N=500; DUR=5; CONN=10 ;;
    --patients) N=$2; shift ;;
    --duration) DUR=$2; shift ;;
    --backend) BACKEND=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null || { echo "wrk is not installed (Debian package wrk)" >&2; exit 2; }
GW=${GW:-}
if [ -z "$GW" ]; then
  cargo build -q --profile quick-release -p graftwatch-cli
  GW="${CARGO_TARGET_DIR:-target}/quick-release/graftwatch"
fi
OUT=$(mktemp -d /tmp/gw-server-bench.XXXXXX)
SERVER=""; PGDATA=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  if [ -n "$PGDATA" ]; then pgrun pg_ctl -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$OUT"
}
trap cleanup EXIT
export XDG_CONFIG_HOME=$OUT/config XDG_DATA_HOME=$OUT/data GRAFTWATCH_ACTOR=bench-admin
export GRAFTWATCH_AUDIT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
# COURSES=DIR reuses courses generated earlier (DIR/courses/*.json, e.g. by
# `bench/store/gen_courses.py 10000 30 DIR`); default: generate N now.
if [ -n "${COURSES:-}" ]; then
  mkdir -p "$OUT/courses" && ls "$COURSES/courses" | head -n "$N" | sed "s|^|$COURSES/courses/|" | xargs cp -t "$OUT/courses"
else
  python3 bench/store/gen_courses.py "$N" 30 "$OUT" >/dev/null
fi

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort | tail -1)
pgrun() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$PGBIN/$1" "${@:2}"; else "$PGBIN/$1" "${@:2}"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_pg() {
  PGDATA=$OUT/pg/data; mkdir -p "$OUT/pg"
  if [ "$(id -u)" -eq 0 ]; then chmod o+x "$OUT"; chown -R postgres:postgres "$OUT/pg"; fi
  local port; port=$(free_port)
  pgrun initdb -D "$PGDATA" -U gw --auth=trust -E UTF8 --no-sync >/dev/null
  pgrun pg_ctl -D "$PGDATA" -l "$OUT/pg/log" -w start \
    -o "-p $port -k $OUT/pg -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null
  echo "postgres://gw@127.0.0.1:$port/postgres"
}

sql() { # sql DB QUERY
  case "$1" in
    postgres://*) psql "$1" -Atqc "$2" ;;
    *) sqlite3 "$1" "$2" ;;
  esac
}

# run_case NAME wrk-args… ; prints one result line, fails on errors.
run_case() {
  local name=$1; shift
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local out; out=$(wrk -t$THREADS -c$CONN -d${DUR}s --timeout 30s --latency "$@")
  local rps p50 p99 reqs errs non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  errs=$(awk '/Socket errors/ {print $0}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$BE" "$name" "$N" "$rps" "$p50" "$p99" "${reqs}" "$load"
  LAST_REQS=$reqs
  if [ -n "$errs" ] || [ -n "$non2xx" ]; then
    echo "ERRORS in $BE $name: ${errs:-} ${non2xx:+non-2xx $non2xx}" >&2; echo "$out" >&2; return 1
  fi
}

bench_backend() {
  BE=$1; local db=$2
  "$GW" db init --db "$db" >/dev/null
  "$GW" import "$OUT/courses" --db "$db" --defer-derived >/dev/null
  "$GW" patients --db "$db" >/dev/null    # computes the derived state once
  printf 'bench physician password\n' | "$GW" user add bench-doc --role physician --password-stdin --db "$db" >/dev/null
  local tok; tok=$("$GW" token create bench-doc --label bench --db "$db" 2>/dev/null)
  local port; port=$(free_port)
  "$GW" serve --db "$db" --insecure-cookies --bind "127.0.0.1:$port" 2>"$OUT/serve.log" &
  SERVER=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/openapi.json" >/dev/null && break; sleep 0.1; done
  local url="http://127.0.0.1:$port"
  run_case static "$url/assets/graftwatch.css"
  local audit0; audit0=$(sql "$db" "SELECT COUNT(*) FROM audit_log")
  run_case "dashboard (/ward)" -H "Authorization: Bearer $tok" "$url/ward"
  local audit1; audit1=$(sql "$db" "SELECT COUNT(*) FROM audit_log")
  # wrk counts completed responses; up to CONN more may have been answered
  # (and audited) after it stopped counting.
  if [ $((audit1 - audit0)) -lt "$LAST_REQS" ]; then
    echo "UNAUDITED READS on $BE: $LAST_REQS dashboard pages, $((audit1 - audit0)) audit entries" >&2; return 1
  fi
  run_case "list (/api/patients)" -H "Authorization: Bearer $tok" "$url/api/patients?limit=100"
  local before; before=$(sql "$db" "SELECT COUNT(*) FROM revisions WHERE kind = 'append'")
  GW_PATIENTS=$N GW_TOKEN=$tok GW_THREADS=$THREADS run_case "writes" -s bench/server/writes.lua "$url"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
  local after; after=$(sql "$db" "SELECT COUNT(*) FROM revisions WHERE kind = 'append'")
  local stored=$((after - before))
  # wrk counts completed responses; up to CONN writes may still have been in flight.
  if [ "$stored" -lt "$LAST_REQS" ] || [ "$stored" -gt $((LAST_REQS + CONN)) ]; then
    echo "LOST OR EXTRA WRITES on $BE: wrk completed $LAST_REQS, the store has $stored new revisions" >&2; return 1
  fi
  echo "  $BE: $stored append revisions stored for $LAST_REQS completed writes; audit: $("$GW" audit verify --db "$db" 2>&1 | head -1)" >&2
}

echo "| backend | case | patients | requests/s | p50 | p99 | requests | load avg |"
echo "|---|---|---|---|---|---|---|---|"
case "$BACKEND" in sqlite|both) bench_backend sqlite "$OUT/gw.sqlite3" ;; esac
case "$BACKEND" in postgres|both)
  if [ -n "$PGBIN" ]; then bench_backend postgresql "$(start_pg)"
  else echo "SKIPPING PostgreSQL: no /usr/lib/postgresql/*/bin (Debian package postgresql)" >&2; fi ;;
esac
