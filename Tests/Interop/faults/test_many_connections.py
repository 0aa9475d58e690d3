"""2,000 concurrent HTTP/2 connections, each with one health Check.

Proves: summitd accepts and serves 2,000 simultaneous client connections (file
descriptors, nghttp2 sessions, event loops) and answers every Check with grpc-status 0;
copes with all of them closing at once and releases each one (its descriptor count
returns to the pre-burst value); then still serves a normal grpcio client; a second
burst reuses the memory of the first (no per-connection leak); and the memory the
connections took is given back (RSS within 30 MiB of the post-warm-up baseline within
10 s of the close).

The burst runs once per module (fixture ``bursts``); each test checks one property.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass, field

import pytest

import fault_mem
from fault_h2 import Client, Many
from fault_pb import HEALTH_CHECK
from fault_server import health_check, new_store, start_or_fail

CONNECTIONS = 2000
WARMUP_CONNECTIONS = 200
BATCH = 100                 # connections opened between two reads of the open ones
ANSWER_WAIT = 60.0
RSS_SLACK_MIB = 30          # RSS after the close vs the post-warm-up baseline
REUSE_SLACK_MIB = 30        # RSS after a second burst vs after the first
RELEASE_WAIT = 10.0


def raise_nofile() -> tuple[int, int]:
    """Soft RLIMIT_NOFILE up to the hard limit, for this process and the summitd it
    starts afterwards (a child inherits its parent's limits)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def wait_fds(pid: int, limit: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        n = fd_count(pid)
        if n <= limit or time.monotonic() > deadline:
            return n
        time.sleep(0.1)


@dataclass
class Burst:
    opened_s: float = 0.0
    answered_s: float = 0.0
    finished: bool = False
    ok: int = 0
    failures: list[str] = field(default_factory=list)
    still_open: int = 0
    rss_open: float = 0.0
    closed_at: float = 0.0


def burst(port: int, pid: int, count: int, request: bytes) -> Burst:
    """Open `count` connections, each sending preface + SETTINGS + one health Check as
    soon as it is connected (responses are read between batches); wait for every
    answer with all connections still open; then close them all (GOAWAY + FIN)."""
    out = Burst()
    many = Many()
    t0 = time.monotonic()
    try:
        streams = []
        for i in range(count):
            c = Client(port, timeout=10.0)
            many.add(c)
            streams.append((c, c.start_unary(HEALTH_CHECK, request)))
            if i % BATCH == BATCH - 1:
                many.pump(0)
        out.opened_s = time.monotonic() - t0
        out.finished = many.wait(lambda: all(s.done or c.closed for c, s in streams),
                                 ANSWER_WAIT)
        out.answered_s = time.monotonic() - t0
        out.ok = sum(1 for _, s in streams if s.done and s.grpc_status == 0)
        out.failures = [s.summary() for c, s in streams if not (s.done and s.grpc_status == 0)]
        out.still_open = sum(1 for c, _ in streams if not c.closed)
        out.rss_open = fault_mem.rss_mib(pid)
    finally:
        many.close_all()
        out.closed_at = time.monotonic()
    return out


@dataclass
class Run:
    srv: object
    pid: int
    nofile: int
    baseline_rss: float
    baseline_fds: int
    first: Burst
    rss_after_first: float
    fds_after_first: int
    health_after_first_s: float
    second: Burst | None = None
    rss_after_second: float = 0.0


@pytest.fixture(scope="module")
def bursts(request, summitd_exe, tmp_path_factory, pb):
    soft, hard = raise_nofile()
    if soft < CONNECTIONS + 200:
        pytest.fail(f"RLIMIT_NOFILE hard limit {hard} is too low for {CONNECTIONS} connections")
    store = new_store(request, summitd_exe, tmp_path_factory.mktemp("many_connections"))
    try:
        srv = start_or_fail(store, "--no-seed")
        pid = srv.proc.pid
        with open(f"/proc/{pid}/limits") as f:
            nofile = int(f.read().split("Max open files")[1].split()[0])
        request_bytes = pb.health.HealthCheckRequest(service="").SerializeToString()

        # Warm-up: the same path on a tenth of the connections, so that thread pools,
        # allocator arenas and lazily built tables exist before the baseline is taken.
        warm = burst(srv.port, pid, WARMUP_CONNECTIONS, request_bytes)
        if warm.ok != WARMUP_CONNECTIONS:
            pytest.fail(f"warm-up: {len(warm.failures)} of {WARMUP_CONNECTIONS} Checks failed: "
                        f"{warm.failures[:5]}")
        health_check(pb, srv.address)
        baseline_fds = fd_count(pid)
        baseline_rss = fault_mem.settle_baseline(pid, 1.5)

        first = burst(srv.port, pid, CONNECTIONS, request_bytes)
        fds_after = wait_fds(pid, baseline_fds, RELEASE_WAIT)
        health_s = health_check(pb, srv.address) if srv.alive() else -1.0
        ok, rss_after_first, trace = fault_mem.wait_rss_at_most(
            pid, baseline_rss + RSS_SLACK_MIB, max(0.0, first.closed_at + RELEASE_WAIT - time.monotonic()))
        run = Run(srv, pid, nofile, baseline_rss, baseline_fds, first, rss_after_first,
                  fds_after, health_s)
        print(f"\n[faults] many connections: RLIMIT_NOFILE {nofile}; baseline RSS "
              f"{baseline_rss:.1f} MiB, {baseline_fds} fds; burst 1: opened {CONNECTIONS} in "
              f"{first.opened_s:.1f}s, all answered at {first.answered_s:.1f}s, ok={first.ok}, "
              f"RSS with all open {first.rss_open:.1f} MiB, after close {rss_after_first:.1f} MiB "
              f"(trace {trace[0]}..{trace[-1]}), fds after close {fds_after}, health Check "
              f"{health_s * 1000:.0f} ms")

        if srv.alive():
            run.second = burst(srv.port, pid, CONNECTIONS, request_bytes)
            wait_fds(pid, baseline_fds, RELEASE_WAIT)
            time.sleep(1.0)
            run.rss_after_second = fault_mem.rss_mib(pid)
            print(f"[faults] many connections: burst 2: ok={run.second.ok}, RSS with all open "
                  f"{run.second.rss_open:.1f} MiB, after close {run.rss_after_second:.1f} MiB; "
                  f"HWM {fault_mem.hwm_mib(pid):.1f} MiB")
        yield run
    finally:
        store.kill_all()


def test_every_check_answered_and_connections_released(bursts, pb):
    b = bursts.first
    assert bursts.nofile >= CONNECTIONS + 200, f"summitd runs with RLIMIT_NOFILE {bursts.nofile}"
    assert b.finished, f"not every Check finished within {ANSWER_WAIT}s; first: {b.failures[:5]}"
    assert b.ok == CONNECTIONS, f"{len(b.failures)} Checks failed; first: {b.failures[:5]}"
    assert b.still_open == CONNECTIONS, "the server closed connections that had done nothing wrong"
    assert bursts.fds_after_first <= bursts.baseline_fds, (
        f"summitd holds {bursts.fds_after_first} descriptors {RELEASE_WAIT}s after the clients "
        f"closed, {bursts.baseline_fds} before the burst")
    assert bursts.health_after_first_s >= 0, "summitd exited during the burst"
    assert bursts.srv.alive(), "summitd exited"
    health_check(pb, bursts.srv.address)


def test_second_burst_reuses_memory(bursts):
    """No per-connection leak: 2,000 more connections, once closed, leave RSS within
    30 MiB of what the first burst left (a leak of 15 KiB a connection would not)."""
    assert bursts.second is not None, "summitd exited during the first burst"
    assert bursts.second.ok == CONNECTIONS, bursts.second.failures[:5]
    grew = bursts.rss_after_second - bursts.rss_after_first
    assert grew <= REUSE_SLACK_MIB, (
        f"RSS after the second burst {bursts.rss_after_second:.1f} MiB, after the first "
        f"{bursts.rss_after_first:.1f} MiB: +{grew:.1f} MiB")


def test_rss_returns_to_baseline(bursts):
    assert bursts.rss_after_first <= bursts.baseline_rss + RSS_SLACK_MIB, (
        f"RSS {bursts.rss_after_first:.1f} MiB {RELEASE_WAIT:.0f}s after 2,000 connections "
        f"closed (with all open: {bursts.first.rss_open:.1f} MiB); baseline after warm-up "
        f"{bursts.baseline_rss:.1f} MiB; allowed +{RSS_SLACK_MIB} MiB")
