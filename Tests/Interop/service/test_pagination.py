"""Keyset pagination of ListVisits under load: 10,000 visits, pages of 137 while another
connection inserts 500 more (start dates interleaved), and pages of 50 while another
connection deletes. One --no-seed summitd for the module."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from svc_client import Api
from svc_make import create_leader, from_pydate, pydate, visit_msg
from svc_paging import list_all, names

N = 10_000
EXTRA = 500
PAGE = 137
STREAMS = 2                 # concurrent ImportVisits streams
BASE = dt.date(2001, 1, 1)
SPAN_DAYS = 3000            # start dates fall in [BASE, BASE + SPAN_DAYS)
IMPORT_TIMEOUT = 150.0


def _key(v):
    return (pydate(v.start_date), v.name)


def _import(api, reqs):
    """One ImportVisits stream; every row must be created."""
    resp = api.visits.ImportVisits(iter(reqs), timeout=IMPORT_TIMEOUT)
    assert not resp.failures, f"{len(resp.failures)} failures, first: {resp.failures[0]}"
    assert resp.created_count == len(reqs) == len(resp.created)
    return list(resp.created)


def _rows(pb, visitors, count, seed):
    """`count` ImportVisitsRequests; many share a start date (names break the tie)."""
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        start = BASE + dt.timedelta(days=rnd.randrange(SPAN_DAYS))
        end = start + dt.timedelta(days=i % 4)
        v = visit_msg(pb, visitors[i % len(visitors)], purpose=f"bulk {seed}/{i}", sources=[],
                      cities=[])
        v.start_date.CopyFrom(from_pydate(pb, start))
        v.end_date.CopyFrom(from_pydate(pb, end))
        out.append(pb.visit.ImportVisitsRequest(visit=v))
    return out


@pytest.fixture(scope="module")
def bulk(pb, _module_store, _module_api):
    """The module's store with N visits by four leaders, imported over STREAMS
    concurrent ImportVisits streams. Returns (visitors, names)."""
    api = _module_api
    visitors = [create_leader(api).name for _ in range(4)]
    per = N // STREAMS
    batches = [_rows(pb, visitors, per, seed=s) for s in range(STREAMS)]
    with ThreadPoolExecutor(STREAMS) as pool:
        created = [n for part in pool.map(lambda b: _import(api, b), batches) for n in part]
    assert len(set(created)) == N
    return visitors, created


def test_concurrent_inserts_do_not_break_pages(api, bulk):
    """Paginating all visits with page_size 137 while another connection inserts 500
    visits with start dates interleaved among them: every visit that existed before
    is listed exactly once, nothing is listed twice, nothing unknown is listed, and the
    concatenated pages stay in (start_date, name) order."""
    pb = api.pb
    visitors, bulk_names = bulk
    before_set = set(names(list_all(api.visits.ListVisits, pb.visit.ListVisitsRequest(),
                                    "visits")))
    assert set(bulk_names) <= before_set
    per_page = EXTRA // (N // PAGE) + 1          # inserts released per page fetched
    go = threading.Semaphore(0)
    inserted: list[str] = []
    failures: list[BaseException] = []

    def insert_all():
        rnd = random.Random(99)
        try:
            with Api(pb, api.address) as other:
                for i in range(EXTRA):
                    if not go.acquire(timeout=60):
                        raise AssertionError("inserter starved")
                    start = BASE + dt.timedelta(days=rnd.randrange(SPAN_DAYS))
                    v = visit_msg(pb, visitors[i % 4], purpose=f"late {i}", sources=[])
                    v.start_date.CopyFrom(from_pydate(pb, start))
                    v.end_date.CopyFrom(from_pydate(pb, start))
                    made = other.visits.CreateVisit(pb.visit.CreateVisitRequest(visit=v))
                    inserted.append(made.name)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    t = threading.Thread(target=insert_all, daemon=True)
    t.start()
    listed = []
    inserted_while_paging = 0
    req = pb.visit.ListVisitsRequest(page_size=PAGE)
    for _ in range(N // PAGE + EXTRA):
        for _ in range(per_page):
            go.release()
        page = api.visits.ListVisits(req)
        assert len(page.visits) <= PAGE
        listed.extend(page.visits)
        if not page.next_page_token:
            break
        req.page_token = page.next_page_token
    else:
        pytest.fail("pagination did not end")
    inserted_while_paging = len(inserted)
    for _ in range(EXTRA):
        go.release()
    t.join(120)
    assert not t.is_alive(), "inserter did not finish"
    assert not failures, f"inserter failed: {failures[0]!r}"
    assert len(inserted) == EXTRA
    assert inserted_while_paging > 0, "no insert overlapped the pagination"

    listed_names = names(listed)
    dupes = {n for n, c in Counter(listed_names).items() if c > 1}
    assert not dupes, f"{len(dupes)} visits listed twice, e.g. {sorted(dupes)[:5]}"
    missing = before_set - set(listed_names)
    assert not missing, f"{len(missing)} pre-existing visits never listed, e.g. {sorted(missing)[:5]}"
    unknown = set(listed_names) - before_set - set(inserted)
    assert not unknown, f"unknown visits listed: {sorted(unknown)[:5]}"
    keys = [_key(v) for v in listed]
    assert keys == sorted(keys), "pages are not in (start_date, name) order"


def test_deletes_during_pagination_skip_nothing(api, bulk):
    """Keyset, not offset: deleting already-listed visits (and some not yet listed)
    between pages makes no surviving visit disappear or repeat."""
    pb = api.pb
    visitor = create_leader(api).name
    made = _import(api, _rows(pb, [visitor], 300, seed=1234))
    rnd = random.Random(5)
    ahead_deleted: set[str] = set()
    listed = []
    req = pb.visit.ListVisitsRequest(visitor=visitor, page_size=50)
    while True:
        page = api.visits.ListVisits(req)
        listed.extend(names(page.visits))
        for v in page.visits[:20]:                         # delete seen ones
            api.visits.DeleteVisit(pb.visit.DeleteVisitRequest(name=v.name))
        unseen = sorted(set(made) - set(listed) - ahead_deleted)
        for name in rnd.sample(unseen, min(3, len(unseen))):   # and a few ahead
            api.visits.DeleteVisit(pb.visit.DeleteVisitRequest(name=name))
            ahead_deleted.add(name)
        if not page.next_page_token:
            break
        req.page_token = page.next_page_token
    assert len(listed) == len(set(listed)), "a visit was listed twice"
    survivors_expected = set(made) - ahead_deleted
    assert set(listed) == survivors_expected


def test_page_size_is_capped_at_1000(api, bulk):
    """With more than 1000 visits, page_size 5000 returns exactly 1000 and a token;
    page_size 0 returns 50."""
    pb = api.pb
    page = api.visits.ListVisits(pb.visit.ListVisitsRequest(page_size=5000))
    assert len(page.visits) == 1000 and page.next_page_token
    page = api.visits.ListVisits(pb.visit.ListVisitsRequest(page_size=0))
    assert len(page.visits) == 50 and page.next_page_token
    visitors, _ = bulk
    mine = list_all(api.visits.ListVisits, pb.visit.ListVisitsRequest(visitor=visitors[0]),
                    "visits", page_size=1000)
    assert len(mine) >= N // 4 and all(v.visitor == visitors[0] for v in mine)
