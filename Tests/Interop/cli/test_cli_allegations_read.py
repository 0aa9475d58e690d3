"""Reading allegations from a seeded summitd through `summit allegations list|get`:
table (status and category in words), json and yaml."""

from __future__ import annotations

from cli_run import assert_not_shows, assert_shows, strip_output_only, yaml_values

MIL_AID = "allegations/north-korea-military-aid-to-russia"


def test_get_table(seeded):
    """`allegations get north-korea-military-aid-to-russia` (table): summary, category
    and status in words, the accuser group, and KP's denial with its (wrapped)
    statement and date."""
    res = seeded.ok("allegations", "get", "north-korea-military-aid-to-russia")
    assert_shows(res, "substantial military aid", "military aid", "denied",
                 "United States and allies", "KP", "2022-09-22",
                 "We have never exported weapons or ammunition to Russia")
    for const in ("ALLEGATION_STATUS_", "ALLEGATION_CATEGORY_", "STANCE_"):
        assert const not in res.out, f"enum constant {const}… in table{res.describe()}"


def test_get_json(seeded, seed_data):
    """`-o json` is the seeded Allegation (parties as {group}/{country}/{leader},
    category by enum name, responses in order) with the derived status DENIED."""
    doc = seeded.ok_json("allegations", "get", "north-korea-military-aid-to-russia")
    want = next(e for e in seed_data["allegations"] if e["name"] == MIL_AID)
    assert doc["name"] == MIL_AID
    assert doc["accusers"] == [{"group": "United States and allies"}]
    assert doc["accused"] == [{"country": "KP"}]
    assert doc["category"] == "ALLEGATION_CATEGORY_MILITARY_AID"
    assert doc["status"] == "ALLEGATION_STATUS_DENIED"
    assert doc["firstReported"] == {"year": 2022, "month": 9, "day": 5}
    assert [(r["party"], r["stance"]) for r in doc["responses"]] == [
        ({"country": "RU"}, "STANCE_DENY"), ({"country": "KP"}, "STANCE_DENY")]
    assert strip_output_only(doc) == strip_output_only(want)


def test_list_table_and_filters(seeded):
    """`allegations list` shows all five ids with statuses in words; `--category`,
    `--accuser` (a leader by short name) and `--status` filter."""
    res = seeded.ok("allegations", "list")
    assert_shows(res, "north-korea-military-aid-to-russia", "russian-sensitive-technology-to-north-korea",
                 "north-korean-artillery-shells-to-russia", "denied", "alleged")
    doc = seeded.ok_json("allegations", "list", "--category", "technology-transfer")
    assert [a["name"] for a in doc["allegations"]] == [
        "allegations/russian-sensitive-technology-to-north-korea"]
    doc = seeded.ok_json("allegations", "list", "--accuser", "austin")
    assert [a["name"] for a in doc["allegations"]] == [
        "allegations/north-korean-munitions-iranian-drones-aid-russia"]
    doc = seeded.ok_json("allegations", "list", "--status", "alleged")
    assert {a["name"] for a in doc["allegations"]} == {
        "allegations/north-korean-munitions-iranian-drones-aid-russia",
        "allegations/russian-sensitive-technology-to-north-korea"}
    res = seeded.ok("allegations", "list", "--accuser", "group:United States and allies")
    assert_shows(res, "north-korea-military-aid-to-russia")
    assert_not_shows(res, "north-korean-artillery-shells-to-russia")


def test_list_accused_yaml(seeded):
    """`allegations list --accused KP -o yaml` names the three allegations against
    North Korea, in first-reported order."""
    res = seeded.ok("allegations", "list", "--accused", "KP", output="yaml")
    names = [n for n in yaml_values(res.out, "name") if n.startswith("allegations/")]
    assert names == [MIL_AID, "allegations/north-korean-artillery-shells-to-russia",
                     "allegations/north-korean-munitions-iranian-drones-aid-russia"], res.describe()
