"""Records a test needs on the --no-seed server, made through grpcio (not the CLI), so a
broken CLI create cannot hide behind a broken setup; and reads through grpcio to check
what a CLI write did."""

from __future__ import annotations

import grpc


def ensure_leader(api, leader_id: str, display_name: str, country: str, aliases=()):
    """Create leaders/<leader_id> unless it exists; returns the Leader."""
    pb = api.pb
    try:
        return api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=f"leaders/{leader_id}"))
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
    leader = pb.leader.Leader(display_name=display_name, country=country, aliases=list(aliases))
    return api.leaders.CreateLeader(pb.leader.CreateLeaderRequest(leader=leader,
                                                                  leader_id=leader_id))


def ensure_visit(api, visit_id: str, visitor: str, host: str, start: tuple, end: tuple,
                 kind: str = "VISIT_KIND_WORKING_VISIT"):
    pb = api.pb
    try:
        return api.visits.GetVisit(pb.visit.GetVisitRequest(name=f"visits/{visit_id}"))
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
    visit = pb.visit.Visit(
        visitor=visitor, host_country=host, kind=pb.visit.VisitKind.Value(kind),
        start_date=pb.date.Date(year=start[0], month=start[1], day=start[2]),
        end_date=pb.date.Date(year=end[0], month=end[1], day=end[2]))
    return api.visits.CreateVisit(pb.visit.CreateVisitRequest(visit=visit, visit_id=visit_id))


def exists(api, kind: str, name: str) -> bool:
    """Whether ``name`` ("visits/x", "leaders/y", "allegations/z") exists."""
    pb = api.pb
    call = {"leaders": (api.leaders.GetLeader, pb.leader.GetLeaderRequest),
            "visits": (api.visits.GetVisit, pb.visit.GetVisitRequest),
            "allegations": (api.allegations.GetAllegation,
                            pb.allegation.GetAllegationRequest)}[kind]
    try:
        call[0](call[1](name=name))
        return True
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            return False
        raise
