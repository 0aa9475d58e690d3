"""Valid summit.v1 records for fault tests, and grpcio stubs on one connection."""

from __future__ import annotations

import datetime as dt
import uuid

import grpc

import fault_pb  # noqa: F401  (puts ../transport on sys.path)
from summit_checks import channel

T = 10.0


def uid(prefix: str) -> str:
    """A fresh valid id: ``prefix-<10 hex>``."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class Api:
    """grpcio stubs (leaders, visits, health) over one channel of their own."""

    def __init__(self, pb, address: str):
        self.pb = pb
        self.channel = channel(address)
        self.leaders = pb.leader_grpc.LeaderServiceStub(self.channel)
        self.visits = pb.visit_grpc.VisitServiceStub(self.channel)
        self.health = pb.health_grpc.HealthStub(self.channel)

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> "Api":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def leader_msg(pb, aliases=(), **fields):
    return pb.leader.Leader(display_name=fields.pop("display_name", "Fault Test Leader"),
                            title="President", country="FR", aliases=list(aliases), **fields)


def create_leader(api: Api, leader_id: str | None = None, **fields):
    return api.leaders.CreateLeader(api.pb.leader.CreateLeaderRequest(
        leader=leader_msg(api.pb, **fields), leader_id=leader_id or uid("ldr")), timeout=T)


def visit_msg(pb, visitor: str, day: int = 0, purpose: str = "A fault-test visit."):
    """A valid Visit by `visitor`, on 2020-01-01 + `day` days."""
    d = dt.date(2020, 1, 1) + dt.timedelta(days=day)
    date = pb.date.Date(year=d.year, month=d.month, day=d.day)
    return pb.visit.Visit(visitor=visitor, host_country="KP", start_date=date, end_date=date,
                          kind=pb.visit.VISIT_KIND_STATE_VISIT, cities=["Pyongyang"],
                          purpose=purpose)


def long_text(n: int, seed: int = 0) -> str:
    """n characters of words (valid long text: letters and spaces)."""
    words = ("summit", "talks", "delegation", "treaty", "trade", "banquet", "communique",
             "ministers", "border", "railway", "harbour", "cooperation")
    out, i = [], seed
    while sum(len(w) + 1 for w in out) < n:
        out.append(words[i % len(words)])
        i += 7
    return " ".join(out)[:n]


def big_leader(pb, i: int, label: str):
    """A valid leader of ~10 KB: 50 aliases of 190 characters (made unique by i)."""
    aliases = [f"{long_text(190, i * 50 + k)} {i} {k}" for k in range(50)]
    return leader_msg(pb, aliases=aliases, display_name=f"{label} {i}")


def fill_until_refused(api: Api, prefix: str, label: str, limit: int):
    """CreateLeader of big leaders ``{prefix}-NNNN`` until one fails (at most `limit`).

    Returns (acknowledged leaders by name, the refused id or None, the error or None)."""
    acked: dict[str, object] = {}
    for i in range(limit):
        leader_id = f"{prefix}-{i:04d}"
        try:
            got = api.leaders.CreateLeader(api.pb.leader.CreateLeaderRequest(
                leader=big_leader(api.pb, i, label), leader_id=leader_id), timeout=T)
        except grpc.RpcError as err:
            return acked, leader_id, err
        acked[got.name] = got
    return acked, None, None


def import_visits(api: Api, visitor: str, count: int, purpose_len: int):
    """Create `count` visits with `purpose_len`-character purposes in one ImportVisits."""
    pb = api.pb
    reqs = (pb.visit.ImportVisitsRequest(visit=visit_msg(pb, visitor, i, long_text(purpose_len, i)))
            for i in range(count))
    return api.visits.ImportVisits(reqs, timeout=60)
