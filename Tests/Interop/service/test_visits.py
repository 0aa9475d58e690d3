"""VisitService's unary RPCs against a real summitd (--no-seed, one per module): every
RPC and every error docs/api-semantics.md lists for visits. WatchVisits is in
test_watch.py, ImportVisits in test_import_and_resolve.py, large pagination in
test_pagination.py."""

from __future__ import annotations

import re

import pytest

import svc_errors as E
from svc_make import create_leader, create_visit, date, mask, pydate, source, uid, visit_msg
from svc_paging import list_all, names

SLUG = re.compile(r"[a-z][a-z0-9-]{0,62}")


@pytest.fixture
def visitor(api):
    """A fresh leader to make visits with (visits of one test are found by visitor)."""
    return create_leader(api).name


def _create_req(pb, visit, visit_id="", request_id=""):
    return pb.visit.CreateVisitRequest(visit=visit, visit_id=visit_id, request_id=request_id)


def _get(api, name):
    return api.visits.GetVisit(api.pb.visit.GetVisitRequest(name=name))


def _key(v):
    return (pydate(v.start_date), v.name)


# -- Create / Get -----------------------------------------------------------------
def test_create_then_get_round_trips(api, visitor):
    """Create stores every field as sent and sets name, etag and both times; Get returns
    the same message."""
    pb = api.pb
    host = create_leader(api, country="KP").name
    vid = uid("vis")
    sent = visit_msg(pb, visitor, (2024, 6, 18), (2024, 6, 19), host_leader=host,
                     cities=["Pyongyang", "Wonsan"], sites=["Kumsusan Palace"],
                     event="Test summit", purpose="Line one.\n\tLine two.")
    made = api.visits.CreateVisit(_create_req(pb, sent, vid))
    assert made.name == f"visits/{vid}"
    expect = type(sent)()
    expect.CopyFrom(sent)
    for f in ("name", "etag", "create_time", "update_time"):
        expect.ClearField(f)
    got = type(made)()
    got.CopyFrom(made)
    for f in ("name", "etag", "create_time", "update_time"):
        got.ClearField(f)
    assert got == expect
    assert made.etag and made.HasField("create_time") and made.HasField("update_time")
    assert _get(api, made.name) == made


def test_create_generates_opaque_12_char_id(api, visitor):
    """Without visit_id or name the id is generated: 12 characters, a valid slug, and
    different for two visits."""
    a = create_visit(api, visitor)
    b = create_visit(api, visitor)
    for v in (a, b):
        vid = v.name.removeprefix("visits/")
        assert v.name.startswith("visits/") and len(vid) == 12 and SLUG.fullmatch(vid), v.name
    assert a.name != b.name


def test_create_takes_id_from_valid_name(api, visitor):
    pb = api.pb
    vid = uid("named")
    made = api.visits.CreateVisit(_create_req(pb, visit_msg(pb, visitor, name=f"visits/{vid}")))
    assert made.name == f"visits/{vid}"


@pytest.mark.parametrize("start,end", [((2024, 2, 29), (2024, 2, 29)), ((1, 1, 1), (1, 1, 2)),
                                       ((9999, 12, 30), (9999, 12, 31)),
                                       ((2023, 12, 31), (2024, 1, 1))])
def test_create_accepts_real_dates(api, visitor, start, end):
    """Leap day, one-day visits, years 1 and 9999, a year boundary are all fine."""
    made = create_visit(api, visitor, start, end)
    assert (made.start_date.year, made.start_date.month, made.start_date.day) == start


def test_get_missing_is_not_found(api):
    name = f"visits/{uid('absent')}"
    E.not_found(api.pb, api.visits.GetVisit, api.pb.visit.GetVisitRequest(name=name), name)


@pytest.mark.parametrize("name", ["visits/Bad_ID", "leaders/abc", "visits/", ""])
def test_get_malformed_name_is_invalid(api, name):
    E.invalid(api.pb, api.visits.GetVisit, api.pb.visit.GetVisitRequest(name=name), "name")


# -- Create: field rules -------------------------------------------------------------
def _d(pb, y, m, d):
    return date(pb, y, m, d)


# case -> (fields of the Visit, exact BadRequest path or None, path prefix or None)
INVALID_VISITS = {
    "visitor missing": (lambda pb: dict(visitor=""), "visit.visitor", None),
    "visitor malformed": (lambda pb: dict(visitor="leaders/Bad_ID"), "visit.visitor", None),
    "visitor not a leader name": (lambda pb: dict(visitor="visits/abc"), "visit.visitor", None),
    "host_country missing": (lambda pb: dict(host_country=""), "visit.host_country", None),
    "host_country lower case": (lambda pb: dict(host_country="kp"), "visit.host_country", None),
    "host_country alpha-3": (lambda pb: dict(host_country="PRK"), "visit.host_country", None),
    "host_country digit": (lambda pb: dict(host_country="U1"), "visit.host_country", None),
    "host_country unassigned": (lambda pb: dict(host_country="JJ"), "visit.host_country", None),
    "start_date missing": (lambda pb: dict(start_date=None), "visit.start_date", None),
    "end_date missing": (lambda pb: dict(end_date=None), "visit.end_date", None),
    "end before start": (lambda pb: dict(start_date=_d(pb, 2024, 6, 19),
                                         end_date=_d(pb, 2024, 6, 18)), "visit.end_date", None),
    "start 2023-02-29": (lambda pb: dict(start_date=_d(pb, 2023, 2, 29),
                                         end_date=_d(pb, 2023, 3, 1)), "visit.start_date", None),
    "end 2023-02-29": (lambda pb: dict(start_date=_d(pb, 2023, 2, 28),
                                       end_date=_d(pb, 2023, 2, 29)), "visit.end_date", None),
    "month 13": (lambda pb: dict(start_date=_d(pb, 2024, 13, 1),
                                 end_date=_d(pb, 2025, 1, 1)), "visit.start_date", None),
    "day 0": (lambda pb: dict(start_date=_d(pb, 2024, 6, 0)), "visit.start_date", None),
    "April 31": (lambda pb: dict(start_date=_d(pb, 2024, 4, 30),
                                 end_date=_d(pb, 2024, 4, 31)), "visit.end_date", None),
    "year 0": (lambda pb: dict(start_date=_d(pb, 0, 6, 18)), "visit.start_date", None),
    "year 10000": (lambda pb: dict(end_date=_d(pb, 10000, 1, 1)), "visit.end_date", None),
    "kind unspecified": (lambda pb: dict(kind=pb.visit.VISIT_KIND_UNSPECIFIED), "visit.kind", None),
    "kind unknown number": (lambda pb: dict(kind=99), "visit.kind", None),
    "purpose too long": (lambda pb: dict(purpose="p" * 2001), "visit.purpose", None),
    "purpose control char": (lambda pb: dict(purpose="bell \x07"), "visit.purpose", None),
    "too many cities": (lambda pb: dict(cities=[f"c{i}" for i in range(51)]), None, "visit.cities"),
    "city control char": (lambda pb: dict(cities=["Pyong\x1byang"]), None, "visit.cities"),
    "too many sites": (lambda pb: dict(sites=[f"s{i}" for i in range(51)]), None, "visit.sites"),
    "host_leader malformed": (lambda pb: dict(host_leader="kim"), "visit.host_leader", None),
    "reciprocates not a visit": (lambda pb: dict(reciprocates="leaders/abc"),
                                 "visit.reciprocates", None),
    "source url not http": (lambda pb: dict(sources=[pb.common.Source(
        title="t", url="javascript:alert(1)")]), None, "visit.sources"),
}


@pytest.mark.parametrize("case", list(INVALID_VISITS))
def test_create_rejects_invalid_field(api, visitor, case):
    """Each field rule of Visit: INVALID_ARGUMENT / INVALID_FIELD, BadRequest naming the
    field from the request (`visit.end_date`, `visit.kind`, ...)."""
    pb = api.pb
    build, exact, prefix = INVALID_VISITS[case]
    fields = build(pb)
    req = _create_req(pb, visit_msg(pb, fields.pop("visitor", visitor), **fields), uid())
    E.expect(pb, api.visits.CreateVisit, req, E.INVALID, "INVALID_FIELD",
             field=exact, field_prefix=prefix)


def test_limits_are_inclusive(api, visitor):
    """purpose of 2,000 chars, 50 cities and 50 sites are accepted."""
    made = create_visit(api, visitor, purpose="p" * 2000, cities=[f"c{i}" for i in range(50)],
                        sites=[f"s{i}" for i in range(50)])
    assert len(made.purpose) == 2000 and len(made.cities) == 50 and len(made.sites) == 50


@pytest.mark.parametrize("visit_id", ["Bad_ID", "9lives", "a--b", "trailing-"])
def test_create_rejects_bad_visit_id(api, visitor, visit_id):
    pb = api.pb
    E.invalid(pb, api.visits.CreateVisit, _create_req(pb, visit_msg(pb, visitor), visit_id),
              "visit_id")


def test_create_rejects_long_request_id(api, visitor):
    pb = api.pb
    E.invalid(pb, api.visits.CreateVisit,
              _create_req(pb, visit_msg(pb, visitor), request_id="r" * 101), "request_id")


@pytest.mark.parametrize("field", ["visitor", "host_leader", "reciprocates"])
def test_create_with_dangling_reference_fails_precondition(api, visitor, field):
    """A reference naming no record: FAILED_PRECONDITION / REFERENCE_NOT_FOUND, with a
    BadRequest naming `visit.<field>`; nothing is created."""
    pb = api.pb
    absent = {"visitor": f"leaders/{uid('nobody')}", "host_leader": f"leaders/{uid('nobody')}",
              "reciprocates": f"visits/{uid('never')}"}[field]
    fields = {"visitor": visitor, field: absent}
    vid = uid()
    E.expect(pb, api.visits.CreateVisit, _create_req(pb, visit_msg(pb, **fields), vid),
             E.PRECONDITION, "REFERENCE_NOT_FOUND", field=f"visit.{field}")
    E.not_found(pb, api.visits.GetVisit, pb.visit.GetVisitRequest(name=f"visits/{vid}"),
                f"visits/{vid}")


def test_create_with_valid_references(api, visitor):
    """host_leader and reciprocates naming existing records are kept."""
    host = create_leader(api, country="RU").name
    first = create_visit(api, host, (2023, 9, 12), (2023, 9, 17), host_country="RU")
    back = create_visit(api, visitor, host_leader=host, reciprocates=first.name)
    assert (back.host_leader, back.reciprocates) == (host, first.name)


def test_create_existing_id_already_exists(api, visitor):
    pb = api.pb
    vid = uid()
    first = create_visit(api, visitor, visit_id=vid)
    E.expect(pb, api.visits.CreateVisit, _create_req(pb, visit_msg(pb, visitor), vid),
             E.EXISTS, "RESOURCE_ALREADY_EXISTS")
    assert _get(api, first.name) == first


def test_request_id_makes_create_idempotent(api, visitor):
    """Same request_id twice: the same name back, one visit stored."""
    pb = api.pb
    rid = uid("req")
    sent = visit_msg(pb, visitor)
    first = api.visits.CreateVisit(_create_req(pb, sent, request_id=rid))
    again = api.visits.CreateVisit(_create_req(pb, sent, request_id=rid))
    assert again.name == first.name and again.etag == first.etag
    listed = api.visits.ListVisits(pb.visit.ListVisitsRequest(visitor=visitor))
    assert names(listed.visits) == [first.name]


# -- List --------------------------------------------------------------------------
@pytest.fixture
def spread(api, visitor):
    """Five visits by one visitor, ids chosen so that two share a start date and their
    names decide the order:
        a: 06-10..06-12 KP state    b: 06-12..06-12 VN official
        d: 06-15..06-20 KP working  c: 06-15..06-15 CN state     e: 07-01 KP summit
    """
    pb = api.pb
    base = uid("spr")
    K = pb.visit
    rows = {
        "a": ((2024, 6, 10), (2024, 6, 12), "KP", K.VISIT_KIND_STATE_VISIT),
        "b": ((2024, 6, 12), (2024, 6, 12), "VN", K.VISIT_KIND_OFFICIAL_VISIT),
        "d": ((2024, 6, 15), (2024, 6, 20), "KP", K.VISIT_KIND_WORKING_VISIT),
        "c": ((2024, 6, 15), (2024, 6, 15), "CN", K.VISIT_KIND_STATE_VISIT),
        "e": ((2024, 7, 1), (2024, 7, 1), "KP", K.VISIT_KIND_SUMMIT),
    }
    made = {}
    for key in ("e", "d", "c", "b", "a"):          # created out of order on purpose
        s, e, host, kind = rows[key]
        made[key] = create_visit(api, visitor, s, e, visit_id=f"{base}-{key}",
                                 host_country=host, kind=kind)
    return visitor, made


def _list(api, **filters):
    pb = api.pb
    for k in ("date_from", "date_to"):
        if k in filters:
            filters[k] = date(pb, *filters[k])
    return list_all(api.visits.ListVisits, pb.visit.ListVisitsRequest(**filters), "visits",
                    page_size=2)


@pytest.mark.parametrize("filters,expect", [
    ({}, "abcde"),
    ({"host_country": "KP"}, "ade"),
    ({"kind": "VISIT_KIND_STATE_VISIT"}, "ac"),
    ({"date_from": (2024, 6, 12)}, "abcde"),          # a ends on date_from: overlaps
    ({"date_from": (2024, 6, 13)}, "cde"),
    ({"date_to": (2024, 6, 12)}, "ab"),                # b starts on date_to
    ({"date_to": (2024, 6, 11)}, "a"),
    ({"date_from": (2024, 6, 13), "date_to": (2024, 6, 14)}, ""),   # a gap: nothing
    ({"date_from": (2024, 6, 16), "date_to": (2024, 6, 16)}, "d"),  # inside d
    ({"date_from": (2024, 6, 20), "date_to": (2024, 6, 30)}, "d"),  # d ends on date_from
    ({"date_from": (2024, 6, 1), "date_to": (2024, 12, 31)}, "abcde"),
    ({"host_country": "KP", "kind": "VISIT_KIND_WORKING_VISIT",
      "date_from": (2024, 6, 1), "date_to": (2024, 6, 30)}, "d"),
])
def test_list_filters_and_order(api, spread, filters, expect):
    """ListVisits(visitor, +host_country/kind/day range) returns exactly the matching
    visits, ordered by start_date then name; a visit matches a range when any of its
    days lies in [date_from, date_to]."""
    visitor, made = spread
    filters = dict(filters)
    if "kind" in filters:
        filters["kind"] = getattr(api.pb.visit, filters["kind"])
    got = _list(api, visitor=visitor, **filters)
    assert names(got) == [made[k].name for k in expect]


def test_list_without_visitor_filters_across_visitors(api, spread):
    """host_country alone spans visitors; the whole list is ordered (start_date, name)."""
    visitor, made = spread
    other = create_leader(api).name
    theirs = create_visit(api, other, (2024, 6, 11), host_country="KP")
    got = _list(api, host_country="KP")
    assert {made[k].name for k in "ade"} | {theirs.name} <= set(names(got))
    assert all(v.host_country == "KP" for v in got)
    assert [_key(v) for v in got] == sorted(_key(v) for v in got)
    everything = _list(api)
    assert [_key(v) for v in everything] == sorted(_key(v) for v in everything)


def test_list_by_unknown_visitor_is_empty(api):
    """A visitor filter naming no leader is simply an empty result."""
    got = api.visits.ListVisits(api.pb.visit.ListVisitsRequest(visitor=f"leaders/{uid('nobody')}"))
    assert not got.visits and not got.next_page_token


@pytest.mark.parametrize("filters,field", [
    (lambda pb: dict(host_country="usa"), "host_country"),
    (lambda pb: dict(date_from=date(pb, 2023, 2, 29)), "date_from"),
    (lambda pb: dict(date_to=date(pb, 2023, 13, 1)), "date_to"),
    (lambda pb: dict(visitor="leaders/Bad_ID"), "visitor"),
    (lambda pb: dict(kind=99), "kind"),
    (lambda pb: dict(page_size=-5), "page_size"),
    (lambda pb: dict(page_token="garbage"), "page_token"),
])
def test_list_rejects_bad_request(api, filters, field):
    """Malformed filters, a negative page_size or a forged page_token:
    INVALID_ARGUMENT naming the request field."""
    pb = api.pb
    E.invalid(pb, api.visits.ListVisits, pb.visit.ListVisitsRequest(**filters(pb)), field)


def test_list_page_size_default_and_cap(api, visitor):
    """page_size 0 serves 50; 5000 is served (as at most 1000), not refused."""
    pb = api.pb
    for i in range(55):
        create_visit(api, visitor, (2020, 1, 1 + i % 28))
    first = api.visits.ListVisits(pb.visit.ListVisitsRequest(visitor=visitor, page_size=0))
    assert len(first.visits) == 50 and first.next_page_token
    rest = api.visits.ListVisits(pb.visit.ListVisitsRequest(
        visitor=visitor, page_token=first.next_page_token))
    assert len(rest.visits) == 5 and not rest.next_page_token
    assert not set(names(first.visits)) & set(names(rest.visits))
    big = api.visits.ListVisits(pb.visit.ListVisitsRequest(visitor=visitor, page_size=5000))
    assert len(big.visits) == 55


def test_list_token_with_other_filter_is_invalid(api, spread):
    """A token from visitor=A reused with another filter: INVALID_ARGUMENT on page_token."""
    pb = api.pb
    visitor, _ = spread
    page = api.visits.ListVisits(pb.visit.ListVisitsRequest(visitor=visitor, page_size=2))
    assert page.next_page_token
    for changed in (dict(visitor=create_leader(api).name), dict(visitor=visitor, host_country="KP"),
                    dict(visitor=visitor, date_from=date(pb, 2024, 6, 1))):
        E.invalid(pb, api.visits.ListVisits, pb.visit.ListVisitsRequest(
            page_size=2, page_token=page.next_page_token, **changed), "page_token")


# -- Update ------------------------------------------------------------------------
def _update(api, visit, *paths):
    pb = api.pb
    return api.visits.UpdateVisit(pb.visit.UpdateVisitRequest(visit=visit,
                                                              update_mask=mask(pb, *paths)))


def test_update_with_mask_changes_only_masked_field(api, visitor):
    """Mask `purpose`: only purpose changes; dates, kind, cities stay although the
    request carries other values."""
    pb = api.pb
    made = create_visit(api, visitor, (2024, 6, 18), (2024, 6, 19))
    patch = pb.visit.Visit(name=made.name, purpose="Changed purpose.", cities=["Elsewhere"],
                           kind=pb.visit.VISIT_KIND_SUMMIT)
    upd = _update(api, patch, "purpose")
    assert upd.purpose == "Changed purpose."
    for f in ("visitor", "host_country", "start_date", "end_date", "kind", "cities", "sources"):
        assert getattr(upd, f) == getattr(made, f), f
    assert upd.etag != made.etag
    assert _get(api, made.name) == upd


def test_update_several_masked_fields(api, visitor):
    pb = api.pb
    made = create_visit(api, visitor, (2024, 6, 18), (2024, 6, 19))
    upd = _update(api, pb.visit.Visit(name=made.name, end_date=date(pb, 2024, 6, 21),
                                      sites=["Somewhere"]), "end_date", "sites")
    assert pydate(upd.end_date).day == 21 and list(upd.sites) == ["Somewhere"]
    assert upd.start_date == made.start_date


def test_update_with_empty_mask_replaces_all(api, visitor):
    """Empty mask: every updatable field takes the request's value (cities cleared)."""
    pb = api.pb
    made = create_visit(api, visitor, cities=["A", "B"])
    full = visit_msg(pb, visitor, (2022, 1, 1), (2022, 1, 3), host_country="CN", cities=[],
                     name=made.name, sources=[source(pb)])
    upd = _update(api, full)
    assert upd.host_country == "CN" and list(upd.cities) == []
    assert pydate(upd.start_date).year == 2022


def test_update_end_before_start_is_invalid(api, visitor):
    """The end ≥ start rule holds for the merged result of a masked update."""
    pb = api.pb
    made = create_visit(api, visitor, (2024, 6, 18), (2024, 6, 19))
    E.invalid(pb, api.visits.UpdateVisit, pb.visit.UpdateVisitRequest(
        visit=pb.visit.Visit(name=made.name, end_date=date(pb, 2024, 6, 1)),
        update_mask=mask(pb, "end_date")), "visit.end_date")
    assert _get(api, made.name) == made


def test_update_to_dangling_visitor_fails_precondition(api, visitor):
    pb = api.pb
    made = create_visit(api, visitor)
    E.expect(pb, api.visits.UpdateVisit, pb.visit.UpdateVisitRequest(
        visit=pb.visit.Visit(name=made.name, visitor=f"leaders/{uid('nobody')}"),
        update_mask=mask(pb, "visitor")), E.PRECONDITION, "REFERENCE_NOT_FOUND",
        field="visit.visitor")


@pytest.mark.parametrize("path", ["bogus", "etag", "name", "create_time", "update_time"])
def test_update_unknown_or_output_only_path_is_invalid(api, visitor, path):
    pb = api.pb
    made = create_visit(api, visitor)
    E.expect(pb, api.visits.UpdateVisit, pb.visit.UpdateVisitRequest(
        visit=pb.visit.Visit(name=made.name, purpose="x"), update_mask=mask(pb, path)),
        E.INVALID, "INVALID_FIELD", field_prefix="update_mask")


def test_update_stale_etag_is_aborted(api, visitor):
    pb = api.pb
    made = create_visit(api, visitor)
    upd = _update(api, pb.visit.Visit(name=made.name, purpose="one", etag=made.etag), "purpose")
    E.expect(pb, api.visits.UpdateVisit, pb.visit.UpdateVisitRequest(
        visit=pb.visit.Visit(name=made.name, purpose="two", etag=made.etag),
        update_mask=mask(pb, "purpose")), E.ABORTED, "ETAG_MISMATCH")
    assert _get(api, made.name).purpose == "one"
    assert _update(api, pb.visit.Visit(name=made.name, purpose="three", etag=upd.etag),
                   "purpose").purpose == "three"


def test_update_missing_is_not_found(api):
    pb = api.pb
    name = f"visits/{uid('absent')}"
    E.not_found(pb, api.visits.UpdateVisit, pb.visit.UpdateVisitRequest(
        visit=pb.visit.Visit(name=name, purpose="x"), update_mask=mask(pb, "purpose")), name)


# -- Delete ------------------------------------------------------------------------
def test_delete_then_get_is_not_found(api, visitor):
    pb = api.pb
    made = create_visit(api, visitor)
    out = api.visits.DeleteVisit(pb.visit.DeleteVisitRequest(name=made.name))
    assert isinstance(out, pb.empty.Empty)
    E.not_found(pb, api.visits.GetVisit, pb.visit.GetVisitRequest(name=made.name), made.name)
    E.not_found(pb, api.visits.DeleteVisit, pb.visit.DeleteVisitRequest(name=made.name),
                made.name)


def test_delete_with_stale_etag_is_aborted(api, visitor):
    pb = api.pb
    made = create_visit(api, visitor)
    upd = _update(api, pb.visit.Visit(name=made.name, purpose="changed"), "purpose")
    E.expect(pb, api.visits.DeleteVisit, pb.visit.DeleteVisitRequest(
        name=made.name, etag=made.etag), E.ABORTED, "ETAG_MISMATCH")
    api.visits.DeleteVisit(pb.visit.DeleteVisitRequest(name=made.name, etag=upd.etag))
