"""Raw HTTP/2 (h2c, prior knowledge) requests that a gRPC client would never
send. Each must get a clean error or a closed connection -- never a crash or
a hang -- and afterwards summitd must answer a normal health Check on a NEW
connection.
"""

from __future__ import annotations

import os
import socket
import time

import h2.errors
import h2.exceptions
import pytest

from raw_h2 import H2Client, grpc_frame
from summit_checks import T, health_serving

HEALTH_CHECK = "/grpc.health.v1.Health/Check"


@pytest.fixture
def after_each(pb, summitd):
    """Runs the test, then proves summitd is alive and serving on a new connection."""
    yield
    assert summitd.alive(), f"summitd exited with {summitd.proc.returncode}"
    health_serving(pb, summitd.port)


def test_wrong_content_type_is_415(summitd, after_each):
    """content-type application/json on a gRPC path -> HTTP 415 Unsupported Media Type."""
    with H2Client(summitd.port) as c:
        s = c.open(HEALTH_CHECK, content_type="application/json")
        c.send(s, b"{}", end_stream=True)
        assert c.wait_done(s, T), s.summary()
    assert s.http_status == 415, s.summary()


def test_missing_content_type_is_rejected(summitd, after_each):
    """No content-type at all is not treated as gRPC: an HTTP error (415) or a non-OK status."""
    with H2Client(summitd.port) as c:
        s = c.open(HEALTH_CHECK, content_type=None)
        c.send(s, grpc_frame(b""), end_stream=True)
        assert c.wait_done(s, T), s.summary()
    assert s.reset_code is not None or s.http_status != 200 or s.grpc_status not in (None, 0), \
        s.summary()


def test_get_request_is_an_error(summitd, after_each):
    """GET on a gRPC path is not a successful call: a non-200 HTTP status (e.g. 405), a
    non-OK grpc-status, or RST_STREAM."""
    with H2Client(summitd.port) as c:
        s = c.open(HEALTH_CHECK, method="GET", end_stream=True)
        assert c.wait_done(s, T), s.summary()
    ok = s.http_status == 200 and s.grpc_status in (None, 0) and s.reset_code is None
    assert not ok, f"GET looked like a successful call: {s.summary()}"


def test_truncated_message_gets_a_grpc_status(summitd, after_each):
    """A length prefix of 100 bytes followed by only 10 bytes and END_STREAM ends the call with
    a non-OK grpc-status in trailers (INTERNAL expected), not a crash or a hang."""
    with H2Client(summitd.port) as c:
        s = c.open(HEALTH_CHECK)
        c.send(s, b"\x00\x00\x00\x00\x64" + b"\x0a" * 10, end_stream=True)
        assert c.wait_done(s, T), s.summary()
    assert s.http_status == 200, s.summary()
    assert s.grpc_status not in (None, 0), s.summary()


def test_truncated_prefix_gets_a_grpc_status(summitd, after_each):
    """Only 3 of the 5 prefix bytes, then END_STREAM: a non-OK grpc-status, not OK."""
    with H2Client(summitd.port) as c:
        s = c.open(HEALTH_CHECK)
        c.send(s, b"\x00\x00\x00", end_stream=True)
        assert c.wait_done(s, T), s.summary()
    assert s.grpc_status not in (None, 0), s.summary()


def test_compressed_flag_without_encoding(summitd, after_each):
    """Compressed flag set while the request has no grpc-encoding: a non-OK grpc-status
    (INTERNAL per the gRPC spec)."""
    with H2Client(summitd.port) as c:
        s = c.open(HEALTH_CHECK)
        c.send(s, b"\x01\x00\x00\x00\x02\x0a\x00", end_stream=True)
        assert c.wait_done(s, T), s.summary()
    assert s.grpc_status not in (None, 0), s.summary()


def test_garbage_preface_closes_connection(summitd, after_each):
    """64 random bytes instead of the client preface: the server closes that connection
    (possibly after a GOAWAY) within a few seconds."""
    sock = socket.create_connection(("127.0.0.1", summitd.port), timeout=5)
    try:
        sock.sendall(b"GARBAGE!" + os.urandom(56))
        deadline = time.monotonic() + 5
        closed = False
        while time.monotonic() < deadline:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                if not sock.recv(65536):
                    closed = True
                    break
            except (ConnectionResetError, BrokenPipeError):
                closed = True
                break
            except socket.timeout:
                break
        assert closed, "connection with a garbage preface still open after 5 s"
    finally:
        sock.close()


def _open_and_reset(c: H2Client, count: int) -> None:
    """Opens `count` Health/Check streams on `c` and resets each at once (CANCEL)."""
    headers = c.grpc_headers(HEALTH_CHECK)
    try:
        for i in range(count):
            sid = c.conn.get_next_available_stream_id()
            c.conn.send_headers(sid, headers)
            c.conn.reset_stream(sid, error_code=h2.errors.ErrorCodes.CANCEL)
            if i % 50 == 49:
                c.flush()
                c.pump(0)
                if c.terminated:
                    return
        c.flush()
    except h2.exceptions.ProtocolError:
        pass                                      # h2 refuses to send after the GOAWAY
    c.drain(1.0)


def test_rapid_reset(summitd, after_each):
    """1000 streams opened and immediately reset on one connection (CVE-2023-44487 pattern):
    the server may GOAWAY/close that connection, otherwise that connection must still
    serve a call; either way the server stays up."""
    with H2Client(summitd.port) as c:
        c.wait_settings()
        _open_and_reset(c, 1000)
        if not c.terminated:
            s = c.unary(HEALTH_CHECK, b"", timeout=T)
            assert s.grpc_status == 0, s.summary()


def test_cancelling_clients_keep_their_connection(pb, launch):
    """A client that cancels many calls (a proxy for many clients, watchers that stop once
    they have what they need) is not a rapid-reset attacker: 2,000 cancelled streams in a
    burst stay within the default limit (1,000 per second, bursts of 10,000), and the same
    connection then serves a call. (nghttp2's own default, 33 per second after a burst of
    1,000, closed such connections and failed their calls in flight.)"""
    srv = launch("summitd")
    with H2Client(srv.port) as c:
        c.wait_settings()
        _open_and_reset(c, 2000)
        assert not c.terminated, "the connection was closed"
        s = c.unary(HEALTH_CHECK, b"", timeout=T)
        assert s.grpc_status == 0, s.summary()


def test_the_reset_limit_is_a_flag(pb, launch):
    """--max-stream-resets-per-second 5 (bursts of 50): 1,000 resets end that connection with
    GOAWAY, and the server serves a new one."""
    srv = launch("summitd", "--max-stream-resets-per-second", "5")
    with H2Client(srv.port) as c:
        c.wait_settings()
        _open_and_reset(c, 1000)
        assert c.terminated, "1,000 resets against a limit of 5 per second did not end the connection"
    health_serving(pb, srv.port)


def test_unknown_method_is_trailers_only_unimplemented(summitd, after_each):
    """Unknown service and unknown method: a Trailers-Only response -- one HEADERS frame with
    END_STREAM, :status 200, grpc-status 12 (UNIMPLEMENTED) -- and no DATA."""
    with H2Client(summitd.port) as c:
        for path in ("/no.such.Service/Method", "/grpc.health.v1.Health/NoSuchMethod"):
            s = c.unary(path, b"", timeout=T)
            assert s.trailers_only, f"{path}: not trailers-only: {s.summary()}"
            assert s.http_status == 200, s.summary()
            assert s.grpc_status == 12, s.summary()
            assert (s.header("content-type") or "").startswith("application/grpc"), s.summary()
            assert not s.data, s.summary()


def test_malformed_path_is_an_error(summitd, after_each):
    """A :path that is not /service/method gets a non-OK answer and the server stays up."""
    with H2Client(summitd.port) as c:
        s = c.unary("/", b"", timeout=T)
    assert s.reset_code is not None or s.http_status != 200 or s.grpc_status not in (None, 0), \
        s.summary()
