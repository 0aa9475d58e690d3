#!/usr/bin/env python3
"""Writes the link order of the functions an idle summitd has run (Sources/summitd/startup.order).

    python3 Benchmarks/startup_order.py SUMMITD [OUT]     # or: make summitd-order

Starts SUMMITD (a release build with symbols) under valgrind's callgrind on a seeded store,
makes one Health/Check, waits a second, dumps the counts, and lists every function of the
executable that ran by then: start-up (flags, store, listener), the first call, the idle
event loop. The release build of summitd hands the list to lld (`--symbol-ordering-file`,
Package.swift), which puts those functions together at the front of .text, so that the
pages an idle server has touched are few and dense instead of 64 KB fault-around windows
spread over all of the code, most of it never run (TLS, PostgreSQL, the CLI's help). The
list is sorted by name, so a regeneration's diff shows what changed. A stale list is
harmless: names that no longer exist are skipped, new functions go where they always went.

valgrind 3.19 cannot read the toolchain's DWARF 5, so it runs a copy without debug
sections (`strip --strip-debug` keeps the symbol table). Needs valgrind (make bench-deps)
and grpcload (make bench-build; or $GRPCLOAD) or grpcio.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Benchmarks"))
from rss_breakdown import free_port, health_check  # noqa: E402
from runner.servers import write_bench_seed  # noqa: E402

NAME_RE = re.compile(r"^(c?)(fn|ob)=\((\d+)\)(?: (.*))?$")


def executed_functions(profile: str, binary: str) -> set[str]:
    """Names of the functions of BINARY that a callgrind profile (names compressed, not demangled) saw run."""
    names: dict[str, dict[str, str]] = {"fn": {}, "ob": {}}
    current_object = None
    functions = set()
    with open(profile, errors="replace") as f:
        for line in f:
            m = NAME_RE.match(line.rstrip("\n"))
            if not m:
                continue
            called, kind, number, name = m.groups()
            if name is not None:
                names[kind][number] = name
            name = names[kind].get(number)
            if kind == "ob" and not called:
                current_object = name
            elif kind == "fn" and not called and current_object == binary and name:
                # callgrind marks recursion depth as name'2; unnamed code shows as an address.
                name = re.sub(r"'\d+$", "", name)
                if not name.startswith("0x") and name != "(below main)":
                    functions.add(name)
    return functions


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    out = sys.argv[2] if len(sys.argv) == 3 else str(REPO / "Sources" / "summitd" / "startup.order")
    grpcload = os.environ.get("GRPCLOAD") or str(REPO / ".build-bench" / "bin" / "grpcload")
    grpcload = grpcload if os.path.exists(grpcload) else None
    for tool in ("valgrind", "callgrind_control", "strip"):
        if not shutil.which(tool):
            print(f"startup_order: {tool} not found (make bench-deps)", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory(prefix="summit-order-") as work:
        copy = os.path.join(work, "summitd")
        subprocess.run(["strip", "--strip-debug", "-o", copy, binary], check=True)
        seed = os.path.join(work, "seed.json")
        write_bench_seed(str(REPO), seed)
        args = ["--db", os.path.join(work, "summit.db"), "--seed-file", seed, "--event-loops", "1",
                "--log-level", "warning"]
        # The first start seeds the store (not profiled: seeding is not what a restarted server runs).
        port = free_port()
        seeder = subprocess.Popen([copy, *args, "--listen", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while not health_check(port, grpcload):
                if seeder.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("summitd did not serve on the empty store")
                time.sleep(0.05)
        finally:
            seeder.terminate()
            seeder.wait()

        profile = os.path.join(work, "callgrind.out")
        port = free_port()
        log = open(os.path.join(work, "valgrind.log"), "w")
        proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--demangle=no", f"--callgrind-out-file={profile}",
                                 copy, *args, "--listen", f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 300
            while not health_check(port, grpcload):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("summitd under valgrind did not serve: "
                                       + Path(log.name).read_text()[-2000:])
                time.sleep(0.1)
            time.sleep(1)
            # Dump now, before SIGTERM's drain and exit run code an idle server never runs.
            subprocess.run(["callgrind_control", "--dump", str(proc.pid)], check=True, capture_output=True)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait()
            log.close()
        dumps = sorted(p for p in os.listdir(work) if p.startswith("callgrind.out."))
        if not dumps:
            raise RuntimeError("callgrind wrote no dump")
        functions = executed_functions(os.path.join(work, dumps[0]), copy)
    if len(functions) < 100:
        raise RuntimeError(f"only {len(functions)} functions found; is {binary} built with symbols?")
    with open(out, "w") as f:
        f.write("".join(name + "\n" for name in sorted(functions)))
    print(f"startup_order: {len(functions)} functions -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
