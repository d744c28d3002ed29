#!/usr/bin/env bash
# Regenerates Sources/coffer/startup.order, the list of functions a fresh server runs, which the release link
# places together at the front of the code (lld --symbol-ordering-file; Package.swift, `coffer` target).
#
#   Benchmarks/memory/startup-order.sh            # from the release binary (built if needed)
#   COFFER_BIN=path Benchmarks/memory/startup-order.sh
#
# Why: the kernel maps a file-backed page, and up to 15 cached neighbours (fault-around, 64 KB), on the first
# touch of each 64 KB window. The ~2 MB of functions a server runs to start and answer its first requests are
# spread over ~34 MB of code, so idle RSS counted ~20 MB of code. Listed together, they fill few windows.
#
# How: the unstripped release binary (debug info removed, symbols kept) runs under valgrind's callgrind twice, as
# Benchmarks/http-load runs it: a dev server, then a SQLite one with a static seal and telemetry (sys/init first),
# each given that benchmark's setup (a KV v2 write, a policy, a token, auth/azure against the simulator and one SP
# login). Every function of the binary that ran in either is listed, in the binary's own address order. Names
# defined more than once (local helpers such as `objectdestroy…Tm`, emitted in every object file) are left out:
# the linker would move every copy. A stale list is harmless (lld ignores names it does not find) but loses its
# effect as code changes: run this script after larger changes, then relink (remove the release binary and
# build again: the list is not an input SwiftPM tracks). Needs valgrind (`apt-get install valgrind`).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LOCK=${COFFER_BUILD_LOCK:-/tmp/coffer-build.lock}
OUT="$ROOT/Sources/coffer/startup.order"
WORK=$(mktemp -d /tmp/coffer-order.XXXXXX)

. "$HERE/../bench-common.sh"
for tool in curl python3 valgrind nm strip; do command -v "$tool" >/dev/null 2>&1 || die "$tool is required"; done

cd "$ROOT"
BIN=$(release_binary coffer "${COFFER_BIN:-}")
# valgrind 3.19 cannot read the toolchain's DWARF 5; the symbol table is all it needs.
strip --strip-debug -o "$WORK/coffer" "$BIN"

PIDS=()
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && stop_process "$SERVER_PID"
    for pid in "${PIDS[@]}"; do stop_process "$pid"; done
    rm -rf "$WORK"
}
trap cleanup EXIT
. "$HERE/../http-load/steps.sh" # the Azure simulator, server_command and setup_server of the load benchmark
start_simulator                 # (run by the release binary itself, not profiled)

# profile NAME ARGS…: the server under callgrind until stopped; sets SERVER_PID and URL.
profile() {
    local name=$1
    shift
    server_command "$@"
    # SERVER_COMMAND is `env VAR=… VAR=… BIN server ARGS…`: the profiled binary takes BIN's place.
    launch "$WORK/$name.log" "${SERVER_COMMAND[@]:0:3}" valgrind --tool=callgrind --demangle=no \
        --callgrind-out-file="$WORK/$name.callgrind" "$WORK/coffer" "${SERVER_COMMAND[@]:4}"
    SERVER_PID=$LAUNCHED_PID
}

# Dev mode, with the setup of Benchmarks/http-load (a KV v2 write, a policy, a token, auth/azure and one SP login).
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
ROOT_TOKEN="order$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
profile dev -dev "-dev-root-token-id=$ROOT_TOKEN" "-dev-listen-address=127.0.0.1:$PORT"
WAIT_SECONDS=120 wait_for_http "$URL/v1/sys/health" "$SERVER_PID" "$WORK/dev.log" 200
setup_server "$URL" "$ROOT_TOKEN"
sleep 2
stop_process "$SERVER_PID"

# Persistent mode as Benchmarks/http-load runs it: SQLite, static seal, telemetry; sys/init, then the same setup.
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
mkdir -p "$WORK/store"
head -c 32 /dev/urandom | base64 >"$WORK/store/seal.key"
chmod 600 "$WORK/store/seal.key"
cat >"$WORK/store/config.hcl" <<HCL
storage "sqlite" {
  path = "$WORK/store/coffer.db"
}
listener "tcp" {
  address     = "127.0.0.1:$PORT"
  tls_disable = true
}
seal "static" {
  key_file = "$WORK/store/seal.key"
}
telemetry {
  prometheus_retention_time = "60s"
  disable_hostname          = true
  usage_gauge_period        = "none"
}
disable_mlock = true
HCL
profile persistent "-config=$WORK/store/config.hcl"
WAIT_SECONDS=120 wait_for_http "$URL/v1/sys/health" "$SERVER_PID" "$WORK/persistent.log" 501
ROOT_TOKEN=$(api "$URL" PUT sys/init "" '{"recovery_shares":1,"recovery_threshold":1}' | json_field root_token)
WAIT_SECONDS=120 wait_for_http "$URL/v1/sys/health" "$SERVER_PID" "$WORK/persistent.log" 200
setup_server "$URL" "$ROOT_TOKEN"
sleep 2
stop_process "$SERVER_PID"
SERVER_PID=""

python3 - "$WORK/coffer" "$OUT" "$WORK/dev.callgrind" "$WORK/persistent.callgrind" <<'EOF'
import collections, re, subprocess, sys

binary, out, profiles = sys.argv[1], sys.argv[2], sys.argv[3:]
ran = set()
entry = re.compile(r"^(c?ob|c?fn)=\((\d+)\)(?: (.*))?$")
for profile in profiles:
    objects, functions, current_object = {}, {}, None
    for line in open(profile, errors="replace"):
        match = entry.match(line.rstrip("\n"))
        if not match:
            continue
        kind, number, name = match.groups()
        table = objects if kind.endswith("ob") else functions
        if name:
            table[number] = name
        if kind == "ob":
            current_object = objects.get(number)
        elif kind == "fn" and current_object == binary:
            ran.add(functions[number])

definitions = collections.Counter()
addresses = {}
symbols = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
for line in symbols.splitlines():
    parts = line.split(maxsplit=2)
    if len(parts) == 3 and parts[1] in "Tt":
        definitions[parts[2]] += 1
        addresses[parts[2]] = int(parts[0], 16)
listed = sorted((name for name in ran if definitions[name] == 1), key=addresses.__getitem__)
with open(out, "w") as file:
    file.write("# Functions a fresh server (dev, and SQLite with a static seal) runs to start and answer the setup of\n"
               "# Benchmarks/http-load (KV write, policy, token, auth/azure, one SP login), placed first in the release\n"
               "# binary's code. Generated by Benchmarks/memory/startup-order.sh.\n")
    file.write("\n".join(listed) + "\n")
print(f"{len(listed)} functions ({len(ran)} ran in the binary) -> {out}", file=sys.stderr)
EOF
