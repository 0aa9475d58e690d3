"""Memory of a server process, from /proc/PID/status (VmRSS, VmHWM), in MiB.

``Sampler`` records RSS in a background thread so a test can assert on the highest
value seen while a fault is going on, not only on a value read afterwards.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

MIB = 1024 * 1024


def status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM / VmSize / Threads of pid (memory in KiB, as the kernel reports it)."""
    out: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "VmSize", "Threads"):
                out[key] = int(value.split()[0])
    return out


def rss_mib(pid: int) -> float:
    return status(pid)["VmRSS"] / 1024


def hwm_mib(pid: int) -> float:
    return status(pid)["VmHWM"] / 1024


def settle_baseline(pid: int, seconds: float = 1.0, step: float = 0.1) -> float:
    """RSS after `seconds` of quiet: the highest sample of the window (a conservative
    baseline would be the lowest; the highest avoids flattering a later comparison)."""
    samples = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        samples.append(rss_mib(pid))
        time.sleep(step)
    return max(samples)


def wait_rss_at_most(pid: int, limit_mib: float, timeout: float,
                     step: float = 0.2) -> tuple[bool, float, list[tuple[float, float]]]:
    """Poll until RSS <= limit_mib (or timeout). Returns (ok, last RSS, [(t, rss)])."""
    start = time.monotonic()
    trace: list[tuple[float, float]] = []
    while True:
        now = time.monotonic() - start
        rss = rss_mib(pid)
        trace.append((round(now, 2), round(rss, 1)))
        if rss <= limit_mib:
            return True, rss, trace
        if now >= timeout:
            return False, rss, trace
        time.sleep(step)


@dataclass
class Sampler:
    """RSS of pid every `step` seconds in a thread, from start() to stop()."""

    pid: int
    step: float = 0.1
    samples: list[tuple[float, float]] = field(default_factory=list)   # (t, MiB)
    error: BaseException | None = None

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rss-sampler")
        self._t0 = 0.0

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append((time.monotonic() - self._t0, rss_mib(self.pid)))
            except (OSError, KeyError, ValueError) as exc:     # the process is gone
                self.error = exc
                return
            self._stop.wait(self.step)

    def start(self) -> "Sampler":
        self._t0 = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> "Sampler":
        self._stop.set()
        self._thread.join(5)
        return self

    @property
    def peak(self) -> float:
        return max((m for _, m in self.samples), default=0.0)

    def summary(self, every: int = 10) -> str:
        return ", ".join(f"{t:.1f}s:{m:.0f}" for t, m in self.samples[::every])
