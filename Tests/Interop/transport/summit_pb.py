"""Compile Protos/ (messages and gRPC stubs) with grpc_tools.protoc and import
the modules the transport tests use.

Generated modules are named after their .proto paths (``grpc.testing.*``,
``grpc.health.v1.*``, ``google.rpc.*``, ``summit.v1.*``). ``grpc`` is grpcio's
own package, so the generated tree is appended to ``grpc.__path__``. When the
codec suite (../protoload.py) has already imported some of the same modules
from its own generated tree in this process, those are reused: both trees come
from the same Protos/ folder. A module that the other tree lacks (the
``*_pb2_grpc`` stubs) is then loaded from our tree by file location.

Deliberately not used: grpcio-status / googleapis-common-protos (their
google/rpc files would clash with ours), grpcio-health-checking and
grpcio-reflection. When those two are installed, ``import grpc`` aliases
``sys.modules["grpc.health"]`` / ``["grpc.reflection"]`` to their packages,
which hides our generated grpc/health and grpc/reflection modules; the
aliases are dropped here if present.
"""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

# attribute on the returned namespace -> module name
MODULES = {
    "empty": "grpc.testing.empty_pb2",
    "messages": "grpc.testing.messages_pb2",
    "test": "grpc.testing.test_pb2",
    "test_grpc": "grpc.testing.test_pb2_grpc",
    "health": "grpc.health.v1.health_pb2",
    "health_grpc": "grpc.health.v1.health_pb2_grpc",
    "refl_v1": "grpc.reflection.v1.reflection_pb2",
    "refl_v1_grpc": "grpc.reflection.v1.reflection_pb2_grpc",
    "refl_v1alpha": "grpc.reflection.v1alpha.reflection_pb2",
    "status": "google.rpc.status_pb2",
    "leader": "summit.v1.leader_pb2",
}


def _grpc_tools_include() -> Path:
    import grpc_tools

    return Path(grpc_tools.__file__).parent / "_proto"


def compile_protos(root: Path, out_dir: Path) -> None:
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.proto"))
    if not files:
        raise RuntimeError(f"no .proto files under {root}")
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "grpc_tools.protoc", f"-I{root}",
           f"-I{_grpc_tools_include()}", f"--python_out={out_dir}",
           f"--grpc_python_out={out_dir}", *files]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        raise RuntimeError(f"protoc failed ({run.returncode}) on {root}:\n{run.stderr}")


def _drop_grpc_aliases() -> None:
    import grpc  # noqa: F401  (its __init__ installs the aliases)

    for alias, real in (("grpc.health", "grpc_health"), ("grpc.reflection", "grpc_reflection")):
        mod = sys.modules.get(alias)
        if mod is not None and getattr(mod, "__name__", "") == real:
            del sys.modules[alias]


def _make_importable(out_dir: Path) -> None:
    _drop_grpc_aliases()
    for d in sorted(out_dir.rglob("*")):
        if d.is_dir() and d.parent != out_dir:
            (d / "__init__.py").touch()
    if str(out_dir) not in sys.path:
        sys.path.insert(0, str(out_dir))
    importlib.invalidate_caches()
    for top in sorted(p for p in out_dir.iterdir() if p.is_dir()):
        spec = importlib.util.find_spec(top.name)
        if spec is not None and spec.origin not in (None, "namespace"):
            pkg = importlib.import_module(top.name)
            if str(top) not in list(pkg.__path__):
                pkg.__path__.append(str(top))


def _import(name: str, out_dir: Path):
    if name in sys.modules:
        return sys.modules[name]
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        pass
    except TypeError as exc:  # duplicate file in protobuf's default pool
        raise RuntimeError(
            f"importing {name} failed: {exc}. Another copy of its .proto is in "
            "protobuf's default pool (googleapis-common-protos / grpcio-status "
            "installed and imported?). Use a venv from requirements.txt.") from exc
    # The package exists but was claimed by another generated tree: load ours
    # by file location under the canonical name.
    parent, _, leaf = name.rpartition(".")
    pkg = importlib.import_module(parent)
    path = out_dir.joinpath(*name.split(".")).with_suffix(".py")
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        del sys.modules[name]
        raise
    setattr(pkg, leaf, mod)
    return mod


def load(root: Path, out_dir: Path) -> SimpleNamespace:
    """Compile every .proto under root into out_dir; return the modules in MODULES."""
    compile_protos(root, out_dir)
    _make_importable(out_dir)
    return SimpleNamespace(**{attr: _import(mod, out_dir) for attr, mod in MODULES.items()})
