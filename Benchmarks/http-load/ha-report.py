"""The Markdown report of Benchmarks/http-load/ha.sh, from its scratch directory.

    python3 ha-report.py WORK ROUNDS DURATION THREADS CONNECTIONS NODES BINARY

Reads WORK/<side>-<run>-<round>.summary (bench-common.sh's wrk_summary) and, for the forwarding runs, the
`non200=N` line status-200.lua printed into WORK/<side>-<run>-<round>.out; WORK/others (what else was alive while
each pair ran), WORK/load-before and WORK/load-after. Targets are issue 14's, printed with ✅/❌.
"""

import math
import os
import platform
import re
import sys
from pathlib import Path

WORK = Path(sys.argv[1])
ROUNDS = int(sys.argv[2])
DURATION, THREADS, CONNECTIONS, NODES, BINARY = sys.argv[3:8]
# (label, run name, minimum pg/sqlite or None)
WRITES = [
    ("KV v2 write (POST, app token)", "kv-write", 0.5),
    ("POST auth/token/create", "token-create", 0.5),
    ("POST auth/azure/login (sp-role)", "sp-login", None),
]
# (label, run name, whether the p50 difference is the target)
READS = [
    ("KV v2 read, 1 connection (-t1 -c1)", "read-c1", True),
    (f"KV v2 read, -t{THREADS} -c{CONNECTIONS}", "read", False),
]
TARGETS = []  # (what, value text, met)


def summary(run):
    path = WORK / f"{run}.summary"
    if not path.exists():
        return None
    raw = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    result = {"rps": float(raw["rps"]), "p50": float(raw["p50_ms"]), "p99": float(raw["p99_ms"]),
              "requests": int(raw["requests"]), "non2xx": int(raw["non2xx"]), "errors": raw["socket_errors"]}
    out = WORK / f"{run}.out"
    match = re.search(r"^non200=(\d+)$", out.read_text(), re.M) if out.exists() else None
    result["non200"] = int(match.group(1)) if match else None
    return result


def cpu(run):
    """{"active": seconds, "standby": seconds} of CPU the two nodes spent during a forwarding run, or None."""
    path = WORK / f"{run}.cpu"
    if not path.exists():
        return None
    return {key: float(value) for key, value in (line.split("=", 1) for line in path.read_text().split())}


def per_request(seconds, x):
    return f"{seconds * 1e6 / x['requests']:,.0f}"


def cpu_table():
    """CPU per answered request, from the nodes' /proc times: what forwarding costs beyond the extra hop."""
    print("\n### CPU per request (user + system time of the nodes over the run ÷ requests)\n")
    print("| round | run | direct: active µs/req | via standby: active µs/req | via standby: standby µs/req |")
    print("|---|---|---:|---:|---:|")
    for round_ in range(1, ROUNDS + 1):
        for label, run, _ in READS:
            direct, forwarded = cpu(f"active-{run}-{round_}"), cpu(f"standby-{run}-{round_}")
            a, s = summary(f"active-{run}-{round_}"), summary(f"standby-{run}-{round_}")
            if None in (direct, forwarded, a, s) or not a["requests"] or not s["requests"]:
                continue
            print(f"| {round_} | {label} | {per_request(direct['active'], a)} "
                  f"| {per_request(forwarded['active'], s)} | {per_request(forwarded['standby'], s)} |")


def mark(met):
    return "✅" if met else "❌"


def read_text(name, default="?"):
    path = WORK / name
    return path.read_text().strip() if path.exists() else default


def machine():
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{model}, {os.cpu_count()} cores, Linux {platform.release()}"


def others():
    """The most other coffer processes and compilers seen alive at the start of any measured pair."""
    coffers = compilers = 0
    for line in read_text("others", "").splitlines():
        match = re.search(r"(\d+) other coffer processes, (\d+) compiler processes", line)
        if match:
            coffers, compilers = max(coffers, int(match.group(1))), max(compilers, int(match.group(2)))
    return coffers, compilers


def cell(x):
    return f"{x['rps']:,.0f} | {x['p50']:.2f} / {x['p99']:.2f}"


def problems(x, name):
    """Text for the answers that were not what the run measures: non-2xx, non-200 (a redirect), socket errors."""
    notes = []
    if x["non2xx"]:
        notes.append(f"{x['non2xx']} non-2xx")
    if x["non200"]:
        notes.append(f"{x['non200']} non-200 (redirects?)")
    if x["errors"]:
        notes.append(x["errors"])
    return f" **{name}: {', '.join(notes)}**" if notes else ""


def writes_table():
    single = summary(f"single-{WRITES[0][1]}-1") is not None
    print(f"\n### Writes: SQLite node vs the active node of a {NODES}-node PostgreSQL HA cluster\n")
    extra = " PG single node req/s | active/single |" if single else ""
    print("| round | scenario | SQLite req/s | p50 / p99 ms | PG active req/s | p50 / p99 ms | pg/sqlite | target |"
          + extra)
    print("|---|---|---:|---:|---:|---:|---:|---|" + ("---:|---:|" if single else ""))
    ratios = {run: [] for _, run, _ in WRITES}
    for round_ in range(1, ROUNDS + 1):
        for label, run, goal in WRITES:
            s, p = summary(f"sqlite-{run}-{round_}"), summary(f"pg-{run}-{round_}")
            if s is None or p is None:
                print(f"| {round_} | {label} | not measured | | | | | |")
                continue
            ratio = p["rps"] / s["rps"] if s["rps"] else math.nan
            clean = not any(x["non2xx"] or x["errors"] for x in (s, p))
            ratios[run].append((ratio, clean))
            target = f"≥ {goal} {mark(ratio >= goal and clean)}" if goal else "—"
            row = f"| {round_} | {label} | {cell(s)} | {cell(p)} | {ratio:.2f} | {target} |"
            notes = problems(s, "SQLite") + problems(p, "PG active")
            if single:
                x = summary(f"single-{run}-{round_}")
                if x:
                    row += f" {x['rps']:,.0f} | {p['rps'] / x['rps'] if x['rps'] else math.nan:.2f} |"
                else:
                    row += " — | — |"
                notes += problems(x, "PG single") if x else ""
            print(row + notes)
    for label, run, goal in WRITES:
        if goal and ratios[run]:
            worst = min(ratio for ratio, _ in ratios[run])
            met = worst >= goal and all(clean for _, clean in ratios[run])
            TARGETS.append((f"{label}: PG active ≥ {goal}× SQLite (worst round)", f"{worst:.2f}", met))


def forwarding_table():
    unavailable = read_text("forwarding-unavailable", "")
    if unavailable:
        print(f"\n### Forwarding: not measured (the standby answered the KV read with {unavailable}, not the secret)")
        TARGETS.append(("forwarding adds < 1 ms at p50", "not measured", None))
        return
    if summary("active-read-c1-1") is None:
        print("\n### Forwarding: not measured (BENCH_FORWARDING=0)")
        return
    print("\n### Forwarding: the same read straight to the active node and through a standby\n")
    print("| round | run (side measured first) | active req/s | p50 / p99 ms | via standby req/s | p50 / p99 ms "
          "| added at p50 | standby/active req/s | target |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    added = []
    for round_ in range(1, ROUNDS + 1):
        first = "active" if round_ % 2 == 1 else "standby"
        for label, run, is_target in READS:
            a, s = summary(f"active-{run}-{round_}"), summary(f"standby-{run}-{round_}")
            if a is None or s is None:
                print(f"| {round_} | {label} | not measured | | | | | | |")
                continue
            delta = s["p50"] - a["p50"]
            clean = not any(x["non2xx"] or x["non200"] or x["errors"] for x in (a, s))
            target = "—"
            if is_target:
                added.append(delta if clean else math.inf)
                target = f"< 1 ms {mark(delta < 1 and clean)}"
            ratio = s["rps"] / a["rps"] if a["rps"] else math.nan
            print(f"| {round_} | {label} ({first}) | {cell(a)} | {cell(s)} | {delta * 1000:+.0f} µs | {ratio:.2f} "
                  f"| {target} |" + problems(a, "active") + problems(s, "standby"))
    if added:
        worst = max(added)
        TARGETS.append(("forwarding adds < 1 ms at p50 (worst round)", f"{worst * 1000:+.0f} µs", worst < 1))


def main():
    coffers, compilers = others()
    print(f"\nwrk -d{DURATION} --latency, {ROUNDS} round(s); binary: {BINARY}; {machine()}. PostgreSQL, the servers "
          f"and wrk share the machine. Each pair ran back to back under the build lock; alive meanwhile: up to "
          f"{coffers} other coffer processes, {compilers} compiler processes. 1-min load average "
          f"{read_text('load-before')} before the runs, {read_text('load-after')} after (wrk and the servers "
          f"account for ~2).")
    writes_table()
    forwarding_table()
    if not read_text("forwarding-unavailable", "") and summary("active-read-c1-1") is not None:
        cpu_table()
    print("\n### Targets (issue 14)\n")
    print("| Target | value | |")
    print("|---|---:|---|")
    for what, value, met in TARGETS:
        print(f"| {what} | {value} | {'n/a' if met is None else mark(met)} |")
    print(f"\nLogs and wrk outputs: {WORK}")


main()
