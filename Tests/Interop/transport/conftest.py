"""Fixtures for the transport suite: the server executables, the generated
proto modules, running servers, and channels to them.

Environment:
  SUMMIT_BIN_DIR                 folder with summitd and summit-interop-server (required:
                                 the suite FAILS, never skips, without it)
  SUMMIT_PROTOS_DIR              proto root (default <repo>/Protos)
  SUMMIT_TEST_START_TIMEOUT      seconds a server may take to print its listening line (20)
  SUMMIT_TEST_SERVER_LOG_LEVEL   passed to the servers as SUMMIT_LOG_LEVEL when set

Servers run with cwd in a pytest tmp dir, stdout piped (only the listening
line is expected there) and stderr in <tmp>/stderr.log; a failing test's
report shows the stderr tail of every server that was running during it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import summit_pb
from summit_checks import channel
from summit_servers import ServerProcess, ServerStartError

REPO = Path(__file__).resolve().parents[3]
SERVER_NAMES = ("summitd", "summit-interop-server")


# -- executables and protos ---------------------------------------------------
@pytest.fixture(scope="session")
def bin_dir() -> Path:
    raw = os.environ.get("SUMMIT_BIN_DIR")
    if not raw:
        pytest.fail("SUMMIT_BIN_DIR is not set: point it at the folder holding summitd and "
                    "summit-interop-server (e.g. SUMMIT_BIN_DIR=$(swift build --show-bin-path))",
                    pytrace=False)
    path = Path(raw)
    if not path.is_dir():
        pytest.fail(f"SUMMIT_BIN_DIR={raw} is not a directory", pytrace=False)
    for name in SERVER_NAMES:
        exe = path / name
        if not exe.is_file():
            pytest.fail(f"{exe} does not exist (build it, or fix SUMMIT_BIN_DIR)", pytrace=False)
        if not os.access(exe, os.X_OK):
            pytest.fail(f"{exe} is not executable", pytrace=False)
    return path


@pytest.fixture(scope="session")
def pb(tmp_path_factory):
    """Python modules generated from Protos/ for this session (messages + stubs)."""
    root = Path(os.environ.get("SUMMIT_PROTOS_DIR", REPO / "Protos"))
    return summit_pb.load(root, tmp_path_factory.mktemp("transport_pb"))


# -- servers ------------------------------------------------------------------
def _start(bin_dir: Path, tmp_path_factory, name: str, args, env) -> ServerProcess:
    workdir = tmp_path_factory.mktemp(name.replace("-", "_"))
    try:
        return ServerProcess(bin_dir / name, list(args), workdir, env).start()
    except ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def launch(bin_dir, tmp_path_factory):
    """Factory for a server of this test only: launch("summitd", "--idle-timeout", "1s",
    env={...}). Killed (SIGKILL) at teardown if still running."""
    started: list[ServerProcess] = []

    def _launch(name: str, *args: str, env: dict | None = None) -> ServerProcess:
        srv = _start(bin_dir, tmp_path_factory, name, args, env)
        started.append(srv)
        return srv

    yield _launch
    for srv in started:
        srv.kill()


@pytest.fixture(scope="session")
def _summitd_shared(bin_dir, tmp_path_factory):
    srv = _start(bin_dir, tmp_path_factory, "summitd", (), None)
    yield srv
    srv.kill()


@pytest.fixture(scope="session")
def _interop_shared(bin_dir, tmp_path_factory):
    srv = _start(bin_dir, tmp_path_factory, "summit-interop-server", (), None)
    yield srv
    srv.kill()


def _alive(srv: ServerProcess) -> ServerProcess:
    if not srv.alive():
        pytest.fail(f"the shared {srv.name} has exited (code {srv.proc.returncode}) "
                    f"during an earlier test\n{srv.stderr_tail()}", pytrace=False)
    return srv


@pytest.fixture
def summitd(_summitd_shared) -> ServerProcess:
    """summitd with default flags, shared by the session (must still be running)."""
    return _alive(_summitd_shared)


@pytest.fixture
def interop_server(_interop_shared) -> ServerProcess:
    """summit-interop-server with default flags, shared by the session."""
    return _alive(_interop_shared)


# -- channels and stubs -------------------------------------------------------
@pytest.fixture
def interop_channel(interop_server):
    ch = channel(interop_server.address)
    yield ch
    ch.close()


@pytest.fixture
def test_stub(pb, interop_channel):
    return pb.test_grpc.TestServiceStub(interop_channel)


@pytest.fixture
def summitd_channel(summitd):
    ch = channel(summitd.address)
    yield ch
    ch.close()


@pytest.fixture
def health_stub(pb, summitd_channel):
    return pb.health_grpc.HealthStub(summitd_channel)


# -- ordering -------------------------------------------------------------------
def pytest_collection_modifyitems(session, config, items):
    """Run this folder's tests after every other test of the session. ../protoload.py (the
    codec suite) insists that the modules it imports come from its own generated tree;
    summit_pb reuses that tree's modules when they are already loaded, but if it ran first
    the codec suite would find ours and fail. Stable sort: the order within groups is kept."""
    here = Path(__file__).resolve().parent
    items.sort(key=lambda item: Path(str(item.path)).resolve().is_relative_to(here))


# -- failure reports: stderr tails of the servers involved --------------------
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
    start = _TEST_START.get(item.nodeid, 0.0)
    now = time.monotonic()
    for srv in ServerProcess.all_started:
        if srv.overlaps(start, now):
            state = "running" if srv.alive() else f"exited {srv.proc.returncode}"
            rep.sections.append((f"{srv.describe()} [{state}] stderr tail ({srv.stderr_path})",
                                 srv.stderr_tail()))
