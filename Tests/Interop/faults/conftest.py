"""Fixtures for the fault suite: the summitd executable, generated modules, and
summitd stores (a SQLite file each) started for one test and SIGKILLed at teardown.

Environment:
  SUMMIT_BIN_DIR              folder holding summitd (required: the suite FAILS, never
                              skips, without it)
  SUMMIT_PROTOS_DIR           proto root (default <repo>/Protos)
  SUMMIT_TEST_START_TIMEOUT   seconds summitd may take to print its listening line (20)

A failing test's report carries the stderr tail of every summitd run it started.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import fault_pb
from fault_server import mount, new_store

REPO = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent


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
    root = Path(os.environ.get("SUMMIT_PROTOS_DIR", REPO / "Protos"))
    return fault_pb.load(root, tmp_path_factory.mktemp("faults_pb"))


@pytest.fixture
def store(request, summitd_exe, tmp_path):
    """A Store on <tmp>/summit.db, not started: ``store.start("--no-seed", ...)``,
    ``store.kill9()``, ``store.stop()``, ``store.start(...)`` again on the same file."""
    s = new_store(request, summitd_exe, tmp_path)
    yield s
    s.kill_all()


@pytest.fixture
def tmpfs(tmp_path):
    """A function mounting a tmpfs of `size` (e.g. "2m") at a new folder under tmp_path
    and returning it; every mount is lazily unmounted at teardown. Root only: the
    test is skipped elsewhere (CI runs as root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mounted: list[Path] = []

    def make(size: str) -> Path:
        folder = tmp_path / f"tmpfs{len(mounted)}"
        folder.mkdir()
        mount(folder, "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs")
        mounted.append(folder)
        return folder

    yield make
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def pytest_collection_modifyitems(session, config, items):
    """Run this folder's tests after the others of the session, as ../transport,
    ../service and ../cli do: the codec suite (../protoload.py) must import the
    generated modules from its own tree first, and the ``pb`` fixture here loads another
    copy. Stable sort: the order inside each group is kept."""
    items.sort(key=lambda item: Path(str(item.path)).resolve().is_relative_to(HERE))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for node in item.listchain():
            for s in node.__dict__.get("_fault_stores", []):
                if s.runs:
                    report.sections.append(("summitd stderr", s.stderr_tails()))
