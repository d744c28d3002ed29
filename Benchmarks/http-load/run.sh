#!/usr/bin/env bash
# HTTP load benchmark of a release-built `coffer` dev server, printed as a Markdown table.
#
#   Benchmarks/http-load/run.sh                 # wrk -t2 -c32 -d10s per scenario
#   BENCH_DURATION=3s Benchmarks/http-load/run.sh
#
# Scenarios (one server, one run): GET sys/health (baseline), KV v2 read, KV v2 write (POST via
# kv-write.lua), GET auth/token/lookup-self, POST auth/token/create (token-create.lua). Reports
# requests/s, p50/p99 latency, the ratio to the baseline, idle RSS, peak RSS under load and the
# dev server's time from start to the first 200 on sys/health. Not part of scripts/test: numbers
# depend on the machine and are never asserted in tests.
#
# Environment: BENCH_DURATION (10s), BENCH_THREADS (2), BENCH_CONNECTIONS (32),
# COFFER_BUILD_LOCK (/tmp/coffer-build.lock), COFFER_BIN (skip the release build and use this binary),
# BENCH_NO_STRIP (measure the binary unstripped).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
LOCK=${COFFER_BUILD_LOCK:-/tmp/coffer-build.lock}
WORK=$(mktemp -d /tmp/coffer-bench.XXXXXX)

. "$HERE/../bench-common.sh"
require_bench_tools

cd "$ROOT"
BIN=$(release_binary coffer "${COFFER_BIN:-}")
# Measure the binary as shipped: stripped of its symbol table (the debug symbols are never loaded, but
# an unstripped binary's relocated symbol sections add ~2 MB of resident pages).
if command -v strip >/dev/null 2>&1 && [ -z "${BENCH_NO_STRIP:-}" ]; then
    cp "$BIN" "$WORK/coffer" && strip "$WORK/coffer" && BIN="$WORK/coffer"
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ADDR="127.0.0.1:$PORT"
URL="http://$ADDR"
ROOT_TOKEN="bench$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
SERVER_PID=""
SAMPLER_PID=""
cleanup() {
    [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
}
trap cleanup EXIT

now_ns() { date +%s%N; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }

start_ns=$(now_ns)
"$BIN" server -dev "-dev-root-token-id=$ROOT_TOKEN" "-dev-listen-address=$ADDR" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
ready_ns=""
for _ in $(seq 1 6000); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/sys/health" || true)" = "200" ]; then
        ready_ns=$(now_ns)
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; die "server exited during start"; }
    sleep 0.005
done
[ -n "$ready_ns" ] || die "server not ready after 30 s"
READY_MS=$(( (ready_ns - start_ns) / 1000000 ))

api() { # api METHOD PATH TOKEN [BODY] -> response body; fails on non-2xx
    local method=$1 path=$2 token=$3 body=${4:-}
    local args=(-sf -X "$method" -H "X-Vault-Token: $token")
    [ -n "$body" ] && args+=(-H "Content-Type: application/json" -d "$body")
    curl "${args[@]}" "$URL/v1/$path"
}
api POST "secret/data/bench/read" "$ROOT_TOKEN" '{"data":{"user":"app","password":"correct horse battery staple"}}' >/dev/null
api PUT "sys/policy/bench" "$ROOT_TOKEN" \
    '{"policy":"path \"secret/data/bench/*\" { capabilities = [\"create\", \"read\", \"update\"] }"}' >/dev/null
APP_TOKEN=$(api POST "auth/token/create" "$ROOT_TOKEN" '{"policies":["bench"],"ttl":"24h"}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["auth"]["client_token"])')

sleep 1
IDLE_RSS_KB=$(rss_kb)

( while kill -0 "$SERVER_PID" 2>/dev/null; do rss_kb >>"$WORK/rss.samples" 2>/dev/null || true; sleep 0.2; done ) &
SAMPLER_PID=$!

# run_wrk NAME PATH TOKEN [SCRIPT]
run_wrk() {
    local name=$1 path=$2 token=$3 script=${4:-}
    local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)
    [ -n "$token" ] && args+=(-H "X-Vault-Token: $token")
    [ -n "$script" ] && args+=(-s "$HERE/$script")
    log "wrk: $name"
    wrk "${args[@]}" "$URL$path" >"$WORK/$name.out"
}
run_wrk health /v1/sys/health ""
run_wrk kv-read /v1/secret/data/bench/read "$APP_TOKEN"
run_wrk kv-write /v1/secret/data/bench/write "$APP_TOKEN" kv-write.lua
run_wrk lookup-self /v1/auth/token/lookup-self "$APP_TOKEN"
run_wrk token-create /v1/auth/token/create "$ROOT_TOKEN" token-create.lua
kill "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
PEAK_RSS_KB=$(sort -n "$WORK/rss.samples" | tail -n 1)

python3 - "$WORK" "$IDLE_RSS_KB" "$PEAK_RSS_KB" "$READY_MS" "$DURATION" "$THREADS" "$CONNECTIONS" <<'EOF'
import re, sys
from pathlib import Path

work, idle_kb, peak_kb, ready_ms, duration, threads, conns = sys.argv[1:]
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}

def parse(name):
    text = (Path(work) / f"{name}.out").read_text()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
        return float(m.group(1)) * UNITS[m.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors:.*", text)
    return rps, pct(50), pct(99), int(bad.group(1)) if bad else 0, errors.group(0) if errors else ""

rows = [("GET sys/health (baseline)", "health", None), ("KV v2 read", "kv-read", 0.5),
        ("KV v2 write (POST)", "kv-write", None), ("GET auth/token/lookup-self", "lookup-self", 0.6),
        ("POST auth/token/create", "token-create", None)]
base = parse("health")[0]
print(f"\nwrk -t{threads} -c{conns} -d{duration} --latency against a release dev server\n")
print("| Scenario | req/s | p50 (ms) | p99 (ms) | × baseline | target | non-2xx |")
print("|---|---:|---:|---:|---:|---|---:|")
notes = []
for label, name, target in rows:
    rps, p50, p99, bad, errors = parse(name)
    ratio = rps / base
    goal = "—" if target is None else f"≥ {target}× {'✅' if ratio >= target else '❌'}"
    print(f"| {label} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {ratio:.2f} | {goal} | {bad} |")
    if errors:
        notes.append(f"{label}: {errors}")
idle_mb, peak_mb = int(idle_kb) / 1024, int(peak_kb) / 1024
print()
print("| Resource | value | target |")
print("|---|---:|---|")
print(f"| Idle RSS (VmRSS) | {idle_mb:.1f} MB | ≤ 40 MB {'✅' if idle_mb <= 40 else '❌'} |")
print(f"| Peak RSS under load | {peak_mb:.1f} MB | — |")
print(f"| Dev server start → first 200 on sys/health | {int(ready_ms)} ms | ≤ 1000 ms {'✅' if int(ready_ms) <= 1000 else '❌'} |")
for note in notes:
    print(f"\n{note}")
EOF
