"""Bearer-token auth: writes need a write token, reads stay open unless
asked, the right codes for each failure, health stays open for probes,
tokens never reach the logs, and a token file reloads on SIGHUP."""

from __future__ import annotations

import signal

import grpc
import pytest

from conftest import wait_for

T = 5
WRITE = "write-token-7f3a9c1e5b2d4068"
READ = "read-token-0c4e8a2f6b1d3957"


def tokens_file(tmp_path, *lines: str):
    path = tmp_path / "tokens"
    path.write_text("# test tokens\n" + "\n".join(lines) + "\n")
    return path


def create(pb, ch, token=None, name="Auth Test Leader"):
    stub = pb.leader_grpc.LeaderServiceStub(ch)
    md = [("authorization", f"Bearer {token}")] if token else []
    request = pb.leader.CreateLeaderRequest(leader=pb.leader.Leader(display_name=name, country="VN"))
    return stub.CreateLeader(request, metadata=md, timeout=T)


def get(pb, ch, token=None):
    md = [("authorization", f"Bearer {token}")] if token else []
    return pb.leader_grpc.LeaderServiceStub(ch).GetLeader(
        pb.leader.GetLeaderRequest(name="leaders/vladimir-putin"), metadata=md, timeout=T)


def code(call) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as failure:
        call()
    return failure.value.code()


def test_writes_need_a_write_token(start, pb, tmp_path):
    server = start("--tokens-file", str(tokens_file(tmp_path, f"{WRITE} write", f"{READ} read")))
    with grpc.insecure_channel(server.address) as ch:
        assert code(lambda: create(pb, ch)) == grpc.StatusCode.UNAUTHENTICATED
        assert code(lambda: create(pb, ch, token="not-a-token-at-all-0000")) == grpc.StatusCode.PERMISSION_DENIED
        assert code(lambda: create(pb, ch, token=READ)) == grpc.StatusCode.PERMISSION_DENIED
        assert create(pb, ch, token=WRITE).name.startswith("leaders/")
        assert get(pb, ch).display_name == "Vladimir Putin"  # reads stay open
    assert WRITE not in server.stderr() and READ not in server.stderr()


def test_malformed_authorization_is_unauthenticated(start, pb, tmp_path):
    server = start("--tokens-file", str(tokens_file(tmp_path, WRITE)))
    with grpc.insecure_channel(server.address) as ch:
        stub = pb.leader_grpc.LeaderServiceStub(ch)
        request = pb.leader.CreateLeaderRequest(leader=pb.leader.Leader(display_name="X", country="VN"))
        with pytest.raises(grpc.RpcError) as failure:
            stub.CreateLeader(request, metadata=[("authorization", f"Basic {WRITE}")], timeout=T)
        assert failure.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_reads_can_be_closed_but_health_stays_open(start, pb, tmp_path):
    server = start("--tokens-file", str(tokens_file(tmp_path, f"{READ} read")), "--require-auth-for-reads")
    with grpc.insecure_channel(server.address) as ch:
        assert code(lambda: get(pb, ch)) == grpc.StatusCode.UNAUTHENTICATED
        assert get(pb, ch, token=READ).display_name == "Vladimir Putin"
        status = pb.health_grpc.HealthStub(ch).Check(pb.health.HealthCheckRequest(service=""), timeout=T).status
        assert status == pb.health.HealthCheckResponse.SERVING


def test_tokens_reload_on_sighup(start, pb, tmp_path):
    path = tokens_file(tmp_path, f"{READ} read")
    server = start("--tokens-file", str(path))
    with grpc.insecure_channel(server.address) as ch:
        assert code(lambda: create(pb, ch, token=WRITE)) == grpc.StatusCode.PERMISSION_DENIED
        path.write_text(f"{WRITE} write\n")
        server.signal(signal.SIGHUP)
        assert wait_for(lambda: "SIGHUP: reloaded" in server.stderr())
        assert create(pb, ch, token=WRITE, name="After Reload").name.startswith("leaders/")
        assert code(lambda: get(pb, ch, token=None) and create(pb, ch, token=READ)) == grpc.StatusCode.PERMISSION_DENIED


def test_a_bad_tokens_file_stops_the_start(tmp_path):
    import subprocess
    from conftest import bin_dir
    bad = tmp_path / "tokens"
    bad.write_text("short\n")
    run = subprocess.run([str(bin_dir() / "summitd"), "--listen", "127.0.0.1:0", "--no-seed", "--db",
                          str(tmp_path / "s.db"), "--tokens-file", str(bad)], capture_output=True, text=True, timeout=20)
    assert run.returncode != 0
    assert "line 2" in run.stderr or "line 1" in run.stderr
