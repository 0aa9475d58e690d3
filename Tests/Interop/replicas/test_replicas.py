"""Three summitd replicas on loopback over one PostgreSQL database: every replica's
Watch* streams see every change committed through any replica, in one order; a
replica killed with kill -9 loses nothing it acknowledged; a watcher that moves to
another replica with its position sees no gap and no repeat; request_id idempotency,
etags and page tokens hold across replicas."""

from __future__ import annotations

import threading
import time

import grpc

import svc_errors as E
from replica_watch import (assert_in_commit_order, events_for, positions, synced_watch,
                           watch_visits)
from svc_client import Api
from svc_make import create_leader, create_visit, mask, uid


def _apis(pb, group):
    return [Api(pb, r.address) for r in group]


def test_writes_spread_over_replicas_reach_every_watcher_in_one_order(pb, replicas):
    """Three writers, one per replica, 20 creates each, all at once; a watcher on each
    replica receives all 60 in the same order (strictly increasing sequences)."""
    apis = _apis(pb, replicas(3))
    visitor = create_leader(apis[0]).name
    readers = [synced_watch(api, visitor) for api in apis]
    names: list[list[str]] = [[] for _ in apis]

    def write(i: int) -> None:
        for n in range(20):
            names[i].append(create_visit(apis[i], visitor, purpose=f"spread {i}/{n}").name)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(apis))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    written = {name for part in names for name in part}
    assert len(written) == 60
    orders = []
    for i, reader in enumerate(readers):
        events = events_for(reader, written)
        assert len(events) == 60, f"watcher {i}: {len(events)} events for 60 creates"
        assert_in_commit_order(events, f"watcher on replica {i}")
        orders.append(positions(events))
        reader.cancel()
    assert orders[0] == orders[1] == orders[2], "the replicas' watchers disagree on the order"
    for api in apis:
        api.close()


def test_a_replica_killed_mid_write_loses_nothing_acknowledged(pb, replicas):
    """Four writers stream creates into replica 0 and one into replica 1; once 100 of
    replica 0's creates are acknowledged, another thread SIGKILLs it, with creates in
    flight. Every acknowledged create is then readable, unchanged, through the
    survivors, and a watcher on replica 2 received every one of them in order."""
    group = replicas(3)
    apis = _apis(pb, group)
    visitor = create_leader(apis[1]).name
    reader = synced_watch(apis[2], visitor)
    acked: list = []
    acked_by_0 = [0]
    lock = threading.Lock()
    hundred = threading.Event()
    killed = threading.Event()
    unexpected: list[str] = []

    def write(i: int, w: int, limit: int) -> None:
        for n in range(limit):
            try:
                made = create_visit(apis[i], visitor, purpose=f"kill {i}.{w}/{n}")
            except grpc.RpcError as err:
                if not (i == 0 and killed.is_set()):     # only the killed replica may fail
                    unexpected.append(f"replica {i}: {err.code()} {err.details()}")
                return
            with lock:
                acked.append(made)
                if i == 0:
                    acked_by_0[0] += 1
                    if acked_by_0[0] == 100:
                        hundred.set()

    def killer() -> None:
        if hundred.wait(60):
            time.sleep(0.005)                   # land among the calls in flight
            killed.set()
            group[0].kill()

    threads = [threading.Thread(target=write, args=(0, w, 5000)) for w in range(4)]
    threads += [threading.Thread(target=write, args=(1, 0, 150)),
                threading.Thread(target=killer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert killed.is_set(), "replica 0 was never killed"
    assert not unexpected, unexpected
    assert acked_by_0[0] >= 100 and len(acked) >= 250
    for made in acked:
        for api in apis[1:]:
            got = api.visits.GetVisit(pb.visit.GetVisitRequest(name=made.name))
            assert got == made, f"{made.name} read back different through {api.address}"
    events = events_for(reader, {m.name for m in acked})
    assert_in_commit_order(events, "watcher on replica 2")
    reader.cancel()
    group[0].start_or_fail()                    # the killed replica comes back, same data
    with Api(pb, group[0].address) as again:
        assert again.serving()
        listed = again.visits.ListVisits(pb.visit.ListVisitsRequest(visitor=visitor,
                                                                    page_size=1000))
        assert {m.name for m in acked} <= {v.name for v in listed.visits}
    for api in apis:
        api.close()


def test_a_watcher_resumes_on_another_replica_without_gap_or_repeat(pb, replicas):
    """While creates go through replicas 1 and 2, a watcher on replica 0 takes some events,
    then replica 0 is SIGKILLed; the watcher reconnects to replica 1 with the last
    sequence it received. What it saw in all equals, event for event, a replay of the
    log from replica 2: nothing missed, nothing twice."""
    group = replicas(3)
    apis = _apis(pb, group)
    visitor = create_leader(apis[1]).name
    first = synced_watch(apis[0], visitor)
    names: list[str] = []
    done = threading.Event()

    def write() -> None:
        for n in range(80):
            names.append(create_visit(apis[1 + n % 2], visitor, purpose=f"move {n}").name)
            time.sleep(0.01)
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    before = []
    while len(before) < 20:
        ev = first.get(30)
        if ev.visit.purpose.startswith("move "):
            before.append(ev)
    group[0].kill()                             # the watcher's replica dies mid-stream
    while (ev := first.poll(5)) is not None:    # whatever it delivered before dying
        if ev.visit.purpose.startswith("move "):
            before.append(ev)
    last = before[-1].sequence
    second = watch_visits(apis[1], visitor, after_sequence=last)
    writer.join(60)
    assert done.is_set()
    written = set(names)
    after = events_for(second, written - {ev.visit.name for ev in before})
    seen = before + after
    assert_in_commit_order(seen, "the moved watcher")
    assert len(seen) == len(written) == 80, f"{len(seen)} events for 80 creates"
    replay = watch_visits(apis[2], visitor, after_sequence=before[0].sequence - 1)
    reference = events_for(replay, written)
    assert positions(seen) == positions(reference)
    for reader in (first, second, replay):
        reader.cancel()
    for api in apis[1:]:
        api.close()


def test_request_ids_etags_and_page_tokens_hold_across_replicas(pb, replicas):
    apis = _apis(pb, replicas(3))
    visitor = create_leader(apis[0]).name

    # The same request_id through three replicas at once: one visit, one answer.
    request_id = uid("req")
    answers: list = [None] * 3

    def create(i: int) -> None:
        answers[i] = create_visit(apis[i], visitor, request_id=request_id, purpose="once")

    threads = [threading.Thread(target=create, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert answers[0] is not None and answers[0] == answers[1] == answers[2]
    again = create_visit(apis[2], visitor, request_id=request_id, purpose="once")
    assert again == answers[0]
    listed = apis[1].visits.ListVisits(pb.visit.ListVisitsRequest(visitor=visitor))
    assert [v.name for v in listed.visits] == [answers[0].name]

    # An etag from one replica is checked by another.
    leader = create_leader(apis[0])
    updated = apis[1].leaders.UpdateLeader(pb.leader.UpdateLeaderRequest(
        leader=pb.leader.Leader(name=leader.name, title="Moved", etag=leader.etag),
        update_mask=mask(pb, "title")))
    assert updated.etag != leader.etag
    E.expect(pb, apis[2].leaders.UpdateLeader, pb.leader.UpdateLeaderRequest(
        leader=pb.leader.Leader(name=leader.name, title="Stale", etag=leader.etag),
        update_mask=mask(pb, "title")), E.ABORTED, "ETAG_MISMATCH")
    assert apis[2].leaders.GetLeader(pb.leader.GetLeaderRequest(name=leader.name)) == updated

    # A page token from one replica continues on the next.
    for n in range(7):
        create_visit(apis[n % 3], visitor, start=(2020, 1 + n, 1), purpose=f"page {n}")
    everything = apis[0].visits.ListVisits(pb.visit.ListVisitsRequest(visitor=visitor,
                                                                      page_size=100))
    pages, token, hop = [], "", 0
    while True:
        page = apis[hop % 3].visits.ListVisits(pb.visit.ListVisitsRequest(
            visitor=visitor, page_size=3, page_token=token))
        pages += page.visits
        hop += 1
        token = page.next_page_token
        if not token:
            break
    assert hop >= 3 and list(pages) == list(everything.visits)
    for api in apis:
        api.close()
