"""Small helpers shared by the transport tests."""

from __future__ import annotations

import queue
import time

import grpc


T = 10.0            # default per-call deadline: no call of this suite may block longer


def channel(address: str, **options) -> grpc.Channel:
    """A grpcio channel with its own subchannel pool, i.e. its own TCP
    connection (grpcio otherwise shares connections between channels to the
    same target)."""
    opts = [("grpc.use_local_subchannel_pool", 1), ("grpc.enable_retries", 0),
            ("grpc.enable_http_proxy", 0)]   # loopback only, whatever *_proxy says
    opts.extend(options.items())
    return grpc.insecure_channel(address, options=opts)


def zeros(n: int) -> bytes:
    return b"\0" * n


def simple_request_of_size(pb, total: int, **fields):
    """A grpc.testing.SimpleRequest (with `fields`) whose serialized size is exactly `total`."""
    body = max(0, total - 10)
    while True:
        req = pb.messages.SimpleRequest(payload=pb.messages.Payload(body=zeros(body)), **fields)
        n = req.ByteSize()
        if n == total:
            return req
        body += total - n


def rpc_error(fn, *args, **kwargs) -> grpc.RpcError:
    """Call fn and return the grpc.RpcError it raises (fails if it succeeds)."""
    try:
        result = fn(*args, **kwargs)
        if hasattr(result, "__iter__") and not isinstance(result, (bytes, str)):
            list(result)
    except grpc.RpcError as err:
        return err
    raise AssertionError(f"expected the call to fail, it succeeded with {result!r}")


def assert_code(err: grpc.RpcError, code: grpc.StatusCode, details: str | None = None):
    assert err.code() == code, f"status {err.code()} ({err.details()!r}), expected {code}"
    if details is not None:
        assert err.details() == details, f"details {err.details()!r}, expected {details!r}"


class Requests:
    """A request iterator the test feeds one message at a time.

    grpcio pulls from it on its own thread; every wait is bounded so a test
    that forgets to close it cannot leave a thread blocked forever."""

    _END = object()

    def __init__(self, *initial, idle_timeout: float = T):
        self._q: queue.Queue = queue.Queue()
        self._idle_timeout = idle_timeout
        for m in initial:
            self.put(m)

    def put(self, msg) -> None:
        self._q.put(msg)

    def close(self) -> None:
        self._q.put(self._END)

    def __iter__(self):
        return self

    def __next__(self):
        try:
            item = self._q.get(timeout=self._idle_timeout)
        except queue.Empty:
            raise StopIteration
        if item is self._END:
            raise StopIteration
        return item


def health_serving(pb, port: int, timeout: float = 5.0) -> None:
    """A normal health Check("") on a NEW connection answers SERVING."""
    ch = channel(f"127.0.0.1:{port}")
    try:
        resp = pb.health_grpc.HealthStub(ch).Check(
            pb.health.HealthCheckRequest(service=""), timeout=timeout)
    finally:
        ch.close()
    assert resp.status == pb.health.HealthCheckResponse.SERVING, resp


def interop_serving(pb, port: int, timeout: float = 5.0) -> None:
    """An EmptyCall on a NEW connection to the interop server succeeds."""
    ch = channel(f"127.0.0.1:{port}")
    try:
        pb.test_grpc.TestServiceStub(ch).EmptyCall(pb.empty.Empty(), timeout=timeout)
    finally:
        ch.close()


def elapsed_since(t0: float) -> float:
    return time.monotonic() - t0
