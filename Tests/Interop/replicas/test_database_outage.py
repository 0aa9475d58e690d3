"""The PostgreSQL server stopped (``pg_ctl stop -m fast``) and started again under load,
with three replicas writing: while it is down calls fail with UNAVAILABLE and health
reports NOT_SERVING; once it is back every replica serves again without a restart,
nothing acknowledged is lost, pg_amcheck finds no corruption, a watch opened before
the outage carries on in order, and a create retried with its request_id after an
unknown outcome exists exactly once."""

from __future__ import annotations

import threading
import time

import grpc

from replica_watch import assert_in_commit_order, events_for, synced_watch
from svc_client import Api
from svc_make import create_leader, create_visit, uid

DOWN_FOR = 3.0          # seconds the database stays stopped
RECOVERY = 20.0         # seconds every replica may take to serve again


def _wait(predicate, timeout: float, what: str) -> float:
    """Seconds until predicate() holds; fails after timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if predicate():
                return time.monotonic() - start
        except grpc.RpcError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout:.0f}s")


def _status(api) -> int:
    pb = api.pb
    return api.health.Check(pb.health.HealthCheckRequest(service="")).status


def test_database_stopped_and_restarted_under_load(pb, replicas, cluster):
    group = replicas(3)
    apis = [Api(pb, r.address) for r in group]
    SERVING = pb.health.HealthCheckResponse.SERVING
    NOT_SERVING = pb.health.HealthCheckResponse.NOT_SERVING
    visitor = create_leader(apis[0]).name
    watcher = synced_watch(apis[2], visitor)

    acked: dict[str, object] = {}               # request_id -> the created visit
    attempted: list[str] = []
    failures: list[grpc.RpcError] = []
    lock = threading.Lock()
    stop = threading.Event()

    def write(i: int) -> None:
        while not stop.is_set():
            request_id = uid("rq")
            with lock:
                attempted.append(request_id)
            try:
                made = create_visit(apis[i], visitor, request_id=request_id,
                                    purpose=f"outage {request_id}")
            except grpc.RpcError as err:
                with lock:
                    failures.append(err)
                time.sleep(0.05)
                continue
            with lock:
                acked[request_id] = made

    writers = [threading.Thread(target=write, args=(i,)) for i in range(3)]
    for t in writers:
        t.start()
    _wait(lambda: len(acked) >= 60, 30, "60 creates acknowledged before the outage")

    cluster.stop_server()
    down_at = time.monotonic()
    for i, api in enumerate(apis):
        _wait(lambda api=api: _status(api) == NOT_SERVING, 10,
              f"replica {i} reporting NOT_SERVING while the database is down")
    acked_before_restart = len(acked)
    time.sleep(max(0.0, DOWN_FOR - (time.monotonic() - down_at)))
    with lock:
        failures_while_down = list(failures)
    cluster.start_server()

    for i, api in enumerate(apis):
        _wait(lambda api=api: _status(api) == SERVING, RECOVERY,
              f"replica {i} SERVING again after the database came back")
    _wait(lambda: len(acked) >= acked_before_restart + 60, RECOVERY,
          "60 more creates acknowledged after the restart")
    stop.set()
    for t in writers:
        t.join(30)

    assert all(r.alive() for r in group), "a replica exited during the outage"
    assert failures_while_down, "no call failed while the database was down"
    codes = {err.code() for err in failures}
    assert codes == {grpc.StatusCode.UNAVAILABLE}, \
        f"failures other than UNAVAILABLE: {[(e.code(), e.details()) for e in failures[:5]]}"
    assert all("PostgreSQL" in (err.details() or "") for err in failures), \
        f"an unclear error: {failures[0].details()!r}"

    # Nothing acknowledged is lost, and each replica reads it the same.
    for made in acked.values():
        for api in apis:
            assert api.visits.GetVisit(pb.visit.GetVisitRequest(name=made.name)) == made

    # Creates whose outcome was unknown, retried with their request_id, exist once.
    for request_id in attempted:
        if request_id not in acked:
            acked[request_id] = create_visit(apis[0], visitor, request_id=request_id,
                                             purpose=f"outage {request_id}")
    listed = apis[1].visits.ListVisits(pb.visit.ListVisitsRequest(visitor=visitor,
                                                                  page_size=1000))
    outage = [v for v in listed.visits if v.purpose.startswith("outage ")]
    assert sorted(v.name for v in outage) == sorted(m.name for m in acked.values())
    assert len({v.purpose for v in outage}) == len(outage) == len(attempted)

    # No corruption: heap and index invariants hold over the whole database.
    checked = cluster.amcheck(group[0].database)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The watch opened before the outage delivered every acknowledged create, in order.
    events = events_for(watcher, {m.name for m in acked.values()})
    assert_in_commit_order(events, "watch across the outage")
    watcher.cancel()
    for api in apis:
        api.close()
