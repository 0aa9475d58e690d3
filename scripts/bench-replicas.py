#!/usr/bin/env python3
"""Calls/s and per-call CPU of 1, 2 and 3 summitd replicas over one PostgreSQL on this
machine (and one summitd on SQLite for reference), for reads and for writes; and the
database's share of a write.

Each phase runs LOAD_SECONDS of closed-loop load from CLIENT_THREADS Python threads,
each call going to the next replica in turn (client-side round robin). Server CPU is
the summitd processes' user+system time from /proc; database CPU is the PostgreSQL
cluster's (postmaster, its live backends and the children it reaped). Reads:
GetLeader of seeded leaders. Writes: CreateVisit (one transaction: the record, its
index terms, the change log entry, NOTIFY, COMMIT with fsync).

The machine has 2 cores that the load generator, the replicas and PostgreSQL share,
so calls/s shows where this box saturates, not how replicas scale across machines;
the per-call CPU costs are what carry over.

Usage: SUMMIT_BIN_DIR=DIR .venv/bin/python scripts/bench-replicas.py [LOAD_SECONDS]
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "Tests" / "Interop"), str(REPO / "Tests" / "Interop" / "service")]

import svc_pb  # noqa: E402
from pg_scratch import ScratchPostgres  # noqa: E402
from svc_client import Api  # noqa: E402
from svc_make import visit_msg  # noqa: E402
from svc_server import Summitd  # noqa: E402

LOAD_SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
CLIENT_THREADS = 8
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, children: bool = False) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])            # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])       # cutime, cstime (reaped)
    return ticks / TICKS


def cluster_cpu(cluster: ScratchPostgres) -> float:
    postmaster = int((cluster.dir / "data" / "postmaster.pid").read_text().split()[0])
    total = cpu_seconds(postmaster, children=True)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                total += cpu_seconds(int(stat.parent.name))
        except (OSError, ValueError):
            pass
    return total


def run_load(apis: list[Api], call, seconds: float) -> tuple[int, float]:
    """Closed-loop calls for ``seconds``; returns (calls, mean latency in s)."""
    stop = time.monotonic() + seconds
    counts, latencies = [0] * CLIENT_THREADS, [0.0] * CLIENT_THREADS

    def worker(w: int) -> None:
        turn = itertools.count(w)
        while (now := time.monotonic()) < stop:
            call(apis[next(turn) % len(apis)], w, counts[w])
            latencies[w] += time.monotonic() - now
            counts[w] += 1

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(CLIENT_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    calls = sum(counts)
    return calls, sum(latencies) / max(1, calls)


def phase(pb, replicas: list[Summitd], cluster: ScratchPostgres | None, kind: str) -> dict:
    apis = [Api(pb, r.address) for r in replicas]
    leaders = [l.name for l in apis[0].leaders.ListLeaders(pb.leader.ListLeadersRequest()).leaders]
    if kind == "read":
        def call(api, w, n):
            api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=leaders[(w + n) % len(leaders)]))
    else:
        def call(api, w, n):
            api.visits.CreateVisit(pb.visit.CreateVisitRequest(
                visit=visit_msg(pb, leaders[(w + n) % len(leaders)], (2000 + n % 20, 1 + w, 1))))
    run_load(apis, call, 1.0)                     # warm-up: connections, caches
    server0 = sum(cpu_seconds(r.proc.proc.pid) for r in replicas)
    db0 = cluster_cpu(cluster) if cluster else 0.0
    calls, latency = run_load(apis, call, LOAD_SECONDS)
    server = sum(cpu_seconds(r.proc.proc.pid) for r in replicas) - server0
    db = (cluster_cpu(cluster) - db0) if cluster else 0.0
    for api in apis:
        api.close()
    return {"calls_per_s": calls / LOAD_SECONDS, "latency_ms": latency * 1000,
            "server_us": server / calls * 1e6, "db_us": db / calls * 1e6}


def main() -> None:
    exe = Path(os.environ["SUMMIT_BIN_DIR"]) / "summitd"
    work = Path(tempfile.mkdtemp(prefix="summit-bench-replicas-"))
    pb = svc_pb.load(REPO / "Protos", work / "pb")
    cluster = ScratchPostgres()
    rows = []
    try:
        configs = [("sqlite", 1)] + [("postgres", n) for n in (1, 2, 3)]
        for store, n in configs:
            url = cluster.create_database() if store == "postgres" else None
            group = []
            for i in range(n):
                replica = Summitd(exe, work / f"{store}{n}-{i}", seed=(i == 0), database=url,
                                  extra_args=["--log-level", "warning"])
                group.append(replica.start())
            try:
                for kind in ("read", "write"):
                    result = phase(pb, group, cluster if store == "postgres" else None, kind)
                    rows.append((store, n, kind, result))
                    print(f"{store:8} {n} {kind:5} {result['calls_per_s']:8.0f} calls/s "
                          f"{result['latency_ms']:6.2f} ms  server {result['server_us']:6.0f} µs/call"
                          f"  db {result['db_us']:6.0f} µs/call", flush=True)
            finally:
                for replica in group:
                    replica.kill()
    finally:
        cluster.close()
    print()
    print("| store | replicas | op | calls/s | mean latency | summitd CPU/call | PostgreSQL CPU/call |")
    print("|---|---|---|---|---|---|---|")
    for store, n, kind, r in rows:
        db = f"{r['db_us']:.0f} µs" if store == "postgres" else "—"
        print(f"| {store} | {n} | {kind} | {r['calls_per_s']:.0f} | {r['latency_ms']:.2f} ms "
              f"| {r['server_us']:.0f} µs | {db} |")
    writes = [(n, r) for store, n, kind, r in rows if store == "postgres" and kind == "write"]
    for n, r in writes:
        share = r["db_us"] / (r["db_us"] + r["server_us"])
        print(f"database share of a write's server-side CPU, {n} replica(s): {share:.0%}")


if __name__ == "__main__":
    main()
