"""Watching visits on several replicas: start watches that demonstrably deliver, and
collect the events of a known set of visits."""

from __future__ import annotations

import time

from svc_make import create_visit
from svc_streams import StreamReader, watch_in_sync


def watch_visits(api, visitor: str, after_sequence: int = 0) -> StreamReader:
    """A WatchVisits stream for ``visitor`` on ``api``'s replica, from after_sequence."""
    pb = api.pb
    return StreamReader(api.visits.WatchVisits(
        pb.visit.WatchVisitsRequest(visitor=visitor, after_sequence=after_sequence)))


def synced_watch(api, visitor: str) -> StreamReader:
    """A live WatchVisits on ``api``'s replica, returned once it has delivered a sentinel
    visit created through that same replica."""
    pb = api.pb
    reader, _ = watch_in_sync(
        lambda: api.visits.WatchVisits(pb.visit.WatchVisitsRequest(visitor=visitor)),
        lambda: create_visit(api, visitor, purpose="sentinel").name,
        lambda ev, name: ev.visit.name == name)
    return reader


def events_for(reader: StreamReader, names: set[str], timeout: float = 30.0,
               until_all: bool = True) -> list:
    """Events of ``reader`` about visits in ``names``, in arrival order, until every name
    has been seen (or, with until_all=False, until the stream goes quiet or ends).
    Fails on timeout when until_all."""
    deadline = time.monotonic() + timeout
    got, seen = [], set()
    while not until_all or not names <= seen:
        left = deadline - time.monotonic()
        if left <= 0:
            if until_all:
                raise AssertionError(f"{len(names - seen)} of {len(names)} changes never "
                                     f"arrived within {timeout:.0f}s")
            break
        ev = reader.poll(min(left, 2.0) if not until_all else left)
        if ev is None:
            if until_all:
                raise AssertionError(f"the watch ended or went quiet with "
                                     f"{len(names - seen)} of {len(names)} changes missing")
            break
        if ev.visit.name in names:
            got.append(ev)
            seen.add(ev.visit.name)
    return got


def positions(events) -> list[tuple[int, str, int]]:
    """(sequence, visit name, change type) of each event."""
    return [(ev.sequence, ev.visit.name, ev.type) for ev in events]


def assert_in_commit_order(events, label: str) -> None:
    seqs = [ev.sequence for ev in events]
    assert all(a < b for a, b in zip(seqs, seqs[1:])), \
        f"{label}: sequences not strictly increasing (a repeat or reorder): {seqs[:40]}"
