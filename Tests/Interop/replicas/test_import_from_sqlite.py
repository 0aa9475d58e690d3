"""From one instance to replicas: ``summitd --db postgres://… --import-sqlite FILE``
copies a SQLite instance's data into an empty PostgreSQL database, and replicas on it
serve the same records (etags included), honour the old request_ids, and replay the
old change log with the old sequences."""

from __future__ import annotations

import subprocess

from replica_watch import events_for, positions, watch_visits
from svc_client import Api
from svc_make import create_leader, create_visit, mask, uid
from svc_server import Summitd


def _import(exe, url: str, sqlite_file) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), "--db", url, "--import-sqlite", str(sqlite_file)],
                          capture_output=True, text=True, timeout=60)


def test_import_moves_an_instance_to_replicas(pb, summitd_exe, cluster, tmp_path):
    single = Summitd(summitd_exe, tmp_path / "single").start()
    request_id = uid("req")
    with Api(pb, single.address) as api:
        leader = create_leader(api)
        leader = api.leaders.UpdateLeader(pb.leader.UpdateLeaderRequest(
            leader=pb.leader.Leader(name=leader.name, title="Moved", etag=leader.etag),
            update_mask=mask(pb, "title")))
        made = [create_visit(api, leader.name, start=(2020, 1 + n, 1), purpose=f"old {n}")
                for n in range(5)]
        once = create_visit(api, leader.name, request_id=request_id, purpose="once")
        api.visits.DeleteVisit(pb.visit.DeleteVisitRequest(name=made[0].name))
        replay = watch_visits(api, leader.name, after_sequence=1)
        old_log = positions(replay.take(7, 30))   # 5 + 1 creates, 1 delete: this visitor's log
        replay.cancel()
        old_list = api.visits.ListVisits(pb.visit.ListVisitsRequest(visitor=leader.name))
    assert single.stop() == 0

    url = cluster.create_database()
    done = _import(summitd_exe, url, single.db)
    assert done.returncode == 0, done.stderr
    assert "imported" in done.stdout and "records" in done.stdout
    again = _import(summitd_exe, url, single.db)
    assert again.returncode == 71 and "not empty" in again.stderr, (again.returncode, again.stderr)

    replicas = [Summitd(summitd_exe, tmp_path / f"replica{i}", database=url).start()
                for i in range(2)]
    try:
        apis = [Api(pb, r.address) for r in replicas]
        for api in apis:
            assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=leader.name)) == leader
            listed = api.visits.ListVisits(pb.visit.ListVisitsRequest(visitor=leader.name))
            assert list(listed.visits) == list(old_list.visits)
        assert create_visit(apis[1], leader.name, request_id=request_id, purpose="once") == once
        replay = watch_visits(apis[0], leader.name, after_sequence=1)
        assert positions(replay.take(7, 30)) == old_log
        newer = create_visit(apis[1], leader.name, purpose="after the move")
        event = events_for(replay, {newer.name})[0]
        assert event.sequence > max(seq for seq, _, _ in old_log)
        replay.cancel()
        for api in apis:
            api.close()
    finally:
        for replica in replicas:
            replica.kill()
