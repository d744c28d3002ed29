#!/usr/bin/env bash
# HTTP load benchmark of a release-built `coffer` in both modes, in one run, printed as Markdown tables.
#
#   Benchmarks/http-load/run.sh                        # wrk -t2 -c32 -d10s per scenario, 1,000,000-token scale run
#   Benchmarks/http-load/run.sh --tokens 20000         # a quick scale run
#   Benchmarks/http-load/run.sh --tokens 0             # no scale run
#   BENCH_DURATION=3s BENCH_STRACE=1 Benchmarks/http-load/run.sh --tokens 20000
#
# Two servers run side by side on 127.0.0.1, with the Azure simulator (`coffer azure-sim`, the example fixture):
#   dev         `coffer server -dev` (in-memory storage);
#   persistent  `coffer server -config=…`: SQLite storage (WAL, synchronous=FULL: every acknowledged write is on
#               disk), static-seal auto-unseal, telemetry on (`sys/metrics?format=prometheus`, usage gauges off so
#               a scrape never walks the token store), initialised by the script with `sys/init`.
# Both get the same setup: a KV v2 secret, a `bench` policy, an app token (24h) with it, and `auth/azure` with
# `sp-role`, bound only by the example VM's service principal (a login makes no ARM call). After an unmeasured
# 2 s warm-up of health and login on each, every scenario runs with the same wrk settings on dev and then on
# persistent, back to back, holding the build lock per pair so no compile shares the CPU:
#   GET sys/health (baseline) · KV v2 read · KV v2 write (kv-write.lua: 64 secrets) · GET auth/token/lookup-self ·
#   POST auth/token/create (token-create.lua: root token, 1h tokens) · POST auth/azure/login with `sp-role` (one
#   fixed body: the VM's managed-identity JWT, valid 24h) · sys/health again (baseline, and drift: if it moved,
#   something else took CPU during the run).
#
# Figures:
#   req/s, p50/p99      wrk's, per scenario; "× health" divides by the same mode's health baseline: the mean of
#                       the health runs before and after the scenarios (their difference is printed as drift).
#   persistent/dev      the two modes' rates for the same scenario, measured seconds apart.
#   writes per commit   persistent KV write and token/create: deltas of the SQLite storage counters
#                       (`…storage_sqlite_writes` / `…storage_sqlite_commits` in sys/metrics) over the scenario;
#                       "n/a" while the server has no such counters.
#   writes per fsync    BENCH_STRACE=1: an extra KV write run (its rate is not reported: ptrace slows the server)
#                       under `strace -f -c -e trace=fsync,fdatasync`; storage writes (or, without the counters,
#                       acknowledged requests) per fsync/fdatasync call.
#   idle RSS            VmRSS after the setup and 1 s idle (persistent: also after a restart of the set-up store).
#   start               process start → first answer; servers start under the build lock too. dev: first 200 on
#                       sys/health. persistent: empty store → first answer (501, not initialised); `sys/init` →
#                       200 (auto-unsealed); restart of the set-up store → first 200 on lookup-self.
#   scale run           (--tokens N > 0) a third, fresh persistent server: lookup-self and SP login with ~1,000
#                       stored tokens; fill to N stored tokens (token-fill.lua: 24h tokens, wrk -t2 -c128 until
#                       each thread has its share, not under the build lock; the fill rate is reported); restart
#                       → first answer, first 200 on sys/health (unsealed), first 200 on lookup-self (serving);
#                       lookup-self and SP login at N, the ratios N / 1,000, RSS after restart and after the runs.
#                       Logins store tokens too (the login run at ~1,000 adds rate × duration, ~20,000 at 10 s):
#                       the stored counts printed include them, and a quick run needs N well above that.
# Targets (issue 13) are shown with ✅/❌. Numbers depend on the machine (printed in the header: this repository's
# runs are on a 2-core AMD EPYC VM, 24 GB, ext4 on a virtio disk) and are never asserted in tests; compare ratios
# from one run, not absolute rates across runs. Not part of scripts/test. A full run (--tokens 1000000) takes
# about 20 minutes, most of it the fill.
#
# Environment: BENCH_DURATION (10s), BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_FILL_CONNECTIONS (128: the
# scale run's fill), COFFER_BUILD_LOCK (/tmp/coffer-build.lock), COFFER_BIN (skip the release build and use this
# binary), BENCH_NO_STRIP (measure the binary unstripped), BENCH_NO_LOCK (do not hold the build lock while
# measuring), BENCH_STRACE (count fsyncs), BENCH_RESULTS (also write the tables to this file).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
FILL_CONNECTIONS=${BENCH_FILL_CONNECTIONS:-128}
LOCK=${COFFER_BUILD_LOCK:-/tmp/coffer-build.lock}
TOKENS=1000000
while [ $# -gt 0 ]; do
    case "$1" in
    --tokens) TOKENS=${2:-}; shift 2 ;;
    --tokens=*) TOKENS=${1#--tokens=}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--tokens N]" >&2; exit 2 ;;
    esac
done
case "$TOKENS" in '' | *[!0-9]*) echo "--tokens needs a whole number" >&2; exit 2 ;; esac
WORK=$(mktemp -d /tmp/coffer-bench.XXXXXX)

. "$HERE/../bench-common.sh"
. "$HERE/steps.sh"
require_bench_tools
[ -z "${BENCH_STRACE:-}" ] || command -v strace >/dev/null 2>&1 || die "BENCH_STRACE needs strace"

cd "$ROOT"
BIN=$(release_binary coffer "${COFFER_BIN:-}")
# Measure the binary as shipped: stripped of its symbol table (the debug symbols are never loaded, but
# an unstripped binary's relocated symbol sections add ~2 MB of resident pages).
if command -v strip >/dev/null 2>&1 && [ -z "${BENCH_NO_STRIP:-}" ]; then
    cp "$BIN" "$WORK/coffer" && strip "$WORK/coffer" && BIN="$WORK/coffer"
fi

PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -f "$WORK/coffer" # the stripped copy; outputs and logs stay
}
trap cleanup EXIT

start_simulator
start_dev_server
start_persistent_server persistent
# Idle after setup (each server had its second of quiet in the start functions), then the scenarios.
fact dev_idle_rss_kb "$(rss_kb "$DEV_PID")"
fact persistent_idle_rss_kb "$(rss_kb "$PERSISTENT_PID")"
warm_up
sample_rss "$DEV_PID" "$WORK/dev.rss"
sample_rss "$PERSISTENT_PID" "$WORK/persistent.rss"
fact load_before "$(cut -d' ' -f1 /proc/loadavg)"

scenario health /v1/sys/health none
scenario kv-read /v1/secret/data/bench/read app
scenario kv-write /v1/secret/data/bench/write app -s "$HERE/kv-write.lua"
scenario lookup-self /v1/auth/token/lookup-self app
scenario token-create /v1/auth/token/create root -s "$HERE/token-create.lua"
scenario sp-login /v1/auth/azure/login none -s "$WORK/sp-login.lua"
scenario health-again /v1/sys/health none
fact load_after "$(cut -d' ' -f1 /proc/loadavg)"
[ -z "${BENCH_STRACE:-}" ] || count_fsyncs
for mode in dev persistent; do fact "${mode}_peak_rss_kb" "$(sort -n "$WORK/$mode.rss" | tail -n 1)"; done
stop_process "$DEV_PID"
stop_process "$PERSISTENT_PID"

[ "$TOKENS" -eq 0 ] || scale_run "$TOKENS"

report() {
    python3 "$HERE/report.py" "$WORK" "$DURATION" "$THREADS" "$CONNECTIONS" "$TOKENS" "${COFFER_BIN:-release build}" \
        "$FILL_CONNECTIONS"
}
if [ -n "${BENCH_RESULTS:-}" ]; then report | tee "$BENCH_RESULTS"; else report; fi
