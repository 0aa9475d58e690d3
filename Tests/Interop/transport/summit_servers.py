"""Start summitd / summit-interop-server as subprocesses on port 0.

The contract: the server prints exactly one line to stdout,
``listening on 127.0.0.1:PORT``, then logs to stderr only. stderr goes to a
file so that a failing test can show its tail.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

LISTEN_LINE = re.compile(r"listening on 127\.0\.0\.1:(\d{1,5})")
START_TIMEOUT = float(os.environ.get("SUMMIT_TEST_START_TIMEOUT", "20"))

# Flag env vars of the servers; cleared so a developer's shell cannot change
# what the tests start. A test passes its own through `env=`.
SERVER_ENV_VARS = (
    "SUMMIT_LISTEN", "SUMMIT_MAX_RECEIVE_MESSAGE_SIZE", "SUMMIT_MAX_CONCURRENT_STREAMS",
    "SUMMIT_MAX_HEADER_LIST_SIZE", "SUMMIT_IDLE_TIMEOUT", "SUMMIT_KEEPALIVE_INTERVAL",
    "SUMMIT_KEEPALIVE_TIMEOUT", "SUMMIT_DRAIN_TIMEOUT", "SUMMIT_LOG_LEVEL",
)


class ServerStartError(RuntimeError):
    pass


class ServerProcess:
    """One running server. Use :meth:`start`; always :meth:`kill` in teardown."""

    all_started: list["ServerProcess"] = []

    def __init__(self, exe: Path, args: list[str], workdir: Path, env: dict | None = None):
        self.exe = exe
        self.name = exe.name
        self.args = ["--listen", "127.0.0.1:0", *args]
        self.workdir = workdir
        self.extra_env = dict(env or {})
        self.stderr_path = workdir / "stderr.log"
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.first_line: str | None = None
        self.started_at = 0.0
        self.ended_at: float | None = None

    # -- lifecycle ---------------------------------------------------------
    def start(self, timeout: float = START_TIMEOUT) -> "ServerProcess":
        env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV_VARS}
        if os.environ.get("SUMMIT_TEST_SERVER_LOG_LEVEL") and "SUMMIT_LOG_LEVEL" not in self.extra_env:
            env["SUMMIT_LOG_LEVEL"] = os.environ["SUMMIT_TEST_SERVER_LOG_LEVEL"]
        env.update(self.extra_env)
        self.workdir.mkdir(parents=True, exist_ok=True)
        err = open(self.stderr_path, "wb")
        self.started_at = time.monotonic()
        ServerProcess.all_started.append(self)
        try:
            self.proc = subprocess.Popen(
                [str(self.exe), *self.args], cwd=self.workdir, env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                start_new_session=True)
        finally:
            err.close()
        box: list = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()),
                                  daemon=True)
        reader.start()
        reader.join(timeout)
        if not box:
            self.kill()
            raise ServerStartError(
                f"{self.describe()} printed no line on stdout within {timeout:.0f}s"
                f"{self._tail_note()}")
        line = box[0].decode("utf-8", "replace").rstrip("\n")
        self.first_line = line
        m = LISTEN_LINE.fullmatch(line)
        if not m:
            code = self.proc.poll()
            self.kill()
            raise ServerStartError(
                f"{self.describe()}: first stdout line was {line!r} (exit code {code}); "
                f"expected 'listening on 127.0.0.1:PORT'{self._tail_note()}")
        self.port = int(m.group(1))
        if not 0 < self.port < 65536:
            self.kill()
            raise ServerStartError(f"{self.describe()}: bad port in {line!r}")
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait_exit(self, timeout: float) -> int | None:
        """Exit code, or None if still running after timeout."""
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self.ended_at = self.ended_at or time.monotonic()
        return code

    def kill(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.ended_at = self.ended_at or time.monotonic()
        if self.proc.stdout and not self.proc.stdout.closed:
            self.proc.stdout.close()

    def rest_of_stdout(self, timeout: float = 5.0) -> str:
        """What the server printed to stdout after the first line; only once it has exited."""
        assert self.proc is not None and self.proc.poll() is not None, "server still running"
        box: list = []
        t = threading.Thread(target=lambda: box.append(self.proc.stdout.read()), daemon=True)
        t.start()
        t.join(timeout)
        return box[0].decode("utf-8", "replace") if box else "<stdout still open>"

    # -- helpers -----------------------------------------------------------
    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def describe(self) -> str:
        env = " ".join(f"{k}={v}" for k, v in self.extra_env.items())
        return f"{(env + ' ') if env else ''}{self.name} {' '.join(self.args)}"

    def stderr_tail(self, lines: int = 60) -> str:
        try:
            text = self.stderr_path.read_text("utf-8", "replace")
        except OSError:
            return "<no stderr file>"
        return "\n".join(text.splitlines()[-lines:])

    def _tail_note(self) -> str:
        return f"\n--- stderr tail ({self.stderr_path}) ---\n{self.stderr_tail()}"

    def overlaps(self, start: float, end: float) -> bool:
        return self.started_at <= end and (self.ended_at is None or self.ended_at >= start)


def connect_refused(port: int, timeout: float = 2.0) -> bool:
    """True if a TCP connect to 127.0.0.1:port is refused (nobody listens)."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    s.close()
    return False
