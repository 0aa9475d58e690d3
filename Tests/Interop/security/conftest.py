"""Fixtures for the TLS and auth suite: a throw-away PKI made with the
openssl command at test time, generated Python modules, and summitd
processes started on port 0 with their stderr kept for the checks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "transport"))

import summit_pb  # noqa: E402  (compiles Protos/ into importable modules)


def bin_dir() -> Path:
    value = os.environ.get("SUMMIT_BIN_DIR")
    if not value or not (Path(value) / "summitd").is_file():
        pytest.fail("SUMMIT_BIN_DIR must name the folder holding summitd and summit", pytrace=False)
    return Path(value)


def openssl(*args: str, cwd: Path) -> None:
    run = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=30)
    if run.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{run.stderr}")


class PKI:
    """A CA, a server certificate for localhost/127.0.0.1, and client certificates."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.ca = self._ca("ca", "Summit Test CA")
        self.other_ca = self._ca("other-ca", "Someone Else's CA")
        self.server = self.issue("server", "localhost", self.ca, san="DNS:localhost,IP:127.0.0.1")
        self.client = self.issue("client", "summit-client", self.ca)
        self.stranger = self.issue("stranger", "stranger", self.other_ca)

    def _ca(self, name: str, cn: str) -> tuple[Path, Path]:
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN={cn}",
                cwd=self.root)
        return self.root / f"{name}.pem", self.root / f"{name}.key"

    def issue(self, name: str, cn: str, ca: tuple[Path, Path], san: str | None = None) -> tuple[Path, Path]:
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}", cwd=self.root)
        ext = self.root / f"{name}.ext"
        ext.write_text(f"subjectAltName={san}\n" if san else "basicConstraints=CA:FALSE\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", str(ca[0]), "-CAkey", str(ca[1]),
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", str(ext), cwd=self.root)
        return self.root / f"{name}.pem", self.root / f"{name}.key"


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> PKI:
    return PKI(tmp_path_factory.mktemp("pki"))


REPO = HERE.parents[2]


@pytest.fixture(scope="session")
def pb(tmp_path_factory):
    out = tmp_path_factory.mktemp("pb")
    ns = summit_pb.load(REPO / "Protos", out)
    ns.leader_grpc = summit_pb._import("summit.v1.leader_pb2_grpc", out)
    return ns


class Server:
    def __init__(self, args: list[str], workdir: Path):
        self.stderr_path = workdir / "stderr.log"
        self.proc = subprocess.Popen(
            [str(bin_dir() / "summitd"), "--listen", "127.0.0.1:0", "--db", str(workdir / "s.db"), *args],
            stdout=subprocess.PIPE, stderr=open(self.stderr_path, "wb"), cwd=workdir)
        line = self.proc.stdout.readline().decode().strip()
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError(f"summitd did not start: {line!r}\n{self.stderr()}")
        self.address = line.removeprefix("listening on ")
        self.port = int(self.address.rsplit(":", 1)[1])

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def start(tmp_path):
    servers: list[Server] = []

    def _start(*args: str) -> Server:
        work = tmp_path / f"server{len(servers)}"
        work.mkdir()
        server = Server(list(args), work)
        servers.append(server)
        return server

    yield _start
    for s in servers:
        s.stop()


def wait_for(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
