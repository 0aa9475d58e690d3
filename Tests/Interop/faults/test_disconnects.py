"""Clients that vanish in the middle of streaming calls.

Each round: a WatchVisits that replays the change log (after_sequence 1) and a live
WatchVisits (after_sequence 0) are opened on raw HTTP/2 connections; an ImportVisits
sends 3 visits without ending its request stream; once the live watch has received
an event for them and the replay watch its first event, all three sockets are closed
abruptly, with neither GOAWAY nor RST_STREAM nor END_STREAM: alternately TCP RST
(SO_LINGER 0) and a plain FIN. 10 warm-up rounds, then 100 measured rounds.

Proves: the server notices the vanished peers and keeps serving (a normal health
Check after every 10 rounds and at the end); nothing it logs at warning level or above
(and no unstructured output such as a Swift crash report) comes from these
disconnects; the calls' resources are released (RSS grows by at most 20 MiB over the
100 rounds, and the server's descriptor count returns to its baseline).
"""

from __future__ import annotations

import os
import time

import fault_mem
from fault_data import Api, create_leader, import_visits, visit_msg
from fault_h2 import Client, abort, drop
from fault_pb import IMPORT_VISITS, WATCH_VISITS
from fault_server import (health_check, log_lines_since, log_offset_after_startup, severe_lines,
                          start_or_fail)

WARMUP_ROUNDS = 10
ROUNDS = 100
RSS_GROWTH_MIB = 20
EVENT_WAIT = 5.0
CRASH_WORDS = ("crash", "fatal", "panic", "precondition", "assertion", "signal", "backtrace",
               "handler failed", "segmentation", "abort")


def first_message_in(c: Client, s, timeout: float) -> bool:
    """Wait until at least one whole gRPC message has arrived on s."""
    def has_message():
        if len(s.data) >= 5:
            n = int.from_bytes(s.data[1:5], "big")
            return len(s.data) >= 5 + n
        return False
    return c.wait(lambda: has_message() or s.done, timeout) and has_message()


def one_round(pb, port: int, visitor: str, n: int) -> None:
    close = abort if n % 2 == 0 else drop
    replay = Client(port)
    live = Client(port)
    importer = Client(port)
    try:
        rs = replay.open(WATCH_VISITS)
        replay.send_message(rs, pb.visit.WatchVisitsRequest(after_sequence=1).SerializeToString(),
                            end_stream=True)
        ls = live.open(WATCH_VISITS)
        live.send_message(ls, pb.visit.WatchVisitsRequest(visitor=visitor).SerializeToString(),
                          end_stream=True)
        assert live.wait_settings(EVENT_WAIT)      # the live watch's connection is up
        time.sleep(0.02)                             # ... and its call has subscribed
        im = importer.open(IMPORT_VISITS)
        for k in range(3):
            req = pb.visit.ImportVisitsRequest(visit=visit_msg(pb, visitor, 1000 + n * 3 + k))
            importer.send_message(im, req.SerializeToString())
        assert first_message_in(live, ls, EVENT_WAIT), (
            f"round {n}: the live watch got no event for the imported visits: {ls.summary()}")
        assert first_message_in(replay, rs, EVENT_WAIT), (
            f"round {n}: the replaying watch got no event: {rs.summary()}")
        assert not im.done, f"round {n}: ImportVisits ended before its request did: {im.summary()}"
    finally:
        close(importer)       # mid client-stream
        close(live)           # mid server-stream, waiting for the next event
        close(replay)         # mid server-stream, with replayed events still to send


def test_abrupt_disconnects_mid_stream(store, pb):
    srv = start_or_fail(store, "--no-seed")
    pid = srv.proc.pid
    log_from = log_offset_after_startup(srv)
    with Api(pb, srv.address) as api:
        leader = create_leader(api)
        assert import_visits(api, leader.name, 20, 200).created_count == 20

    for n in range(WARMUP_ROUNDS):
        one_round(pb, srv.port, leader.name, n)
    health_check(pb, srv.address)
    time.sleep(0.5)
    baseline_fds = len(os.listdir(f"/proc/{pid}/fd"))
    baseline = fault_mem.settle_baseline(pid, 1.0)

    t0 = time.monotonic()
    checks = []
    for n in range(WARMUP_ROUNDS, WARMUP_ROUNDS + ROUNDS):
        one_round(pb, srv.port, leader.name, n)
        if n % 10 == 9:
            assert srv.alive(), f"summitd exited after round {n}"
            checks.append(health_check(pb, srv.address))
    took = time.monotonic() - t0

    assert srv.alive(), "summitd exited"
    checks.append(health_check(pb, srv.address))
    time.sleep(1.0)
    after = fault_mem.settle_baseline(pid, 1.0)
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    lines = log_lines_since(srv, log_from)
    severe = severe_lines(lines)
    print(f"\n[faults] disconnects: {ROUNDS} rounds in {took:.1f}s; RSS {baseline:.1f} -> "
          f"{after:.1f} MiB (+{after - baseline:.1f}); fds {baseline_fds} -> {fds}; health "
          f"Check max {max(checks) * 1000:.0f} ms; log lines {len(lines)}, at warning or "
          f"above {len(severe)}")

    crashes = [l for l in severe if any(w in l.lower() for w in CRASH_WORDS)]
    assert not crashes, "server logged crash-like lines:\n" + "\n".join(crashes[:20])
    assert not severe, "server logged at warning or above:\n" + "\n".join(severe[:20])
    assert fds <= baseline_fds + 2, f"descriptors {baseline_fds} before the 100 rounds, {fds} after"
    assert after - baseline <= RSS_GROWTH_MIB, (
        f"RSS grew from {baseline:.1f} to {after:.1f} MiB over {ROUNDS} rounds "
        f"(allowed +{RSS_GROWTH_MIB} MiB)")
