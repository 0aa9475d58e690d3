"""Reading leaders from a seeded summitd through `summit leaders list|get|resolve`, in
table, json and yaml output."""

from __future__ import annotations

import re

from cli_run import (assert_not_shows, assert_shows, strip_output_only, yaml_values)

RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def _seed(seed_data, kind, name):
    return next(e for e in seed_data[kind] if e["name"] == name)


def _shows_leader(res, leader_id: str, display_name: str) -> None:
    """The table names the leader by id or by display name."""
    assert leader_id in res.out or display_name in res.out, \
        f"neither {leader_id} nor {display_name} shown{res.describe()}"


def test_get_table(seeded):
    """`leaders get putin` (table) shows the display name, the country, the title and
    an alias, exits 0, and prints no ANSI colour codes into a pipe."""
    res = seeded.ok("leaders", "get", "putin")
    assert_shows(res, "Vladimir Putin", "President of Russia", "Путин")
    assert re.search(r"\bRU\b", res.out), f"country RU not shown{res.describe()}"
    assert "\x1b[" not in res.out, f"ANSI escapes in piped output{res.describe()}"


def test_get_json_field_by_field(seeded, seed_data):
    """`leaders get putin -o json` is the Leader in proto3 JSON: camelCase fields equal
    to the seed's (name, displayName, title, country, aliases in order, sources), plus
    output-only etag and RFC 3339 createTime/updateTime."""
    doc = seeded.ok_json("leaders", "get", "putin")
    want = _seed(seed_data, "leaders", "leaders/vladimir-putin")
    assert doc["name"] == "leaders/vladimir-putin"
    assert doc["displayName"] == "Vladimir Putin"
    assert doc["country"] == "RU"
    assert doc["title"] == "President of Russia"
    assert doc["aliases"] == want["aliases"]
    assert strip_output_only(doc) == strip_output_only(want)
    assert isinstance(doc.get("etag"), str) and doc["etag"], doc
    for key in ("createTime", "updateTime"):
        assert RFC3339.fullmatch(doc.get(key, "")), f"{key}={doc.get(key)!r}"
    assert "display_name" not in doc, "fields must be camelCase"


def test_get_yaml(seeded):
    """`leaders get putin -o yaml` holds the same content as key lines (not JSON)."""
    res = seeded.ok("leaders", "get", "putin", output="yaml")
    assert not res.out.lstrip().startswith("{"), f"yaml output looks like JSON{res.describe()}"
    assert yaml_values(res.out, "name") == ["leaders/vladimir-putin"], res.describe()
    assert yaml_values(res.out, "displayName") == ["Vladimir Putin"], res.describe()
    assert yaml_values(res.out, "country") == ["RU"], res.describe()


def test_list_table_all_seeded(seeded, seed_data):
    """`leaders list` (table) shows every seeded leader's display name."""
    res = seeded.ok("leaders", "list")
    assert_shows(res, *[e["displayName"] for e in seed_data["leaders"]], case=True)


def test_list_country_filter(seeded):
    """`leaders list --country KP` shows both Kims and nobody else (table and json)."""
    res = seeded.ok("leaders", "list", "--country", "KP")
    assert_shows(res, "Kim Jong Un", "Kim Jong Il")
    assert_not_shows(res, "Vladimir Putin", "Xi Jinping")
    doc = seeded.ok_json("leaders", "list", "--country", "KP")
    assert [x["name"] for x in doc["leaders"]] == ["leaders/kim-jong-il", "leaders/kim-jong-un"]
    assert all(x["country"] == "KP" for x in doc["leaders"])


def test_list_page_size_json(seeded):
    """`leaders list --page-size 3 -o json` is one ListLeadersResponse page: 3 leaders
    in name order and a nextPageToken; `--all` gives all 10 in the table."""
    doc = seeded.ok_json("leaders", "list", "--page-size", "3")
    names = [x["name"] for x in doc["leaders"]]
    assert len(names) == 3 and names == sorted(names), doc
    assert isinstance(doc.get("nextPageToken"), str) and doc["nextPageToken"], doc
    res = seeded.ok("leaders", "list", "--page-size", "3", "--all")
    for who in ("Giorgia Meloni", "Viola Amherd", "Xi Jinping", "Volodymyr Zelensky"):
        assert_shows(res, who)


def test_resolve_mentions(seeded):
    """`leaders resolve MENTION...` answers each mention (Cyrillic alias, title + name)
    with the right leader; json carries matches best first with scores in (0, 1]."""
    res = seeded.ok("leaders", "resolve", "Путин", "President Xi")
    _shows_leader(res, "vladimir-putin", "Vladimir Putin")
    _shows_leader(res, "xi-jinping", "Xi Jinping")
    docs = seeded.ok("leaders", "resolve", "Путин", "President Xi", output="json").json_docs()
    assert len(docs) == 2, docs
    assert docs[0]["mention"] == "Путин"
    assert docs[0]["matches"][0]["leader"]["name"] == "leaders/vladimir-putin"
    assert docs[1]["matches"][0]["leader"]["name"] == "leaders/xi-jinping"
    for d in docs:
        assert all(0 < m["score"] <= 1 for m in d["matches"]), d


def test_resolve_from_stdin(seeded):
    """`leaders resolve` with no MENTION reads one mention per line from stdin."""
    res = seeded.ok("leaders", "resolve", input="Zelenskyy\nMeloni\n")
    _shows_leader(res, "volodymyr-zelensky", "Volodymyr Zelensky")
    _shows_leader(res, "giorgia-meloni", "Giorgia Meloni")
