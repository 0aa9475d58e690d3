"""Python modules generated from Protos/ for the fault suite.

The compile-and-import machinery is ../transport/summit_pb.py's (see its docstring for
why grpcio-status, googleapis-common-protos, grpcio-health-checking and
grpcio-reflection are deliberately not used); this module only names the generated
modules the fault tests need.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

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
    "date": "google.type.date_pb2",
    "status": "google.rpc.status_pb2",
    "error_details": "google.rpc.error_details_pb2",
    "health": "grpc.health.v1.health_pb2",
    "health_grpc": "grpc.health.v1.health_pb2_grpc",
}

# gRPC paths the raw HTTP/2 clients call
HEALTH_CHECK = "/grpc.health.v1.Health/Check"
LIST_VISITS = "/summit.v1.VisitService/ListVisits"
WATCH_VISITS = "/summit.v1.VisitService/WatchVisits"
IMPORT_VISITS = "/summit.v1.VisitService/ImportVisits"


def load(root: Path, out_dir: Path) -> SimpleNamespace:
    """Compile root's protos into out_dir; return the modules of MODULES."""
    summit_pb.compile_protos(root, out_dir)
    summit_pb._make_importable(out_dir)
    return SimpleNamespace(**{attr: summit_pb._import(name, out_dir)
                              for attr, name in MODULES.items()})
