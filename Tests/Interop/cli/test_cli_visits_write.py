"""`summit visits create|update|delete` against a --no-seed summitd."""

from __future__ import annotations

import pytest

from cli_run import assert_error, assert_shows
from cli_setup import ensure_leader, ensure_visit, exists


@pytest.fixture
def leaders(fresh_api):
    ensure_leader(fresh_api, "vis-writer", "Vera Writer", "RU", aliases=["Writer"])
    ensure_leader(fresh_api, "vis-host", "Hugo Host", "KP")


def test_create_table(fresh, leaders):
    """`visits create` with every option prints the visit: dates as dates, the kind in
    words, the cities and sites; exit 0."""
    res = fresh.ok("visits", "create", "--visitor", "vis-writer", "--host", "KP",
                   "--host-leader", "vis-host", "--start", "2021-03-04", "--end", "2021-03-06",
                   "--kind", "working-visit", "--city", "Pyongyang", "--city", "Wonsan",
                   "--site", "Kalma beach", "--event", "Test talks 2021",
                   "--purpose", "Talks about testing.", "--id", "cli-visit-table")
    assert_shows(res, "cli-visit-table", "2021-03-04", "2021-03-06", "working visit",
                 "Pyongyang", "Wonsan", "Kalma beach")
    assert "VISIT_KIND_" not in res.out, res.describe()


def test_create_json_and_stored(fresh, fresh_api, leaders):
    """`visits create -o json` prints the created Visit; names given short are stored
    as full names (visitor by alias, host leader by id, reciprocates without prefix)."""
    ensure_visit(fresh_api, "cli-earlier", "leaders/vis-host", "RU", (2020, 5, 1), (2020, 5, 2))
    doc = fresh.ok_json("visits", "create", "--visitor", "Writer", "--host", "KP",
                        "--host-leader", "vis-host", "--start", "2021-04-01", "--end",
                        "2021-04-01", "--kind", "state-visit", "--city", "Pyongyang",
                        "--reciprocates", "cli-earlier", "--purpose", "A return visit.",
                        "--id", "cli-visit-json", "--request-id", "req-cli-visit-json")
    assert doc["name"] == "visits/cli-visit-json"
    assert doc["visitor"] == "leaders/vis-writer"
    assert doc["hostLeader"] == "leaders/vis-host"
    assert doc["reciprocates"] == "visits/cli-earlier"
    assert doc["startDate"] == doc["endDate"] == {"year": 2021, "month": 4, "day": 1}
    assert doc["kind"] == "VISIT_KIND_STATE_VISIT"
    assert doc["cities"] == ["Pyongyang"] and doc["purpose"] == "A return visit."
    got = fresh_api.visits.GetVisit(fresh_api.pb.visit.GetVisitRequest(name=doc["name"]))
    assert got.visitor == "leaders/vis-writer" and got.host_country == "KP"


def test_update_and_delete(fresh, fresh_api, leaders):
    """`visits update ID --purpose P --kind summit` changes those fields only (cities
    kept); `visits delete ID` removes it: a later get is NOT_FOUND, exit 66."""
    fresh.ok("visits", "create", "--visitor", "vis-writer", "--host", "CN", "--start",
             "2021-05-01", "--end", "2021-05-03", "--kind", "official-visit",
             "--city", "Beijing", "--id", "cli-visit-upd")
    res = fresh.ok("visits", "update", "cli-visit-upd", "--purpose", "Changed purpose.",
                   "--kind", "summit")
    assert_shows(res, "Changed purpose.", "Beijing")
    doc = fresh.ok_json("visits", "get", "cli-visit-upd")
    assert doc["purpose"] == "Changed purpose." and doc["kind"] == "VISIT_KIND_SUMMIT"
    assert doc["cities"] == ["Beijing"]
    assert doc["startDate"] == {"year": 2021, "month": 5, "day": 1}
    fresh.ok("visits", "delete", "cli-visit-upd")
    assert not exists(fresh_api, "visits", "visits/cli-visit-upd")
    assert_error(fresh.run("visits", "get", "cli-visit-upd"), "NOT_FOUND", 66)


def test_delete_with_stale_etag(fresh, fresh_api, leaders):
    """`visits delete ID --etag OLD` after another update is ABORTED (exit 67) and
    keeps the visit."""
    old = ensure_visit(fresh_api, "cli-visit-etag", "leaders/vis-writer", "VN", (2021, 6, 1),
                       (2021, 6, 2)).etag
    fresh.ok("visits", "update", "cli-visit-etag", "--purpose", "Bump the etag.")
    res = fresh.run("visits", "delete", "cli-visit-etag", "--etag", old)
    assert_error(res, "ABORTED", 67)
    assert exists(fresh_api, "visits", "visits/cli-visit-etag")
