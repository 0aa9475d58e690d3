"""A throw-away PostgreSQL server for the suites that run summitd on PostgreSQL.

``ScratchPostgres()`` starts a fresh cluster with scripts/pg-scratch.sh (initdb in a
new /tmp folder, loopback only, trust auth, run as the ``postgres`` user under root)
and ``close()`` deletes it. ``create_database()`` gives each summitd an empty database
of its own. ``stop_server()``/``start_server()`` stop (``-m fast``) and restart it on
the same port and data, for the outage tests.

Environment:
  SUMMIT_STORE   ``postgres`` runs the service suite on PostgreSQL (default ``sqlite``)
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "pg-scratch.sh"


def store_kind() -> str:
    kind = os.environ.get("SUMMIT_STORE", "sqlite")
    if kind not in ("sqlite", "postgres"):
        raise ValueError(f"SUMMIT_STORE must be sqlite or postgres, not {kind!r}")
    return kind


def pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not versions:
        raise RuntimeError("no PostgreSQL server binaries: install Debian's postgresql (make deps)")
    return versions[-1].parent


class ScratchPostgres:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="summit-pytest-pg-", dir="/tmp"))
        try:
            self.url = self._script("start")
        except Exception:
            self._script("stop")
            raise
        self.port = int((self.dir / "port").read_text())

    def _script(self, command: str) -> str:
        done = subprocess.run([str(SCRIPT), command, str(self.dir)], capture_output=True,
                              text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"pg-scratch.sh {command} failed ({done.returncode}): "
                               f"{done.stderr.strip()}")
        return done.stdout.strip()

    def database_url(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name

    def psql(self, sql: str, database: str = "postgres") -> str:
        done = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1",
                               self.database_url(database), "-c", sql],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"psql {sql!r}: {done.stderr.strip()}")
        return done.stdout.strip()

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        name = "summit_" + uuid.uuid4().hex[:16]
        self.psql(f"CREATE DATABASE {name}")
        return self.database_url(name)

    def amcheck(self, database_url: str) -> subprocess.CompletedProcess:
        """pg_amcheck over every table and index of the database (heap and B-tree
        invariants, every heap tuple found in its indexes): exit 0 means no corruption."""
        name = database_url.rsplit("/", 1)[1]
        return subprocess.run([str(pg_bin() / "pg_amcheck"), "--install-missing", "--heapallindexed",
                               "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
                              capture_output=True, text=True, timeout=120)

    def _pg_ctl(self, *args: str) -> None:
        command = [str(pg_bin() / "pg_ctl"), "-D", str(self.dir / "data"), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120,
                       stdin=subprocess.DEVNULL)

    def stop_server(self) -> None:
        """Stops the server (fast: sessions are ended, the data stays)."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start_server(self) -> None:
        """Starts it again on the same port and data."""
        self._pg_ctl("-l", str(self.dir / "server.log"), "-w", "start", "-o",
                     f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
                     "-c max_connections=300")

    def close(self) -> None:
        self._script("stop")
