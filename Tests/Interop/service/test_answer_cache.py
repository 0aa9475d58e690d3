"""summitd keeps read answers (Get*, short ListVisits pages) until the next commit
(--response-cache-size, on by default on SQLite): a reader never sees an answer older
than a write it was told had succeeded, whichever connection made it. On SQLite the
server claims its database file: a second summitd on the same file is refused with a
clear error, since the first would never hear of its writes. Under SUMMIT_STORE=postgres
the cache is off and the same reads must hold just the same."""

from __future__ import annotations

import os
import subprocess
import threading

import pytest

import svc_errors as E
from pg_scratch import store_kind
from svc_client import Api
from svc_make import create_leader, create_visit, mask, uid


def _get_leader(api, name):
    return api.leaders.GetLeader(api.pb.leader.GetLeaderRequest(name=name))


def test_a_read_after_an_acknowledged_update_sees_it(api):
    """Get twice (the second answer comes from the cache), update on another connection,
    get again: the new title and etag, every time."""
    pb = api.pb
    made = create_leader(api)
    with Api(pb, api.address) as writer:
        for n in range(5):
            assert _get_leader(api, made.name) == _get_leader(api, made.name)
            patch = pb.leader.Leader(name=made.name, title=f"Title {n}")
            updated = writer.leaders.UpdateLeader(
                pb.leader.UpdateLeaderRequest(leader=patch, update_mask=mask(pb, "title")))
            got = _get_leader(api, made.name)
            assert got.title == f"Title {n}"
            assert got == updated


def test_a_page_after_an_acknowledged_create_or_delete_shows_it(api):
    """The same ListVisits request before and after a create and a delete: the page
    follows each acknowledged write."""
    pb = api.pb
    visitor = create_leader(api).name
    request = pb.visit.ListVisitsRequest(visitor=visitor, page_size=50)
    names = []
    for n in range(4):
        assert [v.name for v in api.visits.ListVisits(request).visits] == names
        names.append(create_visit(api, visitor, start=(2024, 1, 1 + n)).name)
        assert [v.name for v in api.visits.ListVisits(request).visits] == names
    api.visits.DeleteVisit(pb.visit.DeleteVisitRequest(name=names[0]))
    assert [v.name for v in api.visits.ListVisits(request).visits] == names[1:]
    E.not_found(pb, api.visits.GetVisit, pb.visit.GetVisitRequest(name=names[0]), names[0])


def test_readers_racing_a_writer_never_go_back_in_time(api):
    """Four threads read one leader as fast as they can while a writer updates it 150
    times. After each acknowledged update, every read that starts later returns that
    update or a newer one (titles carry a counter), and no read ever moves backwards."""
    pb = api.pb
    made = create_leader(api, title="0")
    acknowledged = [0]
    stop = threading.Event()
    failures: list[str] = []

    def reader():
        with Api(pb, api.address) as mine:
            last = 0
            while not stop.is_set():
                floor = acknowledged[0]
                seen = int(_get_leader(mine, made.name).title)
                if seen < floor or seen < last:
                    failures.append(f"read {seen} after {floor} was acknowledged (last read {last})")
                    return
                last = seen

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for n in range(1, 151):
            patch = pb.leader.Leader(name=made.name, title=str(n))
            api.leaders.UpdateLeader(pb.leader.UpdateLeaderRequest(leader=patch, update_mask=mask(pb, "title")))
            acknowledged[0] = n
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not failures, failures[:3]


@pytest.mark.skipif(store_kind() == "postgres", reason="replicas share a PostgreSQL database by design")
def test_a_second_server_on_the_same_sqlite_file_is_refused(pb, summitd_exe, start_summitd):
    """The second summitd exits 71 naming the file and the first one's pid; the first
    serves on, and once it is gone (even by kill -9) the file can be served again."""
    first = start_summitd()
    second = subprocess.run([str(summitd_exe), "--db", str(first.db), "--no-seed", "--listen", "127.0.0.1:0"],
                            capture_output=True, text=True, timeout=30, cwd=first.workdir)
    assert second.returncode == 71, second.stderr
    assert str(first.db) in second.stderr
    assert f"pid {first.proc.proc.pid}" in second.stderr
    assert "in use by another summitd" in second.stderr
    with Api(pb, first.address) as api:
        assert api.serving()
    first.kill()
    first.start_or_fail()
    with Api(pb, first.address) as api:
        assert api.serving()


def test_the_cache_can_be_turned_off_and_bad_sizes_are_refused(pb, summitd_exe, start_summitd, tmp_path):
    """--response-cache-size 0 serves the same answers; a negative size is a usage error."""
    store = start_summitd(extra_args=["--response-cache-size", "0"])
    with Api(pb, store.address) as api:
        made = create_leader(api)
        assert _get_leader(api, made.name) == made
    bad = subprocess.run([str(summitd_exe), "--db", str(tmp_path / "x.db"), "--response-cache-size=-5"],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 64, bad.stderr
    assert "--response-cache-size" in bad.stderr
    # A typo in the environment is an error too, not the default in disguise.
    typo = subprocess.run([str(summitd_exe), "--db", str(tmp_path / "x.db")], capture_output=True, text=True,
                          timeout=30, env={**os.environ, "SUMMIT_RESPONSE_CACHE_SIZE": "16MB"})
    assert typo.returncode == 64, typo.stderr
    assert "SUMMIT_RESPONSE_CACHE_SIZE=16MB is not a whole number" in typo.stderr
    assert not (tmp_path / "x.db").exists()
