"""Prometheus metrics on their own port (--metrics-listen) and request ids
in the logs: what an operator scrapes and greps."""

from __future__ import annotations

import re
import urllib.request

import grpc
import pytest

from conftest import wait_for

T = 5


def metrics_address(server) -> str:
    assert wait_for(lambda: re.search(r"address=(\S+) path=/metrics", server.stderr()) is not None)
    return re.search(r"address=(\S+) path=/metrics", server.stderr()).group(1)


def scrape(address: str, path: str = "/metrics") -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://{address}{path}", timeout=T) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def sample(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_count_calls_by_method_and_code(start, pb):
    server = start("--metrics-listen", "127.0.0.1:0")
    address = metrics_address(server)
    with grpc.insecure_channel(server.address) as ch:
        stub = pb.leader_grpc.LeaderServiceStub(ch)
        for _ in range(3):
            stub.GetLeader(pb.leader.GetLeaderRequest(name="leaders/vladimir-putin"), timeout=T)
        with pytest.raises(grpc.RpcError):
            stub.GetLeader(pb.leader.GetLeaderRequest(name="leaders/nobody"), timeout=T)
        status, text = scrape(address)
        assert status == 200
        get = "/summit.v1.LeaderService/GetLeader"
        assert sample(text, "grpc_server_calls_total", method=get, code="OK") == 3
        assert sample(text, "grpc_server_calls_total", method=get, code="NOT_FOUND") == 1
        assert sample(text, "grpc_server_call_duration_seconds_count", method=get) == 4
        assert sample(text, "grpc_server_connections_open") == 1
        assert sample(text, "grpc_server_calls_in_flight") == 0
        assert sample(text, "grpc_server_received_bytes_total") > 0
        assert sample(text, "grpc_server_sent_bytes_total") > 0
        assert sample(text, "summit_store_operation_duration_seconds_count", operation="read") >= 4
        assert "# TYPE grpc_server_call_duration_seconds histogram" in text


def test_answer_cache_lookups_are_counted(start, pb):
    """Repeated reads between writes are answered from the cache; a write makes the
    next read a miss again. Errors are never kept: each is a miss."""
    server = start("--metrics-listen", "127.0.0.1:0")
    address = metrics_address(server)
    with grpc.insecure_channel(server.address) as ch:
        stub = pb.leader_grpc.LeaderServiceStub(ch)
        putin = pb.leader.GetLeaderRequest(name="leaders/vladimir-putin")
        for _ in range(3):
            stub.GetLeader(putin, timeout=T)
        for _ in range(2):
            with pytest.raises(grpc.RpcError):
                stub.GetLeader(pb.leader.GetLeaderRequest(name="leaders/nobody"), timeout=T)
        _, text = scrape(address)
        assert sample(text, "summit_response_cache_lookups_total", result="hit") == 2
        assert sample(text, "summit_response_cache_lookups_total", result="miss") == 3
        leader = stub.GetLeader(putin, timeout=T)
        leader.title = leader.title + " (updated)"
        stub.UpdateLeader(pb.leader.UpdateLeaderRequest(leader=leader), timeout=T)
        assert stub.GetLeader(putin, timeout=T).title == leader.title
        _, text = scrape(address)
        assert sample(text, "summit_response_cache_lookups_total", result="hit") == 3
        assert sample(text, "summit_response_cache_lookups_total", result="miss") == 4


def test_unknown_methods_share_one_label(start, pb):
    server = start("--metrics-listen", "127.0.0.1:0")
    address = metrics_address(server)
    with grpc.insecure_channel(server.address) as ch:
        for i in range(5):
            call = ch.unary_unary(f"/no.Such/Method{i}", request_serializer=bytes, response_deserializer=bytes)
            with pytest.raises(grpc.RpcError):
                call(b"", timeout=T)
    _, text = scrape(address)
    assert sample(text, "grpc_server_calls_total", method="unknown", code="UNIMPLEMENTED") == 5
    assert "no.Such" not in text


def test_other_paths_are_not_found(start):
    server = start("--metrics-listen", "127.0.0.1:0")
    assert scrape(metrics_address(server), "/")[0] == 404


def test_request_id_is_in_the_call_log(start, pb):
    server = start("--log-level", "debug")
    with grpc.insecure_channel(server.address) as ch:
        pb.leader_grpc.LeaderServiceStub(ch).GetLeader(
            pb.leader.GetLeaderRequest(name="leaders/vladimir-putin"), metadata=[("x-request-id", "trace-7f1c")],
            timeout=T)
    assert wait_for(lambda: "request_id=trace-7f1c" in server.stderr())
    line = next(l for l in server.stderr().splitlines() if "trace-7f1c" in l)
    assert "GetLeader" in line and "status=OK" in line
