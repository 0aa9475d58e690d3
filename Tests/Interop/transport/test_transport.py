"""gRPC transport behaviour of summitd and summit-interop-server, seen from
grpcio and from a raw HTTP/2 connection: call types, deadlines, cancellation,
metadata, status and details, compression, message-size limits, concurrency.
"""

from __future__ import annotations

import threading
import time
from concurrent import futures

import grpc
import pytest

from raw_h2 import H2Client
from summit_checks import (T, Requests, assert_code, channel, elapsed_since, health_serving,
                           interop_serving, rpc_error, simple_request_of_size, zeros)

TEST_SERVICE = "/grpc.testing.TestService/"
HEALTH_CHECK = "/grpc.health.v1.Health/Check"
MAX_MESSAGE = 4 * 1024 * 1024


def out_request(pb, sizes, interval_us=0, **kw):
    return pb.messages.StreamingOutputCallRequest(response_parameters=[
        pb.messages.ResponseParameters(size=s, interval_us=interval_us) for s in sizes], **kw)


# -- each call type -----------------------------------------------------------
def test_unary_calls(pb, test_stub, health_stub):
    """Unary on both servers: EmptyCall, UnaryCall (sizes honoured), Health.Check."""
    assert test_stub.EmptyCall(pb.empty.Empty(), timeout=T) == pb.empty.Empty()
    resp = test_stub.UnaryCall(pb.messages.SimpleRequest(
        response_size=1000, payload=pb.messages.Payload(body=zeros(10))), timeout=T)
    assert resp.payload.body == zeros(1000)
    resp = health_stub.Check(pb.health.HealthCheckRequest(), timeout=T)
    assert resp.status == pb.health.HealthCheckResponse.SERVING


def test_server_streaming_call(pb, test_stub):
    """Server streaming: 100 responses of growing size, in order."""
    sizes = list(range(0, 1000, 10))
    resps = list(test_stub.StreamingOutputCall(out_request(pb, sizes), timeout=T))
    assert [len(r.payload.body) for r in resps] == sizes


def test_client_streaming_call(pb, test_stub):
    """Client streaming: 100 requests, 1 response; also zero requests."""
    reqs = [pb.messages.StreamingInputCallRequest(payload=pb.messages.Payload(body=zeros(i)))
            for i in range(100)]
    assert test_stub.StreamingInputCall(iter(reqs), timeout=T).aggregated_payload_size == 4950
    assert test_stub.StreamingInputCall(iter([]), timeout=T).aggregated_payload_size == 0


def test_bidi_streaming_call(pb, test_stub):
    """Full duplex, interleaved: 50 requests each answered before the next is sent."""
    reqs = Requests()
    call = test_stub.FullDuplexCall(reqs, timeout=T)
    try:
        for i in range(50):
            reqs.put(out_request(pb, [i + 1]))
            assert len(next(call).payload.body) == i + 1
        reqs.close()
        assert list(call) == []
    finally:
        reqs.close()
    assert call.code() == grpc.StatusCode.OK


def test_half_duplex_call(pb, test_stub):
    """Half duplex: the answers to all requests come after the client half-closes."""
    reqs = [out_request(pb, [10, 20]), out_request(pb, [30])]
    resps = list(test_stub.HalfDuplexCall(iter(reqs), timeout=T))
    assert [len(r.payload.body) for r in resps] == [10, 20, 30]


def test_summit_v1_answers_with_a_grpc_status(pb, summitd):
    """A summit.v1 call gets a gRPC status (today maybe UNIMPLEMENTED), not a transport error:
    HTTP 200 with grpc-status, on the wire and through grpcio."""
    with H2Client(summitd.port) as c:
        s = c.unary("/summit.v1.LeaderService/GetLeader",
                    pb.leader.GetLeaderRequest().SerializeToString(), timeout=T)
        assert s.http_status == 200 and s.grpc_status is not None, s.summary()
    ch = channel(summitd.address)
    try:
        call = ch.unary_unary("/summit.v1.LeaderService/GetLeader",
                              request_serializer=lambda m: m.SerializeToString(),
                              response_deserializer=lambda b: b)
        try:
            call(pb.leader.GetLeaderRequest(), timeout=T)
        except grpc.RpcError as err:
            assert err.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.INTERNAL,
                                      grpc.StatusCode.UNKNOWN,
                                      grpc.StatusCode.DEADLINE_EXCEEDED), err
    finally:
        ch.close()


def test_grpc_plus_proto_content_type_is_accepted(pb, summitd):
    """content-type application/grpc+proto is a gRPC request like application/grpc."""
    with H2Client(summitd.port) as c:
        s = c.unary(HEALTH_CHECK, pb.health.HealthCheckRequest().SerializeToString(),
                    content_type="application/grpc+proto", timeout=T)
    assert s.http_status == 200 and s.grpc_status == 0, s.summary()


# -- deadlines ----------------------------------------------------------------
def test_unary_deadline_is_enforced_by_the_server(pb, interop_server):
    """A unary call whose request never completes, with grpc-timeout 300m, is ended by the
    SERVER near the deadline: DEADLINE_EXCEEDED (grpc-status 4) or RST_STREAM."""
    with H2Client(interop_server.port) as c:
        s = c.open(TEST_SERVICE + "UnaryCall", extra=[("grpc-timeout", "300m")])
        t0 = time.monotonic()
        assert c.wait_done(s, 5.0), f"server ignored grpc-timeout: {s.summary()}"
        took = elapsed_since(t0)
    assert 0.2 <= took <= 3.0, f"call ended after {took:.2f}s for a 300 ms deadline"
    assert s.reset_code is not None or s.grpc_status == 4, s.summary()
    interop_serving(pb, interop_server.port)


def test_client_streaming_deadline(pb, test_stub):
    """A client stream that never half-closes fails with DEADLINE_EXCEEDED near its 500 ms deadline."""
    reqs = Requests(pb.messages.StreamingInputCallRequest())
    t0 = time.monotonic()
    try:
        err = rpc_error(test_stub.StreamingInputCall, reqs, timeout=0.5)
    finally:
        reqs.close()
    assert_code(err, grpc.StatusCode.DEADLINE_EXCEEDED)
    assert 0.4 <= elapsed_since(t0) <= 3.0


def test_server_streaming_deadline(pb, test_stub):
    """A slow server stream (10 x 200 ms) with a 500 ms deadline: some responses, then
    DEADLINE_EXCEEDED near the deadline, and the server keeps serving."""
    call = test_stub.StreamingOutputCall(out_request(pb, [10] * 10, interval_us=200_000),
                                         timeout=0.5)
    got = 0
    t0 = time.monotonic()
    with pytest.raises(grpc.RpcError):
        for _ in call:
            got += 1
    assert call.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert 0.4 <= elapsed_since(t0) <= 3.0
    assert got < 10
    assert test_stub.EmptyCall(pb.empty.Empty(), timeout=T) == pb.empty.Empty()


def test_server_streaming_deadline_is_enforced_by_the_server(pb, interop_server):
    """Raw h2: grpc-timeout 500m on a 10 x 200 ms stream; the server ends the stream itself
    (grpc-status 4 or RST_STREAM) well before the stream would have finished."""
    req = out_request(pb, [10] * 10, interval_us=200_000)
    with H2Client(interop_server.port) as c:
        s = c.open(TEST_SERVICE + "StreamingOutputCall", extra=[("grpc-timeout", "500m")])
        t0 = time.monotonic()
        c.send_message(s, req.SerializeToString(), end_stream=True)
        assert c.wait_done(s, 5.0), s.summary()
        took = elapsed_since(t0)
    assert s.reset_code is not None or s.grpc_status == 4, s.summary()
    assert took < 1.8, f"stream ran {took:.2f}s past a 500 ms deadline"


def test_bidi_deadline(pb, test_stub):
    """An open full-duplex call with a 300 ms deadline fails with DEADLINE_EXCEEDED in time."""
    reqs = Requests(out_request(pb, [1]))
    call = test_stub.FullDuplexCall(reqs, timeout=0.3)
    t0 = time.monotonic()
    try:
        assert len(next(call).payload.body) == 1
        with pytest.raises(grpc.RpcError):
            next(call)
    finally:
        reqs.close()
    assert call.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert elapsed_since(t0) <= 3.0


# -- cancellation -------------------------------------------------------------
def test_cancelled_calls_free_the_server(pb, launch):
    """With --max-concurrent-streams 4: three times, fill all four streams with long
    FullDuplexCalls and cancel them after their first response. Afterwards four calls still
    run concurrently and EmptyCall works, so the server released every cancelled stream.
    (A 0.5 s pause after each round allows asynchronous clean-up.)"""
    srv = launch("summit-interop-server", "--max-concurrent-streams", "4")
    ch = channel(srv.address)
    stub = pb.test_grpc.TestServiceStub(ch)
    try:
        for _ in range(3):
            reqs = [Requests(out_request(pb, [100] * 50, interval_us=100_000)) for _ in range(4)]
            calls = [stub.FullDuplexCall(r, timeout=T) for r in reqs]
            try:
                for call in calls:
                    assert len(next(call).payload.body) == 100
                for call in calls:
                    call.cancel()
                    assert call.code() == grpc.StatusCode.CANCELLED
            finally:
                for r in reqs:
                    r.close()
            time.sleep(0.5)
        t0 = time.monotonic()
        calls = [stub.StreamingOutputCall(out_request(pb, [1] * 3, interval_us=200_000),
                                          timeout=T) for _ in range(4)]
        for call in calls:
            assert len(list(call)) == 3
        assert elapsed_since(t0) < 3.0, "the four calls did not run concurrently"
        assert stub.EmptyCall(pb.empty.Empty(), timeout=T) == pb.empty.Empty()
    finally:
        ch.close()


def test_server_stops_sending_after_rst_stream(pb, interop_server):
    """Raw h2: after RST_STREAM(CANCEL) on a stream sending 1000 B every 100 ms, no more
    DATA reaches the socket (under 200 bytes in the following second), and the same
    connection then serves another call."""
    with H2Client(interop_server.port) as c:
        s = c.open(TEST_SERVICE + "FullDuplexCall")
        c.send_message(s, out_request(pb, [1000] * 40, interval_us=100_000).SerializeToString())
        assert c.wait(lambda: len(s.data) >= 1005, T), s.summary()
        c.reset(s)
        c.drain(0.3)
        before = c.bytes_received
        c.drain(1.0)
        assert c.bytes_received - before < 200, \
            f"{c.bytes_received - before} bytes arrived in the second after the reset"
        assert not c.terminated
        e = c.unary(TEST_SERVICE + "EmptyCall", b"", timeout=T)
        assert e.grpc_status == 0, e.summary()


# -- metadata -----------------------------------------------------------------
ALL_BYTES = bytes(range(256))


def test_metadata_both_ways(pb, test_stub):
    """Client metadata reaches the server and the echo headers come back: ASCII in initial
    metadata, every byte value 0..255 in a -bin trailer, on unary and bidi calls."""
    md = [("x-grpc-test-echo-initial", "v" * 1000),
          ("x-grpc-test-echo-trailing-bin", ALL_BYTES),
          ("x-unrelated", "ignored"), ("x-unrelated-bin", b"\0\xff")]
    _, call = test_stub.UnaryCall.with_call(pb.messages.SimpleRequest(), metadata=md, timeout=T)
    assert ("x-grpc-test-echo-initial", "v" * 1000) in list(call.initial_metadata())
    assert ("x-grpc-test-echo-trailing-bin", ALL_BYTES) in list(call.trailing_metadata())

    call = test_stub.FullDuplexCall(iter([out_request(pb, [1])]), metadata=md, timeout=T)
    assert len(list(call)) == 1
    assert ("x-grpc-test-echo-initial", "v" * 1000) in list(call.initial_metadata())
    assert ("x-grpc-test-echo-trailing-bin", ALL_BYTES) in list(call.trailing_metadata())


def test_bin_metadata_on_the_wire(pb, interop_server):
    """Raw h2: a -bin trailer is base64 on the wire (padded or not) and decodes to the bytes sent."""
    import base64
    sent = base64.b64encode(ALL_BYTES).decode().rstrip("=")
    with H2Client(interop_server.port) as c:
        s = c.unary(TEST_SERVICE + "EmptyCall", b"",
                    extra=[("x-grpc-test-echo-trailing-bin", sent)], timeout=T)
    assert s.grpc_status == 0, s.summary()
    got = s.trailer("x-grpc-test-echo-trailing-bin")
    assert got is not None, s.summary()
    assert base64.b64decode(got + "=" * (-len(got) % 4)) == ALL_BYTES


def test_summitd_accepts_custom_metadata(pb, health_stub):
    """summitd ignores unknown ASCII and -bin metadata (4 KiB) instead of failing the call."""
    md = [("x-custom", "a" * 4096), ("x-custom-bin", ALL_BYTES * 16)]
    resp = health_stub.Check(pb.health.HealthCheckRequest(), metadata=md, timeout=T)
    assert resp.status == pb.health.HealthCheckResponse.SERVING


# -- status and details ---------------------------------------------------------
@pytest.mark.parametrize("code", [c for c in grpc.StatusCode if c != grpc.StatusCode.OK],
                         ids=lambda c: c.name)
def test_every_status_code_round_trips(pb, test_stub, code):
    """response_status with each non-OK code comes back with that code and message."""
    msg = f"status {code.name} 100% \u00e9"
    status = pb.messages.EchoStatus(code=code.value[0], message=msg)
    err = rpc_error(test_stub.UnaryCall, pb.messages.SimpleRequest(response_status=status),
                    timeout=T)
    assert_code(err, code, msg)


def test_not_found_with_status_details(pb, health_stub):
    """Health.Check of an unknown service is NOT_FOUND; if the server attaches
    grpc-status-details-bin it decodes as google.rpc.Status with the same code."""
    err = rpc_error(health_stub.Check, pb.health.HealthCheckRequest(service="no.such.Service"),
                    timeout=T)
    assert_code(err, grpc.StatusCode.NOT_FOUND)
    details = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
    if details is not None:
        st = pb.status.Status.FromString(details)
        assert st.code == grpc.StatusCode.NOT_FOUND.value[0], st
        assert st.message == err.details(), (st.message, err.details())


# -- compression --------------------------------------------------------------
def test_gzip_both_ways_grpcio(pb, test_stub, health_stub):
    """gzip request and gzip response through grpcio on both servers."""
    req = pb.messages.SimpleRequest(
        response_size=100_000, payload=pb.messages.Payload(body=zeros(100_000)),
        response_compressed=pb.messages.BoolValue(value=True),
        expect_compressed=pb.messages.BoolValue(value=True))
    resp = test_stub.UnaryCall(req, compression=grpc.Compression.Gzip, timeout=T)
    assert resp.payload.body == zeros(100_000)
    resp = health_stub.Check(pb.health.HealthCheckRequest(service=""),
                             compression=grpc.Compression.Gzip, timeout=T)
    assert resp.status == pb.health.HealthCheckResponse.SERVING


def test_gzip_request_to_summitd_on_the_wire(pb, summitd):
    """Raw h2: summitd decompresses a gzip Health.Check request (flag 1, grpc-encoding gzip)."""
    with H2Client(summitd.port) as c:
        s = c.unary(HEALTH_CHECK, pb.health.HealthCheckRequest(service="").SerializeToString(),
                    compressed=True, extra=[("grpc-encoding", "gzip"),
                                            ("grpc-accept-encoding", "gzip,identity")],
                    timeout=T)
    assert s.grpc_status == 0, s.summary()
    (payload,) = s.payloads()
    assert pb.health.HealthCheckResponse.FromString(payload).status == \
        pb.health.HealthCheckResponse.SERVING


def test_unsupported_request_encoding_is_an_error(pb, summitd):
    """A message compressed with an encoding the server lacks ("snappy") ends the call with a
    gRPC error, not a crash; the server stays up. The gRPC spec asks for UNIMPLEMENTED (12);
    grpc-core answers INTERNAL (13), so both are accepted."""
    with H2Client(summitd.port) as c:
        s = c.open(HEALTH_CHECK, extra=[("grpc-encoding", "snappy")])
        c.send(s, b"\x01\x00\x00\x00\x03abc", end_stream=True)
        assert c.wait_done(s, T), s.summary()
    assert s.grpc_status in (12, 13), s.summary()
    health_serving(pb, summitd.port)


# -- message size -------------------------------------------------------------
def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def test_message_over_4mib_is_resource_exhausted(pb, test_stub):
    """A 4 MiB + 1 byte request is RESOURCE_EXHAUSTED (default limit 4194304);
    the server keeps answering afterwards, on the same channel."""
    req = simple_request_of_size(pb, MAX_MESSAGE + 1)
    assert_code(rpc_error(test_stub.UnaryCall, req, timeout=T),
                grpc.StatusCode.RESOURCE_EXHAUSTED)
    assert test_stub.EmptyCall(pb.empty.Empty(), timeout=T) == pb.empty.Empty()


def test_message_of_exactly_4mib_is_accepted(pb, test_stub):
    """The limit is inclusive: a request of exactly 4194304 bytes is served."""
    req = simple_request_of_size(pb, MAX_MESSAGE, response_size=1)
    assert test_stub.UnaryCall(req, timeout=T).payload.body == zeros(1)


def test_summitd_rejects_message_over_4mib(pb, summitd, summitd_channel):
    """summitd: Health.Check carrying 4 MiB + 1 bytes (an unknown field) is
    RESOURCE_EXHAUSTED, and summitd then answers a normal Check."""
    pad = MAX_MESSAGE + 1 - 5    # field 15, length-delimited: 1 tag byte + 4-byte varint length
    big = b"\x7a" + _varint(pad) + zeros(pad)
    assert len(big) == MAX_MESSAGE + 1
    call = summitd_channel.unary_unary(HEALTH_CHECK, request_serializer=lambda b: b,
                                       response_deserializer=lambda b: b)
    assert_code(rpc_error(call, big, timeout=T), grpc.StatusCode.RESOURCE_EXHAUSTED)
    health_serving(pb, summitd.port)


# -- concurrency --------------------------------------------------------------
def test_200_concurrent_calls_on_one_channel(pb, test_stub):
    """200 concurrent server-streaming calls (2 x 100 ms each) on one connection all succeed,
    and faster than sequentially (under 10 s vs 40 s)."""
    t0 = time.monotonic()
    calls = [test_stub.StreamingOutputCall(out_request(pb, [10, 10], interval_us=100_000),
                                           timeout=20) for _ in range(200)]
    results = []
    for call in calls:
        results.append([len(r.payload.body) for r in call])
        assert call.code() == grpc.StatusCode.OK
    assert results == [[10, 10]] * 200
    assert elapsed_since(t0) < 10.0


def test_32_channels_at_once(pb, interop_server, summitd):
    """32 separate connections used in parallel, 10 calls each, on both servers."""
    barrier = threading.Barrier(32, timeout=T)

    def one(i: int) -> int:
        srv = interop_server if i % 2 else summitd
        ch = channel(srv.address)
        try:
            barrier.wait()
            for _ in range(10):
                if srv is interop_server:
                    r = pb.test_grpc.TestServiceStub(ch).UnaryCall(
                        pb.messages.SimpleRequest(response_size=i), timeout=T)
                    assert len(r.payload.body) == i
                else:
                    r = pb.health_grpc.HealthStub(ch).Check(pb.health.HealthCheckRequest(),
                                                            timeout=T)
                    assert r.status == pb.health.HealthCheckResponse.SERVING
            return i
        finally:
            ch.close()

    with futures.ThreadPoolExecutor(32) as pool:
        done = list(pool.map(one, range(32), timeout=30))
    assert done == list(range(32))
