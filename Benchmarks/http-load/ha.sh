#!/usr/bin/env bash
# HA benchmark (issue 14): writes through the ACTIVE node of a PostgreSQL HA cluster beside the same writes on a
# single SQLite node, and the cost of forwarding a request through a standby. One binary, one run, Markdown tables.
#
#   Benchmarks/http-load/ha.sh                         # wrk -t2 -c32 -d10s per run, two rounds, 2 HA nodes
#   BENCH_DURATION=6s BENCH_HA_NODES=3 Benchmarks/http-load/ha.sh
#
# What runs, all on 127.0.0.1 (PostgreSQL on the same machine and cores as the servers and wrk):
#   azure-sim    `coffer azure-sim` with the example fixture, as in run.sh (steps.sh's start_simulator);
#   sqlite       one node, `storage "sqlite"` (WAL, synchronous=FULL), static-seal auto-unseal;
#   pg-single    one node on `storage "postgresql"` without HA, on a table of its own (BENCH_PG_SINGLE=0: not run):
#                the same store without the lock, so "active/single" shows what HA itself costs a write (the fence
#                query inside every commit's transaction);
#   ha-1 … ha-N  `storage "postgresql" { ha_enabled = "true" }` on shared tables of their own (a random name, all
#                three tables dropped at exit) in the database of BENCH_POSTGRES_URL (default: the one scripts/test
#                creates; the URL reaches the nodes through COFFER_PG_CONNECTION_URL and is never printed), each
#                with its own `api_addr`, the same static seal key, default lock_ttl (15 s) and forwarding on.
# `sys/init` is sent once to each single node and to ha-1; every HA node then unseals itself and one wins the lock.
# The single nodes and the active node get run.sh's setup (steps.sh's setup_server: KV v2 secret, `bench` policy
# and an app token, auth/azure with the SP-bound `sp-role`). After an unmeasured 2 s warm-up (health and SP login on
# each, the KV read through the standby), for each round:
#   1. Writes, SQLite then the active node (then pg-single), back to back with the build lock held per scenario (no
#      compile shares the CPU): KV v2 write (kv-write.lua, app token), `auth/token/create` (token-create.lua, root
#      token), SP-bound Azure login (one fixed body, no token; a login stores a token, so it is a write too).
#      "pg/sqlite" divides the active node's rate by SQLite's; the issue-14 target is ≥ 0.5 for the KV write and
#      token/create.
#   2. Forwarding: `GET secret/data/bench/read` with the app token, straight to the active node and through a
#      standby (its leader_address checked first), once with ONE connection (wrk -t1 -c1: latency percentiles; the
#      "added at p50" column is standby p50 − active p50, target < 1 ms) and once at the usual -t2 -c32 (throughput).
#      The pair's order alternates between rounds. status-200.lua counts every answer that is not a 200, because
#      wrk counts a 307 (a standby redirecting instead of forwarding) as a success; such answers are reported.
#      Before the runs, the standby must answer the read with the secret (200); otherwise part 2 is reported as not
#      measured, with the status the standby gave. The CPU time (user + system, /proc) the active node and the
#      standby spend during each run, divided by its requests, shows what a forwarded request costs each node.
# Figures depend on the machine and on what else runs (the header prints the 1-min load before and after, and what
# other coffer processes and compilers were alive during the pairs); compare the ratios of one run, never absolute
# rates across runs. Not part of scripts/test. Measuring takes 13 × BENCH_DURATION per round (9 with
# BENCH_PG_SINGLE=0), plus start-up, warm-up and waits for the build lock.
#
# Environment: BENCH_DURATION (10s), BENCH_ROUNDS (2), BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_HA_NODES
# (2 or 3; default 2), BENCH_FORWARDING (1; 0 skips part 2), BENCH_PG_SINGLE (1; 0 skips pg-single),
# BENCH_POSTGRES_URL, COFFER_BUILD_LOCK (/tmp/coffer-build.lock), COFFER_BIN (skip the release build and use this
# binary: a debug binary is for trying the script, never for figures), BENCH_NO_LOCK (do not hold the build lock
# while measuring).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${BENCH_DURATION:-10s}
ROUNDS=${BENCH_ROUNDS:-2}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
NODES=${BENCH_HA_NODES:-2}
FORWARDING=${BENCH_FORWARDING:-1}
PG_SINGLE=${BENCH_PG_SINGLE:-1}
LOCK=${COFFER_BUILD_LOCK:-/tmp/coffer-build.lock}
PG_URL=${BENCH_POSTGRES_URL:-postgres://coffer_test:coffer-test-only@127.0.0.1:5432/coffer_test?sslmode=disable}
case "$NODES" in 2 | 3) ;; *) echo "BENCH_HA_NODES must be 2 or 3" >&2; exit 2 ;; esac
case "$ROUNDS" in '' | *[!0-9]* | 0) echo "BENCH_ROUNDS must be a whole number ≥ 1" >&2; exit 2 ;; esac
WORK=$(mktemp -d /tmp/coffer-ha-bench.XXXXXX)
TABLE="coffer_habench_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
HA_TABLE="${TABLE}_lock"
SINGLE_TABLE="${TABLE}_single"
# Each node's own api_addr comes from its file; an inherited override would point every node at the same address.
unset VAULT_API_ADDR VAULT_CLUSTER_ADDR

. "$HERE/../bench-common.sh"
. "$HERE/steps.sh"
require_bench_tools
command -v psql >/dev/null 2>&1 || die "psql is required (Debian's postgresql-client)"
psql "$PG_URL" -X -q -c 'SELECT 1' >/dev/null || die "cannot reach PostgreSQL at BENCH_POSTGRES_URL (value not shown)"

cd "$ROOT"
BIN=$(release_binary coffer "${COFFER_BIN:-}")
# A copy of our own: another engineer's release build must not replace the binary between two runs of a pair.
cp "$BIN" "$WORK/coffer"
BIN="$WORK/coffer"

PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    psql "$PG_URL" -X -q -c "DROP TABLE IF EXISTS \"$TABLE\"; DROP TABLE IF EXISTS \"${TABLE}_schema\";
        DROP TABLE IF EXISTS \"$HA_TABLE\"; DROP TABLE IF EXISTS \"$SINGLE_TABLE\";
        DROP TABLE IF EXISTS \"${SINGLE_TABLE}_schema\"" >/dev/null 2>&1 || log "could not drop the tables $TABLE*"
    rm -f "$WORK/coffer"
}
trap cleanup EXIT

head -c 32 /dev/urandom | base64 >"$WORK/seal.key"
chmod 600 "$WORK/seal.key"

# write_config NAME PORT STORAGE_STANZA [TOP-LEVEL LINES] — $WORK/NAME.hcl.
write_config() {
    cat >"$WORK/$1.hcl" <<HCL
$3
${4:-}
listener "tcp" {
  address     = "127.0.0.1:$2"
  tls_disable = true
}
seal "static" {
  key_file = "$WORK/seal.key"
}
disable_mlock = true
log_level     = "warn"
HCL
}

# start_node NAME PORT — launches NAME with its config (and the simulator's cloud); sets NODE_PID.
start_node() {
    server_command "-config=$WORK/$1.hcl"
    COFFER_PG_CONNECTION_URL="$PG_URL" launch "$WORK/$1.log" "${SERVER_COMMAND[@]}"
    NODE_PID=$LAUNCHED_PID
    PIDS+=("$NODE_PID")
}

# health_code BASE -> sys/health's status (000 while nothing answers).
health_code() { curl -s -o /dev/null -w '%{http_code}' "$1/v1/sys/health" || true; }

# start_single NAME STORAGE_STANZA — one node on its own, initialised and set up; sets <NAME>_URL, <NAME>_ROOT and
# <NAME>_APP (NAME in capitals).
start_single() {
    local name=$1 upper port url root
    upper=$(tr '[:lower:]-' '[:upper:]_' <<<"$name")
    port=$(free_port)
    url="http://127.0.0.1:$port"
    write_config "$name" "$port" "$2"
    start_node "$name"
    wait_for_http "$url/v1/sys/health" "$NODE_PID" "$WORK/$name.log" 501
    root=$(api "$url" PUT sys/init "" '{"recovery_shares":1,"recovery_threshold":1}' | json_field root_token)
    wait_for_http "$url/v1/sys/health" "$NODE_PID" "$WORK/$name.log" 200
    setup_server "$url" "$root"
    printf -v "${upper}_URL" '%s' "$url"
    printf -v "${upper}_ROOT" '%s' "$root"
    printf -v "${upper}_APP" '%s' "$SETUP_APP"
}

# start_cluster — NODES HA nodes on the shared tables, sys/init on the first; sets ACTIVE_URL and ACTIVE_PID,
# STANDBY_URL and STANDBY_PID (a standby that names the active node as its leader), PG_ROOT, PG_APP.
start_cluster() {
    local i port urls=() pids=() deadline code active="" standbys=() active_pid="" standby_pids=()
    for i in $(seq 1 "$NODES"); do
        port=$(free_port)
        urls+=("http://127.0.0.1:$port")
        write_config "ha-$i" "$port" "storage \"postgresql\" {
  table      = \"$TABLE\"
  ha_table   = \"$HA_TABLE\"
  ha_enabled = \"true\"
}" "api_addr = \"http://127.0.0.1:$port\""
        start_node "ha-$i"
        pids+=("$NODE_PID")
    done
    for i in $(seq 0 $((NODES - 1))); do
        wait_for_http "${urls[$i]}/v1/sys/health" "${pids[$i]}" "$WORK/ha-$((i + 1)).log" 501
    done
    PG_ROOT=$(api "${urls[0]}" PUT sys/init "" '{"recovery_shares":1,"recovery_threshold":1}' | json_field root_token)
    # Every node unseals by itself within about a second; one wins the lock (200), the others are standbys (429).
    deadline=$(($(now_ns) + 60 * 1000000000))
    while :; do
        active="" standbys=() standby_pids=()
        for i in $(seq 0 $((NODES - 1))); do
            code=$(health_code "${urls[$i]}")
            [ "$code" = 200 ] && active=${urls[$i]} && active_pid=${pids[$i]}
            [ "$code" = 429 ] && standbys+=("${urls[$i]}") && standby_pids+=("${pids[$i]}")
        done
        [ -n "$active" ] && [ "${#standbys[@]}" -eq $((NODES - 1)) ] && break
        if [ "$(now_ns)" -ge "$deadline" ]; then
            tail -n 20 "$WORK"/ha-*.log >&2
            die "no active node and $((NODES - 1)) standbys within 60 s"
        fi
        sleep 0.1
    done
    ACTIVE_URL=$active
    ACTIVE_PID=$active_pid
    STANDBY_URL=${standbys[0]}
    STANDBY_PID=${standby_pids[0]}
    wait_for_leader "$STANDBY_URL" "$ACTIVE_URL"
    setup_server "$ACTIVE_URL" "$PG_ROOT"
    PG_APP=$SETUP_APP
}

# wait_for_leader STANDBY ACTIVE — until the standby's sys/leader names ACTIVE (it re-reads the lock every second).
wait_for_leader() {
    local leader=""
    for _ in $(seq 1 100); do
        leader=$(curl -sf "$1/v1/sys/leader" | json_field leader_address 2>/dev/null || true)
        [ "$leader" = "$2" ] && return 0
        sleep 0.1
    done
    die "the standby $1 reports leader '$leader', not $2"
}

# check_forwarding — the standby answers the app token's read with the secret, as the active node does. Sets
# FORWARD_STATUS (the standby's status) and returns non-zero when it does not.
check_forwarding() {
    local body
    body=$(curl -s -w '\n%{http_code}' -H "X-Vault-Token: $PG_APP" "$STANDBY_URL/v1/secret/data/bench/read" || true)
    FORWARD_STATUS=$(tail -n 1 <<<"$body")
    [ "$FORWARD_STATUS" = 200 ] && grep -q 'correct horse battery staple' <<<"$body"
}

warm_up() {
    local base
    log "warm-up: 2 s of sys/health and of the SP login on the SQLite, the active and the single PostgreSQL node"
    for base in "$SQLITE_URL" "$ACTIVE_URL" ${PG_SINGLE_URL:-}; do
        wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$base/v1/sys/health" >/dev/null 9>&-
        wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$WORK/sp-login.lua" "$base/v1/auth/azure/login" >/dev/null 9>&-
    done
    if [ "$FORWARDING" = 1 ]; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -H "X-Vault-Token: $PG_APP" \
            "$STANDBY_URL/v1/secret/data/bench/read" >/dev/null 9>&-
    fi
}

# write_pair NAME ROUND PATH TOKEN_KIND [wrk options…] — NAME on SQLite, then through the active node (then on the
# single PostgreSQL node), under the build lock. TOKEN_KIND: none, app or root. Summaries:
# $WORK/{sqlite,pg,single}-NAME-ROUND.summary.
write_pair() {
    local name=$1 round=$2 path=$3 kind=$4 side base token auth
    shift 4
    hold_build_lock
    echo "$name $round: $(others_running)" >>"$WORK/others"
    for side in sqlite pg $SINGLE_SIDE; do
        case "$side" in sqlite) base=$SQLITE_URL ;; pg) base=$ACTIVE_URL ;; *) base=$PG_SINGLE_URL ;; esac
        case "$kind:$side" in
        app:sqlite) token=$SQLITE_APP ;; app:pg) token=$PG_APP ;; app:single) token=$PG_SINGLE_APP ;;
        root:sqlite) token=$SQLITE_ROOT ;; root:pg) token=$PG_ROOT ;; root:single) token=$PG_SINGLE_ROOT ;;
        *) token="" ;;
        esac
        auth=()
        [ -z "$token" ] || auth=(-H "X-Vault-Token: $token")
        run_wrk "$side-$name-$round" "$base$path" "${auth[@]}" "$@"
    done
    release_build_lock
}

# cpu_ticks PID -> the process's user + system CPU time so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# forward_pair NAME ROUND [wrk options…] — the KV read straight to the active node and through the standby (order
# alternating by round), under the build lock. Summaries: $WORK/{active,standby}-NAME-ROUND.summary; the CPU time
# the active node and the standby spent during each run: $WORK/{active,standby}-NAME-ROUND.cpu ("active=… standby=…"
# seconds, so the report can show where a forwarded request's cost goes).
forward_pair() {
    local name=$1 round=$2 side order=(active standby) base
    shift 2
    [ $((round % 2)) -eq 1 ] || order=(standby active)
    hold_build_lock
    echo "$name $round: $(others_running)" >>"$WORK/others"
    for side in "${order[@]}"; do
        if [ "$side" = active ]; then base=$ACTIVE_URL; else base=$STANDBY_URL; fi
        local active_before standby_before
        active_before=$(cpu_ticks "$ACTIVE_PID")
        standby_before=$(cpu_ticks "$STANDBY_PID")
        run_wrk "$side-$name-$round" "$base/v1/secret/data/bench/read" -H "X-Vault-Token: $PG_APP" \
            -s "$HERE/status-200.lua" "$@"
        python3 -c 'import os, sys; t = os.sysconf("SC_CLK_TCK"); a, b, c, d = map(int, sys.argv[1:])
print(f"active={(b - a) / t}\nstandby={(d - c) / t}")' "$active_before" "$(cpu_ticks "$ACTIVE_PID")" \
            "$standby_before" "$(cpu_ticks "$STANDBY_PID")" >"$WORK/$side-$name-$round.cpu"
    done
    release_build_lock
}

# others_running -> what else is alive beside this script's processes: other coffer processes (other engineers'
# servers and tests) and compilers (none while the build lock is held).
others_running() {
    local mine=" ${PIDS[*]} " coffers=0 compilers=0 pid comm
    while read -r pid comm; do
        case "$comm" in
        coffer) [[ "$mine" == *" $pid "* ]] || coffers=$((coffers + 1)) ;;
        swift-frontend | swift-build | swiftc | swift-driver | clang* | ld | ld.lld | lld)
            compilers=$((compilers + 1)) ;;
        esac
    done < <(ps -eo pid=,comm=)
    echo "$coffers other coffer processes, $compilers compiler processes"
}

# start_simulator reads the simulator's log at once; the background launch may not have created it yet.
touch "$WORK/sim.log"
start_simulator
start_single sqlite "storage \"sqlite\" {
  path = \"$WORK/coffer.db\"
}"
SINGLE_SIDE=""
if [ "$PG_SINGLE" = 1 ]; then
    start_single pg-single "storage \"postgresql\" {
  table = \"$SINGLE_TABLE\"
}"
    SINGLE_SIDE=single
fi
start_cluster
if [ "$FORWARDING" = 1 ] && ! check_forwarding; then
    log "the standby answered the KV read with $FORWARD_STATUS, not the secret: part 2 is not measured"
    echo "$FORWARD_STATUS" >"$WORK/forwarding-unavailable"
    FORWARDING=0
fi
warm_up
cut -d' ' -f1-3 /proc/loadavg >"$WORK/load-before"
for round in $(seq 1 "$ROUNDS"); do
    write_pair kv-write "$round" /v1/secret/data/bench/write app -s "$HERE/kv-write.lua"
    write_pair token-create "$round" /v1/auth/token/create root -s "$HERE/token-create.lua"
    write_pair sp-login "$round" /v1/auth/azure/login none -s "$WORK/sp-login.lua"
    if [ "$FORWARDING" = 1 ]; then
        forward_pair read-c1 "$round" -t1 -c1
        forward_pair read "$round"
    fi
done
cut -d' ' -f1-3 /proc/loadavg >"$WORK/load-after"
# The standby must still be one, and still name the same active node: otherwise part 2 did not measure forwarding.
[ "$FORWARDING" = 0 ] || [ "$(health_code "$STANDBY_URL")" = 429 ] || die "the standby is no longer a standby"
[ "$FORWARDING" = 0 ] || wait_for_leader "$STANDBY_URL" "$ACTIVE_URL"

python3 "$HERE/ha-report.py" "$WORK" "$ROUNDS" "$DURATION" "$THREADS" "$CONNECTIONS" "$NODES" \
    "${COFFER_BIN:-release build}"
