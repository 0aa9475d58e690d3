"""Short names (docs/cli.md): a leader may be named by its exact id or anything
ResolveLeaders matches unambiguously; visit and allegation ids may drop their prefix."""

from __future__ import annotations

import pytest

from cli_run import assert_no_crash


@pytest.mark.parametrize("name", ["putin", "vladimir-putin", "leaders/vladimir-putin",
                                  "Путин", "President Putin"])
def test_leader_short_names(seeded, name):
    """Each way of naming Putin gets leaders/vladimir-putin."""
    doc = seeded.ok_json("leaders", "get", name)
    assert doc["name"] == "leaders/vladimir-putin", doc


def test_kim_is_kim_jong_un_or_a_clear_ambiguity_error(seeded):
    """`kim` is an alias of Kim Jong Un only, but also prefixes kim-jong-il. Accepted:
    it resolves to leaders/kim-jong-un (and shows Kim Jong Un), or it fails with exit
    64/66 and an `error:` line naming both candidates. `visits list --visitor kim`
    must then behave the same way (the same resolution everywhere)."""
    res = seeded.run("leaders", "get", "kim")
    assert_no_crash(res)
    listed = seeded.run("visits", "list", "--visitor", "kim", output="json")
    assert_no_crash(listed)
    if res.code == 0:
        assert "Kim Jong Un" in res.out, f"resolved, but not to Kim Jong Un{res.describe()}"
        doc = seeded.ok_json("leaders", "get", "kim")
        assert doc["name"] == "leaders/kim-jong-un"
        assert listed.code == 0, listed.describe()
        assert [v["name"] for v in listed.json()["visits"]] == ["visits/kim-jong-un-russia-2023"]
    else:
        assert res.code in (64, 66), f"ambiguity must exit 64 or 66{res.describe()}"
        first = res.err.strip().splitlines()[0] if res.err.strip() else ""
        assert first.startswith("error:"), f"no 'error:' line{res.describe()}"
        assert "kim-jong-un" in res.err and "kim-jong-il" in res.err, \
            f"the ambiguity error must list the candidates{res.describe()}"
        assert listed.code == res.code, f"--visitor kim resolved differently{listed.describe()}"


@pytest.mark.parametrize("name", ["putin-pyongyang-2024", "visits/putin-pyongyang-2024"])
def test_visit_without_prefix(seeded, name):
    """`visits get putin-pyongyang-2024` works with and without the `visits/` prefix."""
    assert seeded.ok_json("visits", "get", name)["name"] == "visits/putin-pyongyang-2024"


@pytest.mark.parametrize("name", ["north-korean-artillery-shells-to-russia",
                                  "allegations/north-korean-artillery-shells-to-russia"])
def test_allegation_without_prefix(seeded, name):
    """`allegations get` works with and without the `allegations/` prefix."""
    doc = seeded.ok_json("allegations", "get", name)
    assert doc["name"] == "allegations/north-korean-artillery-shells-to-russia"


def test_party_as_leader_short_name(seeded):
    """A PARTY given as a leader short name (`--accuser austin`) means
    {"leader": "leaders/lloyd-austin"}."""
    doc = seeded.ok_json("allegations", "list", "--accuser", "austin")
    assert doc["allegations"] and all(
        {"leader": "leaders/lloyd-austin"} in a["accusers"] for a in doc["allegations"]), doc
