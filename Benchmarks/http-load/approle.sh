#!/usr/bin/env bash
# AppRole login throughput of a release-built `coffer` in persistent mode, beside the bare health baseline and the
# SP-bound Azure login, in one run, printed as a Markdown table.
#
#   Benchmarks/http-load/approle.sh                     # wrk -t2 -c32 -d10s per scenario
#   BENCH_DURATION=5s Benchmarks/http-load/approle.sh
#   COFFER_BIN=.build/release/coffer Benchmarks/http-load/approle.sh
#
# One persistent server (`coffer server -config=…`: SQLite storage, WAL, synchronous=FULL, static-seal auto-unseal,
# set up by run.sh's steps: a `bench` policy and `auth/azure` with `sp-role` bound to the example VM's service
# principal) and the Azure simulator. The script adds `auth/approle` with role `bench` (token_policies=bench,
# token_ttl=1h) and two secret ids: one unlimited, one with 2,000,000,000 uses (every login of the second rewrites
# its entry under the secret id's lock: the worst case, all logins queue on one id). After an unmeasured 2 s warm-up
# of each, every scenario runs back to back with the same wrk settings, holding the build lock so no compile shares
# the CPU:
#   GET sys/health (baseline) · POST auth/approle/login (unlimited secret id) · POST auth/approle/login (counted
#   secret id) · POST auth/azure/login with `sp-role` · sys/health again (drift).
# "× health" divides by the mean of the two health runs. Vault's published dev-server AppRole figure (5,178
# logins/s) is printed beside ours for reference; it was measured on other hardware, in dev (in-memory) mode.
#
# Environment: BENCH_DURATION (10s), BENCH_THREADS (2), BENCH_CONNECTIONS (32), COFFER_BUILD_LOCK
# (/tmp/coffer-build.lock), COFFER_BIN (skip the release build), BENCH_NO_LOCK, BENCH_RESULTS (also write the
# table to this file).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
LOCK=${COFFER_BUILD_LOCK:-/tmp/coffer-build.lock}
case "${1:-}" in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
WORK=$(mktemp -d /tmp/coffer-bench-approle.XXXXXX)

. "$HERE/../bench-common.sh"
. "$HERE/steps.sh"
require_bench_tools

cd "$ROOT"
BIN=$(release_binary coffer "${COFFER_BIN:-}")

PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# setup_approle BASE ROOT — auth/approle, role `bench`, and the login scripts of both secret ids.
setup_approle() {
    local base=$1 root=$2 role_id unlimited counted
    api "$base" POST sys/auth/approle "$root" '{"type":"approle"}' >/dev/null
    api "$base" POST auth/approle/role/bench "$root" '{"token_policies":"bench","token_ttl":"1h"}' >/dev/null
    role_id=$(api "$base" GET auth/approle/role/bench/role-id "$root" | json_field data role_id)
    unlimited=$(api "$base" POST auth/approle/role/bench/secret-id "$root" '{}' | json_field data secret_id)
    counted=$(api "$base" POST auth/approle/role/bench/secret-id "$root" '{"num_uses":2000000000}' |
        json_field data secret_id)
    post_lua "$WORK/approle-login.lua" "{\"role_id\":\"$role_id\",\"secret_id\":\"$unlimited\"}"
    post_lua "$WORK/approle-counted.lua" "{\"role_id\":\"$role_id\",\"secret_id\":\"$counted\"}"
    api "$base" POST auth/approle/login "" "{\"role_id\":\"$role_id\",\"secret_id\":\"$unlimited\"}" |
        json_field auth client_token >/dev/null || die "the AppRole login failed on $base"
}

# measure NAME PATH [wrk options…] — one persistent-mode scenario under the build lock.
measure() {
    local name=$1 path=$2
    shift 2
    hold_build_lock
    run_wrk "persistent-$name" "$PERSISTENT_URL$path" "$@"
    release_build_lock
}

start_simulator
start_persistent_server persistent
setup_approle "$PERSISTENT_URL" "$PERSISTENT_ROOT"
log "warm-up: 2 s of sys/health, the AppRole login and the SP login"
hold_build_lock
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$PERSISTENT_URL/v1/sys/health" >/dev/null 9>&-
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$WORK/approle-login.lua" "$PERSISTENT_URL/v1/auth/approle/login" \
    >/dev/null 9>&-
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$WORK/sp-login.lua" "$PERSISTENT_URL/v1/auth/azure/login" >/dev/null 9>&-
release_build_lock
fact load_before "$(cut -d' ' -f1 /proc/loadavg)"

measure health /v1/sys/health
measure approle-login /v1/auth/approle/login -s "$WORK/approle-login.lua"
measure approle-counted /v1/auth/approle/login -s "$WORK/approle-counted.lua"
measure sp-login /v1/auth/azure/login -s "$WORK/sp-login.lua"
measure health-again /v1/sys/health
fact load_after "$(cut -d' ' -f1 /proc/loadavg)"
fact stored_tokens "$(api "$PERSISTENT_URL" GET "auth/token/accessors?list=true" "$PERSISTENT_ROOT" |
    python3 -c 'import json, sys; print(len(json.load(sys.stdin)["data"]["keys"]))')"
stop_process "$PERSISTENT_PID"

report() {
    python3 - "$WORK" "$DURATION" "$THREADS" "$CONNECTIONS" "${COFFER_BIN:-release build}" <<'PY'
import pathlib, sys

work, duration, threads, connections, binary = sys.argv[1:]
work = pathlib.Path(work)
def summary(name):
    return dict(line.split("=", 1) for line in (work / f"persistent-{name}.summary").read_text().splitlines())
facts = dict(line.split("=", 1) for line in (work / "facts").read_text().splitlines())
health = [float(summary(n)["rps"]) for n in ("health", "health-again")]
baseline = sum(health) / 2
print(f"AppRole login, persistent (SQLite) mode — wrk -t{threads} -c{connections} -d{duration}; {binary}")
print(f"load {facts.get('load_before')} → {facts.get('load_after')}; tokens stored after the run: "
      f"{facts.get('stored_tokens')}; health drift {abs(health[0] - health[1]) / baseline:.1%}\n")
print("| scenario | req/s | p50 ms | p99 ms | × health | non-2xx |")
print("|---|---:|---:|---:|---:|---:|")
labels = {"health": "GET sys/health", "approle-login": "AppRole login (unlimited secret id)",
          "approle-counted": "AppRole login (counted secret id, one id)", "sp-login": "Azure SP-bound login",
          "health-again": "GET sys/health (again)"}
for name, label in labels.items():
    s = summary(name)
    rps = float(s["rps"])
    print(f"| {label} | {rps:,.0f} | {float(s['p50_ms']):.2f} | {float(s['p99_ms']):.2f} | "
          f"{rps / baseline:.3f} | {s['non2xx']} |")
approle = float(summary("approle-login")["rps"])
sp = float(summary("sp-login")["rps"])
print(f"\nAppRole / SP login: {approle / sp:.2f}; AppRole / Vault's dev-server 5,178 logins/s: {approle / 5178:.2f} "
      f"(beats it: {'✅' if approle > 5178 else '❌'})")
PY
}
if [ -n "${BENCH_RESULTS:-}" ]; then report | tee "$BENCH_RESULTS"; else report; fi
