"""deploy/ holds what an operator runs; these checks keep it honest where
Docker and Kubernetes are absent:

- every Kubernetes manifest validates (strict: unknown fields fail) against
  the Kubernetes schemas kubernetes-validate ships;
- the systemd unit passes `systemd-analyze verify` (pointed at a real summitd);
- the Dockerfile's runtime stage installs the Debian package of every shared
  library summitd links directly (beside libc and the Swift runtime); apt
  brings those libraries' own dependencies (libpq's OpenSSL, Kerberos, LDAP).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"


def bin_dir() -> Path:
    value = os.environ.get("SUMMIT_BIN_DIR")
    if not value or not (Path(value) / "summitd").is_file():
        pytest.fail("SUMMIT_BIN_DIR must name the folder holding summitd (swift build --show-bin-path)", pytrace=False)
    return Path(value)


# deploy/kubernetes: one summitd on SQLite; deploy/kubernetes-replicas: N on PostgreSQL;
# deploy/kubernetes-import: the one-off copy of the first's file into the second's database.
KUSTOMIZATIONS = [DEPLOY / "kubernetes", DEPLOY / "kubernetes-replicas", DEPLOY / "kubernetes-import"]
MANIFESTS = sorted(p for d in KUSTOMIZATIONS for p in d.glob("*.yaml") if p.name != "kustomization.yaml")


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_kubernetes_manifest_validates(manifest: Path):
    tool = Path(sys.executable).parent / "kubernetes-validate"
    run = subprocess.run([str(tool), "--strict", str(manifest)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "passed" in run.stdout + run.stderr


@pytest.mark.parametrize("folder", KUSTOMIZATIONS, ids=lambda p: p.name)
def test_kustomization_lists_every_manifest(folder: Path):
    text = (folder / "kustomization.yaml").read_text()
    listed = set(re.findall(r"^\s*-\s*(\S+\.yaml)\s*$", text, re.M))
    assert listed == {p.name for p in MANIFESTS if p.parent == folder}


def test_probes_and_grace_period_fit_the_drain():
    text = (DEPLOY / "kubernetes" / "deployment.yaml").read_text()
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert re.search(probe + r":\s*\n\s*grpc:", text), f"{probe} must be a native gRPC probe"
    grace = int(re.search(r"terminationGracePeriodSeconds:\s*(\d+)", text).group(1))
    drain = int(re.search(r'"--drain-timeout"\s*\n\s*-\s*"(\d+)s"', text).group(1))
    assert grace > drain


def test_replicas_get_the_database_and_leave_the_endpoints_while_it_is_down():
    """The replicas read SUMMIT_DB from the secret; readiness asks for "" (NOT_SERVING
    while the database is unreachable), liveness for grpc.health.v1.Health (SERVING
    while the process lives, so an outage restarts no pod); the grace period covers
    the drain; Envoy health-checks "" and balances over the headless Service."""
    import yaml

    deployment = yaml.safe_load((DEPLOY / "kubernetes-replicas" / "deployment.yaml").read_text())
    spec = deployment["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert deployment["spec"]["replicas"] >= 2
    assert "--db" not in container["args"]
    env = {e["name"]: e for e in container["env"]}
    assert env["SUMMIT_DB"]["valueFrom"]["secretKeyRef"]["key"] == "database-url"
    assert container["readinessProbe"]["grpc"].get("service", "") == ""
    assert container["livenessProbe"]["grpc"]["service"] == "grpc.health.v1.Health"
    drain = int(container["args"][container["args"].index("--drain-timeout") + 1].rstrip("s"))
    assert spec["terminationGracePeriodSeconds"] > drain

    secret = yaml.safe_load((DEPLOY / "kubernetes-replicas" / "secret.yaml").read_text())
    assert secret["stringData"]["database-url"].startswith("postgres://")
    headless = yaml.safe_load((DEPLOY / "kubernetes-replicas" / "service-pods.yaml").read_text())
    assert headless["spec"]["clusterIP"] == "None"

    config_map = yaml.safe_load((DEPLOY / "kubernetes-replicas" / "envoy-configmap.yaml").read_text())
    envoy = yaml.safe_load(config_map["data"]["envoy.yaml"])
    (cluster,) = envoy["static_resources"]["clusters"]
    assert cluster["lb_policy"] == "ROUND_ROBIN" and cluster["type"] == "STRICT_DNS"
    assert cluster["health_checks"][0]["grpc_health_check"]["service_name"] == ""
    address = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]
    assert address["socket_address"]["address"] == headless["metadata"]["name"]
    assert "http2_protocol_options" in str(cluster["typed_extension_protocol_options"])


def test_systemd_unit_verifies(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing (Debian package systemd; make deps installs it)", pytrace=False)
    unit = (DEPLOY / "systemd" / "summitd.service").read_text()
    assert re.search(r"^TimeoutStopSec=(\d+)s$", unit, re.M), "TimeoutStopSec must be set"
    assert int(re.search(r"^TimeoutStopSec=(\d+)s$", unit, re.M).group(1)) > 10
    for setting in ("NoNewPrivileges=yes", "ProtectSystem=strict", "DynamicUser=yes", "Restart=on-failure"):
        assert setting in unit
    local = tmp_path / "summitd.service"
    local.write_text(unit.replace("/usr/local/bin/summitd", str(bin_dir() / "summitd")))
    run = subprocess.run(["systemd-analyze", "verify", str(local)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_runtime_image_installs_every_linked_library():
    summitd = bin_dir() / "summitd"
    # The libraries summitd names itself (ELF NEEDED); apt installs what they need in turn.
    dynamic = subprocess.run(["readelf", "-d", str(summitd)], capture_output=True, text=True, timeout=30).stdout
    direct = set(re.findall(r"\(NEEDED\)\s+Shared library: \[(\S+)\]", dynamic))
    ldd = subprocess.run(["ldd", str(summitd)], capture_output=True, text=True, timeout=30).stdout
    paths = [path for soname, path in re.findall(r"^\s*(\S+)\s+=>\s*(/\S+)", ldd, re.M) if soname in direct]
    needed = set()
    for path in paths:
        if "/swift/" in path:
            continue  # the Swift runtime is linked statically in the image
        owner = subprocess.run(["dpkg", "-S", os.path.realpath(path)], capture_output=True, text=True)
        if owner.returncode != 0:
            owner = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
        package = owner.stdout.split(":")[0].strip()
        if package and package not in ("libc6", "libgcc-s1", "libstdc++6"):
            needed.add(package)
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    runtime = dockerfile.split("FROM debian:bookworm-slim", 1)[1]
    missing = sorted(p for p in needed if not re.search(r"\b" + re.escape(p) + r"\b", runtime))
    assert {"libprotobuf-c1", "libnghttp2-14", "libsqlite3-0"} <= needed, needed
    assert not missing, f"the runtime stage lacks {missing}"
    # libpq is loaded with dlopen for --db postgres:// (Sources/CLibPQ), not linked:
    # the image must still install the package that provides the name summitd opens.
    assert "libpq.so.5" not in direct, "summitd links libpq again; the SQLite store would map it"
    assert b"libpq.so.5" in summitd.read_bytes(), "summitd no longer names libpq.so.5 for dlopen"
    assert re.search(r"\blibpq5\b", runtime), "the runtime stage lacks libpq5 (dlopen'd for PostgreSQL)"


def release_summitd() -> Path:
    """The summitd deploy/build-release.sh built (make deploy-check runs it first), or $SUMMIT_RELEASE_DIR's."""
    folder = Path(os.environ.get("SUMMIT_RELEASE_DIR") or REPO / ".build-release" / "dist")
    if not (folder / "summitd").is_file():
        pytest.skip(f"no release build in {folder} (deploy/build-release.sh; make deploy-check runs it)")
    return folder / "summitd"


def test_release_build_is_linked_for_a_small_idle_footprint():
    """What keeps an idle summitd near 14 MB (BENCHMARKS.md, Idle memory): the Swift runtime
    linked in, still position-independent, relative relocations packed (RELR), no exported
    symbols, and the functions of Sources/summitd/startup.order at the front of .text."""
    summitd = release_summitd()
    header = subprocess.run(["readelf", "-hdW", str(summitd)], capture_output=True, text=True, timeout=30).stdout
    assert re.search(r"Type:\s+DYN", header), "summitd is no longer position-independent"
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(\S+)\]", header)
    assert not [n for n in needed if "swift" in n or "Foundation" in n or "dispatch" in n], needed
    assert re.search(r"\(RELR\)", header), "no packed relative relocations (Package.swift: lld, -z pack-relative-relocs)"
    exported = subprocess.run(["nm", "-D", "--defined-only", str(summitd)], capture_output=True, text=True,
                              timeout=30).stdout.splitlines()
    assert len(exported) < 20, f"summitd exports {len(exported)} symbols (Package.swift: --no-export-dynamic)"
    # The listed functions sit together: half of them in the first fifth of .text (about 15 MB),
    # where an unordered link spreads them evenly (the median lands near the middle).
    sections = subprocess.run(["readelf", "-SW", str(summitd)], capture_output=True, text=True, timeout=30).stdout
    text = re.search(r"\]\s+\.text\s+PROGBITS\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", sections)
    start, size = int(text.group(1), 16), int(text.group(2), 16)
    listed = set((REPO / "Sources" / "summitd" / "startup.order").read_text().split())
    symbols = subprocess.run(["nm", "--defined-only", str(summitd)], capture_output=True, text=True,
                             timeout=60).stdout
    offsets = sorted(int(address, 16) - start for address, _, name in
                     (line.split(" ", 2) for line in symbols.splitlines() if line.count(" ") >= 2) if name in listed)
    assert len(offsets) > len(listed) // 2, "most of startup.order's functions are gone: make summitd-order"
    assert offsets[len(offsets) // 2] < size / 5, "startup.order was not applied (Package.swift)"
