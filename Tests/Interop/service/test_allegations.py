"""AllegationService's unary RPCs against a real summitd (--no-seed, one per module):
every RPC and error docs/api-semantics.md lists for allegations, and how
RespondToAllegation derives `status`. WatchAllegations is in test_watch.py."""

from __future__ import annotations

import pytest

import svc_errors as E
from svc_make import allegation_msg, create_allegation, create_leader, date, group, mask, \
    party, pydate, response_msg, uid
from svc_paging import list_all, names


def _create_req(pb, allegation, allegation_id="", request_id=""):
    return pb.allegation.CreateAllegationRequest(allegation=allegation,
                                                 allegation_id=allegation_id,
                                                 request_id=request_id)


def _get(api, name):
    return api.allegations.GetAllegation(api.pb.allegation.GetAllegationRequest(name=name))


def _respond(api, name, party_, stance, etag="", request_id=""):
    pb = api.pb
    return api.allegations.RespondToAllegation(pb.allegation.RespondToAllegationRequest(
        name=name, response=response_msg(pb, party_, stance), etag=etag, request_id=request_id))


def _enum(pb, name):
    return getattr(pb.allegation, name)


# -- Create / Get -----------------------------------------------------------------
def test_create_then_get_round_trips(api):
    """Create keeps parties (leader, country and group kinds), summary, category,
    first_reported and sources; status starts ALLEGED with no responses; Get returns the
    same message."""
    pb = api.pb
    accuser = create_leader(api, country="US")
    sent = allegation_msg(pb, accusers=[party(pb, leader=accuser.name), party(pb, country="KR")],
                          accused=[party(pb, country="KP"), group(pb)])
    aid = uid("alg")
    made = api.allegations.CreateAllegation(_create_req(pb, sent, aid))
    assert made.name == f"allegations/{aid}"
    assert list(made.accusers) == list(sent.accusers)
    assert list(made.accused) == list(sent.accused)
    assert (made.summary, made.category) == (sent.summary, sent.category)
    assert made.first_reported == sent.first_reported
    assert list(made.sources) == list(sent.sources)
    assert made.status == pb.allegation.ALLEGATION_STATUS_ALLEGED
    assert not made.responses
    assert made.etag and made.HasField("create_time")
    assert _get(api, made.name) == made


def test_status_on_input_is_ignored(api):
    """`status` is output only: a create claiming CONFIRMED is stored ALLEGED."""
    pb = api.pb
    made = api.allegations.CreateAllegation(_create_req(pb, allegation_msg(
        pb, status=pb.allegation.ALLEGATION_STATUS_CONFIRMED), uid()))
    assert made.status == pb.allegation.ALLEGATION_STATUS_ALLEGED


def test_generated_id_is_opaque_12_chars(api):
    made = create_allegation(api)
    aid = made.name.removeprefix("allegations/")
    assert made.name.startswith("allegations/") and len(aid) == 12 and aid[0].isalpha()


def test_get_missing_is_not_found(api):
    name = f"allegations/{uid('absent')}"
    E.not_found(api.pb, api.allegations.GetAllegation,
                api.pb.allegation.GetAllegationRequest(name=name), name)


def test_get_malformed_name_is_invalid(api):
    E.invalid(api.pb, api.allegations.GetAllegation,
              api.pb.allegation.GetAllegationRequest(name="allegations/Bad_ID"), "name")


# case -> (fields of the Allegation, exact BadRequest path or None, path prefix or None)
INVALID_ALLEGATIONS = {
    "no accusers": (lambda pb: dict(accusers=[]), "allegation.accusers", None),
    "no accused": (lambda pb: dict(accused=[]), "allegation.accused", None),
    "accuser party empty": (lambda pb: dict(accusers=[party(pb)]), None, "allegation.accusers"),
    "accused country alpha-3": (lambda pb: dict(accused=[party(pb, country="PRK")]), None,
                                "allegation.accused"),
    "accused country lower": (lambda pb: dict(accused=[party(pb, country="kp")]), None,
                              "allegation.accused"),
    "accuser leader malformed": (lambda pb: dict(accusers=[party(pb, leader="leaders/Bad_ID")]),
                                 None, "allegation.accusers"),
    "summary missing": (lambda pb: dict(summary=""), "allegation.summary", None),
    "summary too long": (lambda pb: dict(summary="s" * 2001), "allegation.summary", None),
    "summary control char": (lambda pb: dict(summary="esc \x1b"), "allegation.summary", None),
    "category unspecified": (lambda pb: dict(category=0), "allegation.category", None),
    "category unknown number": (lambda pb: dict(category=77), "allegation.category", None),
    "first_reported 2023-02-29": (lambda pb: dict(first_reported=date(pb, 2023, 2, 29)),
                                  "allegation.first_reported", None),
    "source url not http": (lambda pb: dict(sources=[pb.common.Source(title="t", url="file:///x")]),
                            None, "allegation.sources"),
}


@pytest.mark.parametrize("case", list(INVALID_ALLEGATIONS))
def test_create_rejects_invalid_field(api, case):
    """Each field rule of Allegation: INVALID_ARGUMENT / INVALID_FIELD naming the field
    from the request (`allegation.accusers[0].country` counts as under
    `allegation.accusers`)."""
    pb = api.pb
    fields, exact, prefix = INVALID_ALLEGATIONS[case]
    req = _create_req(pb, allegation_msg(pb, **fields(pb)), uid())
    E.expect(pb, api.allegations.CreateAllegation, req, E.INVALID, "INVALID_FIELD",
             field=exact, field_prefix=prefix)


@pytest.mark.parametrize("side", ["accusers", "accused"])
def test_party_naming_no_leader_fails_precondition(api, side):
    """A Party.leader naming no leader: FAILED_PRECONDITION / REFERENCE_NOT_FOUND with a
    BadRequest under `allegation.<side>`."""
    pb = api.pb
    fields = {side: [party(pb, leader=f"leaders/{uid('nobody')}")]}
    E.expect(pb, api.allegations.CreateAllegation, _create_req(pb, allegation_msg(pb, **fields)),
             E.PRECONDITION, "REFERENCE_NOT_FOUND", field_prefix=f"allegation.{side}")


def test_create_existing_id_already_exists(api):
    pb = api.pb
    aid = uid()
    create_allegation(api, allegation_id=aid)
    E.expect(pb, api.allegations.CreateAllegation, _create_req(pb, allegation_msg(pb), aid),
             E.EXISTS, "RESOURCE_ALREADY_EXISTS")


def test_request_id_makes_create_idempotent(api):
    pb = api.pb
    rid = uid("req")
    accuser = group(pb)
    sent = allegation_msg(pb, accusers=[accuser])
    first = api.allegations.CreateAllegation(_create_req(pb, sent, request_id=rid))
    again = api.allegations.CreateAllegation(_create_req(pb, sent, request_id=rid))
    assert again.name == first.name
    got = api.allegations.ListAllegations(pb.allegation.ListAllegationsRequest(accuser=accuser))
    assert names(got.allegations) == [first.name]


# -- RespondToAllegation and status ---------------------------------------------------
def test_accused_denial_makes_it_denied(api):
    """An accused party's DENY: status DENIED, the response appended as sent."""
    pb = api.pb
    accused = party(pb, country="KP")
    made = create_allegation(api, accused=[accused, party(pb, country="RU")])
    out = _respond(api, made.name, accused, pb.allegation.STANCE_DENY)
    assert out.status == pb.allegation.ALLEGATION_STATUS_DENIED
    assert len(out.responses) == 1
    r = out.responses[0]
    assert (r.party, r.stance, r.statement) == (accused, pb.allegation.STANCE_DENY,
                                                "A test statement.")
    assert out.etag != made.etag
    assert _get(api, made.name) == out


def test_accused_confirmation_beats_denial(api):
    """DENY by one accused, then CONFIRM by another: CONFIRMED; responses in order."""
    pb = api.pb
    kp, ru = party(pb, country="KP"), party(pb, country="RU")
    made = create_allegation(api, accused=[kp, ru])
    _respond(api, made.name, kp, pb.allegation.STANCE_DENY)
    out = _respond(api, made.name, ru, pb.allegation.STANCE_CONFIRM)
    assert out.status == pb.allegation.ALLEGATION_STATUS_CONFIRMED
    assert [r.stance for r in out.responses] == [pb.allegation.STANCE_DENY,
                                                 pb.allegation.STANCE_CONFIRM]


def test_accuser_retraction_wins(api):
    """An accuser's RETRACT makes it RETRACTED, even after an accused confirmed."""
    pb = api.pb
    accuser_leader = create_leader(api, country="US")
    accuser = party(pb, leader=accuser_leader.name)
    accused = party(pb, country="KP")
    made = create_allegation(api, accusers=[accuser], accused=[accused])
    assert _respond(api, made.name, accused, pb.allegation.STANCE_CONFIRM).status == \
        pb.allegation.ALLEGATION_STATUS_CONFIRMED
    out = _respond(api, made.name, accuser, pb.allegation.STANCE_RETRACT)
    assert out.status == pb.allegation.ALLEGATION_STATUS_RETRACTED


@pytest.mark.parametrize("who,stance,status", [
    ("accused", "STANCE_DOWNPLAY", "ALLEGATION_STATUS_ALLEGED"),
    ("accused", "STANCE_NO_COMMENT", "ALLEGATION_STATUS_ALLEGED"),
    ("third", "STANCE_DENY", "ALLEGATION_STATUS_ALLEGED"),       # not an accused party
    ("third", "STANCE_CONFIRM", "ALLEGATION_STATUS_ALLEGED"),
    ("accused", "STANCE_RETRACT", "ALLEGATION_STATUS_ALLEGED"),  # only accusers retract
    ("accuser", "STANCE_DENY", "ALLEGATION_STATUS_ALLEGED"),     # an accuser is not accused
])
def test_status_derivation_other_cases(api, who, stance, status):
    """Only an accuser's retraction, an accused's confirmation or an accused's denial
    move the status off ALLEGED."""
    pb = api.pb
    accuser, accused, third = group(pb, "accuser"), group(pb, "accused"), group(pb, "third")
    made = create_allegation(api, accusers=[accuser], accused=[accused])
    p = {"accuser": accuser, "accused": accused, "third": third}[who]
    out = _respond(api, made.name, p, _enum(pb, stance))
    assert out.status == _enum(pb, status)
    assert len(out.responses) == 1


def test_respond_request_id_is_idempotent(api):
    """Two RespondToAllegation calls with one request_id add one response."""
    pb = api.pb
    accused = group(pb)
    made = create_allegation(api, accused=[accused])
    rid = uid("req")
    a = _respond(api, made.name, accused, pb.allegation.STANCE_DENY, request_id=rid)
    b = _respond(api, made.name, accused, pb.allegation.STANCE_DENY, request_id=rid)
    assert len(a.responses) == 1 and len(b.responses) == 1
    assert len(_get(api, made.name).responses) == 1


def test_respond_with_stale_etag_is_aborted(api):
    pb = api.pb
    accused = group(pb)
    made = create_allegation(api, accused=[accused])
    first = _respond(api, made.name, accused, pb.allegation.STANCE_DOWNPLAY, etag=made.etag)
    E.expect(pb, api.allegations.RespondToAllegation, pb.allegation.RespondToAllegationRequest(
        name=made.name, etag=made.etag,
        response=response_msg(pb, accused, pb.allegation.STANCE_DENY)), E.ABORTED, "ETAG_MISMATCH")
    assert len(_get(api, made.name).responses) == 1
    assert _respond(api, made.name, accused, pb.allegation.STANCE_DENY,
                    etag=first.etag).status == pb.allegation.ALLEGATION_STATUS_DENIED


@pytest.mark.parametrize("case", ["no party", "empty party", "bad country", "stance unspecified",
                                  "stance unknown"])
def test_respond_rejects_invalid_response(api, case):
    """A response needs a valid party and a stance other than UNSPECIFIED:
    INVALID_ARGUMENT under `response.party` / on `response.stance`."""
    pb = api.pb
    made = create_allegation(api)
    resp = response_msg(pb, group(pb), pb.allegation.STANCE_DENY)
    field, prefix = None, None
    if case == "no party":
        resp.ClearField("party")
        prefix = "response.party"
    elif case == "empty party":
        resp.party.CopyFrom(party(pb))
        prefix = "response.party"
    elif case == "bad country":
        resp.party.CopyFrom(party(pb, country="usa"))
        prefix = "response.party"
    elif case == "stance unspecified":
        resp.stance = pb.allegation.STANCE_UNSPECIFIED
        field = "response.stance"
    else:
        resp.stance = 42
        field = "response.stance"
    E.expect(pb, api.allegations.RespondToAllegation,
             pb.allegation.RespondToAllegationRequest(name=made.name, response=resp),
             E.INVALID, "INVALID_FIELD", field=field, field_prefix=prefix)
    assert not _get(api, made.name).responses


def test_respond_by_missing_leader_fails_precondition(api):
    pb = api.pb
    made = create_allegation(api)
    E.expect(pb, api.allegations.RespondToAllegation, pb.allegation.RespondToAllegationRequest(
        name=made.name, response=response_msg(pb, party(pb, leader=f"leaders/{uid('nobody')}"),
                                              pb.allegation.STANCE_DENY)),
        E.PRECONDITION, "REFERENCE_NOT_FOUND", field_prefix="response.party")


def test_respond_to_missing_allegation_is_not_found(api):
    pb = api.pb
    name = f"allegations/{uid('absent')}"
    E.not_found(pb, api.allegations.RespondToAllegation, pb.allegation.RespondToAllegationRequest(
        name=name, response=response_msg(pb, group(pb), pb.allegation.STANCE_DENY)), name)


# -- List --------------------------------------------------------------------------
@pytest.fixture
def cast(api):
    """Four allegations sharing one accuser group, ids chosen so that two share a
    first_reported date and their names decide the order:
        a 2024-01-05 arms, accused X      b 2024-03-01 military aid, accused X, denied by X
        d 2024-03-01 tech, accused Y      c 2024-03-01 arms, accused Y, confirmed by Y
    """
    pb = api.pb
    accuser, x, y = group(pb, "accuser"), group(pb, "x"), group(pb, "y")
    base = uid("cast")
    A = pb.allegation
    rows = {"a": ((2024, 1, 5), A.ALLEGATION_CATEGORY_ARMS_TRANSFER, x),
            "b": ((2024, 3, 1), A.ALLEGATION_CATEGORY_MILITARY_AID, x),
            "d": ((2024, 3, 1), A.ALLEGATION_CATEGORY_TECHNOLOGY_TRANSFER, y),
            "c": ((2024, 3, 1), A.ALLEGATION_CATEGORY_ARMS_TRANSFER, y)}
    made = {}
    for key in ("d", "c", "b", "a"):
        first, cat, who = rows[key]
        made[key] = create_allegation(api, allegation_id=f"{base}-{key}", accusers=[accuser],
                                      accused=[who], category=cat, first_reported=first)
    _respond(api, made["b"].name, x, A.STANCE_DENY)
    _respond(api, made["c"].name, y, A.STANCE_CONFIRM)
    return dict(accuser=accuser, x=x, y=y, made=made)


@pytest.mark.parametrize("filters,expect", [
    (dict(), "abcd"),
    (dict(accused="x"), "ab"),
    (dict(accused="y"), "cd"),
    (dict(category="ALLEGATION_CATEGORY_ARMS_TRANSFER"), "ac"),
    (dict(status="ALLEGATION_STATUS_DENIED"), "b"),
    (dict(status="ALLEGATION_STATUS_CONFIRMED"), "c"),
    (dict(status="ALLEGATION_STATUS_ALLEGED"), "ad"),
    (dict(accused="y", category="ALLEGATION_CATEGORY_TECHNOLOGY_TRANSFER"), "d"),
])
def test_list_filters_and_order(api, cast, filters, expect):
    """ListAllegations(accuser, +accused/category/status) returns exactly the matching
    allegations, ordered by first_reported then name, across pages of 1."""
    pb = api.pb
    req = pb.allegation.ListAllegationsRequest(accuser=cast["accuser"])
    for k, v in filters.items():
        if k == "accused":
            req.accused.CopyFrom(cast[v])
        else:
            setattr(req, k, _enum(pb, v))
    got = list_all(api.allegations.ListAllegations, req, "allegations", page_size=1)
    assert names(got) == [cast["made"][k].name for k in expect]


def test_list_by_accused_alone_and_global_order(api, cast):
    """accused alone finds the allegations naming that party; the unfiltered list is
    ordered by (first_reported, name)."""
    pb = api.pb
    got = list_all(api.allegations.ListAllegations,
                   pb.allegation.ListAllegationsRequest(accused=cast["x"]), "allegations")
    assert names(got) == [cast["made"][k].name for k in "ab"]
    everything = list_all(api.allegations.ListAllegations,
                          pb.allegation.ListAllegationsRequest(), "allegations", page_size=3)
    keys = [(pydate(a.first_reported), a.name) for a in everything]
    assert keys == sorted(keys)
    assert len(set(names(everything))) == len(everything)


@pytest.mark.parametrize("build,field", [
    (lambda pb: dict(page_size=-1), "page_size"),
    (lambda pb: dict(page_token="%%%"), "page_token"),
    (lambda pb: dict(category=77), "category"),
    (lambda pb: dict(accuser=party(pb, country="usa")), "accuser"),
])
def test_list_rejects_bad_request(api, build, field):
    pb = api.pb
    f = E.expect(pb, api.allegations.ListAllegations,
                 pb.allegation.ListAllegationsRequest(**build(pb)), E.INVALID, "INVALID_FIELD",
                 field_prefix=field)
    assert f


def test_list_page_size_zero_is_default(api):
    """page_size 0 serves 50 of 52 matching allegations, then the last 2."""
    pb = api.pb
    accuser = group(pb)
    for i in range(52):
        create_allegation(api, accusers=[accuser], first_reported=(2021, 1 + i % 12, 1))
    first = api.allegations.ListAllegations(pb.allegation.ListAllegationsRequest(accuser=accuser))
    assert len(first.allegations) == 50 and first.next_page_token
    rest = api.allegations.ListAllegations(pb.allegation.ListAllegationsRequest(
        accuser=accuser, page_token=first.next_page_token, page_size=1001))
    assert len(rest.allegations) == 2 and not rest.next_page_token


def test_list_token_with_other_filter_is_invalid(api, cast):
    pb = api.pb
    page = api.allegations.ListAllegations(pb.allegation.ListAllegationsRequest(
        accuser=cast["accuser"], page_size=1))
    assert page.next_page_token
    E.invalid(pb, api.allegations.ListAllegations, pb.allegation.ListAllegationsRequest(
        accuser=cast["accuser"], status=pb.allegation.ALLEGATION_STATUS_DENIED, page_size=1,
        page_token=page.next_page_token), "page_token")


# -- Update / Delete ---------------------------------------------------------------
def test_update_with_mask_changes_only_masked_field(api):
    """Mask `summary`: summary changes; parties, category and responses stay."""
    pb = api.pb
    accused = group(pb)
    made = create_allegation(api, accused=[accused])
    responded = _respond(api, made.name, accused, pb.allegation.STANCE_DENY)
    upd = api.allegations.UpdateAllegation(pb.allegation.UpdateAllegationRequest(
        allegation=pb.allegation.Allegation(name=made.name, summary="Rephrased.",
                                            category=pb.allegation.ALLEGATION_CATEGORY_OTHER),
        update_mask=mask(pb, "summary")))
    assert upd.summary == "Rephrased."
    assert upd.category == made.category
    assert list(upd.accused) == list(made.accused)
    assert list(upd.responses) == list(responded.responses)
    assert upd.status == pb.allegation.ALLEGATION_STATUS_DENIED
    assert upd.etag not in (made.etag, responded.etag)


@pytest.mark.parametrize("path", ["status", "etag", "name", "nope"])
def test_update_output_only_or_unknown_path_is_invalid(api, path):
    pb = api.pb
    made = create_allegation(api)
    E.expect(pb, api.allegations.UpdateAllegation, pb.allegation.UpdateAllegationRequest(
        allegation=pb.allegation.Allegation(name=made.name, summary="x"),
        update_mask=mask(pb, path)), E.INVALID, "INVALID_FIELD", field_prefix="update_mask")


def test_update_validates_and_checks_references(api):
    pb = api.pb
    made = create_allegation(api)
    E.invalid(pb, api.allegations.UpdateAllegation, pb.allegation.UpdateAllegationRequest(
        allegation=pb.allegation.Allegation(name=made.name, accusers=[]),
        update_mask=mask(pb, "accusers")), "allegation.accusers")
    E.expect(pb, api.allegations.UpdateAllegation, pb.allegation.UpdateAllegationRequest(
        allegation=pb.allegation.Allegation(
            name=made.name, accused=[party(pb, leader=f"leaders/{uid('nobody')}")]),
        update_mask=mask(pb, "accused")), E.PRECONDITION, "REFERENCE_NOT_FOUND",
        field_prefix="allegation.accused")


def test_update_stale_etag_is_aborted_and_missing_is_not_found(api):
    pb = api.pb
    made = create_allegation(api)
    api.allegations.UpdateAllegation(pb.allegation.UpdateAllegationRequest(
        allegation=pb.allegation.Allegation(name=made.name, summary="v2", etag=made.etag),
        update_mask=mask(pb, "summary")))
    E.expect(pb, api.allegations.UpdateAllegation, pb.allegation.UpdateAllegationRequest(
        allegation=pb.allegation.Allegation(name=made.name, summary="v3", etag=made.etag),
        update_mask=mask(pb, "summary")), E.ABORTED, "ETAG_MISMATCH")
    name = f"allegations/{uid('absent')}"
    E.not_found(pb, api.allegations.UpdateAllegation, pb.allegation.UpdateAllegationRequest(
        allegation=pb.allegation.Allegation(name=name, summary="x"),
        update_mask=mask(pb, "summary")), name)


def test_delete(api):
    """Delete returns Empty; then Get and Delete are NOT_FOUND; a stale etag is ABORTED."""
    pb = api.pb
    made = create_allegation(api)
    upd = api.allegations.UpdateAllegation(pb.allegation.UpdateAllegationRequest(
        allegation=pb.allegation.Allegation(name=made.name, summary="v2"),
        update_mask=mask(pb, "summary")))
    E.expect(pb, api.allegations.DeleteAllegation, pb.allegation.DeleteAllegationRequest(
        name=made.name, etag=made.etag), E.ABORTED, "ETAG_MISMATCH")
    out = api.allegations.DeleteAllegation(pb.allegation.DeleteAllegationRequest(
        name=made.name, etag=upd.etag))
    assert isinstance(out, pb.empty.Empty)
    E.not_found(pb, api.allegations.GetAllegation,
                pb.allegation.GetAllegationRequest(name=made.name), made.name)
    E.not_found(pb, api.allegations.DeleteAllegation,
                pb.allegation.DeleteAllegationRequest(name=made.name), made.name)
