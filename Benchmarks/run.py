#!/usr/bin/env python3
"""make bench's runner: Summit and its peers side by side, in alternating rounds.

Every server runs pinned to CPU 0 (`taskset -c 0`) with one event loop or
thread where it can be told so; every load generator runs pinned to CPU 1.
Each scenario runs ROUNDS rounds, and each round visits every server once
(A B C D, A B C D, ...) so that slow drift of the machine's load hits all
servers alike; the tables show medians over rounds.

Two load generators per round:
  * grpcload (Benchmarks/loadgen): checks every response's :status, grpc-status
    and message, records latency percentiles, and reads the server's CPU time
    from /proc/PID/stat over the measured window only;
  * h2load (Debian nghttp2-client): the issue's headline tool, for comparable
    calls/s; it counts HTTP 200 as success and cannot see grpc-status.

Writes the results between the bench markers of BENCHMARKS.md and the raw
numbers to .build-bench/results/latest.json. Standard library only.
"""
import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import allocs, report, scenarios, servers, storescale  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    quick = os.environ.get("BENCH_QUICK") == "1"
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=1 if quick else 3)
    p.add_argument("--seconds", type=float, default=2 if quick else 5)
    p.add_argument("--warmup", type=float, default=0.5 if quick else 1)
    p.add_argument("--only", default="", help="comma-separated server names (default: all built)")
    p.add_argument("--out", default=os.path.join(REPO, "BENCHMARKS.md"))
    p.add_argument("--no-h2load", action="store_true")
    p.add_argument("--store-sizes", default="1000,100000" if quick else "1000,100000,1000000",
                   help="visit counts for the store-scale rows ('' to skip)")
    p.add_argument("--codec-bench", default="", help="codec-bench binary to run after the servers (optional)")
    args = p.parse_args()

    # 1,000 idle connections need more descriptors than a default soft limit of 1,024 leaves;
    # the servers inherit the raised limit.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    work = tempfile.mkdtemp(prefix="summit-bench-")
    started = time.time()
    machine = report.machine_facts()
    print(f"bench: {machine['cpu']}, load {machine['load_start']}, work dir {work}", flush=True)

    fleet = servers.Fleet(REPO, work)
    try:
        fleet.start_all(only=[s for s in args.only.split(",") if s])
        results = scenarios.run_all(fleet, work, args)
        extras = scenarios.run_extras(fleet, work, args)
        extras["allocations"] = allocs.run(fleet, work, args)
        sizes = [int(n) for n in args.store_sizes.split(",") if n]
        scale = storescale.run(fleet, work, args, sizes) if sizes and "summitd" in fleet.servers else {}
    finally:
        fleet.stop_all()
    codec = scenarios.run_codec_bench(args.codec_bench, quick)
    machine["load_end"] = report.load_average()
    machine["wall_seconds"] = round(time.time() - started)
    machine["quick"] = quick
    machine["python"] = platform.python_version()

    out_dir = os.path.join(REPO, ".build-bench", "results")
    os.makedirs(out_dir, exist_ok=True)
    raw = {"machine": machine, "results": results, "extras": extras, "codec": codec, "store_scale": scale,
           "args": vars(args)}
    with open(os.path.join(out_dir, "latest.json"), "w") as f:
        json.dump(raw, f, indent=1)
    report.write_markdown(args.out, raw)
    print(f"bench: wrote {args.out} and {out_dir}/latest.json in {machine['wall_seconds']} s", flush=True)
    failed = sum(r["failed"] for rows in results.values() for rs in rows.values() for r in rs["grpcload"])
    if failed:
        print(f"bench: {failed} calls failed (see the table)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
