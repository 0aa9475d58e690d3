"""Building valid requests, and creating records through the API.

Every record a test creates gets a fresh id (``uid``), so tests sharing one server do
not see each other's records when they filter by what they created.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

_counter = itertools.count(1)


def uid(prefix: str = "t") -> str:
    """A fresh, valid id: ``prefix-<10 hex>``, e.g. ``ldr-3fa85f6457``."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def token() -> str:
    """A fresh lowercase word (letters and digits, starting with a letter)."""
    return "q" + uuid.uuid4().hex[:9]


# -- dates ----------------------------------------------------------------------
def date(pb, y: int, m: int, d: int):
    return pb.date.Date(year=y, month=m, day=d)


def pydate(d) -> dt.date:
    return dt.date(d.year, d.month, d.day)


def from_pydate(pb, d: dt.date):
    return date(pb, d.year, d.month, d.day)


def days(visit) -> int:
    """Number of days of a visit, both ends included."""
    return (pydate(visit.end_date) - pydate(visit.start_date)).days + 1


# -- messages -------------------------------------------------------------------
def source(pb, n: int | None = None):
    n = next(_counter) if n is None else n
    return pb.common.Source(title=f"Test source {n}", url=f"https://example.org/source/{n}",
                            publisher="Example Wire", published=date(pb, 2024, 6, 17))


def leader_msg(pb, **fields):
    """A valid Leader; ``fields`` override the defaults."""
    tok = token()
    msg = pb.leader.Leader(display_name=f"Test Leader {tok}", title="Test President",
                           country="FR", aliases=[f"Leader {tok}"], sources=[source(pb)])
    for k, v in fields.items():
        _set(msg, k, v)
    return msg


def visit_msg(pb, visitor: str, start=(2024, 6, 18), end=None, **fields):
    """A valid Visit by ``visitor``; ``start``/``end`` are (y, m, d) tuples."""
    end = end or start
    msg = pb.visit.Visit(visitor=visitor, host_country="KP", start_date=date(pb, *start),
                         end_date=date(pb, *end), kind=pb.visit.VISIT_KIND_STATE_VISIT,
                         cities=["Pyongyang"], purpose="A test visit.", sources=[source(pb)])
    for k, v in fields.items():
        _set(msg, k, v)
    return msg


def party(pb, *, leader: str | None = None, country: str | None = None,
          group: str | None = None):
    if leader is not None:
        return pb.common.Party(leader=leader)
    if country is not None:
        return pb.common.Party(country=country)
    if group is not None:
        return pb.common.Party(group=group)
    return pb.common.Party()


def group(pb, label: str = "group"):
    """A Party that no other test names: a group with a fresh name."""
    return party(pb, group=f"Test {label} {token()}")


def allegation_msg(pb, accusers=None, accused=None, first_reported=(2024, 6, 1), **fields):
    """A valid Allegation; accusers/accused default to fresh groups; first_reported is
    a (y, m, d) tuple or a Date."""
    msg = pb.allegation.Allegation(
        accusers=accusers if accusers is not None else [group(pb, "accuser")],
        accused=accused if accused is not None else [group(pb, "accused")],
        summary="Test allegation: shipments of something to someone.",
        category=pb.allegation.ALLEGATION_CATEGORY_ARMS_TRANSFER,
        first_reported=(date(pb, *first_reported) if isinstance(first_reported, tuple)
                        else first_reported),
        sources=[source(pb)])
    for k, v in fields.items():
        _set(msg, k, v)
    return msg


def response_msg(pb, party_, stance, **fields):
    msg = pb.allegation.AllegationResponse(party=party_, stance=stance,
                                           statement="A test statement.",
                                           date=date(pb, 2024, 6, 2))
    for k, v in fields.items():
        _set(msg, k, v)
    return msg


def _set(msg, key: str, value) -> None:
    """msg.key = value, for scalars, repeated fields and sub-messages alike; None clears."""
    if value is None:
        msg.ClearField(key)
        return
    fd = msg.DESCRIPTOR.fields_by_name[key]
    if fd.is_repeated:
        msg.ClearField(key)
        getattr(msg, key).extend(value)
    elif fd.message_type is not None:
        getattr(msg, key).CopyFrom(value)
    else:
        setattr(msg, key, value)


def mask(pb, *paths: str):
    return pb.field_mask.FieldMask(paths=list(paths))


# -- records through the API -----------------------------------------------------
def create_leader(api, leader_id: str | None = None, **fields):
    pb = api.pb
    return api.leaders.CreateLeader(pb.leader.CreateLeaderRequest(
        leader=leader_msg(pb, **fields), leader_id=leader_id or uid("ldr")))


def create_visit(api, visitor: str, start=(2024, 6, 18), end=None, visit_id: str = "",
                 request_id: str = "", **fields):
    pb = api.pb
    return api.visits.CreateVisit(pb.visit.CreateVisitRequest(
        visit=visit_msg(pb, visitor, start, end, **fields), visit_id=visit_id,
        request_id=request_id))


def create_allegation(api, allegation_id: str = "", **fields):
    pb = api.pb
    return api.allegations.CreateAllegation(pb.allegation.CreateAllegationRequest(
        allegation=allegation_msg(pb, **fields), allegation_id=allegation_id))
