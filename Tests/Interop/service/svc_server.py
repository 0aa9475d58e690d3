"""summitd on its own store, restartable on that store.

The store is a SQLite file in the work folder, or, when a ``database`` URL is given,
a PostgreSQL database (SUMMIT_STORE=postgres; see ../pg_scratch.py). Each start is a
../transport/summit_servers.ServerProcess (port 0, the first stdout line ``listening
on 127.0.0.1:PORT``, stderr in a file) with ``--db PATH-OR-URL`` and, unless seeding is
wanted, ``--no-seed``. SUMMIT_DB is set to the same value, so a developer's shell
cannot point the server elsewhere.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from svc_pb import TRANSPORT_DIR  # noqa: F401  (puts ../transport on sys.path)
from summit_servers import ServerProcess, ServerStartError  # noqa: F401

STOP_TIMEOUT = 15.0


class Summitd:
    """One summitd store: a database file and the (re)started processes serving it."""

    def __init__(self, exe: Path, workdir: Path, *, seed: bool = False, extra_args=(),
                 database: str | None = None):
        self.exe = exe
        self.workdir = workdir
        self.db = workdir / "summit.db"        # the SQLite file (unused on PostgreSQL)
        self.database = database               # a postgres:// URL, or None for SQLite
        self.location = database or str(self.db)
        self.seed = seed
        self.extra_args = list(extra_args)
        self.runs: list[ServerProcess] = []

    @property
    def proc(self) -> ServerProcess:
        assert self.runs, "summitd was never started"
        return self.runs[-1]

    @property
    def address(self) -> str:
        return self.proc.address

    def args(self) -> list[str]:
        return ["--db", self.location, *([] if self.seed else ["--no-seed"]), *self.extra_args]

    def start(self) -> "Summitd":
        """Start a process on the database file (raises ServerStartError)."""
        run_dir = self.workdir / f"run{len(self.runs) + 1}"     # cwd and stderr.log of this run
        srv = ServerProcess(self.exe, self.args(), run_dir, env={"SUMMIT_DB": self.location})
        self.runs.append(srv)
        srv.start()
        return self

    def alive(self) -> bool:
        return bool(self.runs) and self.proc.alive()

    def kill(self) -> None:
        """SIGKILL (the whole process group); waits for the exit."""
        if self.runs:
            self.proc.kill()

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM and wait; SIGKILL when it does not exit in time. The exit code, or None
        when it had to be killed."""
        if not self.alive():
            return self.proc.proc.returncode if self.runs and self.proc.proc else None
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait_exit(timeout)
        if code is None:
            self.kill()
        return code

    def restart(self) -> "Summitd":
        """Stop (SIGTERM, else SIGKILL) and start again on the same file; a start that
        fails fails the test."""
        self.stop()
        return self.start_or_fail()

    def start_or_fail(self) -> "Summitd":
        try:
            return self.start()
        except ServerStartError as exc:
            pytest.fail(str(exc), pytrace=False)

    def stderr_tails(self) -> str:
        return "\n".join(f"--- {r.describe()} ({r.stderr_path}) ---\n{r.stderr_tail()}"
                         for r in self.runs)
