#!/usr/bin/env python3
"""What an idle summitd keeps resident, and where in its binary it is.

    python3 Benchmarks/rss_breakdown.py [SUMMITD] [--runs 3] [--sections] [--all-sections] [--json FILE]

Measures what `make bench` reports as summitd's idle RSS (Benchmarks/runner/scenarios.py,
`first_call_seconds`): a fresh start on an already seeded SQLite store (make bench's
1,000-visit seed; the first start seeds it and is not measured), pinned to CPU 0 with one
event loop, one OK Health/Check, then VmRSS from /proc/PID/status one second later.
Prints the median over --runs fresh starts of VmRSS and of its anonymous and file-backed
parts, then, for the median run, each mapped file's resident KB (/proc/PID/smaps), and
with --sections, which ELF sections of the executable (--all-sections: of every mapped
ELF file) the resident pages fall in: each present page of a mapping (/proc/PID/pagemap)
is split between the sections it overlaps (section addresses from `readelf -SW`, the
load bias from `readelf -lW`), and counted as private (dirtied, copy-on-write: what
relocations cost) or file-backed (clean page cache).

SUMMITD defaults to .build/release/summitd (what make bench measures). Needs
grpcload (`make bench-build`, .build-bench/bin/grpcload) or grpcio in the Python
that runs this; reading pagemap's present bits needs no privilege.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Benchmarks"))
from runner.servers import write_bench_seed  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
HEALTH = "/grpc.health.v1.Health/Check"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health_check(port: int, grpcload: str | None) -> bool:
    """One Health/Check; True once it answered SERVING with grpc-status 0."""
    if grpcload:
        out = subprocess.run([grpcload, "-p", str(port), "-P", HEALTH, "-c", "1", "-m", "1", "-w", "0", "-d", "0.0001"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            return False
        try:
            report = json.loads(out.stdout)
        except json.JSONDecodeError:
            return False
        return report.get("failed", 1) == 0 and report.get("checked", 0) >= 1
    import grpc  # noqa: PLC0415 (only when grpcload is missing)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary(HEALTH, request_serializer=lambda b: b, response_deserializer=lambda b: b)
            call(b"", timeout=1)
        return True
    except grpc.RpcError:
        return False


def status_kb(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


MAP_RE = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) \S+ \d+\s*(.*)$")


def smaps(pid: int) -> list[dict]:
    """Every mapping of /proc/PID/smaps with its fields in kB."""
    maps, current = [], None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = MAP_RE.match(line)
            if m:
                current = {"start": int(m[1], 16), "end": int(m[2], 16), "perms": m[3], "offset": int(m[4], 16),
                           "path": m[5].strip()}
                maps.append(current)
            elif current is not None and line.endswith("kB\n"):
                key, value = line.split(":", 1)
                current[key] = int(value.split()[0])
    return maps


def resident_pages(pid: int, start: int, end: int) -> list[tuple[int, bool]]:
    """(address, private) for every present page in [start, end): pagemap bit 63 present, bit 61 file or shared."""
    pages = []
    with open(f"/proc/{pid}/pagemap", "rb") as f:
        f.seek(start // PAGE * 8)
        data = f.read((end - start) // PAGE * 8)
    for i, (entry,) in enumerate(struct.iter_unpack("<Q", data)):
        if entry >> 63 & 1:
            pages.append((start + i * PAGE, not (entry >> 61 & 1)))
    return pages


SECTION_RE = re.compile(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+\S+\s+(\S*)\s")
LOAD_RE = re.compile(r"^\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)")


def elf_layout(path: str) -> tuple[list[tuple[str, int, int]], int | None]:
    """Allocated sections as (name, address, size), and the virtual address of the first PT_LOAD."""
    out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True).stdout
    sections = []
    for line in out.splitlines():
        m = SECTION_RE.match(line)
        if m and "A" in m[5] and int(m[4], 16) > 0:
            sections.append((m[1], int(m[2], 16), int(m[4], 16)))
    first_load = None
    for line in subprocess.run(["readelf", "-lW", path], capture_output=True, text=True).stdout.splitlines():
        m = LOAD_RE.match(line)
        if m:
            first_load = int(m[2], 16) - int(m[1], 16)  # vaddr of file offset 0
            break
    return sections, first_load


def section_breakdown(pid: int, maps: list[dict], path: str) -> dict[str, list[float]]:
    """Section name -> [file-backed KB, private KB] of the resident pages of PATH's mappings."""
    sections, first_load = elf_layout(path)
    mine = [m for m in maps if m["path"] == path]
    base = next((m for m in mine if m["offset"] == 0), None)
    if base is None or first_load is None:
        return {}
    bias = base["start"] - first_load
    # The anonymous mapping right after the last file mapping holds the rest of .bss.
    last = max(mine, key=lambda m: m["end"])
    extra = [m for m in maps if m["start"] == last["end"] and not m["path"]]
    totals: dict[str, list[float]] = {}
    for m in mine + extra:
        for address, private in resident_pages(pid, m["start"], m["end"]):
            lo, hi = address - bias, address - bias + PAGE
            covered = 0
            for name, addr, size in sections:
                overlap = min(hi, addr + size) - max(lo, addr)
                if overlap > 0:
                    totals.setdefault(name, [0.0, 0.0])[1 if private else 0] += overlap / 1024
                    covered += overlap
            if covered < PAGE:  # headers, padding between sections
                totals.setdefault("(no section)", [0.0, 0.0])[1 if private else 0] += (PAGE - covered) / 1024
    return totals


def per_file(maps: list[dict]) -> dict[str, list[int]]:
    """Mapped file (or [heap], [stack], anonymous) -> [Rss, Anonymous, Private_Dirty] kB."""
    files: dict[str, list[int]] = {}
    for m in maps:
        name = m["path"] or "(anonymous)"
        row = files.setdefault(name, [0, 0, 0])
        row[0] += m.get("Rss", 0)
        row[1] += m.get("Anonymous", 0)
        row[2] += m.get("Private_Dirty", 0)
    return files


def is_elf(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def fresh_start(binary: str, args: list[str], grpcload: str | None, want_sections: bool, all_sections: bool,
                log_path: str) -> dict:
    port = free_port()
    argv = ["taskset", "-c", "0", binary, *args, "--listen", f"127.0.0.1:{port}"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    try:
        t0 = time.monotonic()
        while not health_check(port, grpcload):
            if proc.poll() is not None:
                raise RuntimeError(f"summitd exited: {Path(log_path).read_text()[-2000:]}")
            if time.monotonic() - t0 > 30:
                raise RuntimeError("no OK Health/Check within 30 s")
            time.sleep(0.002)
        first_call = time.monotonic() - t0
        time.sleep(1)
        pid = proc.pid
        rss = status_kb(pid, "VmRSS")
        maps = smaps(pid)
        result = {"rss_kb": rss, "first_call_s": first_call, "files": per_file(maps),
                  "anon_kb": sum(m.get("Anonymous", 0) for m in maps)}
        if want_sections:
            real = os.path.realpath(binary)
            targets = sorted({m["path"] for m in maps if m["path"].startswith("/") and is_elf(m["path"])}) \
                if all_sections else [real]
            result["sections"] = {t: section_breakdown(pid, maps, t) for t in targets}
        return result
    finally:
        proc.terminate()
        proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("summitd", nargs="?", default=str(REPO / ".build" / "release" / "summitd"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sections", action="store_true", help="resident KB per ELF section of the executable")
    parser.add_argument("--all-sections", action="store_true", help="the same for every mapped ELF file")
    parser.add_argument("--top", type=int, default=25, help="rows per table")
    parser.add_argument("--json", help="write every run's numbers to this file")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for summitd's environment")
    parser.add_argument("--grpcload", default=str(REPO / ".build-bench" / "bin" / "grpcload"))
    opts = parser.parse_args()
    for item in opts.env:
        name, _, value = item.partition("=")
        os.environ[name] = value
    grpcload = opts.grpcload if os.path.exists(opts.grpcload) else None
    if grpcload is None:
        try:
            import grpc  # noqa: F401, PLC0415
        except ImportError:
            parser.error(f"no grpcload at {opts.grpcload} (make bench-build, or --grpcload PATH) and no grpcio")
    binary = os.path.abspath(opts.summitd)

    with tempfile.TemporaryDirectory(prefix="summit-rss-") as work:
        seed = os.path.join(work, "bench-seed.json")
        write_bench_seed(str(REPO), seed)
        args = ["--db", os.path.join(work, "summit.db"), "--seed-file", seed, "--event-loops", "1",
                "--log-level", "warning"]
        fresh_start(binary, args, grpcload, False, False, os.path.join(work, "seeding.log"))  # seeds the store
        runs = [fresh_start(binary, args, grpcload, opts.sections or opts.all_sections, opts.all_sections,
                            os.path.join(work, f"run-{i}.log")) for i in range(opts.runs)]

    runs_by_rss = sorted(runs, key=lambda r: r["rss_kb"])
    median_run = runs_by_rss[len(runs_by_rss) // 2]
    rss = statistics.median(r["rss_kb"] for r in runs)
    anon = statistics.median(r["anon_kb"] for r in runs)
    print(f"summitd: {binary}")
    print(f"idle RSS (median of {len(runs)}): {rss / 1024:.1f} MB; anonymous {anon / 1024:.1f} MB, "
          f"file-backed {(rss - anon) / 1024:.1f} MB; runs: "
          + ", ".join(f"{r['rss_kb'] / 1024:.1f}" for r in runs)
          + f"; first call after {statistics.median(r['first_call_s'] for r in runs) * 1000:.0f} ms")

    print("\nresident per mapped file (median run), KB:")
    print(f"{'Rss':>8} {'Anon':>8} {'PrivDirty':>9}  file")
    for name, (r, a, d) in sorted(median_run["files"].items(), key=lambda kv: -kv[1][0])[:opts.top]:
        if r:
            print(f"{r:8d} {a:8d} {d:9d}  {name}")

    for target, totals in median_run.get("sections", {}).items():
        resident = sum(f + p for f, p in totals.values())
        if not resident:
            continue
        print(f"\nresident per ELF section of {target} (median run): {resident / 1024:.1f} MB, KB:")
        print(f"{'file':>8} {'private':>8}  section")
        for name, (f, p) in sorted(totals.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:opts.top]:
            if f + p >= 1:
                print(f"{f:8.0f} {p:8.0f}  {name}")

    if opts.json:
        with open(opts.json, "w") as f:
            json.dump({"summitd": binary, "rss_kb_median": rss, "anon_kb_median": anon, "runs": runs}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
