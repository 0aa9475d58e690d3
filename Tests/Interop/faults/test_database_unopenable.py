"""The database is on a read-only file system when summitd starts.

A seeded store is made on its own tmpfs, the server stopped (SIGTERM, or kill -9, which
leaves the WAL and shared-memory files behind), the tmpfs remounted read-only (nothing
has it open then, so Linux allows it), and summitd started on it.

SQLite opens a file it may not write read-only rather than failing, and with a WAL file
left behind it can even read it; summitd found that out only at the first write, so
whether it started depended on what the last process left (seen here: 1 start in 5).
It now probes for write access at start.

Proves: summitd refuses to serve a store it cannot write rather than failing later, call
by call: it exits with 71 (EX_OSERR) within seconds, after one critical log line naming
the file; once the file system is writable again it starts on the same file with every
record in it (recovery needs no repair).
"""

from __future__ import annotations

import os
import subprocess

import grpc
import pytest

from fault_data import Api
from fault_server import mount, new_store, start_or_fail

T = 10.0


@pytest.mark.parametrize("previous_exit", ["sigterm", "kill9"])
def test_read_only_store_refused_at_start_then_served_when_writable(
        request, summitd_exe, tmpfs, pb, previous_exit):
    disk = tmpfs("16m")
    store = new_store(request, summitd_exe, disk)
    try:
        srv = start_or_fail(store)                     # seeded
        with Api(pb, srv.address) as api:
            seeded = api.leaders.ListLeaders(pb.leader.ListLeadersRequest(page_size=1000), timeout=T)
        assert seeded.leaders, "the seed created no leaders"
        if previous_exit == "kill9":
            store.kill9()
        else:
            assert store.stop() == 0

        mount(disk, "-o", "remount,ro")
        run = subprocess.run([str(summitd_exe), "--listen", "127.0.0.1:0", "--db", str(store.db)],
                             capture_output=True, text=True, timeout=30,
                             env={**os.environ, "SUMMIT_DB": str(store.db)})
        critical = [l for l in run.stderr.splitlines() if " critical " in l]
        print(f"\n[faults] read-only store after {previous_exit} "
              f"({sorted(p.name for p in disk.iterdir() if p.name.startswith('summit'))}): exit {run.returncode}; {critical}")
        assert run.returncode == 71, f"exit {run.returncode}, expected 71; stderr: {run.stderr[-2000:]}"
        assert "listening on" not in run.stdout, "summitd served a store it cannot write"
        assert len(critical) == 1 and str(store.db) in critical[0], (
            f"expected one critical line naming {store.db}: {run.stderr[-2000:]}")

        mount(disk, "-o", "remount,rw")
        srv = start_or_fail(store)
        with Api(pb, srv.address) as api:
            again = api.leaders.ListLeaders(pb.leader.ListLeadersRequest(page_size=1000), timeout=T)
            assert list(again.leaders) == list(seeded.leaders)
            try:
                api.leaders.GetLeader(pb.leader.GetLeaderRequest(name="leaders/nobody"), timeout=T)
            except grpc.RpcError as err:
                assert err.code() == grpc.StatusCode.NOT_FOUND
        assert store.stop() == 0
        assert store.integrity_check() == "ok"
    finally:
        store.kill_all()
