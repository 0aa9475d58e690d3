"""Python modules generated from Protos/ for the service suite.

The compile-and-import machinery is ../transport/summit_pb.py's: it compiles every
.proto with grpc_tools.protoc and reuses modules that the codec or transport suite
already imported in this process (all trees come from the same Protos/ folder), so the
three suites can share one pytest session. Deliberately not used, for the reasons
summit_pb gives: grpcio-status, googleapis-common-protos, grpcio-health-checking and
grpcio-reflection.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

from google.protobuf import empty_pb2, field_mask_pb2

TRANSPORT_DIR = Path(__file__).resolve().parent.parent / "transport"
if str(TRANSPORT_DIR) not in sys.path:
    sys.path.append(str(TRANSPORT_DIR))   # appended: never shadows this folder's modules

import summit_pb  # noqa: E402  (../transport)

# attribute on the returned namespace -> module name
MODULES = {
    "common": "summit.v1.common_pb2",
    "leader": "summit.v1.leader_pb2",
    "leader_grpc": "summit.v1.leader_pb2_grpc",
    "visit": "summit.v1.visit_pb2",
    "visit_grpc": "summit.v1.visit_pb2_grpc",
    "allegation": "summit.v1.allegation_pb2",
    "allegation_grpc": "summit.v1.allegation_pb2_grpc",
    "date": "google.type.date_pb2",
    "status": "google.rpc.status_pb2",
    "error_details": "google.rpc.error_details_pb2",
    "health": "grpc.health.v1.health_pb2",
    "health_grpc": "grpc.health.v1.health_pb2_grpc",
}


def load(root: Path, out_dir: Path) -> SimpleNamespace:
    """Compile root's protos into out_dir and return the modules of MODULES, plus
    ``field_mask`` and ``empty`` (google.protobuf's own)."""
    summit_pb.compile_protos(root, out_dir)
    summit_pb._make_importable(out_dir)
    mods = {attr: summit_pb._import(name, out_dir) for attr, name in MODULES.items()}
    return SimpleNamespace(field_mask=field_mask_pb2, empty=empty_pb2, **mods)
