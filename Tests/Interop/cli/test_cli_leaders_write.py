"""`summit leaders create|update|delete` against a --no-seed summitd: outputs, what
the server stored, partial updates, etags, conflicts and force-delete."""

from __future__ import annotations

from cli_run import assert_error, assert_shows
from cli_setup import ensure_leader, ensure_visit, exists


def test_create_table_then_json(fresh, fresh_api):
    """`leaders create` prints the new leader (table) and exit 0; the server holds every
    field given (display name, country, title, aliases in order) under the chosen id."""
    res = fresh.ok("leaders", "create", "--display-name", "Ada Testperson", "--country", "FR",
                   "--title", "Minister of Tests", "--alias", "A. Testperson",
                   "--alias", "Ada", "--id", "ada-testperson")
    assert_shows(res, "Ada Testperson", "FR", "Minister of Tests")
    doc = fresh.ok_json("leaders", "get", "ada-testperson")
    assert doc["name"] == "leaders/ada-testperson"
    assert (doc["displayName"], doc["country"], doc["title"]) == (
        "Ada Testperson", "FR", "Minister of Tests")
    assert doc["aliases"] == ["A. Testperson", "Ada"]
    assert exists(fresh_api, "leaders", "leaders/ada-testperson")


def test_create_json_generates_slug(fresh):
    """Without --id the server makes the id from the display name; `-o json` prints the
    created Leader."""
    doc = fresh.ok_json("leaders", "create", "--display-name", "Bruno Slugtest",
                        "--country", "BR")
    assert doc["name"] == "leaders/bruno-slugtest", doc
    assert doc["displayName"] == "Bruno Slugtest" and doc["country"] == "BR"
    assert doc.get("etag") and doc.get("createTime"), doc


def test_create_existing_id_conflicts(fresh, fresh_api):
    """Creating an id already taken: `error: ALREADY_EXISTS: …`, exit 67."""
    ensure_leader(fresh_api, "taken-leader", "Taken Leader", "DE")
    res = fresh.run("leaders", "create", "--display-name", "Other", "--country", "DE",
                    "--id", "taken-leader")
    assert_error(res, "ALREADY_EXISTS", 67)


def test_update_changes_only_given_fields(fresh, fresh_api):
    """`leaders update ID --title T` changes the title and keeps display name, country
    and aliases (the CLI sends an update mask of the options given); output shows it."""
    ensure_leader(fresh_api, "upd-leader", "Una Updater", "ES", aliases=["Una"])
    res = fresh.ok("leaders", "update", "upd-leader", "--title", "Former Minister")
    assert_shows(res, "Former Minister", "Una Updater")
    doc = fresh.ok_json("leaders", "get", "upd-leader")
    assert doc["title"] == "Former Minister"
    assert (doc["displayName"], doc["country"], doc["aliases"]) == ("Una Updater", "ES", ["Una"])
    doc2 = fresh.ok_json("leaders", "update", "upd-leader", "--alias", "U. Updater",
                         "--alias", "Una")
    assert doc2["aliases"] == ["U. Updater", "Una"] and doc2["title"] == "Former Minister"


def test_update_with_stale_etag_aborts(fresh, fresh_api):
    """`--etag` with a stale value: `error: ABORTED: …`, exit 67; with the current etag
    the update goes through."""
    ensure_leader(fresh_api, "etag-leader", "Eta Tagger", "PT")
    current = fresh.ok_json("leaders", "get", "etag-leader")["etag"]
    fresh.ok("leaders", "update", "etag-leader", "--title", "First", "--etag", current)
    res = fresh.run("leaders", "update", "etag-leader", "--title", "Second", "--etag", current)
    assert_error(res, "ABORTED", 67)
    assert fresh.ok_json("leaders", "get", "etag-leader")["title"] == "First"


def test_delete(fresh, fresh_api):
    """`leaders delete ID` exits 0; afterwards `leaders get ID` is NOT_FOUND (66)."""
    ensure_leader(fresh_api, "del-leader", "Del Leader", "NL")
    fresh.ok("leaders", "delete", "del-leader")
    assert not exists(fresh_api, "leaders", "leaders/del-leader")
    assert_error(fresh.run("leaders", "get", "leaders/del-leader"), "NOT_FOUND", 66)


def test_delete_in_use_needs_force(fresh, fresh_api):
    """Deleting a leader a visit names fails with FAILED_PRECONDITION (exit 65) and
    deletes nothing; `--force` deletes the leader and the visit."""
    ensure_leader(fresh_api, "busy-leader", "Busy Leader", "NO")
    ensure_visit(fresh_api, "busy-visit", "leaders/busy-leader", "SE", (2020, 1, 2), (2020, 1, 3))
    assert_error(fresh.run("leaders", "delete", "busy-leader"), "FAILED_PRECONDITION", 65)
    assert exists(fresh_api, "leaders", "leaders/busy-leader")
    fresh.ok("leaders", "delete", "busy-leader", "--force")
    assert not exists(fresh_api, "leaders", "leaders/busy-leader")
    assert not exists(fresh_api, "visits", "visits/busy-visit")


def test_create_request_id_is_idempotent(fresh):
    """The same `leaders create … --request-id R` run twice returns the same leader
    (exit 0 both times) and creates it once."""
    args = ("leaders", "create", "--display-name", "Ida Empotent", "--country", "IS",
            "--request-id", "req-ida-empotent-1")
    first = fresh.ok_json(*args)
    second = fresh.ok_json(*args)
    assert first["name"] == second["name"] == "leaders/ida-empotent", (first, second)
    listed = fresh.ok_json("leaders", "list", "--country", "IS")["leaders"]
    assert [x["name"] for x in listed] == ["leaders/ida-empotent"], listed


def test_force_delete_blocked_by_allegation(fresh, fresh_api):
    """A leader named by an allegation is not deleted even with --force:
    FAILED_PRECONDITION, exit 65."""
    ensure_leader(fresh_api, "alleging-leader", "Al Leging", "KR")
    fresh.ok("allegations", "create", "--accuser", "alleging-leader", "--accused", "KP",
             "--summary", "Something happened.", "--category", "other", "--id", "blocks-delete")
    assert_error(fresh.run("leaders", "delete", "alleging-leader", "--force"),
                 "FAILED_PRECONDITION", 65)
    assert exists(fresh_api, "leaders", "leaders/alleging-leader")
