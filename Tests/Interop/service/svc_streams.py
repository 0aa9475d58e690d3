"""Streaming helpers with bounded waits: a reader that consumes a response stream on its
own thread, and a synchronised start for Watch* calls."""

from __future__ import annotations

import queue
import threading
import time

import grpc

from svc_pb import TRANSPORT_DIR  # noqa: F401  (puts ../transport on sys.path)
from summit_checks import Requests  # noqa: F401  (re-exported: a request stream fed by hand)

_END = object()


class StreamReader:
    """Consumes ``call`` (a response-stream call) on a daemon thread.

    :meth:`get` returns the next message or fails after ``timeout`` seconds, so a
    server that never answers fails the test instead of hanging it."""

    def __init__(self, call):
        self.call = call
        self.error: grpc.RpcError | None = None
        self._q: queue.Queue = queue.Queue()
        self._ended = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for msg in self.call:
                self._q.put(msg)
        except grpc.RpcError as err:
            self.error = err
        finally:
            self._q.put(_END)

    def get(self, timeout: float):
        """The next message (AssertionError on timeout or end of stream)."""
        if self._ended:
            raise AssertionError(f"stream already ended ({self._why()})")
        try:
            item = self._q.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no message within {timeout:.1f}s") from None
        if item is _END:
            self._ended = True
            raise AssertionError(f"stream ended ({self._why()})")
        return item

    def poll(self, timeout: float):
        """The next message, or None when none arrives within ``timeout``."""
        if self._ended:
            return None
        try:
            item = self._q.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is _END:
            self._ended = True
            return None
        return item

    def take(self, n: int, timeout: float) -> list:
        """The next n messages, all within ``timeout`` seconds in total."""
        deadline = time.monotonic() + timeout
        out = []
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"only {len(out)} of {n} messages within {timeout:.0f}s")
            msg = self.poll(left)
            if msg is None:
                raise AssertionError(f"only {len(out)} of {n} messages "
                                     f"({'ended: ' + self._why() if self._ended else 'timeout'})")
            out.append(msg)
        return out

    def _why(self) -> str:
        if self.error is None:
            return "OK"
        return f"{self.error.code().name}: {self.error.details()}"

    def cancel(self) -> None:
        self.call.cancel()
        self._thread.join(5)


def watch_in_sync(open_watch, make_change, is_mine, attempts: int = 5,
                  wait: float = 3.0) -> tuple[StreamReader, list]:
    """Start a Watch* call and return it once it demonstrably delivers changes.

    A watch only promises changes committed *after the call starts*, and the client
    cannot see when the server has started it; so make a sentinel change
    (``make_change()`` returns a key) until the stream delivers an event for which
    ``is_mine(event, key)`` holds. Returns the reader and the events consumed."""
    reader = StreamReader(open_watch())
    seen = []
    for _ in range(attempts):
        key = make_change()
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            ev = reader.poll(left)
            if ev is None:
                break
            seen.append(ev)
            if is_mine(ev, key):
                return reader, seen
    reader.cancel()
    raise AssertionError(f"the watch delivered no sentinel change in {attempts} tries "
                         f"({len(seen)} other events)")
