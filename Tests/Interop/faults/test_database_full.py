"""The database file reaches its size limit.

summitd --no-seed --max-db-size 131072 (SQLite max_page_count: 32 pages of 4 KiB);
leaders with 50 long aliases each are created until one fails (at most 500 tries).

Proves: a write past the limit fails with RESOURCE_EXHAUSTED (with the google.rpc.Status
details every error carries), not INTERNAL/UNAVAILABLE, and keeps failing that way;
reads still work on the full store (every acknowledged leader, a full listing, health);
the server stops cleanly and leaves a file that passes PRAGMA integrity_check; restarted
on the same file without the limit it opens it cleanly, every acknowledged create is
there with its data, the refused ones are not, and new writes work again (recovery);
the file still passes integrity_check after that run.
"""

from __future__ import annotations

import grpc

from fault_data import Api, big_leader, fill_until_refused
from fault_server import health_check, start_or_fail

MAX_DB_SIZE = 131072
MAX_CREATES = 500
T = 10.0


def status_details(pb, err: grpc.RpcError):
    """The google.rpc.Status of an error's grpc-status-details-bin trailer (or None)."""
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            return pb.status.Status.FromString(value)
    return None


def error_info(pb, status):
    for any_ in status.details:
        info = pb.error_details.ErrorInfo()
        if any_.Unpack(info):
            return info
    return None


def test_database_full_then_recovery(store, pb):
    srv = start_or_fail(store, "--no-seed", "--max-db-size", str(MAX_DB_SIZE))
    with Api(pb, srv.address) as api:
        acked, refused_id, full_error = fill_until_refused(api, "full", "Full Test Leader", MAX_CREATES)
        refused = [refused_id] if refused_id else []
        if full_error is not None:
            assert full_error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, (
                f"create {len(acked)} failed with {full_error.code()} ({full_error.details()!r}), "
                "expected RESOURCE_EXHAUSTED")
        assert full_error is not None, f"{MAX_CREATES} creates and the store is never full"
        assert acked, "the very first create was refused: the limit leaves no room at all"
        status = status_details(pb, full_error)
        assert status is not None and status.code == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0], (
            f"no google.rpc.Status with code RESOURCE_EXHAUSTED in the error: {status}")
        info = error_info(pb, status)
        assert info is not None and info.domain == "summit.v1" and info.reason, (
            f"no summit.v1 ErrorInfo in {status}")

        # Still full: the next write is refused the same way.
        try:
            api.leaders.CreateLeader(pb.leader.CreateLeaderRequest(
                leader=big_leader(pb, 999, "Full Test Leader"), leader_id="full-again"), timeout=T)
        except grpc.RpcError as err:
            assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, err
            refused.append("full-again")
        else:
            raise AssertionError("a second big create succeeded on the full store")

        # Reads still work.
        for name, want in acked.items():
            assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=name), timeout=T) == want
        listed = api.leaders.ListLeaders(pb.leader.ListLeadersRequest(page_size=1000), timeout=T)
        assert sorted(l.name for l in listed.leaders) == sorted(acked)
    health_check(pb, srv.address)
    print(f"\n[faults] database full: {len(acked)} leaders acknowledged "
          f"({acked[next(iter(acked))].ByteSize()} B each) before RESOURCE_EXHAUSTED "
          f"(reason {info.reason}: {full_error.details()!r}); file "
          f"{store.db.stat().st_size} B")

    code = store.stop()
    assert code == 0, f"summitd exited with {code} on SIGTERM after the store filled"
    assert store.integrity_check() == "ok"

    srv = start_or_fail(store, "--no-seed")        # no --max-db-size
    health_check(pb, srv.address)
    with Api(pb, srv.address) as api:
        for name, want in acked.items():
            assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=name), timeout=T) == want
        for leader_id in refused:
            try:
                api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=f"leaders/{leader_id}"),
                                      timeout=T)
            except grpc.RpcError as err:
                assert err.code() == grpc.StatusCode.NOT_FOUND, err
            else:
                raise AssertionError(f"the refused create of {leader_id} was stored")
        new = [api.leaders.CreateLeader(pb.leader.CreateLeaderRequest(
            leader=big_leader(pb, 500 + k, "Full Test Leader"), leader_id=f"after-{k}"), timeout=T) for k in range(5)]
        for got in new:
            assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=got.name), timeout=T) == got
        listed = api.leaders.ListLeaders(pb.leader.ListLeadersRequest(page_size=1000), timeout=T)
        assert len(listed.leaders) == len(acked) + len(new)
    health_check(pb, srv.address)
    code = store.stop()
    assert code == 0, f"summitd exited with {code} on SIGTERM"
    assert store.integrity_check() == "ok"
