"""Heap allocations per call: each malloc-using server again, with libmalloccount.so preloaded.

A separate instance of each server runs with LD_PRELOAD (one atomic add per
allocation, so the timed rounds stay without it); grpcload reads the
library's counter from /proc/PID/mem at the edges of its window (-A). grpc-go
is left out: Go's allocator does not go through malloc.
"""
import os
import subprocess

from runner.scenarios import SCENARIOS, grpcload
from runner.servers import Server, binaries

SERVERS = ["summitd", "grpc-swift-2", "grpc-c++"]
METHODS = ["Health/Check", "GetLeader", "ListVisits 50/page"]


def counter_address(pid, library):
    """Where the preloaded library's malloccount_total lives in process pid."""
    symbols = subprocess.run(["nm", "-D", library], capture_output=True, text=True).stdout
    offset = next(int(line.split()[0], 16) for line in symbols.splitlines() if line.endswith(" malloccount_total"))
    with open(f"/proc/{pid}/maps") as f:
        base = next(int(line.split("-")[0], 16) for line in f if line.rstrip().endswith(library))
    return base + offset


def run(fleet, work, args):
    library = os.path.join(os.path.dirname(fleet.grpcload), "libmalloccount.so")
    if not os.path.exists(library):
        return {}
    results = {}
    for name in SERVERS:
        if name not in fleet.servers:
            continue
        path, env = binaries(fleet.repo)[name]
        argv = [path] + (fleet.summitd_args(fleet.store_copy("allocs.db")) if name == "summitd"
                         else ["--leader", fleet.leader_path])
        server = Server(f"{name}-allocs", argv, dict(env, LD_PRELOAD=library),
                        os.path.join(work, f"{name}-allocs.log")).start()
        try:
            address = hex(counter_address(server.pid, library))
            results[name] = {}
            for method in METHODS:
                rpc, hex_body, only, conns, streams = SCENARIOS[method]
                if only and name not in only:
                    continue
                g = grpcload(fleet, server, rpc, hex_body, conns, streams, args.warmup, min(args.seconds, 2),
                             extra=["-A", address])
                results[name][method] = g.get("server_allocs_per_call")
                print(f"bench: {name} {method}: {results[name][method]} allocations per call", flush=True)
        finally:
            server.stop()
    return results


def table(results):
    if not results:
        return []
    lines = ["#### Heap allocations per call (malloc & co., LD_PRELOAD counter; grpc-go not applicable)", "",
             "| server | " + " | ".join(METHODS) + " |", "|---|" + "---:|" * len(METHODS)]
    for name, row in results.items():
        cells = [f"{row[m]:,.0f}" if isinstance(row.get(m), (int, float)) and row[m] >= 0 else "—" for m in METHODS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines
