"""Compile every .proto under a root with grpc_tools.protoc and import the result.

The generated ``*_pb2`` modules register their files in protobuf's default
descriptor pool, so the message classes come from that pool. Our own
``google/type`` and ``google/rpc`` files must not collide with another copy
(googleapis-common-protos ships both): :func:`load_protos` checks that every
imported module comes from the freshly generated tree and says so clearly if
it does not.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import descriptor as _descriptor
from google.protobuf import message_factory


def grpc_tools_include() -> Path:
    """The well-known-type .proto files bundled with grpc_tools."""
    import grpc_tools

    return Path(grpc_tools.__file__).parent / "_proto"


def proto_files(root: Path) -> list[str]:
    """Every .proto under root, relative to it, sorted."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.proto"))


@dataclass
class Schema:
    root: Path
    files: list[_descriptor.FileDescriptor]
    # Every message type defined in files under root (map entries excluded),
    # by full name, sorted.
    messages: dict[str, _descriptor.Descriptor]

    def cls(self, full_name_or_desc):
        desc = full_name_or_desc
        if isinstance(desc, str):
            desc = self.messages.get(desc) or self.files[0].pool.FindMessageTypeByName(desc)
        return message_factory.GetMessageClass(desc)


def compile_protos(root: Path, out_dir: Path) -> list[str]:
    files = proto_files(root)
    if not files:
        raise RuntimeError(f"no .proto files under {root}")
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "grpc_tools.protoc",
        f"-I{root}", f"-I{grpc_tools_include()}",
        f"--python_out={out_dir}", *files,
    ]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(
            f"protoc failed ({run.returncode}) on {root}:\n{run.stderr.strip()}")
    return files


def _walk(desc: _descriptor.Descriptor):
    if desc.GetOptions().map_entry:
        return
    yield desc
    for nested in desc.nested_types:
        yield from _walk(nested)


def _make_importable(out_dir: Path) -> None:
    """Put the generated tree first on the import path.

    Sub-packages get an ``__init__.py`` so that they win over a namespace
    portion or another copy elsewhere. Top-level names stay namespace
    packages (``google`` is shared with protobuf itself); when a top-level
    name is already a regular package (``grpc`` is grpcio), the generated
    directory is appended to its ``__path__`` so ``grpc.health`` etc. resolve.
    """
    for d in sorted(out_dir.rglob("*")):
        if d.is_dir() and d.parent != out_dir:
            (d / "__init__.py").touch()
    out = str(out_dir)
    if out not in sys.path:
        sys.path.insert(0, out)
    importlib.invalidate_caches()
    for top in sorted(p for p in out_dir.iterdir() if p.is_dir()):
        spec = importlib.util.find_spec(top.name)
        if spec is not None and spec.origin not in (None, "namespace"):
            pkg = importlib.import_module(top.name)
            if str(top) not in list(pkg.__path__):
                pkg.__path__.append(str(top))


def load_protos(root: Path, out_dir: Path) -> Schema:
    """Compile root's protos into out_dir, import them, return the Schema."""
    files = compile_protos(root, out_dir)
    out = str(out_dir)
    _make_importable(out_dir)
    fdescs = []
    for rel in files:
        modname = rel[: -len(".proto")].replace("/", ".").replace("-", "_") + "_pb2"
        try:
            mod = importlib.import_module(modname)
        except TypeError as exc:  # duplicate file in the default pool
            raise RuntimeError(
                f"importing {modname} failed: {exc}\nAnother copy of {rel} is "
                "already in protobuf's default pool (is googleapis-common-protos "
                "installed in this venv? Uninstall it or use a clean venv).") from exc
        origin = os.path.realpath(getattr(mod, "__file__", "") or "")
        if not origin.startswith(os.path.realpath(out) + os.sep):
            raise RuntimeError(
                f"{modname} was imported from {origin}, not from the generated "
                f"tree {out}; another package shadows it (googleapis-common-protos?). "
                "Use a clean venv from Tests/Interop/requirements.txt.")
        fdescs.append(mod.DESCRIPTOR)
    messages = {}
    for fd in fdescs:
        for top in fd.message_types_by_name.values():
            for d in _walk(top):
                messages[d.full_name] = d
    return Schema(root=root, files=fdescs, messages=dict(sorted(messages.items())))
