"""Reading visits from a seeded summitd through `summit visits list|get`: table,
json (field by field against the seed file) and yaml."""

from __future__ import annotations

import re

from cli_run import assert_not_shows, assert_shows, strip_output_only, yaml_values

PUTIN_2024 = ["visits/putin-beijing-2024", "visits/putin-pyongyang-2024",
              "visits/putin-hanoi-2024"]


def _seed_visit(seed_data, name):
    return next(e for e in seed_data["visits"] if e["name"] == name)


def test_get_table(seeded):
    """`visits get putin-pyongyang-2024` (table): dates as 2024-06-18 / 2024-06-19, the
    kind in words ("state visit", no VISIT_KIND_ constant), host country, host leader,
    city, a site, the visit it reciprocates and the (wrapped) purpose."""
    res = seeded.ok("visits", "get", "putin-pyongyang-2024")
    assert_shows(res, "2024-06-18", "2024-06-19", "state visit", "Pyongyang",
                 "Kim Il Sung Square", "kim-jong-un-russia-2023",
                 "first visit to North Korea in 24 years")
    assert re.search(r"\bKP\b", res.out) or "North Korea" in res.out, res.describe()
    assert "kim-jong-un" in res.out or "Kim Jong Un" in res.out, res.describe()
    assert "VISIT_KIND_" not in res.out, f"enum constant instead of words{res.describe()}"


def test_get_json_equals_seed(seeded, seed_data):
    """`visits get putin-pyongyang-2024 -o json` is the seeded Visit, field by field
    (camelCase, dates as {year, month, day}, kind by enum name), with an etag."""
    doc = seeded.ok_json("visits", "get", "putin-pyongyang-2024")
    assert doc["name"] == "visits/putin-pyongyang-2024"
    assert doc["visitor"] == "leaders/vladimir-putin"
    assert doc["hostCountry"] == "KP"
    assert doc["hostLeader"] == "leaders/kim-jong-un"
    assert doc["startDate"] == {"year": 2024, "month": 6, "day": 18}
    assert doc["endDate"] == {"year": 2024, "month": 6, "day": 19}
    assert doc["kind"] == "VISIT_KIND_STATE_VISIT"
    assert doc["reciprocates"] == "visits/kim-jong-un-russia-2023"
    assert doc["cities"] == ["Pyongyang"]
    assert doc.get("etag"), doc
    assert strip_output_only(doc) == strip_output_only(
        _seed_visit(seed_data, "visits/putin-pyongyang-2024"))


def test_list_table_all(seeded, seed_data):
    """`visits list` (table) shows all seeded visits with their start dates, kinds in
    words, ordered by start date."""
    res = seeded.ok("visits", "list")
    ids = [e["name"].split("/", 1)[1] for e in seed_data["visits"]]
    assert_shows(res, *ids, "2000-07-19", "2023-09-12", "2024-06-13", "official visit",
                 "state visit", "summit")
    assert "VISIT_KIND_" not in res.out, res.describe()
    pos = [res.out.find("putin-pyongyang-2000"), res.out.find("kim-jong-un-russia-2023"),
           res.out.find("putin-beijing-2024"), res.out.find("putin-hanoi-2024")]
    assert pos == sorted(pos), f"rows not in start-date order{res.describe()}"


def test_list_putin_2024_json(seeded, seed_data):
    """`visits list --visitor putin --year 2024 -o json` is a ListVisitsResponse holding
    exactly the seeded 2024 Putin visits, Beijing (May), Pyongyang (June 18–19), Hanoi
    (June 19–20), in that order, each equal to its seed record."""
    doc = seeded.ok_json("visits", "list", "--visitor", "putin", "--year", "2024")
    visits = doc["visits"]
    assert [v["name"] for v in visits] == PUTIN_2024, doc
    for v in visits:
        assert v["visitor"] == "leaders/vladimir-putin"
        assert v["startDate"]["year"] == 2024
        assert strip_output_only(v) == strip_output_only(_seed_visit(seed_data, v["name"]))
    assert visits[0]["startDate"]["month"] == 5
    assert (visits[1]["startDate"], visits[1]["endDate"]) == (
        {"year": 2024, "month": 6, "day": 18}, {"year": 2024, "month": 6, "day": 19})
    assert (visits[2]["startDate"], visits[2]["endDate"]) == (
        {"year": 2024, "month": 6, "day": 19}, {"year": 2024, "month": 6, "day": 20})
    assert not doc.get("nextPageToken"), doc


def test_list_putin_2024_yaml(seeded):
    """`-o yaml` of the same list names the same three visits, each with visitor
    leaders/vladimir-putin."""
    res = seeded.ok("visits", "list", "--visitor", "putin", "--year", "2024", output="yaml")
    assert not res.out.lstrip().startswith("{"), res.describe()
    names = [v for v in yaml_values(res.out, "name")]
    assert [n for n in names if n.startswith("visits/")] == PUTIN_2024, res.describe()
    assert yaml_values(res.out, "visitor") == ["leaders/vladimir-putin"] * 3, res.describe()


def test_list_filters(seeded):
    """`--host`, `--kind` and `--from/--to` filter as ListVisits does (day overlap)."""
    doc = seeded.ok_json("visits", "list", "--host", "KP")
    assert [v["name"] for v in doc["visits"]] == ["visits/putin-pyongyang-2000",
                                                    "visits/putin-pyongyang-2024"]
    doc = seeded.ok_json("visits", "list", "--kind", "summit")
    assert [v["name"] for v in doc["visits"]] == ["visits/zelensky-g7-apulia-2024",
                                                    "visits/zelensky-burgenstock-2024"]
    doc = seeded.ok_json("visits", "list", "--from", "2024-06-19", "--to", "2024-06-19")
    assert [v["name"] for v in doc["visits"]] == ["visits/putin-pyongyang-2024",
                                                    "visits/putin-hanoi-2024"]
    res = seeded.ok("visits", "list", "--kind", "summit")
    assert_shows(res, "zelensky-g7-apulia-2024", "zelensky-burgenstock-2024")
    assert_not_shows(res, "putin-beijing-2024")


def test_list_page_size(seeded):
    """`visits list --page-size 2 -o json` is one page with a nextPageToken; `--all`
    lists every visit (table)."""
    doc = seeded.ok_json("visits", "list", "--page-size", "2")
    assert len(doc["visits"]) == 2 and doc.get("nextPageToken"), doc
    res = seeded.ok("visits", "list", "--page-size", "2", "--all")
    assert_shows(res, "putin-pyongyang-2000", "zelensky-burgenstock-2024", "putin-hanoi-2024")
