#!/usr/bin/env python3
"""Which pages of a running process are resident, and why: by mapping, by ELF section and by symbol.

    Benchmarks/memory/resident.py PID [UNSTRIPPED_BINARY] [--symbols N] [--faults FILE] [--save FILE]
    Benchmarks/memory/resident.py --load FILE [UNSTRIPPED_BINARY] [--symbols N] [--faults FILE]

Reads /proc/PID/maps and /proc/PID/pagemap (present bit, page frame) and, as root, /proc/kpageflags to tell
copy-on-write (anonymous) pages of a file mapping from pages of the file itself. For the mappings of the
binary (the executable the process runs; give the unstripped binary with the same load layout when the running one
is stripped) each resident page is attributed to its ELF section (`readelf -S`) and, for code and data, to the
symbols it holds (`nm -n`), grouped by Swift module or C library.

`--faults FILE` is the output of `perf script -F addr` for `perf record -e major-faults,minor-faults -d`: the
addresses that faulted. A resident file page that never faulted was mapped by the kernel's fault-around (up to 16
neighbouring cached pages per fault); the report says how many. As perf writes its data when the process has
exited, `--save` keeps the snapshot (maps and resident pages, JSON) for a later `--load` with the faults.
"""
import json
import bisect
import collections
import os
import re
import struct
import subprocess
import sys

PAGE = os.sysconf("SC_PAGE_SIZE")
KPF_ANON = 1 << 12


def mappings(pid):
    result = []
    with open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            start, end = (int(x, 16) for x in fields[0].split("-"))
            path = fields[5].strip() if len(fields) > 5 else ""
            result.append((start, end, fields[1], int(fields[2], 16), path))
    return result


def resident_pages(pid, start, end, pagemap, kpageflags):
    """Yields (address, is_anonymous) for each present page in [start, end)."""
    pagemap.seek(start // PAGE * 8)
    data = pagemap.read((end - start) // PAGE * 8)
    for index in range(len(data) // 8):
        (entry,) = struct.unpack_from("<Q", data, index * 8)
        if not entry >> 63 & 1:
            continue
        frame = entry & ((1 << 55) - 1)
        anonymous = not (entry >> 61 & 1)
        if kpageflags is not None and frame:
            kpageflags.seek(frame * 8)
            (flags,) = struct.unpack("<Q", kpageflags.read(8))
            anonymous = bool(flags & KPF_ANON)
        yield start + index * PAGE, anonymous


def sections(binary):
    out = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
    result = []
    for line in out.splitlines():
        match = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s", line)
        if match and int(match.group(2), 16):
            result.append((int(match.group(2), 16), int(match.group(4), 16), match.group(1)))
    return sorted(result)


def load_bias(binary, maps, path):
    """The difference between run-time and link-time addresses: the first mapping at file offset 0."""
    for start, _, _, offset, mapped in maps:
        if mapped == path and offset == 0:
            return start
    raise SystemExit("binary's first mapping not found")


def owner(symbol):
    """A Swift symbol's module, or a C/C++ library guessed from its name."""
    match = re.match(r"^\$s(\d+)", symbol)
    if match:
        length = int(match.group(1))
        rest = symbol[2 + len(match.group(1)):]
        name = rest[:length]
        return "swift:" + ("Swift" if name.startswith("s") and length == 0 else name)
    if symbol.startswith("$ss") or symbol.startswith("$sS"):
        return "swift:Swift (stdlib)"
    if re.search(r"icu_\d+|_7[0-9]$|^u[a-z]*_|^U[A-Z]|icudt", symbol):
        return "C:ICU"
    if symbol.startswith(("_ZN", "_ZT", "_ZS")):
        return "C++"
    if symbol.startswith(("CF", "__CF", "_CF", "__kCF", "kCF")):
        return "C:CoreFoundation"
    if symbol.startswith(("sqlite3", "sqlite")):
        return "C:SQLite"
    if re.match(r"^(CCryptoBoringSSL|CNIOBoringSSL|CCryptoBoringSSLShims|CNIOBoringSSLShims)", symbol):
        return "C:BoringSSL"
    if symbol.startswith(("dispatch_", "_dispatch")):
        return "C:libdispatch"
    if symbol.startswith("swift_") or symbol.startswith("_swift"):
        return "swift:runtime"
    if symbol.startswith("c_nio") or symbol.startswith("CNIO"):
        return "C:NIO shims"
    return "other"


def symbols(binary):
    out = subprocess.run(["nm", "-n", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    addresses, names = [], []
    for line in out.splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) == 3 and parts[1] in "TtDdRrBbVvWw":
            addresses.append(int(parts[0], 16))
            names.append(parts[2])
    return addresses, names


def option(args, name, default=None):
    if name not in args:
        return default
    index = args.index(name)
    value = args[index + 1]
    del args[index:index + 2]
    return value


def snapshot(pid):
    """The process's maps and each resident page as (address, anonymous), grouped by mapping."""
    maps = mappings(pid)
    try:
        kpageflags = open("/proc/kpageflags", "rb")
    except OSError:
        kpageflags = None
    pages = []
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for start, end, _, _, path in maps:
            if path.startswith("[v"):  # [vsyscall], [vvar], [vdso]: not in pagemap's useful range
                pages.append([])
                continue
            pages.append(list(resident_pages(pid, start, end, pagemap, kpageflags)))
    return {"exe": os.readlink(f"/proc/{pid}/exe"), "maps": maps, "pages": pages}


def main():
    args = sys.argv[1:]
    top = int(option(args, "--symbols", "25"))
    faults_file = option(args, "--faults")
    save = option(args, "--save")
    load = option(args, "--load")
    if load:
        with open(load) as file:
            snap = json.load(file)
        binary = args[0] if args else snap["exe"]
    else:
        snap = snapshot(int(args[0]))
        binary = args[1] if len(args) > 1 else snap["exe"]
        if save:
            with open(save, "w") as file:
                json.dump(snap, file)
    exe = snap["exe"]
    maps = [tuple(m) for m in snap["maps"]]
    by_mapping = collections.Counter()
    binary_pages = []
    for (start, end, perms, offset, path), pages in zip(maps, snap["pages"]):
        for address, anonymous in pages:
            name = os.path.basename(path) if path else "anonymous"
            kind = "copy-on-write" if anonymous and path and not path.startswith("[") else perms
            by_mapping[(name, kind)] += PAGE
            if path == exe:
                binary_pages.append((address, anonymous))

    print("## Resident by mapping (KB)\n")
    for (name, kind), size in by_mapping.most_common():
        print(f"{size // 1024:>8}  {name} ({kind})")
    print(f"{sum(by_mapping.values()) // 1024:>8}  total")

    bias = load_bias(exe, maps, exe)
    section_list = sections(binary)
    starts = [s[0] for s in section_list]
    by_section = collections.Counter()
    for address, anonymous in binary_pages:
        index = bisect.bisect_right(starts, address - bias + PAGE - 1) - 1
        name = section_list[index][2] if index >= 0 else "(headers)"
        by_section[(name, "copy-on-write" if anonymous else "file")] += PAGE
    print("\n## The binary's resident pages by section (KB; a page is counted in the last section that starts in it)\n")
    for (name, kind), size in by_section.most_common():
        print(f"{size // 1024:>8}  {name} ({kind})")

    addresses, names = symbols(binary)
    by_owner = collections.Counter()
    by_symbol = collections.Counter()
    for address, _ in binary_pages:
        low = address - bias
        first = max(bisect.bisect_right(addresses, low) - 1, 0)
        last = bisect.bisect_left(addresses, low + PAGE)
        held = range(first, max(last, first + 1))
        for index in held:
            share = PAGE / len(held)
            by_owner[owner(names[index])] += share
            by_symbol[names[index]] += share
    print("\n## The binary's resident pages by owner of the symbols they hold (KB, shared pro rata)\n")
    small = 0.0
    for name, size in by_owner.most_common():
        if size >= 64 * 1024:
            print(f"{size / 1024:>8.0f}  {name}")
        else:
            small += size
    print(f"{small / 1024:>8.0f}  (each under 64 KB)")
    if top:
        print(f"\n## Top {top} symbols by resident bytes attributed\n")
        for name, size in by_symbol.most_common(top):
            print(f"{size / 1024:>8.1f}  {name[:140]}")

    if faults_file:
        faulted = set()
        with open(faults_file) as faults:
            for line in faults:
                line = line.strip()
                if line:
                    faulted.add(int(line, 16) // PAGE * PAGE)
        file_pages = [a for a, anonymous in binary_pages if not anonymous]
        touched = sum(1 for a in file_pages if a in faulted)
        print(f"\n## Fault-around\n\n{len(file_pages) * PAGE // 1024} KB of the binary's file pages resident; "
              f"{touched * PAGE // 1024} KB faulted on directly, "
              f"{(len(file_pages) - touched) * PAGE // 1024} KB mapped by fault-around only")


if __name__ == "__main__":
    main()
