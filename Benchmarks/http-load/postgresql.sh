#!/usr/bin/env bash
# Writes on PostgreSQL storage beside the same writes on SQLite, one binary, one run, printed as a Markdown table.
#
#   Benchmarks/http-load/postgresql.sh                 # wrk -t2 -c32 -d10s per scenario, two rounds
#   BENCH_DURATION=5s BENCH_ROUNDS=1 Benchmarks/http-load/postgresql.sh
#
# Two persistent servers run side by side on 127.0.0.1, each with static-seal auto-unseal and initialised with
# `sys/init`: one on `storage "sqlite"` (a file under a temporary directory), one on `storage "postgresql"` (a table
# of its own, dropped at exit, in the database of BENCH_POSTGRES_URL, default the one scripts/test creates; the URL
# reaches the server through COFFER_PG_CONNECTION_URL). Each gets KV v2 at `secret/`. Then, for each round, KV v2
# write (kv-write.lua: 64 secrets) and `auth/token/create` (token-create.lua) run with the same wrk settings on SQLite
# and then on PostgreSQL, back to back, holding the build lock per pair so no compile shares the CPU. PostgreSQL
# runs on the same machine and cores as the servers and wrk. "pg/sqlite" divides the two rates of one pair; the
# issue-14 target is ≥ 0.5 for writes. Not part of scripts/test.
#
# Environment: BENCH_DURATION (10s), BENCH_ROUNDS (2), BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_POSTGRES_URL,
# COFFER_BUILD_LOCK (/tmp/coffer-build.lock), COFFER_BIN (skip the release build and use this binary).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${BENCH_DURATION:-10s}
ROUNDS=${BENCH_ROUNDS:-2}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
LOCK=${COFFER_BUILD_LOCK:-/tmp/coffer-build.lock}
PG_URL=${BENCH_POSTGRES_URL:-postgres://coffer_test:coffer-test-only@127.0.0.1:5432/coffer_test?sslmode=disable}
WORK=$(mktemp -d /tmp/coffer-pg-bench.XXXXXX)
TABLE="coffer_bench_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"

. "$HERE/../bench-common.sh"
require_bench_tools
command -v psql >/dev/null 2>&1 || die "psql is required (Debian's postgresql-client)"
psql "$PG_URL" -X -q -c 'SELECT 1' >/dev/null || die "cannot reach PostgreSQL at BENCH_POSTGRES_URL (value not shown)"

cd "$ROOT"
BIN=$(release_binary coffer "${COFFER_BIN:-}")

PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    psql "$PG_URL" -X -q -c "DROP TABLE IF EXISTS \"$TABLE\"; DROP TABLE IF EXISTS \"${TABLE}_schema\"" >/dev/null 2>&1 || true
}
trap cleanup EXIT

head -c 32 /dev/urandom | base64 >"$WORK/seal.key"
chmod 600 "$WORK/seal.key"

# start_server NAME STORAGE_STANZA: sets <NAME>_URL and <NAME>_TOKEN.
start_server() {
    local name=$1 stanza=$2 port url token
    port=$(free_port)
    url="http://127.0.0.1:$port"
    cat >"$WORK/$name.hcl" <<HCL
$stanza
listener "tcp" {
  address     = "127.0.0.1:$port"
  tls_disable = true
}
seal "static" {
  key_file = "$WORK/seal.key"
}
disable_mlock = true
HCL
    COFFER_PG_CONNECTION_URL="$PG_URL" launch "$WORK/$name.log" "$BIN" server -config="$WORK/$name.hcl"
    PIDS+=("$LAUNCHED_PID")
    wait_for_http "$url/v1/sys/health" "$LAUNCHED_PID" "$WORK/$name.log" 501 200
    token=$(api "$url" PUT sys/init "" '{"recovery_shares":1,"recovery_threshold":1}' | json_field root_token)
    wait_for_http "$url/v1/sys/health" "$LAUNCHED_PID" "$WORK/$name.log" 200
    api "$url" POST sys/mounts/secret "$token" '{"type":"kv","options":{"version":"2"}}' >/dev/null
    printf -v "${name}_URL" '%s' "$url"
    printf -v "${name}_TOKEN" '%s' "$token"
}

start_server sqlite "storage \"sqlite\" { path = \"$WORK/coffer.db\" }"
start_server postgresql "storage \"postgresql\" { table = \"$TABLE\" }"

echo "| round | scenario | SQLite req/s | p50 / p99 ms | PostgreSQL req/s | p50 / p99 ms | pg/sqlite |"
echo "|---|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
    for scenario in kv-write token-create; do
        path=/v1/secret/data/bench/write
        [ "$scenario" = token-create ] && path=/v1/auth/token/create
        flock "$LOCK" bash -c "$(declare -f run_wrk wrk_summary log); THREADS=$THREADS CONNECTIONS=$CONNECTIONS \
            DURATION=$DURATION WORK=$WORK; \
            run_wrk sqlite-$scenario-$round '$sqlite_URL$path' -H 'X-Vault-Token: $sqlite_TOKEN' -s '$HERE/$scenario.lua'; \
            run_wrk postgresql-$scenario-$round '$postgresql_URL$path' -H 'X-Vault-Token: $postgresql_TOKEN' \
                -s '$HERE/$scenario.lua'"
        python3 - "$WORK/sqlite-$scenario-$round.summary" "$WORK/postgresql-$scenario-$round.summary" \
            "$round" "$scenario" <<'PY'
import sys

def read(path):
    return dict(line.strip().split("=", 1) for line in open(path) if "=" in line)

s, p = read(sys.argv[1]), read(sys.argv[2])
bad = int(s["non2xx"]) + int(p["non2xx"])
ratio = float(p["rps"]) / float(s["rps"]) if float(s["rps"]) else float("nan")
print(f"| {sys.argv[3]} | {sys.argv[4]} | {float(s['rps']):.0f} | {float(s['p50_ms']):.2f} / {float(s['p99_ms']):.2f} "
      f"| {float(p['rps']):.0f} | {float(p['p50_ms']):.2f} / {float(p['p99_ms']):.2f} | {ratio:.2f}"
      + (f" ({bad} non-2xx!)" if bad else "") + " |")
PY
    done
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); logs in $WORK"
