"""Reading the seed file, and finding seeded records through the API.

The file is one JSON object ``{"leaders": [...], "visits": [...], "allegations": [...]}``
of summit.v1 resources in canonical proto3 JSON, each with its full name and without
output-only fields (Sources/SummitService/Resources/SEED.md)."""

from __future__ import annotations

import json
from pathlib import Path

from google.protobuf import json_format

from svc_paging import list_all

KINDS = ("leaders", "visits", "allegations")
OUTPUT_ONLY = ("etag", "create_time", "update_time", "status")
# Where the seed may live, first existing wins (SUMMIT_SEED_FILE overrides).
SEED_PATHS = ("Seeds/seed.json", "Sources/SummitService/Resources/seed.json")


def default_seed_file(repo: Path) -> Path:
    for rel in SEED_PATHS:
        if (repo / rel).is_file():
            return repo / rel
    return repo / SEED_PATHS[0]


def read_seed(path: Path) -> dict[str, list]:
    """{kind: entries} for the kinds the file lists; AssertionError when the file is
    missing or not JSON."""
    assert path.is_file(), f"seed file {path} does not exist"
    try:
        data = json.loads(path.read_text("utf-8"))
    except ValueError as exc:
        raise AssertionError(f"seed file {path} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        return {}
    return {k: data[k] for k in KINDS if isinstance(data.get(k), list)}


def seed_records(pb, on_file: dict[str, list]) -> dict[str, list]:
    """The file's entries as summit.v1 messages (AssertionError naming the entry that is
    not valid proto3 JSON of its type)."""
    classes = {"leaders": pb.leader.Leader, "visits": pb.visit.Visit,
               "allegations": pb.allegation.Allegation}
    out = {}
    for kind, entries in on_file.items():
        msgs = []
        for i, entry in enumerate(entries):
            try:
                msgs.append(json_format.ParseDict(entry, classes[kind]()))
            except json_format.ParseError as exc:
                raise AssertionError(f"{kind}[{i}] is not proto3 JSON: {exc}") from exc
        out[kind] = msgs
    return out


def without_output_only(msg):
    """A copy of msg with etag, times and status cleared (for comparing with the file)."""
    out = type(msg)()
    out.CopyFrom(msg)
    for f in OUTPUT_ONLY:
        if f in out.DESCRIPTOR.fields_by_name:
            out.ClearField(f)
    return out


def seed_names(entries: list) -> set[str] | None:
    """The entries' names when every entry has one, else None."""
    got = [e.get("name") if isinstance(e, dict) else None for e in entries]
    if got and all(isinstance(n, str) and n for n in got):
        return set(got)
    return None


def everything(api) -> dict[str, list]:
    """All leaders, visits and allegations of a server, over all pages."""
    pb = api.pb
    return {
        "leaders": list_all(api.leaders.ListLeaders, pb.leader.ListLeadersRequest(), "leaders"),
        "visits": list_all(api.visits.ListVisits, pb.visit.ListVisitsRequest(), "visits"),
        "allegations": list_all(api.allegations.ListAllegations,
                                pb.allegation.ListAllegationsRequest(), "allegations"),
    }


def visits(api, *, visitor: str = "", host_country: str = "", date_from=None, date_to=None,
           kind: int = 0) -> list:
    pb = api.pb
    req = pb.visit.ListVisitsRequest(visitor=visitor, host_country=host_country, kind=kind)
    if date_from:
        req.date_from.CopyFrom(pb.date.Date(year=date_from[0], month=date_from[1],
                                            day=date_from[2]))
    if date_to:
        req.date_to.CopyFrom(pb.date.Date(year=date_to[0], month=date_to[1], day=date_to[2]))
    return list_all(api.visits.ListVisits, req, "visits")


def party_country(api, party) -> str | None:
    """The state a Party stands for: its country, or its leader's country."""
    which = party.WhichOneof("kind")
    if which == "country":
        return party.country
    if which == "leader":
        pb = api.pb
        return api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=party.leader)).country
    return None
