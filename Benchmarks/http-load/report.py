"""The Markdown report of Benchmarks/http-load/run.sh, from its scratch directory.

    python3 report.py WORK DURATION THREADS CONNECTIONS TOKENS BINARY FILL_CONNECTIONS

Reads WORK/facts (`key=value` lines the steps wrote), WORK/<run>.summary (bench-common.sh's wrk_summary), the
SQLite counters around the persistent write scenarios (WORK/<scenario>.counters) and, with BENCH_STRACE, the fsync
count. Targets are issue 13's; each is printed with ✅/❌ next to the measured value.
"""

import math
import os
import platform
import sys
from pathlib import Path

WORK = Path(sys.argv[1])
DURATION, THREADS, CONNECTIONS, TOKENS, BINARY, FILL_CONNECTIONS = sys.argv[2:8]
MODES = ("dev", "persistent")
# (label, run name, {mode: minimum × health}); health-again is the drift check, not a scenario.
SCENARIOS = [
    ("GET sys/health (baseline: mean with the run after)", "health", {}),
    ("KV v2 read", "kv-read", {"dev": 0.5}),
    ("KV v2 write (POST)", "kv-write", {"persistent": 0.3}),
    ("GET auth/token/lookup-self", "lookup-self", {"dev": 0.6}),
    ("POST auth/token/create", "token-create", {"persistent": 0.3}),
    ("POST auth/azure/login (sp-role)", "sp-login", {}),
    ("GET sys/health again (baseline, drift)", "health-again", {}),
]
TARGETS = []  # (what, value text, met) for the summary


def facts():
    path = WORK / "facts"
    lines = path.read_text().splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


FACTS = facts()


def fact(key, default=None):
    return FACTS.get(key, default)


def summary(run):
    path = WORK / f"{run}.summary"
    if not path.exists():
        return None
    raw = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {"rps": float(raw["rps"]), "p50": float(raw["p50_ms"]), "p99": float(raw["p99_ms"]),
            "requests": int(raw["requests"]), "non2xx": int(raw["non2xx"]), "errors": raw["socket_errors"]}


def mark(met):
    return "✅" if met else "❌"


def target(what, value_text, met):
    TARGETS.append((what, value_text, met))
    return f"{mark(met)}"


def mb(kb):
    return int(kb) / 1024 if kb not in (None, "") else math.nan


def counters(name):
    """(storage writes, commits) over a scenario, or None when the server has no SQLite counters."""
    path = WORK / f"{name}.counters"
    if not path.exists():
        return None
    rows = dict((line.split()[0], line.split()[1:]) for line in path.read_text().splitlines() if line.split())
    try:
        before, after = [float(x) for x in rows["before"]], [float(x) for x in rows["after"]]
    except (KeyError, ValueError):
        return None
    return after[0] - before[0], after[1] - before[1]


def machine():
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), 0)
    return f"{model}, {os.cpu_count()} cores, {memory / 1048576:.0f} GB RAM, Linux {platform.release()}"


def baseline(mode):
    """The mean of the health runs before and after the scenarios: outside load that comes and goes during the run
    (other processes than builds do not take the lock) then weighs on the baseline as on the scenarios between."""
    return (summary(f"{mode}-health")["rps"] + summary(f"{mode}-health-again")["rps"]) / 2


def mode_table(mode):
    base = baseline(mode)
    print(f"\n### {mode}\n")
    print("| Scenario | req/s | p50 (ms) | p99 (ms) | × health | target | non-2xx |")
    print("|---|---:|---:|---:|---:|---|---:|")
    notes = []
    for label, run, goals in SCENARIOS:
        x = summary(f"{mode}-{run}")
        ratio = x["rps"] / base
        goal = "—"
        if mode in goals:
            met = ratio >= goals[mode] and x["non2xx"] == 0
            goal = f"≥ {goals[mode]}× " + target(f"{mode} {label} × health ≥ {goals[mode]}", f"{ratio:.2f}", met)
        print(f"| {label} | {x['rps']:,.0f} | {x['p50']:.2f} | {x['p99']:.2f} | {ratio:.2f} | {goal} | {x['non2xx']} |")
        if x["errors"]:
            notes.append(f"{mode} {label}: {x['errors']}")
    for note in notes:
        print(f"\n{note}")


def comparison_table():
    print("\n### persistent vs dev (same scenario, seconds apart)\n")
    print("| Scenario | dev req/s | persistent req/s | persistent / dev | dev × health | persistent × health "
          "| target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    bases = {mode: baseline(mode) for mode in MODES}
    for label, run, _ in SCENARIOS[:-1]:
        dev, persistent = summary(f"dev-{run}"), summary(f"persistent-{run}")
        ratio = persistent["rps"] / dev["rps"]
        goal = "—"
        if run == "sp-login":
            met = ratio >= 0.6 and persistent["non2xx"] == 0
            goal = "≥ 0.6× " + target("persistent SP login ≥ 0.6× dev SP login", f"{ratio:.2f}", met)
        print(f"| {label} | {dev['rps']:,.0f} | {persistent['rps']:,.0f} | {ratio:.2f} | "
              f"{dev['rps'] / bases['dev']:.2f} | {persistent['rps'] / bases['persistent']:.2f} | {goal} |")


def resources_table():
    print("\n### Memory and start\n")
    print("| Figure | dev | persistent | target |")
    print("|---|---:|---:|---|")
    idle = {mode: mb(fact(f"{mode}_idle_rss_kb")) for mode in MODES}
    setup_idle = mb(fact("persistent_setup_idle_rss_kb"))
    met = max(idle["dev"], setup_idle) <= 30
    value = f"{idle['dev']:.1f} / {setup_idle:.1f} MB"
    print(f"| Idle RSS after setup, 1 s idle | {idle['dev']:.1f} MB | {setup_idle:.1f} MB | ≤ 30 MB "
          f"{target('idle RSS ≤ 30 MB (dev / persistent)', value, met)} |")
    print(f"| Idle RSS after a restart (persistent) | — | {idle['persistent']:.1f} MB | — |")
    print(f"| Peak RSS under load | {mb(fact('dev_peak_rss_kb')):.1f} MB | "
          f"{mb(fact('persistent_peak_rss_kb')):.1f} MB | — |")
    dev_start, empty_start = int(fact("dev_start_ms")), int(fact("persistent_empty_start_ms"))
    met = max(dev_start, empty_start) <= 100
    print(f"| Start → first answer, empty store (dev: 200; persistent: {fact('persistent_empty_start_status')}, "
          f"not initialised) | {dev_start} ms | {empty_start} ms | ≤ 100 ms "
          f"{target('start ≤ 100 ms (empty)', f'{dev_start} / {empty_start} ms', met)} |")
    print(f"| `sys/init` → first 200 (auto-unsealed) | — | {fact('persistent_init_ms')} ms | — |")
    print(f"| Restart of the set-up store → lookup-self 200 | — | {fact('persistent_restart_ms')} ms | — |")


def writes_table():
    print("\n### Persistent writes per commit (SQLite counters in sys/metrics)\n")
    print("| Scenario | acknowledged requests | writes (storage transactions) | commits | writes per commit | target |")
    print("|---|---:|---:|---:|---:|---|")
    for label, run in (("KV v2 write", "kv-write"), ("token/create", "token-create")):
        x = summary(f"persistent-{run}")
        acknowledged = x["requests"] - x["non2xx"]
        delta = counters(run)
        if delta is None or delta[1] <= 0:
            print(f"| {label} | {acknowledged:,} | n/a | n/a | n/a | ≥ 8 (counters not in sys/metrics yet) |")
            TARGETS.append((f"≥ 8 writes per commit, {label}", "n/a", None))
            continue
        per = delta[0] / delta[1]
        print(f"| {label} | {acknowledged:,} | {delta[0]:,.0f} | {delta[1]:,.0f} | {per:.1f} | ≥ 8 "
              f"{target(f'≥ 8 writes per commit, {label}', f'{per:.1f}', per >= 8)} |")
    fsyncs = fact("strace_fsyncs")
    if fsyncs is not None:
        x = summary("persistent-kv-write-strace")
        acknowledged = x["requests"] - x["non2xx"]
        delta = counters("strace")
        calls = max(int(fsyncs), 1)
        writes = f"{delta[0] / calls:.1f} storage writes" if delta else "n/a storage writes"
        print(f"\nUnder strace (BENCH_STRACE, rate not comparable): {int(fsyncs):,} fsync/fdatasync calls for "
              f"{acknowledged:,} acknowledged KV writes: {acknowledged / calls:.1f} requests and {writes} per fsync.")


def scale_table():
    if int(TOKENS) == 0 or fact("scale_large_tokens") is None:
        return
    print(f"\n### Scale run (persistent, fresh store; --tokens {int(TOKENS):,})\n")
    small, large = int(fact("scale_small_tokens")), int(fact("scale_large_tokens"))
    after_small = int(fact("scale_small_after_tokens"))
    fill_tokens = int(fact("scale-fill_tokens", 0)) + int(fact("scale-fill-small_tokens", 0))
    fill_seconds = float(fact("scale-fill_seconds", 0)) + float(fact("scale-fill-small_seconds", 0))
    print("| Scenario | req/s at ~1,000 | req/s at N | N / 1,000 | p99 at N (ms) | target | non-2xx |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for label, run in (("GET auth/token/lookup-self", "lookup-self"), ("POST auth/azure/login (sp-role)", "sp-login")):
        a, b = summary(f"scale-small-{run}"), summary(f"scale-large-{run}")
        ratio = b["rps"] / a["rps"]
        met = ratio >= 0.8 and b["non2xx"] == 0
        print(f"| {label} | {a['rps']:,.0f} | {b['rps']:,.0f} | {ratio:.2f} | {b['p99']:.2f} | ≥ 0.8× "
              f"{target(f'{label} at N ≥ 0.8× at 1,000', f'{ratio:.2f}', met)} | {a['non2xx']} / {b['non2xx']} |")
    serving = int(fact("scale_restart_serving_ms"))
    print("\n| Figure | value | target |")
    print("|---|---:|---|")
    print(f"| Stored tokens: before the ~1,000 runs / after their login run / at N (fill + logins) | "
          f"{small:,} / {after_small:,} / {large:,} | — |")
    rate = fill_tokens / fill_seconds if fill_seconds else math.nan
    print(f"| Fill: token/create by wrk -t{THREADS} -c{FILL_CONNECTIONS}, no build lock | {fill_tokens:,} tokens in "
          f"{fill_seconds:.1f} s = {rate:,.0f}/s | — |")
    print(f"| Store on disk at N (db + WAL) | {int(fact('scale_large_db_bytes', 0)) / 1048576:,.0f} MB | — |")
    print(f"| Restart at N → first answer | {fact('scale_restart_first_answer_ms')} ms | — |")
    print(f"| Restart at N → first 200 on sys/health (unsealed) | {fact('scale_restart_unsealed_ms')} ms | — |")
    print(f"| Restart at N → first 200 on lookup-self (serving) | {serving} ms | ≤ 2000 ms "
          f"{target('start with N tokens ≤ 2 s', f'{serving} ms', serving <= 2000)} |")
    print(f"| RSS at N: before restart / 1 s after restart / after the runs | "
          f"{mb(fact('scale_before_restart_rss_kb')):.1f} / {mb(fact('scale_after_restart_rss_kb')):.1f} / "
          f"{mb(fact('scale_after_run_rss_kb')):.1f} MB | bounded |")
    refused = int(fact("scale-fill_refused", 0)) + int(fact("scale-fill-small_refused", 0))
    if refused:
        print(f"\n**{refused} token creations were refused during the fill.**")


def targets_table():
    print("\n### Targets (issue 13)\n")
    print("| Target | value | |")
    print("|---|---:|---|")
    for what, value, met in TARGETS:
        print(f"| {what} | {value} | {'n/a' if met is None else mark(met)} |")


def main():
    print(f"\nwrk -t{THREADS} -c{CONNECTIONS} -d{DURATION} --latency; binary: {BINARY}; {machine()}; "
          f"1-min load {fact('load_before')} before the scenarios, {fact('load_after')} after "
          f"(wrk and the servers account for ~2).")
    print("Each scenario runs on dev and then persistent, back to back, under the build lock.")
    for mode in MODES:
        mode_table(mode)
        drift = summary(f"{mode}-health-again")["rps"] / summary(f"{mode}-health")["rps"] - 1
        print(f"\nHealth baseline drift over the run ({mode}): {drift:+.0%}"
              + (" — **more than 15 %: another process took CPU; ratios are suspect.**" if abs(drift) > 0.15 else ""))
    comparison_table()
    resources_table()
    writes_table()
    scale_table()
    targets_table()


main()
