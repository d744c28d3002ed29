#!/usr/bin/env bash
# Micro-benchmarks (issue 11): Coffer's JSON parser, JSON writers, RFC 3339 formatter and router, each beside
# the obvious alternative (Foundation's JSONSerialization and ISO8601DateFormatter, a JSONValue tree, a naive
# prefix scan) on the same input in the same run, printed as a Markdown table of ns/op and ratios.
#
#   Benchmarks/Micro/run.sh              # 1 s per side per case
#   BENCH_SECONDS=4 Benchmarks/Micro/run.sh
#
# Builds the CofferMicroBenchmarks target in release mode (COFFER_BENCHMARKS=1 adds it to the package) and
# runs it while holding the shared build lock, so no compile competes for the CPU. Not part of scripts/test:
# numbers depend on the machine and are never asserted in tests.
#
# Environment: BENCH_SECONDS (1), COFFER_BUILD_LOCK (/tmp/coffer-build.lock), MICRO_BENCH_BIN (skip the release
# build and use this binary), BENCH_NO_LOCK (do not hold the build lock while measuring).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SECONDS_PER_CASE=${BENCH_SECONDS:-1}
LOCK=${COFFER_BUILD_LOCK:-/tmp/coffer-build.lock}

. "$HERE/../bench-common.sh"

cd "$ROOT"
BIN=$(release_binary CofferMicroBenchmarks "${MICRO_BENCH_BIN:-}")
hold_build_lock
"$BIN" "$SECONDS_PER_CASE" 9>&-
