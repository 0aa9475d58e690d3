"""Connection and request limits and the flags (or SUMMIT_* env vars) that set
them: idle timeout, keepalive, header list size, concurrent streams, message
size, log level.
"""

from __future__ import annotations

import base64
import os
import time

import grpc
import pytest

from raw_h2 import SETTINGS_MAX_CONCURRENT_STREAMS, H2Client
from summit_checks import (T, assert_code, channel, elapsed_since, health_serving, rpc_error,
                           simple_request_of_size)

HEALTH_CHECK = "/grpc.health.v1.Health/Check"


def big_metadata(total: int, chunk: int = 4000) -> list[tuple[str, str]]:
    """ASCII metadata of about `total` bytes, in ~4 KB values that HPACK cannot shrink much."""
    out, i = [], 0
    while total > 0:
        value = base64.b64encode(os.urandom(chunk * 3 // 4)).decode()[:min(chunk, total)]
        out.append((f"x-big-{i}", value))
        total -= len(value)
        i += 1
    return out


# -- idle timeout -------------------------------------------------------------
def test_idle_connection_is_closed(summitd_factory_idle):
    """--idle-timeout 1s: a connection with no calls gets GOAWAY or is closed after about
    1 s (not before 0.5 s, not after 5 s)."""
    srv = summitd_factory_idle
    with H2Client(srv.port) as c:
        c.wait_settings()
        t0 = time.monotonic()
        assert c.wait(lambda: c.terminated, 5.0), "idle connection still open after 5 s"
        took = elapsed_since(t0)
    assert 0.5 <= took <= 5.0, f"closed after {took:.2f}s"


def test_open_stream_is_not_idle(pb, summitd_factory_idle):
    """--idle-timeout 1s does not cut a connection that has a call open: a health Watch
    stays open for 2.5 s, then the server is still fine."""
    srv = summitd_factory_idle
    ch = channel(srv.address)
    try:
        call = pb.health_grpc.HealthStub(ch).Watch(pb.health.HealthCheckRequest(), timeout=T)
        assert next(call).status == pb.health.HealthCheckResponse.SERVING
        time.sleep(2.5)
        assert call.is_active(), f"Watch ended during an idle timeout: {call.code()}"
        call.cancel()
    finally:
        ch.close()
    health_serving(pb, srv.port)


@pytest.fixture
def summitd_factory_idle(launch):
    return launch("summitd", "--idle-timeout", "1s")


# -- keepalive ------------------------------------------------------------------
def test_keepalive_ping_is_sent(launch):
    """--keepalive-interval 1s: on an idle connection that ACKs, the server's first PING
    comes within ~2.5 s and they keep coming (at least two in 3.5 s); the connection stays
    open."""
    srv = launch("summitd", "--keepalive-interval", "1s", "--keepalive-timeout", "1s")
    with H2Client(srv.port) as c:
        c.wait_settings()
        t0 = time.monotonic()
        c.drain(3.5)                               # answers every PING
        assert c.pings, "no PING from the server within 3.5 s"
        assert c.pings[0] - t0 <= 2.5, f"first PING after {c.pings[0] - t0:.2f}s"
        assert len(c.pings) >= 2, f"only {len(c.pings)} PING in 3.5 s with a 1 s interval"
        assert not c.terminated, f"closed although PINGs were acknowledged ({c.last_goaway})"


def test_keepalive_timeout_closes_silent_peer(launch):
    """--keepalive-interval 1s --keepalive-timeout 1s: a peer that never ACKs the PING is
    dropped (GOAWAY/close) within about interval + timeout."""
    srv = launch("summitd", "--keepalive-interval", "1s", "--keepalive-timeout", "1s")
    with H2Client(srv.port) as c:
        c.wait_settings()
        c.mute = True                              # from now on send nothing, not even ACKs
        t0 = time.monotonic()
        assert c.wait(lambda: c.terminated, 6.0), "silent peer still connected after 6 s"
        assert c.pings, "closed without ever sending a PING"
        assert elapsed_since(t0) >= 1.0


# -- header list size -----------------------------------------------------------
def _rejected(s, c) -> bool:
    return (s.reset_code is not None or c.terminated or s.http_status not in (None, 200)
            or s.grpc_status not in (None, 0))


def test_header_list_over_limit_fails_fast(pb, summitd):
    """64 KiB of metadata against the default 16 KiB limit: the call is rejected (RST_STREAM,
    GOAWAY, HTTP 431 or a non-OK grpc-status) within 5 s; the server stays up."""
    with H2Client(summitd.port) as c:
        c.wait_settings()
        s = c.open(HEALTH_CHECK, extra=big_metadata(64 * 1024))
        if not c.terminated:
            try:
                c.send(s, b"\0\0\0\0\0", end_stream=True)
            except Exception:
                pass                               # the server may already have reset it
        assert c.wait(lambda: s.done or c.terminated, 5.0), f"hang: {s.summary()}"
        assert _rejected(s, c), f"64 KiB of headers accepted: {s.summary()}"
    assert summitd.alive()
    health_serving(pb, summitd.port)


def test_header_list_over_limit_grpcio(pb, summitd, health_stub):
    """The same through grpcio: the call fails (any status) within its deadline, no hang."""
    t0 = time.monotonic()
    rpc_error(health_stub.Check, pb.health.HealthCheckRequest(),
              metadata=big_metadata(64 * 1024), timeout=T)
    assert elapsed_since(t0) < T
    health_serving(pb, summitd.port)


def test_header_list_under_limit_is_fine(pb, health_stub):
    """8 KiB of metadata (half the default 16 KiB limit) is accepted."""
    resp = health_stub.Check(pb.health.HealthCheckRequest(), metadata=big_metadata(8 * 1024),
                             timeout=T)
    assert resp.status == pb.health.HealthCheckResponse.SERVING


def test_max_header_list_size_flag(pb, launch):
    """--max-header-list-size 4096: 2 KiB of metadata passes, 8 KiB is rejected."""
    srv = launch("summitd", "--max-header-list-size", "4096")
    with H2Client(srv.port) as c:
        c.wait_settings()
        s = c.unary(HEALTH_CHECK, b"", extra=big_metadata(2 * 1024), timeout=T)
        assert s.grpc_status == 0, s.summary()
    with H2Client(srv.port) as c:
        c.wait_settings()
        s = c.open(HEALTH_CHECK, extra=big_metadata(8 * 1024))
        if not c.terminated:
            try:
                c.send(s, b"\0\0\0\0\0", end_stream=True)
            except Exception:
                pass
        assert c.wait(lambda: s.done or c.terminated, 5.0), f"hang: {s.summary()}"
        assert _rejected(s, c), f"8 KiB of headers accepted with a 4 KiB limit: {s.summary()}"
    health_serving(pb, srv.port)


# -- concurrent streams ---------------------------------------------------------
def _advertised_streams(port: int) -> int | None:
    """SETTINGS_MAX_CONCURRENT_STREAMS as the client sees it once the server's SETTINGS
    (the first frame plus any sent within the next 0.3 s) have arrived."""
    with H2Client(port) as c:
        c.wait_settings()
        c.drain(0.3)
        return c.wait_settings().get(SETTINGS_MAX_CONCURRENT_STREAMS)


def test_default_max_concurrent_streams_advertised(summitd):
    """Default: SETTINGS_MAX_CONCURRENT_STREAMS = 256."""
    assert _advertised_streams(summitd.port) == 256


@pytest.mark.parametrize("how", ["flag", "env"])
def test_max_concurrent_streams_advertised(launch, how):
    """--max-concurrent-streams 4 (or SUMMIT_MAX_CONCURRENT_STREAMS=4) is advertised in SETTINGS."""
    if how == "flag":
        srv = launch("summitd", "--max-concurrent-streams", "4")
    else:
        srv = launch("summitd", env={"SUMMIT_MAX_CONCURRENT_STREAMS": "4"})
    assert _advertised_streams(srv.port) == 4


def test_calls_beyond_stream_limit_still_complete(pb, launch):
    """With a limit of 4 streams, 8 concurrent slow calls on one channel all succeed
    (grpcio queues the extra four) in about two rounds. A first EmptyCall makes sure the
    client has the server's SETTINGS before the burst."""
    srv = launch("summit-interop-server", "--max-concurrent-streams", "4")
    ch = channel(srv.address)
    try:
        stub = pb.test_grpc.TestServiceStub(ch)
        req = pb.messages.StreamingOutputCallRequest(response_parameters=[
            pb.messages.ResponseParameters(size=1, interval_us=300_000)])
        stub.EmptyCall(pb.empty.Empty(), timeout=T)
        t0 = time.monotonic()
        calls = [stub.StreamingOutputCall(req, timeout=T) for _ in range(8)]
        assert [len(list(c)) for c in calls] == [1] * 8
        assert elapsed_since(t0) >= 0.55, "8 calls ran at once despite a limit of 4"
    finally:
        ch.close()


# -- message size flag ----------------------------------------------------------
@pytest.mark.parametrize("how", ["flag", "env"])
def test_max_receive_message_size_setting(pb, launch, how):
    """--max-receive-message-size 1024 (or SUMMIT_MAX_RECEIVE_MESSAGE_SIZE): a 1024-byte
    request is served, a 1025-byte one is RESOURCE_EXHAUSTED."""
    if how == "flag":
        srv = launch("summit-interop-server", "--max-receive-message-size", "1024")
    else:
        srv = launch("summit-interop-server", env={"SUMMIT_MAX_RECEIVE_MESSAGE_SIZE": "1024"})
    ch = channel(srv.address)
    try:
        stub = pb.test_grpc.TestServiceStub(ch)
        stub.UnaryCall(simple_request_of_size(pb, 1024), timeout=T)
        big = simple_request_of_size(pb, 1025)
        assert_code(rpc_error(stub.UnaryCall, big, timeout=T), grpc.StatusCode.RESOURCE_EXHAUSTED)
        stub.EmptyCall(pb.empty.Empty(), timeout=T)
    finally:
        ch.close()


# -- log level ------------------------------------------------------------------
@pytest.mark.parametrize("level", ["trace", "debug", "info", "notice", "warning", "error"])
def test_log_levels_accepted(pb, launch, level):
    """Every documented --log-level starts a working server."""
    srv = launch("summitd", "--log-level", level)
    health_serving(pb, srv.port)
