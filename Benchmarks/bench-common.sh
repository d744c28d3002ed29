# Shared by the benchmark scripts: logging, required tools, wrk from Debian, a release build, the build lock
# while measuring, starting a server and waiting for its first answer, Vault API calls, and wrk runs whose
# output is parsed once into a summary file.
#
#   . "$(dirname "$0")/../bench-common.sh"
#   BIN=$(release_binary coffer "${COFFER_BIN:-}")
#   launch "$WORK/server.log" "$BIN" server -dev …        # LAUNCHED_PID, LAUNCHED_NS
#   wait_for_http "$URL/v1/sys/health" "$LAUNCHED_PID" "$WORK/server.log" 200   # WAITED_STATUS, WAITED_NS
#   api "$URL" POST secret/data/x "$TOKEN" '{"data":{"a":"b"}}'
#   run_wrk health "$URL/v1/sys/health"                    # $WORK/health.out and $WORK/health.summary
#
# The scripts set WORK (scratch directory), LOCK (the build lock's path), DURATION, THREADS and CONNECTIONS
# before calling the functions that use them.

log() { printf '%s\n' "$*" >&2; }
die() { log "$(basename "$0"): $*"; exit 1; }

now_ns() { date +%s%N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# rss_kb PID -> the process's resident set (VmRSS) in KiB
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# curl and python3 are needed by the scripts; wrk is installed from Debian's packages when missing.
require_bench_tools() {
    for tool in curl python3; do command -v "$tool" >/dev/null 2>&1 || die "$tool is required"; done
    if ! command -v wrk >/dev/null 2>&1; then
        log "installing wrk from Debian"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    fi
}

# Prints the path of the release binary of PRODUCT, building it under the shared build lock, unless
# OVERRIDE names a binary to use instead. COFFER_BENCHMARKS=1 adds the benchmark targets to the package
# (Package.swift leaves them out otherwise, so a plain `swift build` compiles none of them); the release
# build of everything else is shared with `swift build -c release`.
release_binary() {
    local product=$1 override=${2:-} bin
    if [ -n "$override" ]; then
        bin=$override
    else
        log "building $product (release)"
        COFFER_BENCHMARKS=1 flock "$LOCK" swift build -c release --product "$product" >&2
        bin="$(COFFER_BENCHMARKS=1 flock "$LOCK" swift build -c release --show-bin-path)/$product"
    fi
    [ -x "$bin" ] || die "no $product binary at $bin"
    printf '%s\n' "$bin"
}

# Measuring on a quiet machine: while the shared build lock is held no agent compiles (builds take both cores).
# The lock is taken on descriptor 9; processes started meanwhile must get `9>&-` (``launch`` does), or their
# copy of the descriptor would keep the lock after the script lets go. BENCH_NO_LOCK skips both calls.
hold_build_lock() {
    [ -n "${BENCH_NO_LOCK:-}" ] && return 0
    [ -e /proc/self/fd/9 ] || exec 9>"$LOCK"
    log "waiting for the build lock ($LOCK) to measure without concurrent builds"
    flock 9
}
release_build_lock() {
    [ -n "${BENCH_NO_LOCK:-}" ] || [ ! -e /proc/self/fd/9 ] || flock -u 9
}

# launch LOG COMMAND… — starts COMMAND in the background with its output in LOG and without the lock's
# descriptor; sets LAUNCHED_PID and LAUNCHED_NS (the start time, for time-to-first-answer figures).
launch() {
    local logfile=$1
    shift
    LAUNCHED_NS=$(now_ns)
    "$@" >"$logfile" 2>&1 9>&- &
    LAUNCHED_PID=$!
}

# wait_for_http URL PID LOG STATUS… — polls URL every ~2 ms until it answers one of STATUS; sets WAITED_STATUS
# and WAITED_NS (when it answered). Dies, printing LOG, if the process exits or WAIT_SECONDS (60) pass.
wait_for_http() {
    local url=$1 pid=$2 logfile=$3 code="" deadline
    shift 3
    deadline=$(($(now_ns) + ${WAIT_SECONDS:-60} * 1000000000))
    while [ "$(now_ns)" -lt "$deadline" ]; do
        code=$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)
        for wanted in "$@"; do
            if [ "$code" = "$wanted" ]; then
                WAITED_NS=$(now_ns)
                WAITED_STATUS=$code
                return 0
            fi
        done
        kill -0 "$pid" 2>/dev/null || { cat "$logfile" >&2; die "process $pid exited while waiting for $url"; }
        sleep 0.002
    done
    cat "$logfile" >&2
    die "no $* from $url after ${WAIT_SECONDS:-60} s (last status $code)"
}

# stop_process PID — SIGTERM, then waits for it to exit (a server drains and closes its storage first).
stop_process() {
    kill "$1" 2>/dev/null || return 0
    wait "$1" 2>/dev/null || true
}

# api BASE METHOD PATH [TOKEN [BODY]] -> response body; fails on a non-2xx answer. An empty TOKEN sends none.
api() {
    local base=$1 method=$2 path=$3 token=${4:-} body=${5:-}
    local args=(-sf -X "$method")
    [ -n "$token" ] && args+=(-H "X-Vault-Token: $token")
    [ -n "$body" ] && args+=(-H "Content-Type: application/json" -d "$body")
    curl "${args[@]}" "$base/v1/$path"
}

# json_field KEY… -> the value at KEY/KEY/… of the JSON document on stdin (e.g. `json_field auth client_token`).
json_field() {
    python3 -c 'import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1:]:
    value = value[int(key)] if isinstance(value, list) else value[key]
print(value)' "$@"
}

# post_lua FILE BODY — a wrk script sending BODY as a fixed JSON POST (JSON never contains the Lua long-bracket
# terminator `]==]`).
post_lua() {
    printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[%s]==]\n' "$2" \
        >"$1"
}

# run_wrk NAME URL [wrk options…] — wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency [options] URL into
# $WORK/NAME.out, parsed into $WORK/NAME.summary (``wrk_summary``). Options after the defaults win (`-t1 -c1`).
run_wrk() {
    local name=$1 url=$2
    shift 2
    log "wrk: $name" # not the options: they may carry a token
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$WORK/$name.out" 9>&-
    wrk_summary "$WORK/$name.out" >"$WORK/$name.summary"
}

# wrk_summary WRK_OUTPUT -> `key=value` lines: rps, p50_ms, p99_ms (from --latency), requests (completed),
# non2xx, socket_errors (wrk's line, or empty). The reports read them with `dict(line.split("=", 1) …)`.
wrk_summary() {
    python3 - "$1" <<'PY'
import re, sys

text = open(sys.argv[1]).read()
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}

def percentile(p):
    match = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    return float(match.group(1)) * UNITS[match.group(2)] if match else float("nan")

rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
requests = re.search(r"(\d+) requests in", text)
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errors = re.search(r"Socket errors:.*", text)
print(f"rps={float(rps.group(1)) if rps else 0.0}")
print(f"p50_ms={percentile(50)}")
print(f"p99_ms={percentile(99)}")
print(f"requests={int(requests.group(1)) if requests else 0}")
print(f"non2xx={int(bad.group(1)) if bad else 0}")
print(f"socket_errors={errors.group(0) if errors else ''}")
PY
}
