#!/usr/bin/env bash
# KV v2 read throughput of one release `coffer` server over plain HTTP and over TLS, without and then with a
# file audit device, in the same run; printed as a Markdown table with the two ratios the issue sets targets for
# (TLS ≥ 0.7× plain, file audit ≥ 0.6× no audit).
#
#   Benchmarks/http-load/tls-audit.sh                  # wrk -t2 -c32 -d10s per configuration
#   BENCH_DURATION=5s Benchmarks/http-load/tls-audit.sh
#
# One persistent server (SQLite storage, Shamir seal initialised 1-of-1 and unsealed by the script) with two
# listeners on the same core: `tls_disable = true` and TLS with a certificate made here by openssl (P-256, own CA).
# Order: plain, TLS, then `PUT sys/audit/file` (file_path in the scratch directory), plain + audit, TLS + audit.
# All four read the same secret with the root token, so the only differences are the listener and the audit device.
#
# Environment: BENCH_DURATION (10s), BENCH_THREADS (2), BENCH_CONNECTIONS (32), COFFER_BUILD_LOCK
# (/tmp/coffer-build.lock), COFFER_BIN (skip the release build and use this binary).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
LOCK=${COFFER_BUILD_LOCK:-/tmp/coffer-build.lock}
WORK=$(mktemp -d /tmp/coffer-bench-tls.XXXXXX)

. "$HERE/../bench-common.sh"
require_bench_tools
command -v openssl >/dev/null 2>&1 || die "openssl is required"

cd "$ROOT"
BIN=$(release_binary coffer "${COFFER_BIN:-}")

PLAIN_PORT=$(free_port)
TLS_PORT=$(free_port)
PLAIN="http://127.0.0.1:$PLAIN_PORT"
TLS="https://127.0.0.1:$TLS_PORT"
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# A CA and a server certificate for 127.0.0.1, as an operator would make them.
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/ca-key.pem" 2>/dev/null
openssl req -x509 -new -key "$WORK/ca-key.pem" -subj "/CN=Coffer bench CA" -days 1 -out "$WORK/ca.pem" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/server-key.pem" 2>/dev/null
openssl req -new -key "$WORK/server-key.pem" -subj "/CN=127.0.0.1" -out "$WORK/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$WORK/san.ext"
openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca-key.pem" -CAcreateserial -days 1 \
    -extfile "$WORK/san.ext" -out "$WORK/server.pem" 2>/dev/null

cat >"$WORK/config.hcl" <<HCL
storage "sqlite" {
  path = "$WORK/coffer.db"
}
listener "tcp" {
  address     = "127.0.0.1:$PLAIN_PORT"
  tls_disable = true
}
listener "tcp" {
  address       = "127.0.0.1:$TLS_PORT"
  tls_cert_file = "$WORK/server.pem"
  tls_key_file  = "$WORK/server-key.pem"
}
log_level = "warn"
HCL

launch "$WORK/server.log" "$BIN" server "-config=$WORK/config.hcl"
SERVER_PID=$LAUNCHED_PID
# Shamir seal, not initialised: the first answer is a 501.
wait_for_http "$PLAIN/v1/sys/health" "$SERVER_PID" "$WORK/server.log" 501

INIT=$(api "$PLAIN" PUT sys/init "" '{"secret_shares":1,"secret_threshold":1}')
KEY=$(printf '%s' "$INIT" | json_field keys_base64 0)
ROOT_TOKEN=$(printf '%s' "$INIT" | json_field root_token)
api "$PLAIN" PUT sys/unseal "" "{\"key\":\"$KEY\"}" >/dev/null
api "$PLAIN" POST sys/mounts/secret "$ROOT_TOKEN" '{"type":"kv","options":{"version":"2"}}' >/dev/null
api "$PLAIN" POST secret/data/x "$ROOT_TOKEN" '{"data":{"user":"app","password":"correct horse battery staple"}}' \
    >/dev/null
# The TLS listener answers with the CA (fails the run if the certificate or the listener is wrong).
curl -sf --cacert "$WORK/ca.pem" -H "X-Vault-Token: $ROOT_TOKEN" "$TLS/v1/secret/data/x" >/dev/null \
    || die "TLS listener did not serve the read"

read_x() { run_wrk "$1" "$2/v1/secret/data/x" -H "X-Vault-Token: $ROOT_TOKEN"; } # read_x NAME BASE_URL
read_x plain "$PLAIN"
read_x tls "$TLS"
AUDIT="pending"
AUDIT_BODY="{\"type\":\"file\",\"options\":{\"file_path\":\"$WORK/audit.log\"}}"
if api "$PLAIN" PUT sys/audit/file "$ROOT_TOKEN" "$AUDIT_BODY" >/dev/null; then
    AUDIT="enabled"
    read_x plain-audit "$PLAIN"
    read_x tls-audit "$TLS"
    AUDIT_BYTES=$(stat -c %s "$WORK/audit.log")
    log "audit file: $AUDIT_BYTES bytes"
    grep -q "correct horse" "$WORK/audit.log" && die "the secret value is in the audit file in plaintext"
else
    log "sys/audit/file refused: the file audit device is not available in this binary; audit rows skipped"
fi

python3 - "$WORK" "$AUDIT" "$DURATION" "$THREADS" "$CONNECTIONS" "${COFFER_BIN:-release build}" <<'PY'
import sys
from pathlib import Path

work, audit, duration, threads, conns, binary = sys.argv[1:]

def parse(name):  # bench-common.sh's wrk_summary of the run
    raw = dict(line.split("=", 1) for line in (Path(work) / f"{name}.summary").read_text().splitlines())
    return float(raw["rps"]), float(raw["p50_ms"]), float(raw["p99_ms"]), int(raw["non2xx"])

rows = [("plain HTTP", "plain"), ("TLS", "tls")]
if audit == "enabled":
    rows += [("plain HTTP + file audit", "plain-audit"), ("TLS + file audit", "tls-audit")]
results = {name: parse(name) for _, name in rows}
print(f"\nwrk -t{threads} -c{conns} -d{duration} --latency, GET /v1/secret/data/x (KV v2, root token), "
      f"one server ({binary}) with a plain and a TLS listener\n")
print("| Configuration | req/s | p50 (ms) | p99 (ms) | non-2xx |")
print("|---|---:|---:|---:|---:|")
for label, name in rows:
    rps, p50, p99, bad = results[name]
    print(f"| {label} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {bad} |")
print("\n| Ratio | value | target |")
print("|---|---:|---|")
def ratio(label, a, b, target):
    value = results[a][0] / results[b][0]
    print(f"| {label} | {value:.2f} | ≥ {target}× {'✅' if value >= target else '❌'} |")
ratio("TLS / plain", "tls", "plain", 0.7)
if audit == "enabled":
    ratio("file audit / no audit (plain)", "plain-audit", "plain", 0.6)
    ratio("file audit / no audit (TLS)", "tls-audit", "tls", 0.6)
else:
    print("| file audit / no audit | pending | ≥ 0.6× (sys/audit/file not available) |")
PY
