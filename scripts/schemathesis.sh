#!/usr/bin/env bash
# API fuzzing: schemathesis (PyPI, in a private venv) against the server's
# own OpenAPI document (/api/openapi.json). Starts `graftwatch serve` on a
# free loopback port over a fresh SQLite store seeded with the seed case,
# once with a physician's token (reads + observation writes) and once with
# an auditor's token (audit routes); fails on any 5xx or a response that
# does not match the document.
#
#   scripts/schemathesis.sh [MAX_EXAMPLES]     (default 100 per operation)
#
# Environment: GRAFTWATCH_BIN (default: cargo build -p graftwatch-cli, debug),
# SCHEMATHESIS_VENV (default target/schemathesis-venv),
# SCHEMATHESIS_VERSION (default 4.*).
set -euo pipefail
cd "$(dirname "$0")/.."
MAX=${1:-100}
VENV=${SCHEMATHESIS_VENV:-target/schemathesis-venv}
VERSION=${SCHEMATHESIS_VERSION:-4.*}

if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$VERSION"
fi
"$VENV/bin/schemathesis" --version

BIN=${GRAFTWATCH_BIN:-}
if [ -z "$BIN" ]; then
  cargo build -q -p graftwatch-cli
  BIN="${CARGO_TARGET_DIR:-target}/debug/graftwatch"
fi

TMP=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
export XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data"
export GRAFTWATCH_DB="$TMP/gw.sqlite3" GRAFTWATCH_ACTOR=fuzz-admin
export GRAFTWATCH_AUDIT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
"$BIN" db init >/dev/null
"$BIN" import examples/seed-case/ >/dev/null
printf 'fuzz physician password\n' | "$BIN" user add fuzz-doc --role physician --password-stdin >/dev/null
printf 'fuzz auditor password\n' | "$BIN" user add fuzz-aud --role auditor --password-stdin >/dev/null
DOC=$("$BIN" token create fuzz-doc --label schemathesis 2>/dev/null)
AUD=$("$BIN" token create fuzz-aud --label schemathesis 2>/dev/null)

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve --insecure-cookies --bind "127.0.0.1:$PORT" 2>"$TMP/serve.log" &
PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/api/openapi.json" >/dev/null && break; sleep 0.2; done

# Pass 1: random patient ids (mostly 404s); pass 2: the seeded patient, so
# the fuzzing reaches the grading, DLI and write paths; pass 3: the auditor.
printf '[parameters]\n"path.id" = "SEED-AML-01"\n' > "$TMP/seeded.toml"
printf '# defaults\n' > "$TMP/plain.toml"
status=0
for run in "$DOC plain" "$DOC seeded" "$AUD plain"; do
  set -- $run
  echo "== schemathesis: token of $([ "$1" = "$DOC" ] && echo physician || echo auditor), $2 patient ids"
  "$VENV/bin/schemathesis" --config-file "$TMP/$2.toml" run "http://127.0.0.1:$PORT/api/openapi.json" \
    --header "Authorization: Bearer $1" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$MAX" --seed 18 || status=$?
done
if grep -q "internal error" "$TMP/serve.log"; then
  echo "server log has internal errors:"; grep "internal error" "$TMP/serve.log"; status=1
fi
"$BIN" audit verify
exit $status
