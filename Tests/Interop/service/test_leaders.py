"""LeaderService against a real summitd (--no-seed, one per module): every RPC and every
error docs/api-semantics.md lists for leaders. ResolveLeaders is in
test_import_and_resolve.py."""

from __future__ import annotations

import pytest

import svc_errors as E
from svc_make import create_allegation, create_leader, create_visit, leader_msg, mask, party, \
    source, token, uid
from svc_paging import list_all, names

BAD_COUNTRIES = ["usa", "us", "U1", "JJ", "R"]   # see the README note on XX/ZZ


def _create_req(pb, leader, leader_id="", request_id=""):
    return pb.leader.CreateLeaderRequest(leader=leader, leader_id=leader_id,
                                         request_id=request_id)


# -- Create / Get -----------------------------------------------------------------
def test_create_then_get_round_trips(api):
    """Create returns the stored leader (name from leader_id, fields as sent, etag and
    both times set); Get returns the same message."""
    pb = api.pb
    lid = uid("ldr")
    sent = leader_msg(pb, aliases=["Путин", "Alias Two"])
    made = api.leaders.CreateLeader(_create_req(pb, sent, lid))
    assert made.name == f"leaders/{lid}"
    for f in ("display_name", "title", "country"):
        assert getattr(made, f) == getattr(sent, f), f
    assert list(made.aliases) == list(sent.aliases)
    assert list(made.sources) == list(sent.sources)
    assert made.etag
    assert made.HasField("create_time") and made.HasField("update_time")
    got = api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=made.name))
    assert got == made


def test_create_takes_id_from_valid_name(api):
    """Without leader_id, a valid `leader.name` gives the id."""
    pb = api.pb
    lid = uid("named")
    made = api.leaders.CreateLeader(_create_req(pb, leader_msg(pb, name=f"leaders/{lid}")))
    assert made.name == f"leaders/{lid}"


def test_create_generates_slug_with_suffix_when_taken(api):
    """Without leader_id or name, the id is a slug of display_name; a second leader with
    the same display_name gets `-2`."""
    pb = api.pb
    tok = token()
    first = api.leaders.CreateLeader(_create_req(pb, leader_msg(pb, display_name=f"Test Leader {tok}")))
    second = api.leaders.CreateLeader(_create_req(pb, leader_msg(pb, display_name=f"Test Leader {tok}")))
    assert first.name == f"leaders/test-leader-{tok}"
    assert second.name == f"leaders/test-leader-{tok}-2"


def test_output_only_fields_are_ignored_on_create(api):
    """etag sent on create is not stored: the server sets its own."""
    pb = api.pb
    made = api.leaders.CreateLeader(_create_req(pb, leader_msg(pb, etag="client-etag"), uid()))
    assert made.etag and made.etag != "client-etag"


def test_limits_are_inclusive(api):
    """200-char display_name/title and 50 aliases of 200 chars are accepted."""
    pb = api.pb
    made = api.leaders.CreateLeader(_create_req(pb, leader_msg(
        pb, display_name="D" * 200, title="T" * 200,
        aliases=[f"{i:03d}" + "a" * 197 for i in range(50)]), uid()))
    assert len(made.display_name) == 200 and len(made.aliases) == 50


def test_get_missing_is_not_found(api):
    """GetLeader of an absent leader: NOT_FOUND, RESOURCE_NOT_FOUND, the name in the message."""
    name = f"leaders/{uid('absent')}"
    E.not_found(api.pb, api.leaders.GetLeader, api.pb.leader.GetLeaderRequest(name=name), name)


@pytest.mark.parametrize("name", ["leaders/Bad_ID", "visits/abc", "leaders/", "abc", ""])
def test_get_malformed_name_is_invalid(api, name):
    """A name that is not `leaders/{slug}` is INVALID_ARGUMENT on field `name` (AIP-193)."""
    E.invalid(api.pb, api.leaders.GetLeader, api.pb.leader.GetLeaderRequest(name=name), "name")


# -- Create: field rules -------------------------------------------------------------
# case -> (fields of the Leader, exact BadRequest path or None, path prefix or None).
# No case uses U+0000: protobuf-c cuts strings there, before any validation could see it.
INVALID_LEADERS = {
    "display_name missing": (lambda pb: dict(display_name=""), "leader.display_name", None),
    "display_name too long": (lambda pb: dict(display_name="x" * 201), "leader.display_name", None),
    "display_name control char": (lambda pb: dict(display_name="Bad\x07Name"),
                                  "leader.display_name", None),
    "display_name tab (short text)": (lambda pb: dict(display_name="Tab\tName"),
                                        "leader.display_name", None),
    "title too long": (lambda pb: dict(title="x" * 201), "leader.title", None),
    "country missing": (lambda pb: dict(country=""), "leader.country", None),
    "too many aliases": (lambda pb: dict(aliases=[f"a{i}" for i in range(51)]), None,
                         "leader.aliases"),
    "alias too long": (lambda pb: dict(aliases=["x" * 201]), None, "leader.aliases"),
    "alias control char": (lambda pb: dict(aliases=["a\x1bb"]), None, "leader.aliases"),
    "source url not http": (lambda pb: dict(sources=[pb.common.Source(
        title="t", url="ftp://example.org/x")]), None, "leader.sources"),
    "source title too long": (lambda pb: dict(sources=[pb.common.Source(
        title="x" * 501, url="https://example.org/")]), None, "leader.sources"),
}


@pytest.mark.parametrize("case", list(INVALID_LEADERS))
def test_create_rejects_invalid_field(api, case):
    """Each field rule of Leader: INVALID_ARGUMENT / INVALID_FIELD with a BadRequest whose
    path starts at the request (`leader.display_name`, `leader.aliases[0]`, ...)."""
    pb = api.pb
    fields, exact, prefix = INVALID_LEADERS[case]
    req = _create_req(pb, leader_msg(pb, **fields(pb)), uid())
    E.expect(pb, api.leaders.CreateLeader, req, E.INVALID, "INVALID_FIELD",
             field=exact, field_prefix=prefix)


@pytest.mark.parametrize("country", BAD_COUNTRIES)
def test_create_rejects_country_not_alpha2(api, country):
    """leader.country must be an upper-case ISO 3166-1 alpha-2 code."""
    pb = api.pb
    E.invalid(pb, api.leaders.CreateLeader,
              _create_req(pb, leader_msg(pb, country=country), uid()), "leader.country")


@pytest.mark.parametrize("leader_id", ["Bad_ID", "1abc", "-abc", "abc-", "ab--cd", "a" * 64,
                                       "abc def"])
def test_create_rejects_bad_leader_id(api, leader_id):
    """leader_id must be a slug ^[a-z][a-z0-9-]{0,62}$ without trailing `-` or `--`."""
    pb = api.pb
    E.invalid(pb, api.leaders.CreateLeader, _create_req(pb, leader_msg(pb), leader_id),
              "leader_id")


def test_create_accepts_63_char_id(api):
    """The longest id the pattern allows (63 chars) is accepted."""
    pb = api.pb
    lid = (uid("long") + "x" * 63)[:63]
    made = api.leaders.CreateLeader(_create_req(pb, leader_msg(pb), lid))
    assert made.name == f"leaders/{lid}"


def test_create_rejects_long_request_id(api):
    pb = api.pb
    E.invalid(pb, api.leaders.CreateLeader,
              _create_req(pb, leader_msg(pb), uid(), request_id="r" * 101), "request_id")


def test_create_existing_id_already_exists(api):
    """A second create with a taken leader_id: ALREADY_EXISTS / RESOURCE_ALREADY_EXISTS;
    the first record is unchanged."""
    pb = api.pb
    lid = uid()
    first = api.leaders.CreateLeader(_create_req(pb, leader_msg(pb), lid))
    E.expect(pb, api.leaders.CreateLeader, _create_req(pb, leader_msg(pb), lid), E.EXISTS,
             "RESOURCE_ALREADY_EXISTS")
    assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=first.name)) == first


def test_request_id_makes_create_idempotent(api):
    """The same create sent twice with one request_id returns the first result, and only
    one leader exists (no `-2` slug)."""
    pb = api.pb
    rid = uid("req")
    sent = leader_msg(pb, country="AD")
    first = api.leaders.CreateLeader(_create_req(pb, sent, request_id=rid))
    again = api.leaders.CreateLeader(_create_req(pb, sent, request_id=rid))
    assert again.name == first.name and again.etag == first.etag
    E.not_found(pb, api.leaders.GetLeader, pb.leader.GetLeaderRequest(name=first.name + "-2"),
                first.name + "-2")
    same = [l for l in list_all(api.leaders.ListLeaders, pb.leader.ListLeadersRequest(country="AD"),
                                "leaders") if l.display_name == sent.display_name]
    assert names(same) == [first.name]


# -- List --------------------------------------------------------------------------
def test_list_filters_by_country_and_orders_by_name(api):
    """ListLeaders(country) returns only that country's leaders, ordered by name, across
    pages; created out of order on purpose."""
    pb = api.pb
    base = uid("ord")
    made = [create_leader(api, f"{base}-{s}", country="LI") for s in ("c", "a", "d", "b")]
    other = create_leader(api, f"{base}-e", country="AT")
    got = list_all(api.leaders.ListLeaders, pb.leader.ListLeadersRequest(country="LI"),
                   "leaders", page_size=2)
    assert all(l.country == "LI" for l in got)
    assert set(names(made)) <= set(names(got))
    assert other.name not in names(got)
    assert names(got) == sorted(names(got))
    everyone = list_all(api.leaders.ListLeaders, pb.leader.ListLeadersRequest(), "leaders")
    assert names(everyone) == sorted(names(everyone))
    assert set(names(made)) | {other.name} <= set(names(everyone))


def test_list_rejects_bad_country_filter(api):
    E.invalid(api.pb, api.leaders.ListLeaders, api.pb.leader.ListLeadersRequest(country="usa"),
              "country")


def test_list_page_size_default_and_cap(api):
    """page_size 0 means 50; above 1000 is served (treated as 1000), not refused."""
    pb = api.pb
    for i in range(55):
        create_leader(api, country="MC")
    first = api.leaders.ListLeaders(pb.leader.ListLeadersRequest(country="MC", page_size=0))
    assert len(first.leaders) == 50 and first.next_page_token
    rest = api.leaders.ListLeaders(pb.leader.ListLeadersRequest(
        country="MC", page_size=0, page_token=first.next_page_token))
    assert len(rest.leaders) == 5 and not rest.next_page_token
    big = api.leaders.ListLeaders(pb.leader.ListLeadersRequest(country="MC", page_size=5000))
    assert len(big.leaders) == 55 and not big.next_page_token


def test_list_negative_page_size_is_invalid(api):
    E.invalid(api.pb, api.leaders.ListLeaders, api.pb.leader.ListLeadersRequest(page_size=-1),
              "page_size")


@pytest.mark.parametrize("bad", ["not-a-token", "AAAA", "\u00e9t\u00e9"])
def test_list_bad_page_token_is_invalid(api, bad):
    E.invalid(api.pb, api.leaders.ListLeaders, api.pb.leader.ListLeadersRequest(page_token=bad),
              "page_token")


def test_list_token_with_other_filter_is_invalid(api):
    """A page_token is tied to its filter: reused with another country it is
    INVALID_ARGUMENT on page_token."""
    pb = api.pb
    for _ in range(3):
        create_leader(api, country="SM")
    page = api.leaders.ListLeaders(pb.leader.ListLeadersRequest(country="SM", page_size=2))
    assert page.next_page_token
    E.invalid(pb, api.leaders.ListLeaders, pb.leader.ListLeadersRequest(
        country="VA", page_size=2, page_token=page.next_page_token), "page_token")


# -- Update ------------------------------------------------------------------------
def _update(api, leader, *paths):
    pb = api.pb
    return api.leaders.UpdateLeader(pb.leader.UpdateLeaderRequest(
        leader=leader, update_mask=mask(pb, *paths)))


def test_update_with_mask_changes_only_masked_field(api):
    """A mask of `title` changes the title; display_name, aliases, sources stay, even
    though the request carries other values for them; etag and update_time move."""
    pb = api.pb
    made = create_leader(api)
    patch = pb.leader.Leader(name=made.name, title="New Title", display_name="Ignored",
                             aliases=["ignored"])
    upd = _update(api, patch, "title")
    assert upd.title == "New Title"
    assert upd.display_name == made.display_name
    assert list(upd.aliases) == list(made.aliases)
    assert list(upd.sources) == list(made.sources)
    assert upd.country == made.country
    assert upd.etag != made.etag
    assert upd.create_time == made.create_time
    assert upd.update_time.ToNanoseconds() >= made.update_time.ToNanoseconds()
    assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=made.name)) == upd


def test_update_with_empty_mask_replaces_every_updatable_field(api):
    """An empty mask means every updatable field: fields left empty in the request are
    cleared (aliases), output-only fields sent are ignored."""
    pb = api.pb
    made = create_leader(api)
    full = pb.leader.Leader(name=made.name, display_name="Replaced Name", title="Replaced",
                            country="DE", sources=[source(pb)])
    upd = _update(api, full)
    assert (upd.display_name, upd.title, upd.country) == ("Replaced Name", "Replaced", "DE")
    assert list(upd.aliases) == []
    assert upd.name == made.name


@pytest.mark.parametrize("path", ["no_such_field", "name", "etag", "create_time",
                                  "update_time", "display_name.x"])
def test_update_unknown_or_output_only_path_is_invalid(api, path):
    """Unknown or output-only mask paths: INVALID_ARGUMENT naming update_mask."""
    pb = api.pb
    made = create_leader(api)
    f = E.expect(pb, api.leaders.UpdateLeader, pb.leader.UpdateLeaderRequest(
        leader=pb.leader.Leader(name=made.name, title="x"), update_mask=mask(pb, path)),
        E.INVALID, "INVALID_FIELD", field_prefix="update_mask")
    assert f
    assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=made.name)) == made


def test_update_stale_etag_is_aborted(api):
    """An update carrying an etag that is no longer current: ABORTED / ETAG_MISMATCH, and
    nothing changes; with the current etag it succeeds."""
    pb = api.pb
    made = create_leader(api)
    upd = _update(api, pb.leader.Leader(name=made.name, title="One", etag=made.etag), "title")
    E.expect(pb, api.leaders.UpdateLeader, pb.leader.UpdateLeaderRequest(
        leader=pb.leader.Leader(name=made.name, title="Two", etag=made.etag),
        update_mask=mask(pb, "title")), E.ABORTED, "ETAG_MISMATCH")
    assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=made.name)).title == "One"
    again = _update(api, pb.leader.Leader(name=made.name, title="Three", etag=upd.etag), "title")
    assert again.title == "Three"


def test_update_missing_is_not_found(api):
    pb = api.pb
    name = f"leaders/{uid('absent')}"
    E.not_found(pb, api.leaders.UpdateLeader, pb.leader.UpdateLeaderRequest(
        leader=pb.leader.Leader(name=name, title="x"), update_mask=mask(pb, "title")), name)


def test_update_validates_new_values(api):
    """Field rules apply to updates: an empty display_name is INVALID_ARGUMENT on
    leader.display_name, a bad country on leader.country."""
    pb = api.pb
    made = create_leader(api)
    E.invalid(pb, api.leaders.UpdateLeader, pb.leader.UpdateLeaderRequest(
        leader=pb.leader.Leader(name=made.name, display_name=""),
        update_mask=mask(pb, "display_name")), "leader.display_name")
    E.invalid(pb, api.leaders.UpdateLeader, pb.leader.UpdateLeaderRequest(
        leader=pb.leader.Leader(name=made.name, country="usa"),
        update_mask=mask(pb, "country")), "leader.country")


# -- Delete ------------------------------------------------------------------------
def test_delete_then_get_is_not_found(api):
    """Delete returns Empty; Get and a second Delete are then NOT_FOUND."""
    pb = api.pb
    made = create_leader(api)
    out = api.leaders.DeleteLeader(pb.leader.DeleteLeaderRequest(name=made.name))
    assert isinstance(out, pb.empty.Empty)
    E.not_found(pb, api.leaders.GetLeader, pb.leader.GetLeaderRequest(name=made.name), made.name)
    E.not_found(pb, api.leaders.DeleteLeader, pb.leader.DeleteLeaderRequest(name=made.name),
                made.name)


def test_delete_with_stale_etag_is_aborted(api):
    pb = api.pb
    made = create_leader(api)
    upd = _update(api, pb.leader.Leader(name=made.name, title="Changed"), "title")
    E.expect(pb, api.leaders.DeleteLeader, pb.leader.DeleteLeaderRequest(
        name=made.name, etag=made.etag), E.ABORTED, "ETAG_MISMATCH")
    api.leaders.DeleteLeader(pb.leader.DeleteLeaderRequest(name=made.name, etag=upd.etag))


def test_delete_leader_in_use_by_visits_needs_force(api):
    """A leader named by visits (as visitor, or as host_leader of another's visit) is not
    deleted without force (FAILED_PRECONDITION / RESOURCE_IN_USE); with force it is, the
    visits it made are deleted and it is cleared as host_leader elsewhere."""
    pb = api.pb
    doomed = create_leader(api)
    other = create_leader(api)
    own = [create_visit(api, doomed.name, start=(2023, 9, d)) for d in (10, 12)]
    hosted = create_visit(api, other.name, host_leader=doomed.name)
    E.expect(pb, api.leaders.DeleteLeader, pb.leader.DeleteLeaderRequest(name=doomed.name),
             E.PRECONDITION, "RESOURCE_IN_USE")
    assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=doomed.name)) == doomed
    api.leaders.DeleteLeader(pb.leader.DeleteLeaderRequest(name=doomed.name, force=True))
    E.not_found(pb, api.leaders.GetLeader, pb.leader.GetLeaderRequest(name=doomed.name),
                doomed.name)
    for v in own:
        E.not_found(pb, api.visits.GetVisit, pb.visit.GetVisitRequest(name=v.name), v.name)
    left = api.visits.ListVisits(pb.visit.ListVisitsRequest(visitor=doomed.name))
    assert not left.visits
    still = api.visits.GetVisit(pb.visit.GetVisitRequest(name=hosted.name))
    assert still.host_leader == "" and still.visitor == other.name


def test_delete_leader_named_by_allegation_is_refused_even_with_force(api):
    """Allegations naming the leader block the delete, force or not."""
    pb = api.pb
    accused = create_leader(api)
    create_allegation(api, accused=[party(pb, leader=accused.name)])
    for force in (False, True):
        E.expect(pb, api.leaders.DeleteLeader, pb.leader.DeleteLeaderRequest(
            name=accused.name, force=force), E.PRECONDITION, "RESOURCE_IN_USE")
    assert api.leaders.GetLeader(pb.leader.GetLeaderRequest(name=accused.name)) == accused
