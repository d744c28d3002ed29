# Shared by the benchmark scripts: logging, required tools, wrk from Debian, and a release build.
#
#   . "$(dirname "$0")/../bench-common.sh"
#   BIN=$(release_binary coffer "${COFFER_BIN:-}")

log() { printf '%s\n' "$*" >&2; }
die() { log "run.sh: $*"; exit 1; }

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
