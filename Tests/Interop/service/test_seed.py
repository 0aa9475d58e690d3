"""The seed: a fresh summitd without --no-seed holds the facts of the news report in
shared/seed-article.txt, found by querying (not by ids, except the four fixed leader
names); a restart does not seed twice; --no-seed starts empty."""

from __future__ import annotations

import re

import pytest

from svc_client import Api
from svc_make import days, pydate
from svc_seed import KINDS, everything, party_country, read_seed, seed_names, seed_records, \
    visits, without_output_only

PUTIN = "leaders/vladimir-putin"
KIM = "leaders/kim-jong-un"
ZELENSKY = "leaders/volodymyr-zelensky"
AUSTIN = "leaders/lloyd-austin"
FIXED = {PUTIN: "RU", KIM: "KP", ZELENSKY: "UA", AUSTIN: "US"}
# The allegation categories the report gives rise to (military aid to Russia, artillery
# shells, sanctions and the satellite programme, sensitive technology).
EXPECTED_CATEGORIES = ("ALLEGATION_CATEGORY_MILITARY_AID", "ALLEGATION_CATEGORY_ARMS_TRANSFER",
                       "ALLEGATION_CATEGORY_SANCTIONS_VIOLATION",
                       "ALLEGATION_CATEGORY_TECHNOLOGY_TRANSFER")
JUNE_2024 = dict(date_from=(2024, 6, 1), date_to=(2024, 6, 30))
URL = re.compile(r"https?://\S+")


@pytest.fixture
def seeded(seeded_api):
    return seeded_api


def _one(found: list, what: str):
    assert len(found) == 1, f"{what}: expected one visit, found {[v.name for v in found]}"
    return found[0]


def _ymd(d) -> tuple[int, int, int]:
    return (d.year, d.month, d.day)


# -- the store against the file ----------------------------------------------------
def test_seed_file_matches_store(seeded, seed_file):
    """Every record of the seed file (read now, not hard-coded) is in the store exactly
    as written (output-only fields aside), and nothing else is."""
    on_file = read_seed(seed_file)
    assert set(on_file) == set(KINDS), f"{seed_file.name} lists {sorted(on_file)}"
    stored = everything(seeded)
    for kind, entries in on_file.items():
        assert len(stored[kind]) == len(entries), (
            f"{kind}: {len(stored[kind])} stored, {len(entries)} in {seed_file.name}")
        wanted = seed_names(entries)
        if wanted is not None:
            assert {r.name for r in stored[kind]} == wanted, kind
    for kind, records in seed_records(seeded.pb, on_file).items():
        by_name = {r.name: r for r in stored[kind]}
        for rec in records:
            if rec.name in by_name:
                got = without_output_only(by_name[rec.name])
                assert got == without_output_only(rec), f"{rec.name} differs from the file"


def test_fixed_leaders_exist(seeded):
    """The four leaders with fixed names exist, each for the right state."""
    pb = seeded.pb
    for name, country in FIXED.items():
        got = seeded.leaders.GetLeader(pb.leader.GetLeaderRequest(name=name))
        assert got.country == country, f"{name}: country {got.country}"
        assert got.display_name


def test_every_record_cites_a_source(seeded):
    """Every seeded leader, visit and allegation has at least one source, each with a
    title or an http(s) url."""
    stored = everything(seeded)
    for kind, records in stored.items():
        assert records, f"no {kind} seeded"
        for r in records:
            assert len(r.sources) >= 1, f"{r.name} has no source"
            for s in r.sources:
                assert s.title or s.url, f"{r.name}: empty source"
                assert not s.url or URL.fullmatch(s.url), f"{r.name}: url {s.url!r}"


# -- visits ------------------------------------------------------------------------
def test_putin_stayed_two_days_in_pyongyang(seeded):
    """Putin's June 2024 visit to North Korea: 18 to 19 June, two days."""
    v = _one(visits(seeded, visitor=PUTIN, host_country="KP", **JUNE_2024), "Putin in KP 2024-06")
    assert _ymd(v.start_date) == (2024, 6, 18) and _ymd(v.end_date) == (2024, 6, 19)
    assert days(v) == 2
    assert v.host_leader in ("", KIM)


def test_putin_visited_north_korea_in_2000(seeded):
    """'His first visit there in over 20 years': the 2000 visit is recorded."""
    found = visits(seeded, visitor=PUTIN, host_country="KP", date_from=(2000, 1, 1),
                   date_to=(2000, 12, 31))
    assert found, "no visit by Putin to KP in 2000"
    assert all(pydate(v.start_date).year == 2000 for v in found)


def test_kim_2023_russia_trip_includes_vostochny(seeded):
    """Kim's September 2023 trip to Russia lists Vostochny Cosmodrome among its sites."""
    v = _one(visits(seeded, visitor=KIM, host_country="RU", date_from=(2023, 9, 1),
                    date_to=(2023, 9, 30)), "Kim in RU 2023-09")
    assert any("vostochny cosmodrome" in s.lower() for s in v.sites), list(v.sites)


def test_pyongyang_visit_reciprocates_kim_trip(seeded):
    """The Pyongyang 2024 visit names Kim's 2023 Russia trip in `reciprocates`."""
    pyongyang = _one(visits(seeded, visitor=PUTIN, host_country="KP", **JUNE_2024), "Pyongyang")
    kim_trip = _one(visits(seeded, visitor=KIM, host_country="RU", date_from=(2023, 9, 1),
                           date_to=(2023, 9, 30)), "Kim in RU")
    assert pyongyang.reciprocates == kim_trip.name


def test_putin_hanoi_visit(seeded):
    """Then Hanoi: Vietnam, 19 to 20 June 2024."""
    v = _one(visits(seeded, visitor=PUTIN, host_country="VN", **JUNE_2024), "Putin in VN")
    assert _ymd(v.start_date) == (2024, 6, 19) and _ymd(v.end_date) == (2024, 6, 20)


def test_peace_summit_in_switzerland(seeded):
    """The June 2024 peace summit is recorded in Switzerland (CH) as a summit."""
    found = visits(seeded, host_country="CH", kind=seeded.pb.visit.VISIT_KIND_SUMMIT, **JUNE_2024)
    assert found, "no June 2024 summit visit to CH"


def test_zelensky_attended_g7_in_italy(seeded):
    """Zelensky at the G7 summit in Italy, June 2024."""
    found = visits(seeded, visitor=ZELENSKY, host_country="IT", **JUNE_2024)
    g7 = [v for v in found if "g7" in (v.event + " " + v.purpose).lower().replace(" ", "")
          or "group of seven" in (v.event + " " + v.purpose).lower()]
    assert g7, f"no G7 visit by Zelensky to IT: {[v.event for v in found]}"
    assert all(v.kind == seeded.pb.visit.VISIT_KIND_SUMMIT for v in g7)


# -- allegations --------------------------------------------------------------------
def test_artillery_shells_denied_by_russia_and_north_korea(seeded):
    """The allegation South Korea reported (North Korean artillery shells shipped to
    Russia) carries STANCE_DENY responses from both RU and KP, and is DENIED."""
    pb = seeded.pb
    stored = everything(seeded)["allegations"]
    shells = [a for a in stored if "shell" in a.summary.lower()
              and any(party_country(seeded, p) == "KR" for p in a.accusers)]
    assert len(shells) == 1, f"artillery-shell allegations by KR: {[a.name for a in shells]}"
    a = shells[0]
    assert "artillery" in a.summary.lower()
    assert a.category == pb.allegation.ALLEGATION_CATEGORY_ARMS_TRANSFER
    deniers = {party_country(seeded, r.party) for r in a.responses
               if r.stance == pb.allegation.STANCE_DENY}
    assert {"RU", "KP"} <= deniers, f"denied by {deniers}"
    assert a.status == pb.allegation.ALLEGATION_STATUS_DENIED
    accused = {party_country(seeded, p) for p in a.accused}
    assert "KP" in accused


def test_allegations_count_and_categories(seeded):
    """At least five allegations, covering every category the report gives rise to;
    each has accusers, accused and a status derived from its responses."""
    pb = seeded.pb
    stored = everything(seeded)["allegations"]
    assert len(stored) >= 5, f"only {len(stored)} allegations"
    cats = {a.category for a in stored}
    for c in EXPECTED_CATEGORIES:
        assert getattr(pb.allegation, c) in cats, f"no allegation of {c}"
    for a in stored:
        assert a.accusers and a.accused and a.summary
        assert a.status != pb.allegation.ALLEGATION_STATUS_UNSPECIFIED


def test_allegations_found_by_party_filters(seeded):
    """The filters reach the seed: KP is accused in some allegation, and filtering by
    accused=KP returns only allegations naming KP."""
    pb = seeded.pb
    got = seeded.allegations.ListAllegations(pb.allegation.ListAllegationsRequest(
        accused=pb.common.Party(country="KP"), page_size=1000)).allegations
    assert got, "no allegation with KP among the accused"
    assert all(any(p.country == "KP" for p in a.accused) for a in got)


# -- seeding once -------------------------------------------------------------------
def test_restart_does_not_seed_twice(pb, start_summitd):
    """Seeding happens on an empty store only: after a restart on the same file the
    records (names and etags) are the same, not doubled."""
    store = start_summitd(seed=True)
    with Api(pb, store.address) as api:
        first = everything(api)
    assert all(first.values()), "nothing was seeded"
    store.restart()
    with Api(pb, store.address) as api:
        second = everything(api)
    for kind in first:
        assert [(r.name, r.etag) for r in second[kind]] == \
            [(r.name, r.etag) for r in first[kind]], kind


def test_no_seed_starts_empty(pb, start_summitd):
    """--no-seed: no leaders, visits or allegations at all."""
    store = start_summitd(seed=False)
    with Api(pb, store.address) as api:
        stored = everything(api)
    assert stored == {"leaders": [], "visits": [], "allegations": []}
