"""The question Summit exists to answer, asked through the CLI: "Which visits did Putin
make in 2024, and which allegations were denied by North Korea?"

  summit visits list --visitor putin --year 2024
  summit allegations list --denied-by KP
"""

from __future__ import annotations

from cli_run import assert_not_shows, assert_shows

PUTIN_2024 = ["visits/putin-beijing-2024", "visits/putin-pyongyang-2024",
              "visits/putin-hanoi-2024"]
DENIED_BY_KP = ["allegations/north-korea-military-aid-to-russia",
                "allegations/north-korean-artillery-shells-to-russia"]
NOT_DENIED_BY_KP = ["allegations/north-korean-munitions-iranian-drones-aid-russia",
                    "allegations/russian-sensitive-technology-to-north-korea"]


def test_putin_2024_table(seeded):
    """Table: the three 2024 trips (Beijing, Pyongyang, Hanoi) with start dates and
    "state visit", in date order; not the 2000 Pyongyang visit nor anyone else's."""
    res = seeded.ok("visits", "list", "--visitor", "putin", "--year", "2024")
    assert_shows(res, "putin-beijing-2024", "putin-pyongyang-2024", "putin-hanoi-2024",
                 "2024-05-16", "2024-06-18", "2024-06-19", "state visit")
    assert_not_shows(res, "putin-pyongyang-2000", "zelensky", "kim-jong-un-russia-2023")
    order = [res.out.find(x) for x in ("putin-beijing-2024", "putin-pyongyang-2024",
                                        "putin-hanoi-2024")]
    assert order == sorted(order), f"not in date order{res.describe()}"


def test_putin_2024_json(seeded):
    """JSON: exactly those three visits, visitor leaders/vladimir-putin, year 2024."""
    doc = seeded.ok_json("visits", "list", "--visitor", "putin", "--year", "2024")
    assert [v["name"] for v in doc["visits"]] == PUTIN_2024
    assert {v["visitor"] for v in doc["visits"]} == {"leaders/vladimir-putin"}
    assert {v["startDate"]["year"] for v in doc["visits"]} == {2024}
    assert [v["hostCountry"] for v in doc["visits"]] == ["CN", "KP", "VN"]


def _kp_denied(allegation: dict) -> bool:
    return any(r.get("party") == {"country": "KP"} and r.get("stance") == "STANCE_DENY"
               for r in allegation.get("responses", []))


def test_denied_by_kp_json(seeded):
    """JSON: the military-aid and artillery-shell allegations are listed, every listed
    allegation carries a KP response with stance DENY, and those KP never answered
    (the munitions/drones one, the technology-transfer one) are not listed."""
    doc = seeded.ok_json("allegations", "list", "--denied-by", "KP")
    names = [a["name"] for a in doc["allegations"]]
    for want in DENIED_BY_KP:
        assert want in names, f"{want} missing from {names}"
    for unwanted in NOT_DENIED_BY_KP:
        assert unwanted not in names, f"{unwanted} listed though KP did not deny it"
    for a in doc["allegations"]:
        assert _kp_denied(a), f"{a['name']} listed but has no KP denial: {a.get('responses')}"
    assert names.index(DENIED_BY_KP[0]) < names.index(DENIED_BY_KP[1]), \
        "allegations are ordered by first_reported (2022-09-05 before 2023-11-01)"


def test_denied_by_kp_table(seeded):
    """Table: the same allegations, their status in words ("denied")."""
    res = seeded.ok("allegations", "list", "--denied-by", "KP")
    assert_shows(res, "north-korea-military-aid-to-russia",
                 "north-korean-artillery-shells-to-russia", "denied")
    assert_not_shows(res, "north-korean-munitions-iranian-drones-aid-russia",
                     "russian-sensitive-technology-to-north-korea")
