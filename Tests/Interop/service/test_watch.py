"""WatchVisits / WatchAllegations against a real summitd (--no-seed, one per module):
every change committed after the watch starts arrives once, in commit order, with
increasing sequences; after_sequence replays from the durable change log."""

from __future__ import annotations

import threading
from collections import defaultdict

import pytest

from svc_client import Api
from svc_make import create_allegation, create_leader, create_visit, group, mask, \
    response_msg
from svc_streams import StreamReader, watch_in_sync

THREADS = 8
OPS_PER_THREAD = 125            # 8 x 125 = 1,000 changes
EVENT_WAIT = 60.0               # seconds for all events to arrive
QUIET = 0.5                     # seconds without unexpected events at the end


def _visit_watch(api, sentinel_visitor: str, **req):
    """A WatchVisits call delivering changes, synchronised by sentinel visits."""
    pb = api.pb
    reader, _ = watch_in_sync(
        lambda: api.visits.WatchVisits(pb.visit.WatchVisitsRequest(**req)),
        lambda: create_visit(api, sentinel_visitor, purpose="sentinel").name,
        lambda ev, name: ev.visit.name == name)
    return reader


@pytest.fixture
def readers():
    """Collects StreamReaders; cancels them at teardown."""
    out: list[StreamReader] = []
    yield out
    for r in out:
        r.cancel()


def _run_writers(pb, address, visitors):
    """THREADS threads, each on its own connection, alternating CreateVisit and
    UpdateVisit(purpose) on its own visits. Returns per-thread [(type, visit)]."""
    C, U = pb.common.CHANGE_TYPE_CREATED, pb.common.CHANGE_TYPE_UPDATED
    ops: list[list] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(i: int):
        try:
            with Api(pb, address) as mine:
                start.wait(10)
                last = None
                for j in range(OPS_PER_THREAD):
                    if j % 2 == 0:
                        last = create_visit(mine, visitors[i], (2024, 1 + j % 12, 1 + i),
                                            purpose=f"w{i} op{j}")
                        ops[i].append((C, last))
                    else:
                        last = mine.visits.UpdateVisit(pb.visit.UpdateVisitRequest(
                            visit=pb.visit.Visit(name=last.name, purpose=f"w{i} op{j}"),
                            update_mask=mask(pb, "purpose")))
                        ops[i].append((U, last))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "writers did not finish"
    assert not errors, f"a writer failed: {errors[0]!r}"
    return ops


def test_watch_receives_all_concurrent_changes_in_order(api, readers):
    """8 connections make 1,000 creates/updates at once while one WatchVisits runs: it
    delivers exactly those 1,000 events, sequences strictly increasing, each event's
    type and visit equal to what the write returned, each visit's events in the order
    its writes were acknowledged. A second watch with after_sequence=N (N the 500th
    event's sequence) replays exactly the events after N, then continues live."""
    pb = api.pb
    sentinel = create_leader(api).name
    visitors = [create_leader(api).name for _ in range(THREADS)]
    watch = _visit_watch(api, sentinel)
    readers.append(watch)

    ops = _run_writers(pb, api.address, visitors)
    total = THREADS * OPS_PER_THREAD
    events = watch.take(total, EVENT_WAIT)
    extra = watch.poll(QUIET)
    assert extra is None, f"unexpected event after the {total}: {extra}"

    seqs = [e.sequence for e in events]
    assert all(a < b for a, b in zip(seqs, seqs[1:])), "sequences not strictly increasing"
    assert seqs[0] > 0
    expected = {(v.name, v.etag): (t, v) for per in ops for t, v in per}
    seen = {}
    for e in events:
        key = (e.visit.name, e.visit.etag)
        assert key in expected, f"event for a change nobody made: {key}"
        assert key not in seen, f"change delivered twice: {key}"
        t, v = expected[key]
        assert e.type == t, f"{key}: type {e.type}, expected {t}"
        assert e.visit == v, f"{key}: event visit differs from the write's answer"
        assert e.HasField("commit_time")
        seen[key] = e
    assert len(seen) == total
    by_visit = defaultdict(list)
    for e in events:
        by_visit[e.visit.name].append(e.visit.etag)
    for per in ops:
        order = defaultdict(list)
        for _, v in per:
            order[v.name].append(v.etag)
        for name, etags in order.items():
            assert by_visit[name] == etags, f"{name}: events out of write order"

    # Replay from the change log.
    n = events[total // 2 - 1].sequence
    replay = StreamReader(api.visits.WatchVisits(pb.visit.WatchVisitsRequest(after_sequence=n)))
    readers.append(replay)
    again = replay.take(total - total // 2, EVENT_WAIT)
    assert [(e.sequence, e.type, e.visit) for e in again] == \
        [(e.sequence, e.type, e.visit) for e in events[total // 2:]]
    live = create_visit(api, sentinel, purpose="after replay")
    for r in (watch, replay):
        ev = r.get(10)
        assert ev.visit == live and ev.type == pb.common.CHANGE_TYPE_CREATED
        assert ev.sequence > events[-1].sequence


def test_watch_reports_deletion_with_last_state(api, readers):
    """CREATED, UPDATED, DELETED for one visit, the DELETED event carrying the visit as it
    was just before the delete."""
    pb = api.pb
    visitor = create_leader(api).name
    watch = _visit_watch(api, visitor)
    readers.append(watch)
    made = create_visit(api, visitor)
    upd = api.visits.UpdateVisit(pb.visit.UpdateVisitRequest(
        visit=pb.visit.Visit(name=made.name, purpose="before delete"),
        update_mask=mask(pb, "purpose")))
    api.visits.DeleteVisit(pb.visit.DeleteVisitRequest(name=made.name))
    evs = watch.take(3, 10)
    C = pb.common
    assert [e.type for e in evs] == [C.CHANGE_TYPE_CREATED, C.CHANGE_TYPE_UPDATED,
                                     C.CHANGE_TYPE_DELETED]
    assert evs[0].visit == made and evs[1].visit == upd
    assert evs[2].visit.name == made.name and evs[2].visit.purpose == "before delete"
    assert evs[2].visit.etag == upd.etag
    assert evs[0].sequence < evs[1].sequence < evs[2].sequence


def test_watch_filtered_by_visitor(api, readers):
    """WatchVisits(visitor=A) delivers A's changes and none of B's."""
    a, b = create_leader(api).name, create_leader(api).name
    watch = _visit_watch(api, a, visitor=a)
    readers.append(watch)
    create_visit(api, b)
    mine = create_visit(api, a)
    ev = watch.get(10)
    assert ev.visit == mine
    assert watch.poll(QUIET) is None


def test_watch_allegations_sees_response_as_update(api, readers):
    """WatchAllegations: a RespondToAllegation arrives as UPDATED, carrying the
    allegation with the response and the derived status."""
    pb = api.pb
    accused = group(pb)
    reader, _ = watch_in_sync(
        lambda: api.allegations.WatchAllegations(pb.allegation.WatchAllegationsRequest()),
        lambda: create_allegation(api, accused=[accused]).name,
        lambda ev, name: ev.allegation.name == name)
    readers.append(reader)
    made = create_allegation(api, accused=[accused])
    ev = reader.get(10)
    assert ev.type == pb.common.CHANGE_TYPE_CREATED and ev.allegation == made
    out = api.allegations.RespondToAllegation(pb.allegation.RespondToAllegationRequest(
        name=made.name, response=response_msg(pb, accused, pb.allegation.STANCE_DENY)))
    upd = reader.get(10)
    assert upd.type == pb.common.CHANGE_TYPE_UPDATED
    assert upd.allegation == out
    assert upd.allegation.status == pb.allegation.ALLEGATION_STATUS_DENIED
    assert len(upd.allegation.responses) == 1
    assert upd.sequence > ev.sequence
    # and from the change log:
    replay = StreamReader(api.allegations.WatchAllegations(
        pb.allegation.WatchAllegationsRequest(after_sequence=ev.sequence)))
    readers.append(replay)
    again = replay.get(10)
    assert (again.sequence, again.type, again.allegation) == (upd.sequence, upd.type,
                                                              upd.allegation)
