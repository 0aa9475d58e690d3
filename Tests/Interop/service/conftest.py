"""Fixtures for the service suite: summitd on a SQLite file in a pytest tmp dir (or, with
SUMMIT_STORE=postgres, on a fresh database of a throw-away PostgreSQL cluster per
summitd), the generated modules, and stubs.

Environment:
  SUMMIT_STORE                sqlite (default) or postgres: the store every summitd of
                              the session uses; the whole suite runs on either
  SUMMIT_BIN_DIR              folder holding summitd (required: the suite FAILS, never
                              skips, without it)
  SUMMIT_PROTOS_DIR           proto root (default <repo>/Protos)
  SUMMIT_SEED_FILE            the seed file test_seed.py compares with (default: the first
                              of <repo>/Seeds/seed.json and the bundled
                              Sources/SummitService/Resources/seed.json); summitd reads
                              the same variable, so both see one file
  SUMMIT_TEST_START_TIMEOUT   seconds summitd may take to print its listening line (20)
  SUMMIT_TEST_SERVER_LOG_LEVEL  passed to summitd as SUMMIT_LOG_LEVEL when set

Servers: ``server``/``api`` is one ``--no-seed`` summitd per test module (tests there
create records under fresh ids and filter by them); ``seeded_api`` is one seeded
summitd per session that tests only read; ``start_summitd`` starts one for a single
test (durability, restarts). All are SIGKILLed at teardown. A failing test's report
shows the stderr tail of every summitd run that overlapped it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import svc_pb
from svc_client import Api
from svc_seed import default_seed_file
from svc_server import ServerStartError, Summitd
from pg_scratch import ScratchPostgres, store_kind

REPO = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
ALL_STORES: list[Summitd] = []


# -- executable and protos ----------------------------------------------------
@pytest.fixture(scope="session")
def summitd_exe() -> Path:
    raw = os.environ.get("SUMMIT_BIN_DIR")
    if not raw:
        pytest.fail("SUMMIT_BIN_DIR is not set: point it at the folder holding summitd "
                    "(e.g. SUMMIT_BIN_DIR=$(swift build --show-bin-path))", pytrace=False)
    exe = Path(raw) / "summitd"
    if not exe.is_file():
        pytest.fail(f"{exe} does not exist (build it, or fix SUMMIT_BIN_DIR)", pytrace=False)
    if not os.access(exe, os.X_OK):
        pytest.fail(f"{exe} is not executable", pytrace=False)
    return exe


@pytest.fixture(scope="session")
def pb(tmp_path_factory):
    """Generated modules (svc_pb.MODULES) for this session."""
    root = Path(os.environ.get("SUMMIT_PROTOS_DIR", REPO / "Protos"))
    return svc_pb.load(root, tmp_path_factory.mktemp("service_pb"))


@pytest.fixture(scope="session")
def seed_file() -> Path:
    """The seed test_seed.py compares the store with. summitd reads SUMMIT_SEED_FILE
    too (it inherits the environment), so an override applies to both."""
    raw = os.environ.get("SUMMIT_SEED_FILE")
    return Path(raw) if raw else default_seed_file(REPO)


# -- servers ------------------------------------------------------------------
_POSTGRES: list[ScratchPostgres] = []


def _database() -> str | None:
    """A fresh PostgreSQL database's URL under SUMMIT_STORE=postgres (the cluster starts
    with the first one and stops at the end of the session); None for SQLite."""
    if store_kind() != "postgres":
        return None
    if not _POSTGRES:
        try:
            _POSTGRES.append(ScratchPostgres())
        except Exception as exc:                # noqa: BLE001
            pytest.fail(f"SUMMIT_STORE=postgres: cannot start PostgreSQL: {exc}", pytrace=False)
    return _POSTGRES[0].create_database()


def pytest_sessionfinish(session, exitstatus):
    for cluster in _POSTGRES:
        cluster.close()


def _start(exe: Path, tmp_path_factory, label: str, **kw) -> Summitd:
    store = Summitd(exe, tmp_path_factory.mktemp(label), database=_database(), **kw)
    ALL_STORES.append(store)
    try:
        return store.start()
    except ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)


def _alive(store: Summitd) -> Summitd:
    if not store.alive():
        pytest.fail(f"the shared summitd has exited (code {store.proc.proc.returncode}) "
                    f"during an earlier test\n{store.stderr_tails()}", pytrace=False)
    return store


@pytest.fixture
def start_summitd(summitd_exe, tmp_path_factory):
    """start_summitd(seed=False, extra_args=()) -> a started Summitd of this test only,
    on a fresh --db file in a tmp dir; ``.restart()`` reuses the file."""
    mine: list[Summitd] = []

    def _launch(*, seed: bool = False, extra_args=()) -> Summitd:
        store = _start(summitd_exe, tmp_path_factory, "summitd", seed=seed,
                       extra_args=extra_args)
        mine.append(store)
        return store

    yield _launch
    for store in mine:
        store.kill()


@pytest.fixture(scope="module")
def _module_store(summitd_exe, tmp_path_factory):
    store = _start(summitd_exe, tmp_path_factory, "summitd_empty")
    yield store
    store.kill()


@pytest.fixture(scope="module")
def _module_api(pb, _module_store):
    api = Api(pb, _module_store.address)
    yield api
    api.close()


@pytest.fixture
def server(_module_store) -> Summitd:
    """The --no-seed summitd of this test module (must still be running)."""
    return _alive(_module_store)


@pytest.fixture
def api(server, _module_api) -> Api:
    """Stubs to this module's --no-seed summitd."""
    return _module_api


@pytest.fixture(scope="session")
def _seeded_store(summitd_exe, tmp_path_factory):
    store = _start(summitd_exe, tmp_path_factory, "summitd_seeded", seed=True)
    yield store
    store.kill()


@pytest.fixture(scope="session")
def _seeded_api(pb, _seeded_store):
    api = Api(pb, _seeded_store.address)
    yield api
    api.close()


@pytest.fixture
def seeded_api(_seeded_store, _seeded_api) -> Api:
    """Stubs to the session's seeded summitd. Read only: tests must not change it."""
    _alive(_seeded_store)
    return _seeded_api


# -- ordering -------------------------------------------------------------------
def pytest_collection_modifyitems(session, config, items):
    """Run this folder's tests after the others of the session, as ../transport does:
    the codec suite (../protoload.py) insists on importing the generated modules from
    its own tree first. Stable sort: the order inside each group is kept."""
    items.sort(key=lambda item: Path(str(item.path)).resolve().is_relative_to(HERE))


# -- failure reports: stderr tails of the summitd runs involved ----------------
_TEST_START: dict[str, float] = {}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _TEST_START[item.nodeid] = time.monotonic()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed:
        return
    start, now = _TEST_START.get(item.nodeid, 0.0), time.monotonic()
    for store in ALL_STORES:
        for run in store.runs:
            if run.proc is not None and run.overlaps(start, now):
                state = "running" if run.alive() else f"exited {run.proc.returncode}"
                rep.sections.append((f"{run.describe()} [{state}] stderr tail",
                                     run.stderr_tail()))
