"""Fixtures for testing Summit's Swift gRPC client (the `summit` CLI) against a server
that is not ours: fake_summit.FakeSummit, grpcio serving the same Protos/.

Environment:
  SUMMIT_BIN_DIR      folder holding `summit` (required: the suite FAILS, never skips,
                      without it or without the executable)
  SUMMIT_PROTOS_DIR   proto root (default <repo>/Protos)

Fixtures:
  ``pb``         modules generated from Protos/ at session start (grpc_tools.protoc)
  ``fake``       a fresh FakeSummit per test on 127.0.0.1:0 (identity responses)
  ``fake_gzip``  the same, but the server compresses every response with gzip
  ``summit``     ``Summit(exe, fake.address)``: ``.run(*args)`` -> ``Result``;
                 ``.start(*args, stdin=False)`` -> ``Running`` (background process whose
                 stdout lines are collected by a thread)
A failing test's report ends with the calls the fake servers saw.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import fake_summit  # noqa: E402

CLI_TIMEOUT = 20.0
# The CLI's own environment variables are cleared: a developer's shell must not
# change what the tests see.
CLI_ENV_VARS = ("SUMMIT_SERVER", "SUMMIT_TIMEOUT", "SUMMIT_OUTPUT", "SUMMIT_TOKEN", "COLUMNS")
CRASH_MARKERS = ("Fatal error", "Stack dump", "Segmentation fault", "Illegal instruction",
                 "Current stack trace", "💣")

_RUNNING_FAKES: list[fake_summit.FakeSummit] = []


# -- the executable and the generated modules -------------------------------------
@pytest.fixture(scope="session")
def summit_exe() -> Path:
    raw = os.environ.get("SUMMIT_BIN_DIR")
    if not raw:
        pytest.fail("SUMMIT_BIN_DIR is not set: point it at the folder holding `summit` "
                    "(e.g. SUMMIT_BIN_DIR=$(swift build --show-bin-path))", pytrace=False)
    exe = Path(raw) / "summit"
    if not exe.is_file():
        pytest.fail(f"{exe} does not exist (build it, or fix SUMMIT_BIN_DIR)", pytrace=False)
    if not os.access(exe, os.X_OK):
        pytest.fail(f"{exe} is not executable", pytrace=False)
    return exe


@pytest.fixture(scope="session")
def pb(tmp_path_factory):
    root = Path(os.environ.get("SUMMIT_PROTOS_DIR", REPO / "Protos"))
    return fake_summit.load_pb(root, tmp_path_factory.mktemp("client_pb"))


# -- fake servers -----------------------------------------------------------------
def _fake(pb, compression):
    server = fake_summit.FakeSummit(pb, compression=compression).start()
    _RUNNING_FAKES.append(server)
    return server


@pytest.fixture
def fake(pb):
    """A grpcio Summit server for this test (identity encoding)."""
    server = _fake(pb, None)
    yield server
    server.stop()
    _RUNNING_FAKES.remove(server)


@pytest.fixture
def fake_gzip(pb):
    """A grpcio Summit server that gzips every response message
    (grpc.server(..., compression=grpc.Compression.Gzip))."""
    server = _fake(pb, grpc.Compression.Gzip)
    yield server
    server.stop()
    _RUNNING_FAKES.remove(server)


@pytest.fixture
def relay_to():
    """``relay_to(fake)``: a ByteCountingRelay in front of a fake server."""
    relays = []

    def make(server: fake_summit.FakeSummit) -> fake_summit.ByteCountingRelay:
        r = fake_summit.ByteCountingRelay(server.port)
        relays.append(r)
        return r

    yield make
    for r in relays:
        r.close()


# -- running the CLI ----------------------------------------------------------------
def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in CLI_ENV_VARS}


@dataclass
class Result:
    argv: list
    code: int
    out: str
    err: str
    elapsed: float

    def describe(self) -> str:
        return (f"\n$ {' '.join(self.argv)}\nexit code: {self.code} ({self.elapsed:.2f}s)"
                f"\n--- stdout ---\n{self.out[:3000]}\n--- stderr ---\n{self.err[:3000]}")

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError as exc:
            raise AssertionError(f"stdout is not one JSON document ({exc}){self.describe()}")

    def json_lines(self) -> list:
        out = []
        for line in self.out.splitlines():
            if line.strip():
                try:
                    out.append(json.loads(line))
                except ValueError as exc:
                    raise AssertionError(f"stdout line {line!r} is not JSON ({exc})"
                                         f"{self.describe()}")
        return out

    def no_crash(self) -> "Result":
        for marker in CRASH_MARKERS:
            assert marker not in self.out + self.err, f"crash output ({marker!r}){self.describe()}"
        return self


class Running:
    """A background `summit` whose stdout lines a thread collects."""

    def __init__(self, argv: list, stdin: bool):
        self.argv = argv
        self.proc = subprocess.Popen(argv, env=_env(),
                                     stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            self.lines.put(raw.decode("utf-8", "replace"))

    def next_line(self, timeout: float) -> str | None:
        """The next stdout line, or None if none came within timeout."""
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        self.seen.append(line)
        return line

    def write(self, text: str) -> None:
        self.proc.stdin.write(text.encode("utf-8"))
        self.proc.stdin.flush()

    def close_stdin(self) -> None:
        self.proc.stdin.close()

    def signal(self, number: int) -> None:
        self.proc.send_signal(number)

    def wait(self, timeout: float) -> int | None:
        """The exit code, or None if still running after timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read().decode("utf-8", "replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(5)

    def describe(self) -> str:
        return (f"\n$ {' '.join(self.argv)}\n--- stdout lines read ---\n" + "".join(self.seen[-20:]))


class Summit:
    """`summit` bound to one server address (``--server`` goes after the command)."""

    def __init__(self, exe: Path, address: str):
        self.exe = exe
        self.address = address
        self.running: list[Running] = []

    def argv(self, args) -> list:
        return [str(self.exe), *args, "--server", self.address]

    def at(self, address: str) -> "Summit":
        other = Summit(self.exe, address)
        other.running = self.running
        return other

    def run(self, *args: str, timeout: float = CLI_TIMEOUT) -> Result:
        argv = self.argv(args)
        start = time.monotonic()
        proc = subprocess.Popen(argv, env=_env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            res = Result(argv, -9, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                         time.monotonic() - start)
            pytest.fail(f"summit did not finish within {timeout:.0f}s{res.describe()}",
                        pytrace=False)
        return Result(argv, proc.returncode, out.decode("utf-8", "replace"),
                      err.decode("utf-8", "replace"), time.monotonic() - start).no_crash()

    def start(self, *args: str, stdin: bool = False) -> Running:
        r = Running(self.argv(args), stdin)
        self.running.append(r)
        return r


@pytest.fixture
def summit(summit_exe, fake):
    """`summit` pointed at this test's ``fake`` server."""
    s = Summit(summit_exe, fake.address)
    yield s
    for r in s.running:
        r.kill()


# -- failure reports ------------------------------------------------------------------
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and _RUNNING_FAKES:
        report.sections.append(("fake Summit servers",
                                "\n".join(f.describe_calls() for f in _RUNNING_FAKES)))
