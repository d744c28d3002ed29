#!/usr/bin/env bash
# Memory benchmark of a release-built `coffer` dev server, printed as Markdown with the issue's targets.
#
#   Benchmarks/memory/run.sh                  # 100,000 tokens
#   Benchmarks/memory/run.sh --tokens 20000   # a quicker run
#
# 1. Idle RSS: a fresh dev server (stripped, as shipped), after a KV v2 write, a policy write and one
#    token create, 1 s idle; VmRSS and where it is resident (/proc/PID/smaps by mapping: the binary's
#    code and data, the Swift runtime, Foundation and ICU when linked dynamically, other libraries,
#    anonymous memory: heap, malloc arenas, thread stacks), the threads by name, and the binary's
#    resident pages by ELF section (resident.py: /proc/PID/pagemap mapped back to `readelf -S`).
# 2. Memory per stored token: 2,000 tokens to warm up, then N service tokens (auth/token/create,
#    ttl 24h, four keep-alive connections); the RSS growth divided by N.
# Not part of scripts/test: the figures depend on the machine and are never asserted in tests.
#
# Environment: COFFER_BUILD_LOCK (/tmp/coffer-build.lock), COFFER_BIN (skip the release build and use
# this binary), BENCH_NO_STRIP (measure the binary unstripped).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LOCK=${COFFER_BUILD_LOCK:-/tmp/coffer-build.lock}
TOKENS=100000
while [ $# -gt 0 ]; do
    case "$1" in
    --tokens) TOKENS=${2:?--tokens needs a count}; shift 2 ;;
    --tokens=*) TOKENS=${1#--tokens=}; shift ;;
    *) echo "usage: $0 [--tokens N]" >&2; exit 2 ;;
    esac
done
case "$TOKENS" in '' | *[!0-9]* | 0) echo "run.sh: --tokens must be a positive integer" >&2; exit 2 ;; esac
WORK=$(mktemp -d /tmp/coffer-memory.XXXXXX)

. "$HERE/../bench-common.sh"
for tool in curl python3; do command -v "$tool" >/dev/null 2>&1 || die "$tool is required"; done

cd "$ROOT"
BIN=$(release_binary coffer "${COFFER_BIN:-}")
UNSTRIPPED_BIN=$BIN # same layout as the stripped copy; its symbols name what is resident
if command -v strip >/dev/null 2>&1 && [ -z "${BENCH_NO_STRIP:-}" ]; then
    cp "$BIN" "$WORK/coffer" && strip "$WORK/coffer" && BIN="$WORK/coffer"
fi

PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
ROOT_TOKEN="bench$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && stop_process "$SERVER_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT

launch "$WORK/server.log" "$BIN" server -dev "-dev-root-token-id=$ROOT_TOKEN" "-dev-listen-address=127.0.0.1:$PORT"
SERVER_PID=$LAUNCHED_PID
wait_for_http "$URL/v1/sys/health" "$SERVER_PID" "$WORK/server.log" 200

api "$URL" POST secret/data/bench/read "$ROOT_TOKEN" \
    '{"data":{"user":"app","password":"correct horse battery staple"}}' >/dev/null
api "$URL" PUT sys/policy/bench "$ROOT_TOKEN" \
    '{"policy":"path \"secret/data/bench/*\" { capabilities = [\"read\"] }"}' >/dev/null
api "$URL" POST auth/token/create "$ROOT_TOKEN" '{"policies":["bench"],"ttl":"24h"}' >/dev/null
sleep 1
cp "/proc/$SERVER_PID/smaps" "$WORK/idle.smaps"
grep '^VmRSS:' "/proc/$SERVER_PID/status" | awk '{print $2}' >"$WORK/idle.rss"
for task in /proc/"$SERVER_PID"/task/*; do cat "$task/comm"; done >"$WORK/threads"
python3 "$HERE/resident.py" "$SERVER_PID" "$UNSTRIPPED_BIN" --symbols 0 >"$WORK/resident.txt" 2>&1 ||
    log "resident.py failed: $(tail -1 "$WORK/resident.txt")"

create_tokens() { # create_tokens COUNT: service tokens over four keep-alive connections
    python3 - "$PORT" "$ROOT_TOKEN" "$1" <<'PY'
import http.client, json, sys, threading
port, token, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
body = json.dumps({"policies": ["default"], "ttl": "24h"})
failures = []
def work(n):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(n):
        connection.request("POST", "/v1/auth/token/create", body, {"X-Vault-Token": token})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            failures.append(response.status)
            return
threads = [threading.Thread(target=work, args=(count // 4 + (1 if i < count % 4 else 0),)) for i in range(4)]
for thread in threads: thread.start()
for thread in threads: thread.join()
if failures: sys.exit(f"token create failed: HTTP {failures[0]}")
PY
}
log "creating 2000 + $TOKENS tokens"
create_tokens 2000
sleep 0.5
BEFORE_KB=$(rss_kb "$SERVER_PID")
create_tokens "$TOKENS"
sleep 0.5
AFTER_KB=$(rss_kb "$SERVER_PID")

python3 - "$WORK" "$TOKENS" "$BEFORE_KB" "$AFTER_KB" <<'EOF'
import collections, re, sys
from pathlib import Path

work, tokens, before_kb, after_kb = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

def category(path, perms):
    name = path.rsplit("/", 1)[-1]
    if name == "coffer":
        return "coffer binary: code and read-only data" if "x" in perms or "w" not in perms else "coffer binary: data"
    if "_FoundationICU" in name: return "ICU (lib_FoundationICU)"
    if name.startswith("libFoundation"): return "Foundation libraries"
    if name.startswith("libswift"): return "Swift runtime libraries"
    if ".so" in name: return "other shared libraries (libc, libstdc++, …)"
    if path == "[heap]": return "heap (brk)"
    if path.startswith("["): return f"{path}"
    if path: return "other mapped files"
    return "anonymous: malloc arenas, thread stacks"

resident = collections.Counter()
current = None
for line in (work / "idle.smaps").read_text().splitlines():
    fields = line.split()
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        current = category(fields[5] if len(fields) > 5 else "", fields[1])
    elif line.startswith("Rss:"):
        resident[current] += int(fields[1])
idle_mb = int((work / "idle.rss").read_text()) / 1024
threads = collections.Counter((work / "threads").read_text().split("\n")[:-1])
per_token = (after_kb - before_kb) * 1024 / tokens

def verdict(ok): return "✅" if ok else "❌"
print("\nRelease dev server (stripped), idle after a KV write, a policy and a token create\n")
print("| Resident in | MB |")
print("|---|---:|")
for name, kb in resident.most_common():
    if kb: print(f"| {name} | {kb / 1024:.1f} |")
print(f"| **total (VmRSS)** | **{idle_mb:.1f}** |")
print("\nThreads: " + ", ".join(f"{name} × {count}" for name, count in sorted(threads.items())))
sections = (work / "resident.txt").read_text().split("## ")
binary = next((part for part in sections if part.startswith("The binary's resident pages by section")), None)
if binary:
    print("\nThe binary's resident pages by ELF section (KB; Benchmarks/memory/resident.py for more):\n")
    print("```")
    print("\n".join(line for line in binary.splitlines()[2:] if line.strip())[:4000])
    print("```")
print("\n| Measure | value | target |")
print("|---|---:|---|")
print(f"| Idle RSS | {idle_mb:.1f} MB | ≤ 30 MB {verdict(idle_mb <= 30)} |")
print(f"| Dev-mode memory per stored token ({tokens:,} tokens, RSS {before_kb / 1024:.1f} → {after_kb / 1024:.1f} MB) "
      f"| {per_token:,.0f} B | ≤ 1024 B {verdict(per_token <= 1024)} |")
EOF
