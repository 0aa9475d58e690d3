"""2,000 concurrent HTTP/2 connections, each with one health Check.

Proves: summitd accepts and serves 2,000 simultaneous client connections (file
descriptors, nghttp2 sessions, event loops), answers every Check with grpc-status 0,
copes with all of them closing at once, then still serves a normal grpcio client, and
gives back the memory those connections took (RSS back within 30 MiB of its
post-warm-up baseline within 10 s: per-connection state is freed, not leaked).
"""

from __future__ import annotations

import resource
import time

import fault_mem
from conftest import start_or_fail
from fault_h2 import Client, Many
from fault_pb import HEALTH_CHECK
from fault_server import health_check

CONNECTIONS = 2000
BATCH = 100                 # connections opened between two reads of the open ones
RSS_SLACK_MIB = 30
RSS_WAIT = 10.0


def raise_nofile() -> tuple[int, int]:
    """Soft RLIMIT_NOFILE up to the hard limit, for this process and the summitd it
    starts (a child inherits its parent's limits)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def open_many(port: int, count: int, request: bytes, many: Many) -> list:
    """Open `count` connections; each sends preface + SETTINGS + one health Check
    as soon as it is connected. Responses are read between batches."""
    streams = []
    for i in range(count):
        c = Client(port, timeout=10.0)
        many.add(c)
        streams.append((c, c.start_unary(HEALTH_CHECK, request)))
        if i % BATCH == BATCH - 1:
            many.pump(0)
    return streams


def test_two_thousand_connections(store, pb):
    soft, hard = raise_nofile()
    assert soft >= CONNECTIONS + 200, f"RLIMIT_NOFILE hard limit {hard} is too low for this test"
    srv = start_or_fail(store, "--no-seed")
    pid = srv.proc.pid
    assert int(open(f"/proc/{pid}/limits").read().split("Max open files")[1].split()[0]) == soft

    request = pb.health.HealthCheckRequest(service="").SerializeToString()

    # Warm-up: the same path with 200 connections, so that thread pools, allocator
    # arenas and lazily built tables exist before the baseline is taken.
    warm = Many()
    try:
        streams = open_many(srv.port, 200, request, warm)
        assert warm.wait(lambda: all(s.done for _, s in streams), 20.0)
    finally:
        warm.close_all()
    health_check(pb, srv.address)
    baseline = fault_mem.settle_baseline(pid, 1.5)

    many = Many()
    t0 = time.monotonic()
    try:
        streams = open_many(srv.port, CONNECTIONS, request, many)
        opened = time.monotonic() - t0
        finished = many.wait(lambda: all(s.done or c.closed for c, s in streams), 60.0)
        answered = time.monotonic() - t0
        ok = [s for _, s in streams if s.done and s.grpc_status == 0]
        bad = [s.summary() for c, s in streams if not (s.done and s.grpc_status == 0)]
        still_open = sum(1 for c, _ in streams if not c.closed)
        peak = fault_mem.rss_mib(pid)
    finally:
        many.close_all()
    print(f"\n[faults] many connections: opened {CONNECTIONS} in {opened:.1f}s, answered in "
          f"{answered:.1f}s, ok={len(ok)}, open at the end={still_open}, RSS baseline "
          f"{baseline:.1f} MiB, with all open {peak:.1f} MiB")

    assert finished, f"not every Check finished within 60 s; first failures: {bad[:5]}"
    assert len(ok) == CONNECTIONS, f"{len(bad)} Checks failed; first: {bad[:5]}"
    assert still_open == CONNECTIONS, "the server closed connections that had done nothing wrong"

    assert srv.alive(), "summitd exited"
    took = health_check(pb, srv.address)
    back, last, trace = fault_mem.wait_rss_at_most(pid, baseline + RSS_SLACK_MIB, RSS_WAIT)
    print(f"[faults] many connections: health Check after close {took * 1000:.0f} ms; RSS "
          f"after close {last:.1f} MiB (trace {trace[:3]}...{trace[-1]}), HWM "
          f"{fault_mem.hwm_mib(pid):.1f} MiB")
    assert back, (f"RSS stayed at {last:.1f} MiB after the connections closed, more than "
                  f"{RSS_SLACK_MIB} MiB above the {baseline:.1f} MiB baseline; trace {trace}")
