"""Clients that ask for a lot and never read.

20 raw HTTP/2 connections each start 50 ListVisits calls (page_size 1000 over 300
visits with 2,000-character purposes: ~0.6 MB per response, ~600 MB asked for in
all), then never read from their sockets again.

Proves: summitd's memory stays bounded while its peers do not read (HTTP/2 flow
control and the per-stream / per-connection queue bounds hold: RSS never above the
baseline + 200 MiB over 10 s); a normal grpcio client on its own connection keeps
being served meanwhile (every health Check under 2 s); and once the slow sockets
close the server lets go of what it held for them (RSS back within 50 MiB of the
baseline within 15 s) and still answers a health Check.
"""

from __future__ import annotations

import fcntl
import struct
import termios
import threading
import time

import fault_mem
from conftest import start_or_fail
from fault_data import Api, create_leader, import_visits
from fault_h2 import Client
from fault_pb import LIST_VISITS
from fault_server import health_check

VISITS = 300
PURPOSE = 2000
CONNECTIONS = 20
STREAMS_PER_CONNECTION = 50
WATCH_SECONDS = 10.0
PEAK_SLACK_MIB = 200
RETURN_SLACK_MIB = 50
RETURN_WAIT = 15.0
HEALTH_MAX_S = 2.0


def unread_bytes(c: Client) -> int:
    """Bytes waiting in the client's socket receive queue (FIONREAD)."""
    buf = fcntl.ioctl(c.sock.fileno(), termios.FIONREAD, struct.pack("i", 0))
    return struct.unpack("i", buf)[0]


class HealthProbe(threading.Thread):
    """A normal grpcio client: a health Check every 0.2 s on one connection."""

    def __init__(self, pb, address: str):
        super().__init__(daemon=True, name="health-probe")
        self.api = Api(pb, address)
        self.pb = pb
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        req = self.pb.health.HealthCheckRequest(service="")
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                resp = self.api.health.Check(req, timeout=5.0)
                if resp.status != self.pb.health.HealthCheckResponse.SERVING:
                    self.errors.append(f"status {resp.status}")
            except Exception as exc:  # noqa: BLE001  (grpc.RpcError and friends)
                self.errors.append(repr(exc))
            self.latencies.append(time.monotonic() - t0)
            self.stop.wait(0.2)
        self.api.close()


def test_slow_readers_do_not_grow_memory_or_starve_others(store, pb):
    srv = start_or_fail(store, "--no-seed")
    pid = srv.proc.pid
    with Api(pb, srv.address) as api:
        leader = create_leader(api)
        result = import_visits(api, leader.name, VISITS, PURPOSE)
        assert result.created_count == VISITS, result.failures[:3]
        req = pb.visit.ListVisitsRequest(page_size=1000)
        for _ in range(3):     # warm-up: the same call, read by a normal client
            page = api.visits.ListVisits(req, timeout=30)
        assert len(page.visits) == VISITS
        response_size = page.ByteSize()
        api.health.Check(pb.health.HealthCheckRequest(), timeout=5)
    baseline = fault_mem.settle_baseline(pid, 1.5)

    payload = req.SerializeToString()
    sampler = fault_mem.Sampler(pid).start()
    probe = HealthProbe(pb, srv.address)
    probe.start()
    slow: list[Client] = []
    try:
        t0 = time.monotonic()
        for _ in range(CONNECTIONS):
            c = Client(srv.port, timeout=10.0)
            slow.append(c)
            c.wait_settings(5.0)            # read SETTINGS (and ACK them) ...
            for _ in range(STREAMS_PER_CONNECTION):
                c.start_unary(LIST_VISITS, payload)
            # ... and never read again.
        sent_s = time.monotonic() - t0
        time.sleep(WATCH_SECONDS)
        probe.stop.set()
        probe.join(10)
        sampler.stop()
        unread = [unread_bytes(c) for c in slow]
        alive = srv.alive()
        peak = sampler.peak
        latencies = sorted(probe.latencies)
        print(f"\n[faults] slow clients: {CONNECTIONS}x{STREAMS_PER_CONNECTION} ListVisits of "
              f"{response_size} B sent in {sent_s:.1f}s; baseline {baseline:.1f} MiB, peak "
              f"{peak:.1f} MiB over {WATCH_SECONDS:.0f}s (samples {sampler.summary()}); "
              f"health Checks {len(latencies)}, max {max(latencies, default=0) * 1000:.0f} ms, "
              f"median {latencies[len(latencies) // 2] * 1000 if latencies else 0:.0f} ms, "
              f"errors {len(probe.errors)}; unread bytes per slow socket "
              f"min {min(unread)} max {max(unread)}")
    finally:
        probe.stop.set()
        sampler.stop()
        for c in slow:
            c.close()
        closed_at = time.monotonic()

    assert alive, "summitd exited while the slow clients were connected"
    assert not probe.errors, f"health Checks failed: {probe.errors[:5]}"
    assert latencies and latencies[-1] < HEALTH_MAX_S, (
        f"slowest health Check took {latencies[-1]:.2f}s (limit {HEALTH_MAX_S}s)")
    assert min(unread) > 0, "a slow connection got no response bytes at all: were the calls served?"
    assert peak < baseline + PEAK_SLACK_MIB, (
        f"RSS reached {peak:.1f} MiB with {CONNECTIONS * STREAMS_PER_CONNECTION} unread "
        f"responses of {response_size} B; baseline {baseline:.1f} MiB, allowed "
        f"+{PEAK_SLACK_MIB} MiB; samples (t s: MiB) {sampler.summary(5)}")

    back, last, trace = fault_mem.wait_rss_at_most(
        pid, baseline + RETURN_SLACK_MIB, max(0.0, closed_at + RETURN_WAIT - time.monotonic()))
    print(f"[faults] slow clients: RSS {last:.1f} MiB after the slow sockets closed "
          f"(trace {trace[0]}..{trace[-1]})")
    health_check(pb, srv.address)
    assert back, (f"RSS still {last:.1f} MiB {RETURN_WAIT:.0f}s after the slow sockets closed; "
                  f"baseline {baseline:.1f} MiB, allowed +{RETURN_SLACK_MIB} MiB; trace {trace}")
