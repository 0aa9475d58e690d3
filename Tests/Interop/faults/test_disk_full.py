"""The disk under the database fills up for real, then gets room again.

The store lives on its own tmpfs of 2 MiB (mounted for the test; root only). Leaders
with 50 long aliases each are created until one fails: the file system, not SQLite's
page limit (test_database_full.py), says no (ENOSPC, in the WAL or the database file).

Proves: the failing write gets RESOURCE_EXHAUSTED (or UNAVAILABLE), never INTERNAL or a
hang, and the server stays up; reads still work while the disk is full; once the file
system is given room (remount with 64 MiB) the *same* server accepts writes again,
without a restart; every acknowledged create is there with its data and no refused one
is; the file passes PRAGMA integrity_check after a clean stop.

Why not "the database file made read-only" at run time as well: Linux checks
permissions when a file is opened, and summitd keeps the database, WAL and shared-memory
files open, so neither chmod nor a read-only remount (refused: EBUSY while files are open
for writing) reaches a running server. A store that cannot be written at start-up is
covered by test_database_unopenable.py.
"""

from __future__ import annotations

import grpc

from fault_data import Api, big_leader, fill_until_refused
from fault_server import health_check, mount, new_store, start_or_fail

SMALL = "2m"
ROOMY = "64m"
MAX_CREATES = 2000
T = 10.0
ACCEPTED_CODES = (grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNAVAILABLE)


def test_disk_full_then_room_again_without_restart(request, summitd_exe, tmpfs, pb):
    small_disk = tmpfs(SMALL)
    store = new_store(request, summitd_exe, small_disk)
    try:
        srv = start_or_fail(store, "--no-seed")
        with Api(pb, srv.address) as api:
            acked, refused_id, failure = fill_until_refused(api, "disk", "Disk Test Leader", MAX_CREATES)
            refused = [refused_id] if refused_id else []
            assert failure is not None, f"{MAX_CREATES} creates and the {SMALL} disk is never full"
            assert failure.code() in ACCEPTED_CODES, (
                f"the write on a full disk failed with {failure.code()} ({failure.details()!r}), "
                f"expected one of {ACCEPTED_CODES}")
            assert acked, "the very first create was refused"
            assert srv.alive(), "summitd exited when the disk filled"

            # Reads still work on the full disk.
            for name, want in acked.items():
                assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=name), timeout=T) == want
            health_check(pb, srv.address)
            print(f"\n[faults] disk full: {len(acked)} leaders acknowledged, then "
                  f"{failure.code().name}: {failure.details()!r}")

            # Give the file system room: the same server writes again.
            mount(small_disk, "-o", f"remount,size={ROOMY}")
            new = []
            for k in range(5):
                new.append(api.leaders.CreateLeader(pb.leader.CreateLeaderRequest(
                    leader=big_leader(pb, 5000 + k, "Disk Test Leader"), leader_id=f"roomy-{k}"), timeout=T))
            for got in new:
                assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=got.name),
                                             timeout=T) == got
            for leader_id in refused:
                try:
                    api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=f"leaders/{leader_id}"),
                                          timeout=T)
                except grpc.RpcError as err:
                    assert err.code() == grpc.StatusCode.NOT_FOUND, err
                else:
                    raise AssertionError(f"the refused create of {leader_id} was stored")
            listed = api.leaders.ListLeaders(pb.leader.ListLeadersRequest(page_size=1000), timeout=T)
            assert sorted(l.name for l in listed.leaders) == sorted([*acked, *(g.name for g in new)])

        code = store.stop()
        assert code == 0, f"summitd exited with {code} on SIGTERM"
        assert store.integrity_check() == "ok"

        # And the file opens again with everything in it.
        srv = start_or_fail(store, "--no-seed")
        with Api(pb, srv.address) as api:
            for name, want in acked.items():
                assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=name), timeout=T) == want
        assert store.stop() == 0
    finally:
        store.kill_all()
