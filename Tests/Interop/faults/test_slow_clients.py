"""Clients that ask for a lot and never read.

20 raw HTTP/2 connections each start 50 ListVisits calls (page_size 1000 over 300
visits with 2,000-character purposes: ~0.64 MB per response, ~640 MB asked for in
all), then never read from their sockets again; after 15 s they close.

Proves (one scenario per module, fixture ``scenario``; one property per test):
- a normal grpcio client on its own connection keeps being served meanwhile (every
  health Check of the first 10 s under 2 s, none failing) and the server still
  answers after the slow sockets close;
- summitd's memory stays bounded while its peers do not read (HTTP/2 flow control, the
  per-stream queue bound, and call admission: a connection runs at most 4 handlers still
  preparing a response and starts none while 2 MiB of its responses are unsent, so each
  slow connection costs about 4 responses however many streams it opens: RSS never above
  baseline + 200 MiB at any 0.1 s sample; sampled for 15 s, not only 10, because how fast an
  unbounded server grows depends on the CPU it gets);
- once the slow sockets close, the server lets go of what it held for them (RSS back
  within 50 MiB of the baseline within 15 s).
"""

from __future__ import annotations

import fcntl
import struct
import termios
import threading
import time
from dataclasses import dataclass, field

import pytest

import fault_mem
from fault_data import Api, create_leader, import_visits
from fault_h2 import Client
from fault_pb import LIST_VISITS
from fault_server import health_check, new_store, start_or_fail

VISITS = 300
PURPOSE = 2000
CONNECTIONS = 20
STREAMS_PER_CONNECTION = 50
PROBE_SECONDS = 10.0        # health Checks while the slow clients hold their streams
SAMPLE_SECONDS = 15.0       # RSS samples (and the slow clients stay connected) this long
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


@dataclass
class Scenario:
    srv: object
    response_size: int
    baseline: float
    sampler: fault_mem.Sampler
    latencies: list[float]
    errors: list[str]
    unread: list[int]
    alive_under_load: bool
    health_after_close_s: float = -1.0
    health_after_close_error: str = ""
    rss_after_close: float = 0.0
    returned: bool = False
    trace: list = field(default_factory=list)


@pytest.fixture(scope="module")
def scenario(request, summitd_exe, tmp_path_factory, pb):
    store = new_store(request, summitd_exe, tmp_path_factory.mktemp("slow_clients"))
    try:
        srv = start_or_fail(store, "--no-seed")
        pid = srv.proc.pid
        with Api(pb, srv.address) as api:
            leader = create_leader(api)
            result = import_visits(api, leader.name, VISITS, PURPOSE)
            if result.created_count != VISITS:
                pytest.fail(f"set-up: ImportVisits created {result.created_count} of {VISITS}: "
                            f"{result.failures[:3]}")
            req = pb.visit.ListVisitsRequest(page_size=1000)
            for _ in range(3):     # warm-up: the same call, read by a normal client
                page = api.visits.ListVisits(req, timeout=30)
            if len(page.visits) != VISITS:
                pytest.fail(f"set-up: ListVisits returned {len(page.visits)} of {VISITS} visits")
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
            time.sleep(max(0.0, t0 + PROBE_SECONDS - time.monotonic()))
            probe.stop.set()
            probe.join(10)
            time.sleep(max(0.0, t0 + SAMPLE_SECONDS - time.monotonic()))
            sampler.stop()
            run = Scenario(srv, page.ByteSize(), baseline, sampler, sorted(probe.latencies),
                           list(probe.errors), [unread_bytes(c) for c in slow], srv.alive())
        finally:
            probe.stop.set()
            sampler.stop()
            for c in slow:
                c.close()
            closed_at = time.monotonic()
        lat = run.latencies
        print(f"\n[faults] slow clients: {CONNECTIONS}x{STREAMS_PER_CONNECTION} ListVisits of "
              f"{run.response_size} B sent in {sent_s:.1f}s; RSS baseline {baseline:.1f} MiB, "
              f"peak {sampler.peak:.1f} MiB over {SAMPLE_SECONDS:.0f}s (t:MiB "
              f"{sampler.summary()}); health Checks {len(lat)}, max "
              f"{max(lat, default=0) * 1000:.0f} ms, median "
              f"{(lat[len(lat) // 2] if lat else 0) * 1000:.0f} ms, errors {len(run.errors)}; "
              f"unread bytes per slow socket {min(run.unread)}..{max(run.unread)}")

        if srv.alive():
            run.returned, run.rss_after_close, run.trace = fault_mem.wait_rss_at_most(
                pid, baseline + RETURN_SLACK_MIB, max(0.0, closed_at + RETURN_WAIT - time.monotonic()))
            try:
                run.health_after_close_s = health_check(pb, srv.address)
            except Exception as exc:  # noqa: BLE001
                run.health_after_close_error = repr(exc)
            print(f"[faults] slow clients: RSS {run.rss_after_close:.1f} MiB after the slow "
                  f"sockets closed (t:MiB {run.trace[0]}..{run.trace[-1]}); health Check "
                  f"{run.health_after_close_s * 1000:.0f} ms")
        yield run
    finally:
        store.kill_all()


def test_other_clients_served_while_peers_do_not_read(scenario):
    s = scenario
    assert s.alive_under_load and s.srv.alive(), "summitd exited"
    assert max(s.unread) > 16 * 1024, (
        "no slow connection got response data: the ListVisits calls were not served")
    assert not s.errors, f"health Checks failed under load: {s.errors[:5]}"
    assert len(s.latencies) >= 5, f"only {len(s.latencies)} health Checks in {PROBE_SECONDS}s"
    assert s.latencies[-1] < HEALTH_MAX_S, (
        f"slowest health Check took {s.latencies[-1]:.2f}s (limit {HEALTH_MAX_S}s); "
        f"all: {[round(x, 2) for x in s.latencies]}")
    assert not s.health_after_close_error, s.health_after_close_error
    assert s.health_after_close_s >= 0


def test_memory_bounded_while_peers_do_not_read(scenario):
    s = scenario
    if not s.sampler.samples:
        pytest.fail(f"no RSS sample ({s.sampler.error!r})")
    assert s.sampler.peak < s.baseline + PEAK_SLACK_MIB, (
        f"RSS reached {s.sampler.peak:.1f} MiB with {CONNECTIONS * STREAMS_PER_CONNECTION} "
        f"unread responses of {s.response_size} B; baseline {s.baseline:.1f} MiB, allowed "
        f"+{PEAK_SLACK_MIB} MiB; t:MiB {s.sampler.summary(5)}")


def test_memory_returned_after_slow_sockets_close(scenario):
    s = scenario
    if not s.srv.alive():
        pytest.fail("summitd exited")
    assert s.returned, (
        f"RSS still {s.rss_after_close:.1f} MiB {RETURN_WAIT:.0f}s after the slow sockets "
        f"closed; baseline {s.baseline:.1f} MiB, allowed +{RETURN_SLACK_MIB} MiB; t:MiB {s.trace}")
