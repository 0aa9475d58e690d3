#!/usr/bin/env python3
"""Side-by-side A/B of two summitd builds: alternating rounds in one run.

    python3 Benchmarks/ab.py OLD_SUMMITD NEW_SUMMITD [--methods health,getleader,list50]
                             [--rounds 3] [--seconds 4]

Each binary serves its own fresh store seeded with make bench's 1,000 visits
(so list50 returns full 50-visit pages; --small-seed: the bundled seed), pinned to CPU 0 with one event loop;
grpcload (make bench-build) runs on CPU 1 with -c 16 -m 32 against one, then the
other, for every method and round, so the machine's drift hits both alike. Prints
the medians over rounds per binary and method, and the ratio of server CPU per
call (old / new). grpcload checks every response's grpc-status; a failed call
makes this exit 1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Benchmarks"))
from runner import servers as servers_module  # noqa: E402
GRPCLOAD = REPO / ".build-bench" / "bin" / "grpcload"
METHODS = {
    "health": ("/grpc.health.v1.Health/Check", ""),
    "getleader": ("/summit.v1.LeaderService/GetLeader", "0a166c6561646572732f766c6164696d69722d707574696e"),
    "list50": ("/summit.v1.VisitService/ListVisits", "0832"),
    # 1,000-visit pages (640 KB), as make bench's MB/s row: 4 connections, 4 streams each.
    "list1000": ("/summit.v1.VisitService/ListVisits", "08e807", "-c", "4", "-m", "4"),
    # WatchVisits replaying the change log from sequence 1, each call ended
    # by the client after 400 KB (as make bench's streaming row does).
    "watch": ("/summit.v1.VisitService/WatchVisits", "1001", "-c", "4", "-m", "4", "-S", "400000"),
}


def start(binary: str, workdir: str, seed: str | None) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        ["taskset", "-c", "0", binary, "--db", f"{workdir}/summit.db", "--event-loops", "1",
         "--log-level", "warning", "--listen", "127.0.0.1:0"] + (["--seed-file", seed] if seed else []),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        proc.kill()
        sys.exit(f"{binary} did not start: {line!r}")
    return proc, int(line.rsplit(":", 1)[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--methods", default="health,getleader,list50")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--small-seed", action="store_true",
                    help="serve the bundled seed (7 visits) instead of make bench's 1,000-visit seed")
    args = ap.parse_args()
    if not GRPCLOAD.exists():
        sys.exit(f"{GRPCLOAD} is missing: run make bench-build first")
    methods = args.methods.split(",")
    seed = None
    if not args.small_seed:
        seed = tempfile.mktemp(prefix="summit-ab-seed-", suffix=".json")
        servers_module.write_bench_seed(str(REPO), seed)
    servers = {}
    for name, binary in (("old", args.old), ("new", args.new)):
        servers[name] = start(binary, tempfile.mkdtemp(prefix=f"summit-ab-{name}-"), seed)
    results: dict[tuple[str, str], list[dict]] = {}
    failed = 0
    try:
        for _ in range(args.rounds):
            for method in methods:
                path, message, *extra = METHODS[method]
                for name, (proc, port) in servers.items():
                    cmd = ["taskset", "-c", "1", str(GRPCLOAD), "-p", str(port), "-P", path,
                           "-c", "16", "-m", "32", "-w", "1", "-d", str(args.seconds), "-s", str(proc.pid)] + extra
                    if message:
                        cmd += ["-x", message]
                    out = subprocess.run(cmd, capture_output=True, text=True)
                    report = json.loads(out.stdout)
                    failed += report["failed"]
                    results.setdefault((method, name), []).append(report)
    finally:
        for proc, _ in servers.values():
            proc.kill()
    print(f"{'method':<10} {'build':<4} {'calls/s':>9} {'MB/s':>7} {'us CPU/call':>12} {'p50 us':>9} {'p99 us':>9} {'failed':>7}")
    for method in methods:
        cpu = {}
        for name in ("old", "new"):
            rs = results[(method, name)]
            med = lambda key: statistics.median(r[key] for r in rs)  # noqa: E731
            cpu[name] = med("server_cpu_sched_us_per_call")
            print(f"{method:<10} {name:<4} {med('calls_per_s'):>9.0f} {med('payload_mb_per_s'):>7.1f} {cpu[name]:>12.2f} "
                  f"{med('p50_us'):>9.0f} {med('p99_us'):>9.0f} {sum(r['failed'] for r in rs):>7}")
        print(f"{method:<10} old/new CPU per call: {cpu['old'] / cpu['new']:.2f}x")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
