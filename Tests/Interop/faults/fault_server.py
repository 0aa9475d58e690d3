"""summitd for fault tests: one SQLite file, (re)started on it, killed with SIGKILL.

Each run is a ../transport/summit_servers.ServerProcess: port 0, the first stdout line
``listening on 127.0.0.1:PORT``, stderr in <run dir>/stderr.log, its own process
group. ``SUMMIT_DB`` is set to the same file so a developer's shell cannot point the
server elsewhere (summit_servers clears the other SUMMIT_* flag variables).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sqlite3
import time
from pathlib import Path

import grpc
import pytest

import fault_pb  # noqa: F401  (puts ../transport on sys.path)
from summit_checks import channel
from summit_servers import ServerProcess, ServerStartError

STOP_TIMEOUT = 15.0
CALL_T = 5.0

# "2026-11-29T04:25:08+0000 warning summitd: ..." (swift-log's StreamLogHandler)
LOG_LEVEL = re.compile(r"^\S+\s+(trace|debug|info|notice|warning|error|critical)\s")
SEVERE = ("warning", "error", "critical")


class Store:
    """A database file and the summitd processes that serve it, one after another."""

    def __init__(self, exe: Path, workdir: Path):
        self.exe = exe
        self.workdir = workdir
        self.db = workdir / "summit.db"
        self.runs: list[ServerProcess] = []

    # -- lifecycle ---------------------------------------------------------
    def start(self, *args: str, env: dict | None = None) -> ServerProcess:
        """A new summitd on the file (`--db` and `args`); raises ServerStartError."""
        run_dir = self.workdir / f"run{len(self.runs) + 1}"
        srv = ServerProcess(self.exe, ["--db", str(self.db), *args], run_dir,
                            env={"SUMMIT_DB": str(self.db), **(env or {})})
        self.runs.append(srv)
        return srv.start()

    @property
    def proc(self) -> ServerProcess:
        assert self.runs, "never started"
        return self.runs[-1]

    @property
    def pid(self) -> int:
        return self.proc.proc.pid

    def kill9(self) -> None:
        """SIGKILL the running server (its process group) and wait for it."""
        self.proc.kill()

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM and wait; the exit code, or None when it had to be SIGKILLed."""
        srv = self.proc
        if not srv.alive():
            return srv.proc.returncode
        srv.send_signal(signal.SIGTERM)
        code = srv.wait_exit(timeout)
        if code is None:
            srv.kill()
        return code

    def kill_all(self) -> None:
        for srv in self.runs:
            srv.kill()

    def stderr_tails(self, lines: int = 40) -> str:
        return "\n".join(f"--- {r.describe()} ({r.stderr_path}) ---\n{r.stderr_tail(lines)}"
                         for r in self.runs)

    # -- the database file -------------------------------------------------
    def integrity_check(self) -> str:
        """PRAGMA integrity_check through Python's sqlite3 (only with no server running)."""
        assert not any(r.alive() for r in self.runs), "stop the server first"
        con = sqlite3.connect(str(self.db), timeout=5)
        try:
            rows = con.execute("PRAGMA integrity_check").fetchall()
        finally:
            con.close()
        return "\n".join(str(r[0]) for r in rows)


def new_store(request, exe: Path, workdir: Path) -> Store:
    """A Store whose stderr tails go into the failure reports of request's node (a test,
    or a module for a module-scoped fixture; see conftest.py). The caller kills it."""
    s = Store(exe, workdir)
    request.node.__dict__.setdefault("_fault_stores", []).append(s)
    return s


def start_or_fail(store: Store, *args: str) -> ServerProcess:
    """store.start(*args); a server that does not start fails the test."""
    try:
        return store.start(*args)
    except ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)


def mount(folder: Path, *args: str) -> None:
    """`mount ARGS FOLDER` (the folder last, as mount(8) takes it); raises on failure."""
    subprocess.run(["mount", *args, str(folder)], check=True, capture_output=True, text=True)


# -- log -----------------------------------------------------------------------
def stderr_size(srv: ServerProcess) -> int:
    try:
        return srv.stderr_path.stat().st_size
    except OSError:
        return 0


def log_offset_after_startup(srv: ServerProcess, timeout: float = 5.0) -> int:
    """The stderr size once the start-up lines are written (the "serving" line follows
    the stdout line; the start-up warnings precede it), so later checks see only what
    the test caused."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if b" serving" in srv.stderr_path.read_bytes():
            break
        time.sleep(0.05)
    return stderr_size(srv)


def log_lines_since(srv: ServerProcess, offset: int) -> list[str]:
    with open(srv.stderr_path, "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace").splitlines()


def severe_lines(lines: list[str]) -> list[str]:
    """Lines at warning, error or critical level, plus lines that are not log lines at
    all (a Swift runtime crash report, a fatalError message)."""
    out = []
    for line in lines:
        m = LOG_LEVEL.match(line)
        if m is None or m.group(1) in SEVERE:
            out.append(line)
    return out


# -- health ----------------------------------------------------------------------
def health_check(pb, address: str, timeout: float = CALL_T) -> float:
    """A normal grpcio health Check on a fresh connection; asserts SERVING and returns
    the latency in seconds (connection set-up included)."""
    ch = channel(address)
    try:
        t0 = time.monotonic()
        resp = pb.health_grpc.HealthStub(ch).Check(
            pb.health.HealthCheckRequest(service=""), timeout=timeout)
        took = time.monotonic() - t0
    finally:
        ch.close()
    assert resp.status == pb.health.HealthCheckResponse.SERVING, f"health status {resp.status}"
    return took


def rpc_code(fn, *args, **kwargs) -> grpc.StatusCode:
    """The status code of a call (OK when it succeeds)."""
    try:
        fn(*args, **kwargs)
    except grpc.RpcError as err:
        return err.code()
    return grpc.StatusCode.OK
