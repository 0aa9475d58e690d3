"""Fixtures for the CLI suite: the real `summit` binary against real summitd servers.

Environment:
  SUMMIT_BIN_DIR   folder holding `summit` and `summitd` (required: the suite FAILS,
                   never skips, without it or without either binary)
  SUMMIT_SEED_FILE the seed summitd loads and the tests compare with (default as in
                   ../service: Seeds/seed.json, else the bundled seed)
  SUMMIT_CLI_TIMEOUT  seconds one CLI run may take before it is killed (20)

Servers (all started with ../service/svc_server.Summitd, i.e. ``summitd --listen
127.0.0.1:0 --db <tmp>/summit.db [--no-seed]``, SIGKILLed at teardown):
  ``seeded``  one seeded summitd per test module; tests only read from it.
  ``fresh``   one ``--no-seed`` summitd per test module, for writes; tests use ids of
              their own and filter by them.
Both fixtures are ``cli_run.Cli`` objects: ``seeded.run("leaders", "get", "putin")``.
``fresh_api`` is a grpcio client of the fresh server for test setup and for checking
what a CLI write did without trusting the CLI's own output.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SERVICE_DIR = HERE.parent / "service"
REPO = HERE.parents[2]
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
if str(SERVICE_DIR) not in sys.path:
    sys.path.append(str(SERVICE_DIR))       # appended: never shadows this folder's modules

import cli_run  # noqa: E402
from svc_seed import default_seed_file  # noqa: E402  (../service)
from svc_server import ServerStartError, Summitd  # noqa: E402  (../service)

ALL_STORES: list[Summitd] = []


# -- executables ---------------------------------------------------------------
def _bin(name: str) -> Path:
    raw = os.environ.get("SUMMIT_BIN_DIR")
    if not raw:
        pytest.fail("SUMMIT_BIN_DIR is not set: point it at the folder holding summit and "
                    "summitd (e.g. SUMMIT_BIN_DIR=$(swift build --show-bin-path))",
                    pytrace=False)
    exe = Path(raw) / name
    if not exe.is_file():
        pytest.fail(f"{exe} does not exist (build it, or fix SUMMIT_BIN_DIR)", pytrace=False)
    if not os.access(exe, os.X_OK):
        pytest.fail(f"{exe} is not executable", pytrace=False)
    return exe


@pytest.fixture(scope="session")
def summit_exe() -> Path:
    return _bin("summit")


@pytest.fixture(scope="session")
def summitd_exe() -> Path:
    return _bin("summitd")


@pytest.fixture(scope="session")
def seed_data() -> dict:
    """The seed file as JSON ({"leaders": [...], "visits": [...], "allegations": [...]})."""
    import json
    raw = os.environ.get("SUMMIT_SEED_FILE")
    path = Path(raw) if raw else default_seed_file(REPO)
    return json.loads(path.read_text("utf-8"))


# -- servers ---------------------------------------------------------------------
def _start(exe: Path, tmp_path_factory, label: str, seed: bool) -> Summitd:
    store = Summitd(exe, tmp_path_factory.mktemp(label), seed=seed)
    ALL_STORES.append(store)
    try:
        return store.start()
    except ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)


def _alive(store: Summitd) -> None:
    if not store.alive():
        pytest.fail(f"the module's summitd has exited (code {store.proc.proc.returncode}) "
                    f"during an earlier test\n{store.stderr_tails()}", pytrace=False)


@pytest.fixture(scope="module")
def _seeded_store(summitd_exe, tmp_path_factory):
    store = _start(summitd_exe, tmp_path_factory, "cli_seeded", seed=True)
    yield store
    store.kill()


@pytest.fixture(scope="module")
def _fresh_store(summitd_exe, tmp_path_factory):
    store = _start(summitd_exe, tmp_path_factory, "cli_fresh", seed=False)
    yield store
    store.kill()


@pytest.fixture
def seeded(summit_exe, _seeded_store) -> cli_run.Cli:
    """`summit` bound to this module's seeded summitd (read only)."""
    _alive(_seeded_store)
    return cli_run.Cli(summit_exe, _seeded_store.address)


@pytest.fixture
def fresh(summit_exe, _fresh_store) -> cli_run.Cli:
    """`summit` bound to this module's --no-seed summitd."""
    _alive(_fresh_store)
    return cli_run.Cli(summit_exe, _fresh_store.address)


@pytest.fixture
def cli_down(summit_exe) -> cli_run.Cli:
    """`summit` pointed at 127.0.0.1:1, where nothing listens."""
    return cli_run.Cli(summit_exe, "127.0.0.1:1")


@pytest.fixture(scope="session")
def pb(tmp_path_factory):
    import svc_pb  # ../service (compiles Protos/ with grpc_tools)
    root = Path(os.environ.get("SUMMIT_PROTOS_DIR", REPO / "Protos"))
    return svc_pb.load(root, tmp_path_factory.mktemp("cli_pb"))


@pytest.fixture(scope="module")
def _fresh_api(pb, _fresh_store):
    from svc_client import Api  # ../service
    api = Api(pb, _fresh_store.address)
    yield api
    api.close()


@pytest.fixture
def fresh_api(_fresh_store, _fresh_api):
    """grpcio stubs to this module's --no-seed summitd (setup and independent checks)."""
    _alive(_fresh_store)
    return _fresh_api


# -- ordering -------------------------------------------------------------------
def pytest_collection_modifyitems(session, config, items):
    """Run this folder's tests after the others of the session, as ../transport and
    ../service do: the codec suite (../protoload.py) must import the generated modules
    from its own tree first, and the ``pb`` fixture here loads another copy. Stable
    sort: the order inside each group is kept. (`make test-python` runs each suite in
    its own process anyway.)"""
    items.sort(key=lambda item: Path(str(item.path)).resolve().is_relative_to(HERE))


# -- failure reports: stderr tails of the summitd runs involved --------------------
_TEST_START: dict[str, float] = {}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _TEST_START[item.nodeid] = time.monotonic()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed or not Path(str(item.path)).resolve().is_relative_to(HERE):
        return
    start, now = _TEST_START.get(item.nodeid, 0.0), time.monotonic()
    for store in ALL_STORES:
        for run in store.runs:
            if run.proc is not None and run.overlaps(start, now):
                state = "running" if run.alive() else f"exited {run.proc.returncode}"
                rep.sections.append((f"{run.describe()} [{state}] stderr tail",
                                     run.stderr_tail(30)))
