"""gRPC's standard interop test cases (doc/interop-test-descriptions.md in
grpc/grpc), driven by grpcio against summit-interop-server.

grpcio cannot see the per-message compressed flag, so the *_compressed_* cases
have a `_wire` twin that makes the same calls over a raw HTTP/2 connection and
checks the flag bytes themselves.
"""

from __future__ import annotations

import grpc
import pytest

from raw_h2 import H2Client
from summit_checks import T, Requests, assert_code, rpc_error, zeros

SPECIAL_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"
ECHO_INITIAL = ("x-grpc-test-echo-initial", "test_initial_metadata_value")
ECHO_TRAILING = ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab")
TEST_SERVICE = "/grpc.testing.TestService/"


def bool_value(pb, v: bool):
    return pb.messages.BoolValue(value=v)


def simple_request(pb, **kw):
    kw.setdefault("response_size", 314159)
    kw.setdefault("payload", pb.messages.Payload(body=zeros(271828)))
    return pb.messages.SimpleRequest(**kw)


def streaming_request(pb, sizes, payload=0, **kw):
    return pb.messages.StreamingOutputCallRequest(
        response_parameters=[pb.messages.ResponseParameters(size=s) for s in sizes],
        payload=pb.messages.Payload(body=zeros(payload)) if payload else None, **kw)


def test_empty_unary(pb, test_stub):
    """Zero-length request and response messages round-trip."""
    resp = test_stub.EmptyCall(pb.empty.Empty(), timeout=T)
    assert resp == pb.empty.Empty()
    assert resp.ByteSize() == 0


def test_large_unary(pb, test_stub):
    """271828-byte request, 314159-byte response (past the 64 KiB flow-control window)."""
    resp = test_stub.UnaryCall(simple_request(pb), timeout=T)
    assert resp.payload.body == zeros(314159)


def test_client_streaming(pb, test_stub):
    """Four client messages; the server reports the summed payload size."""
    sizes = [27182, 8, 1828, 45904]
    reqs = [pb.messages.StreamingInputCallRequest(payload=pb.messages.Payload(body=zeros(n)))
            for n in sizes]
    resp = test_stub.StreamingInputCall(iter(reqs), timeout=T)
    assert resp.aggregated_payload_size == 74922


def test_server_streaming(pb, test_stub):
    """One request, four responses of the requested sizes, in order."""
    sizes = [31415, 9, 2653, 58979]
    resps = list(test_stub.StreamingOutputCall(streaming_request(pb, sizes), timeout=T))
    assert [len(r.payload.body) for r in resps] == sizes
    assert all(r.payload.body == zeros(len(r.payload.body)) for r in resps)


def test_ping_pong(pb, test_stub):
    """Full duplex: each request is answered before the next one is sent."""
    reqs = Requests()
    call = test_stub.FullDuplexCall(reqs, timeout=T)
    try:
        for size, payload in [(31415, 27182), (9, 8), (2653, 1828), (58979, 45904)]:
            reqs.put(streaming_request(pb, [size], payload))
            resp = next(call)
            assert len(resp.payload.body) == size
        reqs.close()
        assert list(call) == []
        assert call.code() == grpc.StatusCode.OK
    finally:
        reqs.close()


def test_empty_stream(pb, test_stub):
    """A full-duplex call with no messages in either direction ends OK."""
    call = test_stub.FullDuplexCall(iter([]), timeout=T)
    assert list(call) == []
    assert call.code() == grpc.StatusCode.OK


def test_timeout_on_sleeping_server(pb, test_stub):
    """A 1 ms deadline on a full-duplex call that never half-closes ends in DEADLINE_EXCEEDED."""
    reqs = Requests(pb.messages.StreamingOutputCallRequest(
        payload=pb.messages.Payload(body=zeros(27182))))
    try:
        err = rpc_error(test_stub.FullDuplexCall, reqs, timeout=0.001)
        assert_code(err, grpc.StatusCode.DEADLINE_EXCEEDED)
    finally:
        reqs.close()


def test_cancel_after_begin(pb, test_stub):
    """A client-streaming call cancelled before any message reports CANCELLED."""
    reqs = Requests()
    fut = test_stub.StreamingInputCall.future(reqs, timeout=T)
    try:
        assert fut.cancel()
        assert fut.cancelled()
        assert fut.code() == grpc.StatusCode.CANCELLED
    finally:
        reqs.close()


def test_cancel_after_first_response(pb, test_stub):
    """A full-duplex call cancelled after its first response reports CANCELLED."""
    reqs = Requests(streaming_request(pb, [31415], 27182))
    call = test_stub.FullDuplexCall(reqs, timeout=T)
    try:
        assert len(next(call).payload.body) == 31415
        call.cancel()
        with pytest.raises(grpc.RpcError):
            next(call)
        assert call.code() == grpc.StatusCode.CANCELLED
    finally:
        reqs.close()


def test_status_code_and_message(pb, test_stub):
    """response_status makes the server end the call with that code and message (unary and bidi)."""
    status = pb.messages.EchoStatus(code=2, message="test status message")
    err = rpc_error(test_stub.UnaryCall,
                    pb.messages.SimpleRequest(response_status=status), timeout=T)
    assert_code(err, grpc.StatusCode.UNKNOWN, "test status message")
    err = rpc_error(test_stub.FullDuplexCall,
                    iter([pb.messages.StreamingOutputCallRequest(response_status=status)]),
                    timeout=T)
    assert_code(err, grpc.StatusCode.UNKNOWN, "test status message")


def test_special_status_message(pb, test_stub):
    """Whitespace, CR/LF and BMP/non-BMP Unicode survive grpc-message percent-encoding."""
    status = pb.messages.EchoStatus(code=2, message=SPECIAL_MESSAGE)
    err = rpc_error(test_stub.UnaryCall,
                    pb.messages.SimpleRequest(response_status=status), timeout=T)
    assert_code(err, grpc.StatusCode.UNKNOWN, SPECIAL_MESSAGE)


def test_custom_metadata(pb, test_stub):
    """x-grpc-test-echo-initial comes back in initial metadata and
    x-grpc-test-echo-trailing-bin (binary) in trailing metadata, unary and bidi."""
    md = [ECHO_INITIAL, ECHO_TRAILING]
    resp, call = test_stub.UnaryCall.with_call(simple_request(pb), metadata=md, timeout=T)
    assert len(resp.payload.body) == 314159
    assert ECHO_INITIAL in list(call.initial_metadata())
    assert ECHO_TRAILING in list(call.trailing_metadata())

    call = test_stub.FullDuplexCall(iter([streaming_request(pb, [314159], 271828)]),
                                    metadata=md, timeout=T)
    assert [len(r.payload.body) for r in call] == [314159]
    assert ECHO_INITIAL in list(call.initial_metadata())
    assert ECHO_TRAILING in list(call.trailing_metadata())


def test_unimplemented_method(pb, test_stub):
    """TestService.UnimplementedCall answers UNIMPLEMENTED."""
    assert_code(rpc_error(test_stub.UnimplementedCall, pb.empty.Empty(), timeout=T),
                grpc.StatusCode.UNIMPLEMENTED)


def test_unimplemented_service(pb, interop_channel):
    """A service the server does not register (grpc.testing.UnimplementedService) answers UNIMPLEMENTED."""
    stub = pb.test_grpc.UnimplementedServiceStub(interop_channel)
    assert_code(rpc_error(stub.UnimplementedCall, pb.empty.Empty(), timeout=T),
                grpc.StatusCode.UNIMPLEMENTED)


# -- compression --------------------------------------------------------------
def test_client_compressed_unary(pb, test_stub):
    """Probe: expect_compressed=true on an uncompressed request is INVALID_ARGUMENT; then a
    gzip-compressed request with expect_compressed=true and an uncompressed one with false succeed."""
    err = rpc_error(test_stub.UnaryCall,
                    simple_request(pb, expect_compressed=bool_value(pb, True)), timeout=T)
    assert_code(err, grpc.StatusCode.INVALID_ARGUMENT)

    resp = test_stub.UnaryCall(simple_request(pb, expect_compressed=bool_value(pb, True)),
                               compression=grpc.Compression.Gzip, timeout=T)
    assert resp.payload.body == zeros(314159)
    resp = test_stub.UnaryCall(simple_request(pb, expect_compressed=bool_value(pb, False)),
                               timeout=T)
    assert resp.payload.body == zeros(314159)


def test_server_compressed_unary(pb, test_stub):
    """response_compressed true and false both succeed with the full payload (flag: see _wire)."""
    for flag in (True, False):
        resp = test_stub.UnaryCall(simple_request(pb, response_compressed=bool_value(pb, flag)),
                                   compression=grpc.Compression.Gzip, timeout=T)
        assert resp.payload.body == zeros(314159)


def test_client_compressed_streaming(pb, test_stub):
    """Probe: an uncompressed client stream whose message expects compression is
    INVALID_ARGUMENT; a gzip client stream then succeeds (73086 bytes aggregated).
    grpcio compresses every message of a call, so the exact spec sequence
    (compressed then uncompressed in one call) is in the _wire twin."""
    probe = pb.messages.StreamingInputCallRequest(
        expect_compressed=bool_value(pb, True), payload=pb.messages.Payload(body=zeros(27182)))
    err = rpc_error(test_stub.StreamingInputCall, iter([probe]), timeout=T)
    assert_code(err, grpc.StatusCode.INVALID_ARGUMENT)

    reqs = [probe, pb.messages.StreamingInputCallRequest(
        payload=pb.messages.Payload(body=zeros(45904)))]
    resp = test_stub.StreamingInputCall(iter(reqs), compression=grpc.Compression.Gzip, timeout=T)
    assert resp.aggregated_payload_size == 73086


def test_server_compressed_streaming(pb, test_stub):
    """Per-response compression flags: both responses arrive with the right sizes (flags: _wire)."""
    req = pb.messages.StreamingOutputCallRequest(response_parameters=[
        pb.messages.ResponseParameters(size=31415, compressed=bool_value(pb, True)),
        pb.messages.ResponseParameters(size=92653, compressed=bool_value(pb, False))])
    resps = list(test_stub.StreamingOutputCall(req, compression=grpc.Compression.Gzip, timeout=T))
    assert [len(r.payload.body) for r in resps] == [31415, 92653]


# -- the compressed cases on the wire -----------------------------------------
GZIP_HEADERS = [("grpc-encoding", "gzip"), ("grpc-accept-encoding", "gzip,identity")]


def test_client_compressed_streaming_wire(pb, interop_server):
    """Exact spec sequence in ONE call: a gzip message (flag 1, expect_compressed=true) then an
    identity message (flag 0, expect_compressed=false) -> OK, aggregated size 73086."""
    first = pb.messages.StreamingInputCallRequest(
        expect_compressed=bool_value(pb, True), payload=pb.messages.Payload(body=zeros(27182)))
    second = pb.messages.StreamingInputCallRequest(
        expect_compressed=bool_value(pb, False), payload=pb.messages.Payload(body=zeros(45904)))
    with H2Client(interop_server.port) as c:
        s = c.open(TEST_SERVICE + "StreamingInputCall", extra=GZIP_HEADERS)
        c.send_message(s, first.SerializeToString(), compressed=True)
        c.send_message(s, second.SerializeToString(), compressed=False, end_stream=True)
        assert c.wait_done(s, T), s.summary()
        assert s.grpc_status == 0, s.summary()
        (payload,) = s.payloads()
        assert pb.messages.StreamingInputCallResponse.FromString(
            payload).aggregated_payload_size == 73086


def test_server_compressed_unary_wire(pb, interop_server):
    """response_compressed=true sets the compressed flag (grpc-encoding gzip); false leaves it clear."""
    with H2Client(interop_server.port) as c:
        for want in (True, False):
            req = simple_request(pb, response_compressed=bool_value(pb, want))
            s = c.unary(TEST_SERVICE + "UnaryCall", req.SerializeToString(), compressed=True,
                        extra=GZIP_HEADERS, timeout=T)
            assert s.grpc_status == 0, s.summary()
            (flag, _), = s.messages()
            assert flag == (1 if want else 0), f"response_compressed={want}: flag byte {flag}"
            if want:
                assert s.header("grpc-encoding") == "gzip", s.headers
            (payload,) = s.payloads()
            assert len(pb.messages.SimpleResponse.FromString(payload).payload.body) == 314159


def test_server_compressed_streaming_wire(pb, interop_server):
    """Per-message flags follow ResponseParameters.compressed: [1, 0]."""
    req = pb.messages.StreamingOutputCallRequest(response_parameters=[
        pb.messages.ResponseParameters(size=31415, compressed=bool_value(pb, True)),
        pb.messages.ResponseParameters(size=92653, compressed=bool_value(pb, False))])
    with H2Client(interop_server.port) as c:
        s = c.unary(TEST_SERVICE + "StreamingOutputCall", req.SerializeToString(),
                    compressed=True, extra=GZIP_HEADERS, timeout=T)
        assert s.grpc_status == 0, s.summary()
        assert [f for f, _ in s.messages()] == [1, 0]
        sizes = [len(pb.messages.StreamingOutputCallResponse.FromString(p).payload.body)
                 for p in s.payloads()]
        assert sizes == [31415, 92653]
