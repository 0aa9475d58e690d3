"""`summit allegations create|update|respond` against a --no-seed summitd; responding
changes the status the list table shows."""

from __future__ import annotations

import re

import pytest

from cli_run import assert_error, assert_shows
from cli_setup import ensure_leader


@pytest.fixture
def accuser(fresh_api):
    ensure_leader(fresh_api, "alg-accuser", "Arno Accuser", "KR", aliases=["Accuser"])


def _status_words(fresh, group: str) -> str:
    """The allegations list table filtered to one accuser group (one row)."""
    return fresh.ok("allegations", "list", "--accuser", f"group:{group}").out.lower()


def test_create_table(fresh, accuser):
    """`allegations create` prints the allegation: summary, category and status in
    words; exit 0."""
    res = fresh.ok("allegations", "create", "--accuser", "group:Table Group",
                   "--accused", "KP", "--summary", "Shipped many crates of testing tools.",
                   "--category", "arms-transfer", "--first-reported", "2021-01-02",
                   "--id", "cli-alg-table")
    assert_shows(res, "cli-alg-table", "Shipped many crates of testing tools.", "arms transfer",
                 "alleged")
    assert "ALLEGATION_" not in res.out, res.describe()


def test_create_json_parties(fresh, accuser):
    """`-o json`: several accusers of each PARTY form (group, country, leader by short
    name) and the accused are stored as Party messages; status starts ALLEGED."""
    doc = fresh.ok_json("allegations", "create", "--accuser", "group:Json Group",
                        "--accuser", "KR", "--accuser", "Accuser", "--accused", "KP",
                        "--accused", "RU", "--summary", "Traded parts for testing.",
                        "--category", "sanctions-violation", "--first-reported", "2021-02-03",
                        "--id", "cli-alg-json")
    assert doc["name"] == "allegations/cli-alg-json"
    assert doc["accusers"] == [{"group": "Json Group"}, {"country": "KR"},
                               {"leader": "leaders/alg-accuser"}]
    assert doc["accused"] == [{"country": "KP"}, {"country": "RU"}]
    assert doc["category"] == "ALLEGATION_CATEGORY_SANCTIONS_VIOLATION"
    assert doc["status"] == "ALLEGATION_STATUS_ALLEGED"
    assert doc["firstReported"] == {"year": 2021, "month": 2, "day": 3}


def test_update_summary(fresh, accuser):
    """`allegations update ID --summary S` changes the summary and keeps the parties."""
    fresh.ok("allegations", "create", "--accuser", "group:Upd Group", "--accused", "KP",
             "--summary", "Old summary text.", "--category", "other", "--id", "cli-alg-upd")
    res = fresh.ok("allegations", "update", "cli-alg-upd", "--summary", "New summary text.")
    assert_shows(res, "New summary text.")
    doc = fresh.ok_json("allegations", "get", "cli-alg-upd")
    assert doc["summary"] == "New summary text."
    assert doc["accusers"] == [{"group": "Upd Group"}] and doc["accused"] == [{"country": "KP"}]
    assert doc["category"] == "ALLEGATION_CATEGORY_OTHER"


def test_respond_changes_status_column(fresh, accuser):
    """alleged → (KP denies) denied → (KP confirms) confirmed → (the accuser retracts)
    retracted, as the list table's status column shows; `respond` prints the updated
    allegation, and json records each response in order."""
    fresh.ok("allegations", "create", "--accuser", "group:Resp Group", "--accused", "KP",
             "--summary", "Supplied testing gear.", "--category", "military-aid",
             "--id", "cli-alg-resp")
    assert re.search(r"\balleged\b", _status_words(fresh, "Resp Group"))

    res = fresh.ok("allegations", "respond", "cli-alg-resp", "--party", "KP", "--stance",
                   "deny", "--statement", "We never did.", "--date", "2021-03-01")
    assert_shows(res, "denied")
    table = _status_words(fresh, "Resp Group")
    assert "denied" in table and not re.search(r"\balleged\b", table), table

    fresh.ok("allegations", "respond", "cli-alg-resp", "--party", "KP", "--stance", "confirm")
    table = _status_words(fresh, "Resp Group")
    assert "confirmed" in table and "denied" not in table, table

    doc = fresh.ok_json("allegations", "respond", "cli-alg-resp", "--party",
                        "group:Resp Group", "--stance", "retract")
    assert doc["status"] == "ALLEGATION_STATUS_RETRACTED"
    assert [(r["party"], r["stance"]) for r in doc["responses"]] == [
        ({"country": "KP"}, "STANCE_DENY"), ({"country": "KP"}, "STANCE_CONFIRM"),
        ({"group": "Resp Group"}, "STANCE_RETRACT")]
    assert doc["responses"][0]["statement"] == "We never did."
    assert doc["responses"][0]["date"] == {"year": 2021, "month": 3, "day": 1}
    assert "retracted" in _status_words(fresh, "Resp Group")


def test_respond_bad_stance_is_usage_error(fresh, accuser):
    """An unknown --stance word is a usage error: exit 64."""
    fresh.ok("allegations", "create", "--accuser", "group:Stance Group", "--accused", "KP",
             "--summary", "Anything.", "--category", "other", "--id", "cli-alg-stance")
    res = fresh.run("allegations", "respond", "cli-alg-stance", "--party", "KP",
                    "--stance", "shrug")
    assert res.code == 64, res.describe()


def test_respond_unknown_allegation(fresh):
    """Responding to an allegation that does not exist: NOT_FOUND, exit 66."""
    res = fresh.run("allegations", "respond", "no-such-allegation", "--party", "KP",
                    "--stance", "deny")
    assert_error(res, "NOT_FOUND", 66)
