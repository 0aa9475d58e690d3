"""Durability of acknowledged writes: summitd is SIGKILLed in the middle of a stream of
creates, restarted on the same --db file, and every create it acknowledged is there.
On SQLite the file is then checked with Python's sqlite3: WAL mode, integrity_check ok
(PostgreSQL, under SUMMIT_STORE=postgres, checks its own files)."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time

import grpc

import svc_errors as E
from svc_client import Api
from svc_make import create_leader, create_visit
from svc_streams import StreamReader, watch_in_sync

KILL_AFTER = 200            # acknowledged creates before the kill is fired
MAX_CREATES = 5000          # the stream gives up if the kill never lands


def _db_pragmas(path) -> tuple[str, str]:
    con = sqlite3.connect(str(path), timeout=10)
    try:
        mode = con.execute("PRAGMA journal_mode").fetchone()[0]
        check = "; ".join(r[0] for r in con.execute("PRAGMA integrity_check").fetchall())
    finally:
        con.close()
    return mode, check


def _copy_db(db, dest_dir):
    """The db file and its -wal/-shm side files, copied as they are."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        src = db.with_name(db.name + suffix)
        if src.exists():
            shutil.copy2(src, dest_dir / src.name)
    return dest_dir / db.name


def test_acknowledged_creates_survive_kill_9(pb, start_summitd, tmp_path):
    """Sequential unary CreateVisit calls; another thread SIGKILLs summitd once ~200 are
    acknowledged. After a restart on the same file every acknowledged visit is there
    with its data, health answers SERVING, new writes succeed; the file (also as copied
    right after the kill) is in WAL mode and passes integrity_check."""
    store = start_summitd()
    acked: list = []
    reached = threading.Event()
    killed_at: list[int] = []

    def killer():
        if reached.wait(60):
            time.sleep(0.005)                  # land inside a later call
            killed_at.append(len(acked))
            store.kill()

    with Api(pb, store.address) as api:
        visitor = create_leader(api).name
        t = threading.Thread(target=killer, daemon=True)
        t.start()
        failure = None
        for i in range(MAX_CREATES):
            try:
                made = create_visit(api, visitor, (2000 + i % 50, 1 + i % 12, 1 + i % 28),
                                    purpose=f"durable #{i}")
            except grpc.RpcError as err:
                failure = err
                break
            acked.append((i, made))
            if len(acked) == KILL_AFTER:
                reached.set()
        t.join(30)
    assert killed_at, "the kill was never fired"
    assert failure is not None, f"all {MAX_CREATES} creates succeeded: the kill did not land"
    assert failure.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.INTERNAL,
                              grpc.StatusCode.UNKNOWN, grpc.StatusCode.CANCELLED), failure
    assert len(acked) >= KILL_AFTER

    crash_copy = None if store.database else _copy_db(store.db, tmp_path / "after-kill")
    store.start_or_fail()                      # same --db file
    with Api(pb, store.address) as api:
        assert api.serving(), "health is not SERVING after the restart"
        lost, changed = [], []
        for i, made in acked:
            try:
                got = api.visits.GetVisit(pb.visit.GetVisitRequest(name=made.name))
            except grpc.RpcError as err:
                if err.code() != grpc.StatusCode.NOT_FOUND:
                    raise
                lost.append(i)
                continue
            if got != made:
                changed.append(i)
        assert not lost, (f"{len(lost)} of {len(acked)} acknowledged creates lost after "
                          f"kill -9 (create #{lost[:10]}...)")
        assert not changed, f"acknowledged creates read back different: #{changed[:10]}"
        listed = api.visits.ListVisits(pb.visit.ListVisitsRequest(visitor=visitor,
                                                                  page_size=1000))
        assert len(listed.visits) >= len(acked)
        after = create_visit(api, visitor, purpose="after restart")
        assert api.visits.GetVisit(pb.visit.GetVisitRequest(name=after.name)) == after
        assert create_leader(api).name
        _, first = acked[0]
        E.expect(pb, api.visits.CreateVisit, pb.visit.CreateVisitRequest(
            visit=first, visit_id=first.name.removeprefix("visits/")),
            E.EXISTS, "RESOURCE_ALREADY_EXISTS")
    code = store.stop()
    assert code == 0, f"summitd did not exit 0 on SIGTERM (code {code})\n{store.stderr_tails()}"

    if store.database:                          # PostgreSQL checks its own files
        return
    for label, path in (("after kill -9 (copy)", crash_copy), ("after clean stop", store.db)):
        mode, check = _db_pragmas(path)
        assert mode == "wal", f"{label}: journal_mode is {mode!r}"
        assert check == "ok", f"{label}: integrity_check: {check}"


def test_restart_keeps_records_and_change_log(pb, start_summitd):
    """A clean restart (SIGTERM) on the same file keeps records byte-for-byte (etags
    included) and the change log: a watch with after_sequence replays a change made
    before the restart with its old sequence, and new changes get higher ones."""
    store = start_summitd()
    with Api(pb, store.address) as api:
        leader = create_leader(api)
        watch, seen = watch_in_sync(
            lambda: api.visits.WatchVisits(pb.visit.WatchVisitsRequest()),
            lambda: create_visit(api, leader.name, purpose="before restart").name,
            lambda ev, name: ev.visit.name == name)
        watch.cancel()
        before = seen[-1]
        visit = api.visits.GetVisit(pb.visit.GetVisitRequest(name=before.visit.name))
        assert before.visit == visit
    store.restart()
    with Api(pb, store.address) as api:
        assert api.serving()
        assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=leader.name)) == leader
        assert api.visits.GetVisit(pb.visit.GetVisitRequest(name=visit.name)) == visit
        replay = StreamReader(api.visits.WatchVisits(
            pb.visit.WatchVisitsRequest(after_sequence=before.sequence - 1)))
        try:
            ev = replay.get(10)
            assert (ev.sequence, ev.type, ev.visit) == (before.sequence, before.type, visit)
            later = create_visit(api, leader.name, purpose="after restart")
            ev = replay.get(10)
            assert ev.visit == later and ev.sequence > before.sequence
        finally:
            replay.cancel()
