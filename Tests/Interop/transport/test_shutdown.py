"""Graceful shutdown: SIGTERM/SIGINT send GOAWAY, let in-flight calls finish
within --drain-timeout, exit 0, and stop listening. Also: stdout holds exactly
the one listening line.
"""

from __future__ import annotations

import signal
import time

import grpc
import pytest

from raw_h2 import H2Client
from summit_checks import channel, elapsed_since
from summit_servers import connect_refused


def slow_stream(pb, count: int, interval_ms: int):
    return pb.messages.StreamingOutputCallRequest(response_parameters=[
        pb.messages.ResponseParameters(size=100, interval_us=interval_ms * 1000)
        for _ in range(count)])


def test_sigterm_drains_in_flight_calls(pb, launch):
    """Four streaming calls (6 x 250 ms) are in flight when SIGTERM arrives: an idle raw
    connection gets GOAWAY, all four calls complete OK with every response, the process
    exits 0 well within the 10 s drain timeout, and the port then refuses connections."""
    srv = launch("summit-interop-server", "--drain-timeout", "10s")
    ch = channel(srv.address)
    idle = H2Client(srv.port)
    try:
        idle.wait_settings()
        stub = pb.test_grpc.TestServiceStub(ch)
        calls = [stub.StreamingOutputCall(slow_stream(pb, 6, 250), timeout=15) for _ in range(4)]
        for call in calls:                      # every call is in flight
            assert len(next(call).payload.body) == 100
        t0 = time.monotonic()
        srv.send_signal(signal.SIGTERM)

        assert idle.wait(lambda: idle.terminated, 5.0), "no GOAWAY/close within 5 s of SIGTERM"
        assert idle.goaway is not None, "connection closed without a GOAWAY"
        idle.close()

        for call in calls:
            rest = [len(r.payload.body) for r in call]
            assert rest == [100] * 5
            assert call.code() == grpc.StatusCode.OK, call.details()
        code = srv.wait_exit(12.0)
        assert code is not None, f"still running {elapsed_since(t0):.1f}s after SIGTERM"
        assert code == 0
        assert elapsed_since(t0) < 10.0
    finally:
        idle.close()
        ch.close()
    assert connect_refused(srv.port), "port still accepts connections after exit"


def test_drain_timeout_cuts_long_calls(pb, launch):
    """With --drain-timeout 500ms a call that would run 10 s more is ended after SIGTERM with a
    non-OK status, and the process still exits 0 within about the drain timeout."""
    srv = launch("summit-interop-server", "--drain-timeout", "500ms")
    ch = channel(srv.address)
    try:
        stub = pb.test_grpc.TestServiceStub(ch)
        call = stub.StreamingOutputCall(slow_stream(pb, 40, 250), timeout=15)
        assert len(next(call).payload.body) == 100
        t0 = time.monotonic()
        srv.send_signal(signal.SIGTERM)
        code = srv.wait_exit(5.0)
        assert code is not None, "still running 5 s after SIGTERM with a 500 ms drain timeout"
        assert code == 0
        assert elapsed_since(t0) < 4.0
        with pytest.raises(grpc.RpcError):
            for _ in call:
                pass
        assert call.code() != grpc.StatusCode.OK
    finally:
        ch.close()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_idle_summitd_exits_cleanly(pb, launch, sig):
    """An idle summitd exits 0 promptly on the signal, printed nothing on stdout after the
    listening line, and stops listening."""
    srv = launch("summitd")
    assert srv.first_line == f"listening on 127.0.0.1:{srv.port}"
    srv.send_signal(sig)
    code = srv.wait_exit(5.0)
    assert code == 0, f"exit code {code}"
    assert srv.rest_of_stdout() == "", "summitd wrote to stdout after the listening line"
    assert connect_refused(srv.port)
