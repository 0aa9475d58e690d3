"""Fixtures for the replica suite: several summitd processes on loopback over one
PostgreSQL database of a throw-away cluster (../pg_scratch.py), as a deployment of
N replicas runs them.

Environment:
  SUMMIT_BIN_DIR   folder holding summitd (required: the suite fails without it)

``replicas(n, seed=False)`` starts n summitd on one fresh database and returns their
``Summitd`` handles (../service/svc_server.py: ``.address``, ``.kill()`` for SIGKILL,
``.start_or_fail()`` to start again); every one is SIGKILLed at teardown. ``cluster``
is the session's PostgreSQL (``stop_server()``/``start_server()`` for outage tests).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

SERVICE_DIR = Path(__file__).resolve().parent.parent / "service"
if str(SERVICE_DIR) not in sys.path:
    sys.path.append(str(SERVICE_DIR))

import svc_pb  # noqa: E402  (../service)
from pg_scratch import ScratchPostgres  # noqa: E402  (..)
from svc_server import ServerStartError, Summitd  # noqa: E402

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def summitd_exe() -> Path:
    raw = os.environ.get("SUMMIT_BIN_DIR")
    if not raw:
        pytest.fail("SUMMIT_BIN_DIR is not set: point it at the folder holding summitd",
                    pytrace=False)
    exe = Path(raw) / "summitd"
    if not exe.is_file():
        pytest.fail(f"{exe} does not exist (build it, or fix SUMMIT_BIN_DIR)", pytrace=False)
    return exe


@pytest.fixture(scope="session")
def pb(tmp_path_factory):
    root = Path(os.environ.get("SUMMIT_PROTOS_DIR", REPO / "Protos"))
    return svc_pb.load(root, tmp_path_factory.mktemp("replicas_pb"))


@pytest.fixture(scope="session")
def cluster():
    try:
        pg = ScratchPostgres()
    except Exception as exc:                     # noqa: BLE001
        pytest.fail(f"cannot start PostgreSQL for the replica suite: {exc}", pytrace=False)
    yield pg
    pg.close()


@pytest.fixture
def replicas(summitd_exe, cluster, tmp_path_factory, request):
    started: list[Summitd] = []

    def _launch(n: int, *, seed: bool = False) -> list[Summitd]:
        url = cluster.create_database()
        group = [Summitd(summitd_exe, tmp_path_factory.mktemp(f"replica{i}"), seed=seed,
                         database=url) for i in range(n)]
        for replica in group:
            started.append(replica)
            try:
                replica.start()
            except ServerStartError as exc:
                pytest.fail(str(exc), pytrace=False)
        return group

    yield _launch
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for replica in started:
            print(f"--- {replica.workdir} ---\n{replica.stderr_tails()}")
    for replica in started:
        replica.kill()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call":
        item.rep_call = rep
