"""TLS with ALPN h2 through grpcio's secure channel and the summit CLI:
server certificate checked against a CA made at test time, mutual TLS,
a certificate reloaded on SIGHUP, and the message limit holding under TLS."""

from __future__ import annotations

import shutil
import signal
import ssl
import subprocess

import grpc
import pytest

from conftest import bin_dir, wait_for

T = 5


def secure_channel(server, pki, client=None, ca=None):
    ca_pem = (ca or pki.ca)[0].read_bytes()
    if client:
        creds = grpc.ssl_channel_credentials(ca_pem, client[1].read_bytes(), client[0].read_bytes())
    else:
        creds = grpc.ssl_channel_credentials(ca_pem)
    return grpc.secure_channel(f"localhost:{server.port}", creds)


def health(pb, channel):
    stub = pb.health_grpc.HealthStub(channel)
    return stub.Check(pb.health.HealthCheckRequest(service=""), timeout=T).status


def test_grpcio_secure_channel_is_served(start, pki, pb):
    server = start("--tls-cert", str(pki.server[0]), "--tls-key", str(pki.server[1]))
    with secure_channel(server, pki) as ch:
        assert health(pb, ch) == pb.health.HealthCheckResponse.SERVING
        leader = pb.leader_grpc.LeaderServiceStub(ch).GetLeader(
            pb.leader.GetLeaderRequest(name="leaders/vladimir-putin"), timeout=T)
        assert leader.display_name == "Vladimir Putin"


def test_alpn_is_h2(start, pki):
    server = start("--tls-cert", str(pki.server[0]), "--tls-key", str(pki.server[1]))
    ctx = ssl.create_default_context(cafile=str(pki.ca[0]))
    ctx.set_alpn_protocols(["h2"])
    import socket
    with socket.create_connection(("127.0.0.1", server.port), timeout=T) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "h2"


def test_untrusted_and_plaintext_clients_fail(start, pki, pb):
    server = start("--tls-cert", str(pki.server[0]), "--tls-key", str(pki.server[1]))
    with secure_channel(server, pki, ca=pki.other_ca) as ch, pytest.raises(grpc.RpcError) as untrusted:
        health(pb, ch)
    assert untrusted.value.code() == grpc.StatusCode.UNAVAILABLE
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as ch, pytest.raises(grpc.RpcError) as plain:
        health(pb, ch)
    assert plain.value.code() == grpc.StatusCode.UNAVAILABLE
    # The server stays up for good clients.
    with secure_channel(server, pki) as ch:
        assert health(pb, ch) == pb.health.HealthCheckResponse.SERVING


def test_mutual_tls_requires_a_client_certificate_from_the_ca(start, pki, pb):
    server = start("--tls-cert", str(pki.server[0]), "--tls-key", str(pki.server[1]),
                   "--tls-client-ca", str(pki.ca[0]))
    with secure_channel(server, pki, client=pki.client) as ch:
        assert health(pb, ch) == pb.health.HealthCheckResponse.SERVING
    for client in (None, pki.stranger):
        with secure_channel(server, pki, client=client) as ch, pytest.raises(grpc.RpcError) as refused:
            health(pb, ch)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_certificate_reloads_on_sighup(start, pki, tmp_path):
    cert, key = tmp_path / "live.pem", tmp_path / "live.key"
    shutil.copy(pki.server[0], cert)
    shutil.copy(pki.server[1], key)
    server = start("--tls-cert", str(cert), "--tls-key", str(key))

    def served_serial() -> int:
        import socket
        ctx = ssl.create_default_context(cafile=str(pki.ca[0]))
        with socket.create_connection(("127.0.0.1", server.port), timeout=T) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                der = tls.getpeercert(binary_form=True)
        import hashlib
        return int.from_bytes(hashlib.sha256(der).digest()[:8], "big")

    before = served_serial()
    renewed = pki.issue("renewed", "localhost", pki.ca, san="DNS:localhost,IP:127.0.0.1")
    shutil.copy(renewed[0], cert)
    shutil.copy(renewed[1], key)
    server.signal(signal.SIGHUP)
    assert wait_for(lambda: "SIGHUP: reloaded" in server.stderr())
    assert served_serial() != before


def test_message_limit_holds_under_tls(start, pki, pb):
    server = start("--tls-cert", str(pki.server[0]), "--tls-key", str(pki.server[1]),
                   "--max-receive-message-size", "1024")
    with secure_channel(server, pki) as ch:
        stub = pb.leader_grpc.LeaderServiceStub(ch)
        with pytest.raises(grpc.RpcError) as big:
            stub.GetLeader(pb.leader.GetLeaderRequest(name="leaders/" + "x" * 2000), timeout=T)
        assert big.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert health(pb, ch) == pb.health.HealthCheckResponse.SERVING


def test_cli_over_tls(start, pki):
    server = start("--tls-cert", str(pki.server[0]), "--tls-key", str(pki.server[1]))
    summit = str(bin_dir() / "summit")
    ok = subprocess.run([summit, "--server", f"localhost:{server.port}", "--tls", "--ca-file", str(pki.ca[0]), "health"],
                        capture_output=True, text=True, timeout=20)
    assert ok.returncode == 0 and "SERVING" in ok.stdout, ok.stderr
    refused = subprocess.run([summit, "--server", f"localhost:{server.port}", "--tls", "--ca-file", str(pki.other_ca[0]),
                              "health"], capture_output=True, text=True, timeout=20)
    assert refused.returncode == 69, refused.stderr
    assert refused.stderr.startswith("error: UNAVAILABLE")
