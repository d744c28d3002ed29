# The steps of Benchmarks/http-load/run.sh (sourced after bench-common.sh): the simulator, the servers and their
# setup, the paired scenarios, the fsync count and the scale run. Figures go to $WORK/facts (`key=value`) and
# wrk summaries to $WORK/<mode>-<scenario>.summary, for report.py.

# fact KEY VALUE — one figure for the report.
fact() { printf '%s=%s\n' "$1" "$2" >>"$WORK/facts"; }
elapsed_ms() { echo $((($2 - $1) / 1000000)); }

# The Azure simulator with the example fixture; sets SIM_URL, LOGIN_BODY (sp-role + the VM's managed-identity
# JWT), AZURE_CONFIG, PRINCIPAL and writes $WORK/sp-login.lua. Its environment file goes to $WORK/azure-env.json.
start_simulator() {
    local fixture="$ROOT/Examples/azure-sim/fixture.json"
    launch "$WORK/sim.log" "$BIN" azure-sim --fixture "$fixture" --port "$(free_port)" \
        --env-file "$WORK/azure-env.json"
    PIDS+=("$LAUNCHED_PID")
    for _ in $(seq 1 600); do
        SIM_URL=$(sed -n 's/^export AZURE_SIM_URL=//p' "$WORK/sim.log")
        [ -n "$SIM_URL" ] && break
        kill -0 "$LAUNCHED_PID" 2>/dev/null || { cat "$WORK/sim.log" >&2; die "azure-sim exited during start"; }
        sleep 0.05
    done
    case "$SIM_URL" in http://127.0.0.1:*) ;; *) die "azure-sim printed no loopback AZURE_SIM_URL" ;; esac
    # The first VM with a system-assigned identity, its tenant and the app registration with a client secret.
    local facts
    facts=$(python3 - "$fixture" <<'PY'
import json, sys
fixture = json.load(open(sys.argv[1]))
vm = next(v for v in fixture["virtualMachines"] if v.get("systemAssignedIdentity"))
tenant = next(t for t in fixture["tenants"] if vm["subscriptionId"] in t["subscriptions"])
app = next(a for a in tenant["applications"] if a.get("passwordCredentials"))
config = {"tenant_id": tenant["tenantId"], "resource": "https://management.azure.com/",
          "environment": "AzureStackCloud", "client_id": app["appId"],
          "client_secret": app["passwordCredentials"][0]["secretText"]}
print(vm["name"]); print(vm["systemAssignedIdentity"]["principalId"]); print(json.dumps(config))
PY
)
    local vm
    vm=$(sed -n 1p <<<"$facts")
    PRINCIPAL=$(sed -n 2p <<<"$facts")
    AZURE_CONFIG=$(sed -n 3p <<<"$facts")
    local jwt
    jwt=$("$BIN" azure-sim token --vm "$vm" --url "$SIM_URL")
    LOGIN_BODY=$(python3 -c 'import json, sys; print(json.dumps({"role": "sp-role", "jwt": sys.argv[1]}))' "$jwt")
    post_lua "$WORK/sp-login.lua" "$LOGIN_BODY"
}

# Servers see the simulator's cloud through the Azure-Stack environment file, as in docs and the compat tests.
server_command() {
    SERVER_COMMAND=(env "AZURE_ENVIRONMENT_FILEPATH=$WORK/azure-env.json" AZURE_ENVIRONMENT=AzureStackCloud
        "$BIN" server "$@")
}

# setup_server BASE ROOT_TOKEN — the KV secret, the `bench` policy, an app token (SETUP_APP), auth/azure with
# sp-role, and one login (it loads the simulator's discovery document and keys, and proves the body works).
setup_server() {
    local base=$1 root=$2
    if ! api "$base" GET sys/mounts/secret/tune "$root" >/dev/null 2>&1; then
        api "$base" POST sys/mounts/secret "$root" '{"type":"kv","options":{"version":"2"}}' >/dev/null
    fi
    api "$base" POST secret/data/bench/read "$root" \
        '{"data":{"user":"app","password":"correct horse battery staple"}}' >/dev/null
    api "$base" PUT sys/policy/bench "$root" \
        '{"policy":"path \"secret/data/bench/*\" { capabilities = [\"create\", \"read\", \"update\"] }"}' >/dev/null
    SETUP_APP=$(api "$base" POST auth/token/create "$root" '{"policies":["bench"],"ttl":"24h"}' |
        json_field auth client_token)
    api "$base" POST sys/auth/azure "$root" '{"type":"azure"}' >/dev/null
    api "$base" POST auth/azure/config "$root" "$AZURE_CONFIG" >/dev/null
    api "$base" POST auth/azure/role/sp-role "$root" "{\"bound_service_principal_ids\":\"$PRINCIPAL\"}" >/dev/null
    api "$base" POST auth/azure/login "" "$LOGIN_BODY" | json_field auth client_token >/dev/null ||
        die "the SP login failed on $base"
}

start_dev_server() {
    local port root
    hold_build_lock
    port=$(free_port)
    root="bench$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
    DEV_URL="http://127.0.0.1:$port"
    server_command -dev "-dev-root-token-id=$root" "-dev-listen-address=127.0.0.1:$port"
    launch "$WORK/dev.log" "${SERVER_COMMAND[@]}"
    DEV_PID=$LAUNCHED_PID
    PIDS+=("$DEV_PID")
    wait_for_http "$DEV_URL/v1/sys/health" "$DEV_PID" "$WORK/dev.log" 200
    fact dev_start_ms "$(elapsed_ms "$LAUNCHED_NS" "$WAITED_NS")"
    DEV_ROOT=$root
    setup_server "$DEV_URL" "$DEV_ROOT"
    DEV_APP=$SETUP_APP
    sleep 1
    release_build_lock
}

# start_persistent_server NAME — a fresh SQLite store in $WORK/NAME: start (empty), sys/init, setup, idle RSS,
# restart. Sets PERSISTENT_URL, PERSISTENT_PID, PERSISTENT_ROOT, PERSISTENT_APP; facts NAME_*.
start_persistent_server() {
    local name=$1 dir="$WORK/$1" port
    hold_build_lock
    mkdir -p "$dir"
    port=$(free_port)
    head -c 32 /dev/urandom | base64 >"$dir/seal.key"
    chmod 600 "$dir/seal.key"
    cat >"$dir/config.hcl" <<HCL
storage "sqlite" {
  path = "$dir/coffer.db"
}
listener "tcp" {
  address     = "127.0.0.1:$port"
  tls_disable = true
}
seal "static" {
  key_file = "$dir/seal.key"
}
telemetry {
  prometheus_retention_time = "60s"
  disable_hostname          = true
  usage_gauge_period        = "none"
}
disable_mlock = true
log_level     = "warn"
HCL
    PERSISTENT_URL="http://127.0.0.1:$port"
    launch_persistent "$name"
    # Not initialised yet: the first answer is a 501.
    wait_for_http "$PERSISTENT_URL/v1/sys/health" "$PERSISTENT_PID" "$dir/server.log" 200 429 472 473 501 503
    fact "${name}_empty_start_ms" "$(elapsed_ms "$LAUNCHED_NS" "$WAITED_NS")"
    fact "${name}_empty_start_status" "$WAITED_STATUS"
    local init_ns
    init_ns=$(now_ns)
    PERSISTENT_ROOT=$(api "$PERSISTENT_URL" PUT sys/init "" '{"recovery_shares":1,"recovery_threshold":1}' |
        json_field root_token)
    wait_for_http "$PERSISTENT_URL/v1/sys/health" "$PERSISTENT_PID" "$dir/server.log" 200
    fact "${name}_init_ms" "$(elapsed_ms "$init_ns" "$WAITED_NS")"
    setup_server "$PERSISTENT_URL" "$PERSISTENT_ROOT"
    PERSISTENT_APP=$SETUP_APP
    sleep 1
    fact "${name}_setup_idle_rss_kb" "$(rss_kb "$PERSISTENT_PID")"
    restart_persistent "$name"
    fact "${name}_restart_ms" "$(elapsed_ms "$LAUNCHED_NS" "$SERVING_NS")"
    sleep 1
    release_build_lock
}

launch_persistent() {
    server_command "-config=$WORK/$1/config.hcl"
    launch "$WORK/$1/server.log" "${SERVER_COMMAND[@]}"
    PERSISTENT_PID=$LAUNCHED_PID
    PIDS+=("$PERSISTENT_PID")
}

# restart_persistent NAME — SIGTERM, start again; sets FIRST_ANSWER_NS (any HTTP answer), UNSEALED_NS (first 200
# on sys/health) and SERVING_NS (first 200 on lookup-self with the app token: a token read from the store).
restart_persistent() {
    local name=$1 code deadline
    stop_process "$PERSISTENT_PID"
    cat "$WORK/$name/server.log" >>"$WORK/$name/server.log.all" 2>/dev/null || true
    launch_persistent "$name"
    wait_for_http "$PERSISTENT_URL/v1/sys/health" "$PERSISTENT_PID" "$WORK/$name/server.log" \
        200 429 472 473 501 503
    FIRST_ANSWER_NS=$WAITED_NS
    wait_for_http "$PERSISTENT_URL/v1/sys/health" "$PERSISTENT_PID" "$WORK/$name/server.log" 200
    UNSEALED_NS=$WAITED_NS
    deadline=$(($(now_ns) + ${WAIT_SECONDS:-60} * 1000000000))
    until [ "$(now_ns)" -gt "$deadline" ]; do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Vault-Token: $PERSISTENT_APP" \
            "$PERSISTENT_URL/v1/auth/token/lookup-self" || true)
        [ "$code" = 200 ] && break
        sleep 0.002
    done
    [ "$code" = 200 ] || die "lookup-self after the restart of $name answered $code"
    SERVING_NS=$(now_ns)
}

# sample_rss PID FILE — VmRSS every 0.2 s while PID lives (the peak under load).
sample_rss() {
    (while kill -0 "$1" 2>/dev/null; do rss_kb "$1" >>"$2" 2>/dev/null || true; sleep 0.2; done) 9>&- &
    PIDS+=("$!")
}

# sqlite_counters BASE ROOT_TOKEN -> "writes commits" summed over the SQLite storage counters in sys/metrics
# (any prefix, with or without `_total`), or "n/a n/a" while the server has none.
sqlite_counters() {
    curl -sf -H "X-Vault-Token: $2" "$1/v1/sys/metrics?format=prometheus" | python3 -c '
import re, sys
text = sys.stdin.read()
def total(name):
    pattern = r"^\w*" + name + r"(?:_total)?(?:\{[^}]*\})?\s+(\S+)$"
    values = [float(m.group(1)) for m in re.finditer(pattern, text, re.M)]
    return repr(sum(values)) if values else "n/a"
print(total("storage_sqlite_writes"), total("storage_sqlite_commits"))'
}

# warm_up — 2 s of health and of the SP login on each server, not measured: the first seconds of load grow the
# allocator's arenas and the caches from nothing, and would otherwise be charged to whichever scenario runs first.
warm_up() {
    local base
    log "warm-up: 2 s of sys/health and of the SP login on each server"
    for base in "$DEV_URL" "$PERSISTENT_URL"; do
        wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$base/v1/sys/health" >/dev/null
        wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$WORK/sp-login.lua" "$base/v1/auth/azure/login" >/dev/null
    done
}

# scenario NAME PATH TOKEN_KIND [wrk options…] — NAME on dev, then on persistent, under the build lock.
# TOKEN_KIND: none, app (the bench-policy token) or root. Persistent KV write and token/create record the SQLite
# counters before and after (NAME.counters).
scenario() {
    local name=$1 path=$2 kind=$3 mode base token
    shift 3
    hold_build_lock
    for mode in dev persistent; do
        if [ "$mode" = dev ]; then base=$DEV_URL; else base=$PERSISTENT_URL; fi
        case "$kind:$mode" in
        app:dev) token=$DEV_APP ;; app:persistent) token=$PERSISTENT_APP ;;
        root:dev) token=$DEV_ROOT ;; root:persistent) token=$PERSISTENT_ROOT ;;
        *) token="" ;;
        esac
        local counted=""
        [ "$mode" = persistent ] && { [ "$name" = kv-write ] || [ "$name" = token-create ]; } && counted=yes
        [ -z "$counted" ] || echo "before $(sqlite_counters "$base" "$PERSISTENT_ROOT")" >"$WORK/$name.counters"
        if [ -n "$token" ]; then
            run_wrk "$mode-$name" "$base$path" -H "X-Vault-Token: $token" "$@"
        else
            run_wrk "$mode-$name" "$base$path" "$@"
        fi
        [ -z "$counted" ] || echo "after $(sqlite_counters "$base" "$PERSISTENT_ROOT")" >>"$WORK/$name.counters"
    done
    release_build_lock
}

# BENCH_STRACE: one more persistent KV write run with fsync/fdatasync counted by strace (ptrace slows the server,
# so this run's rate is not a scenario); writes per fsync go to the report.
count_fsyncs() {
    hold_build_lock
    echo "before $(sqlite_counters "$PERSISTENT_URL" "$PERSISTENT_ROOT")" >"$WORK/strace.counters"
    strace -f -c -e trace=fsync,fdatasync -o "$WORK/strace.txt" -p "$PERSISTENT_PID" 2>"$WORK/strace.log" 9>&- &
    local tracer=$!
    sleep 1
    run_wrk persistent-kv-write-strace "$PERSISTENT_URL/v1/secret/data/bench/write" \
        -H "X-Vault-Token: $PERSISTENT_APP" -s "$HERE/kv-write.lua"
    kill -INT "$tracer" 2>/dev/null || true
    wait "$tracer" 2>/dev/null || true
    echo "after $(sqlite_counters "$PERSISTENT_URL" "$PERSISTENT_ROOT")" >>"$WORK/strace.counters"
    release_build_lock
    fact strace_fsyncs "$(awk '$NF == "fsync" || $NF == "fdatasync" {n += $4} END {print n + 0}' "$WORK/strace.txt")"
}

# fill_tokens NAME COUNT — creates COUNT (+ the ≤ FILL_CONNECTIONS in flight when each wrk thread stops) 24h
# tokens with the persistent server's root token, as fast as wrk -t$THREADS -c$FILL_CONNECTIONS goes
# (token-fill.lua; more connections than the scenarios' because concurrent writers share commits);
# sets FILLED (2xx answers counted by the threads) and facts NAME_tokens, NAME_seconds, NAME_refused.
fill_tokens() {
    local name=$1 count=$2 markers="$WORK/$1.markers" started finished filler
    FILLED=0
    [ "$count" -gt 0 ] || return 0
    mkdir -p "$markers"
    log "filling $count tokens ($name)"
    started=$(now_ns)
    FILL_PER_THREAD=$(((count + THREADS - 1) / THREADS)) FILL_MARKERS=$markers \
        wrk -t"$THREADS" -c"$FILL_CONNECTIONS" -d3600s -s "$HERE/token-fill.lua" -H "X-Vault-Token: $PERSISTENT_ROOT" \
        "$PERSISTENT_URL/v1/auth/token/create" >"$WORK/$name.out" 9>&- &
    filler=$!
    while kill -0 "$filler" 2>/dev/null && [ "$(find "$markers" -type f | wc -l)" -lt "$THREADS" ]; do
        sleep 0.1
    done
    finished=$(now_ns)
    kill -INT "$filler" 2>/dev/null || true
    wait "$filler" 2>/dev/null || true
    FILLED=$(cat "$markers"/* 2>/dev/null | awk '{n += $1} END {print n + 0}')
    local refused
    refused=$(cat "$markers"/* 2>/dev/null | awk '{n += $2} END {print n + 0}')
    fact "${name}_tokens" "$FILLED"
    fact "${name}_seconds" "$(python3 -c "print(($finished - $started) / 1e9)")"
    fact "${name}_refused" "$refused"
    [ "$refused" -eq 0 ] || log "warning: $refused token creations refused during $name"
}

# scale_run N — a fresh persistent server: rates at ~1,000 stored tokens, fill to N, restart, rates at N.
scale_run() {
    local target=$1 stored
    start_persistent_server scale
    stored=3 # the root token, the app token and the setup's login
    fill_tokens scale-fill-small $((1000 - stored))
    stored=$((stored + FILLED))
    fact scale_small_tokens "$stored"
    hold_build_lock
    run_wrk scale-small-lookup-self "$PERSISTENT_URL/v1/auth/token/lookup-self" -H "X-Vault-Token: $PERSISTENT_APP"
    run_wrk scale-small-sp-login "$PERSISTENT_URL/v1/auth/azure/login" -s "$WORK/sp-login.lua"
    release_build_lock
    stored=$((stored + $(sed -n 's/^requests=//p' "$WORK/scale-small-sp-login.summary") -
        $(sed -n 's/^non2xx=//p' "$WORK/scale-small-sp-login.summary")))
    fact scale_small_after_tokens "$stored"
    fill_tokens scale-fill $((target - stored))
    stored=$((stored + FILLED))
    fact scale_large_tokens "$stored"
    fact scale_large_db_bytes "$(du -cb "$WORK/scale"/coffer.db* | tail -n 1 | cut -f1)"
    fact scale_before_restart_rss_kb "$(rss_kb "$PERSISTENT_PID")"
    hold_build_lock
    WAIT_SECONDS=1800 restart_persistent scale
    fact scale_restart_first_answer_ms "$(elapsed_ms "$LAUNCHED_NS" "$FIRST_ANSWER_NS")"
    fact scale_restart_unsealed_ms "$(elapsed_ms "$LAUNCHED_NS" "$UNSEALED_NS")"
    fact scale_restart_serving_ms "$(elapsed_ms "$LAUNCHED_NS" "$SERVING_NS")"
    sleep 1
    fact scale_after_restart_rss_kb "$(rss_kb "$PERSISTENT_PID")"
    run_wrk scale-large-lookup-self "$PERSISTENT_URL/v1/auth/token/lookup-self" -H "X-Vault-Token: $PERSISTENT_APP"
    run_wrk scale-large-sp-login "$PERSISTENT_URL/v1/auth/azure/login" -s "$WORK/sp-login.lua"
    release_build_lock
    fact scale_after_run_rss_kb "$(rss_kb "$PERSISTENT_PID")"
    stop_process "$PERSISTENT_PID"
    # At 1M tokens the store is ~1.6 GB; the figures are taken, the rest of $WORK stays for inspection.
    rm -f "$WORK/scale"/coffer.db*
}
