"""`summit visits import FILE` (JSON lines and CSV): good rows are created, each bad
row is reported with its 1-based line in the file (CSV header = line 1; comment and
blank lines count) and its reason; exit 65 when any row failed, 0 when none did."""

from __future__ import annotations

import json

import pytest

from cli_import_text import created_count, failures
from cli_run import assert_no_crash
from cli_setup import ensure_leader


@pytest.fixture
def leaders(fresh_api):
    ensure_leader(fresh_api, "vladimir-putin", "Vladimir Putin", "RU", aliases=["Putin"])
    ensure_leader(fresh_api, "kim-jong-un", "Kim Jong Un", "KP")


def _visit(vid, visitor, host="KP", start=(2019, 4, 24), end=(2019, 4, 25),
           kind="VISIT_KIND_WORKING_VISIT", **more):
    d = {"id": vid, "visitor": visitor, "hostCountry": host,
         "startDate": dict(zip(("year", "month", "day"), start)),
         "endDate": dict(zip(("year", "month", "day"), end)), "kind": kind, **more}
    if visitor is None:
        del d["visitor"]
    return json.dumps(d, ensure_ascii=False)


# line: content
JSONL = [
    "# visits to import (this comment is line 1)",                                      # 1
    _visit("imp-j-good1", "leaders/vladimir-putin", hostLeader="leaders/kim-jong-un",
           cities=["Pyongyang"]),                                                       # 2
    "",                                                                                 # 3
    _visit("imp-j-bad-a", None),                                                    # 4 bad
    _visit("imp-j-good2", "putin", host="VN", cities=["Hanoi"]),                        # 5
    _visit("imp-j-bad-b", "leaders/vladimir-putin", start=(2019, 5, 2),
           end=(2019, 5, 1)),                                                           # 6 bad
    _visit("imp-j-bad-c", "leaders/vladimir-putin", host="RUS"),                   # 7 bad
    _visit("imp-j-bad-d", "leaders/nobody-known"),                                     # 8 bad
    _visit("imp-j-good3", "leaders/kim-jong-un", host="RU", start=(2019, 4, 25),
           end=(2019, 4, 26), kind="VISIT_KIND_SUMMIT"),                                # 9
]
JSONL_GOOD = {2: "imp-j-good1", 5: "imp-j-good2", 9: "imp-j-good3"}
JSONL_BAD = {4: "imp-j-bad-a", 6: "imp-j-bad-b", 7: "imp-j-bad-c",
             8: "imp-j-bad-d"}

HEADER = "id,visitor,host_country,host_leader,cities,start_date,end_date,kind,event,purpose,sites"
CSV = [
    HEADER,                                                                             # 1
    "imp-c-good1,leaders/vladimir-putin,KP,leaders/kim-jong-un,Pyongyang,2018-09-01,"
    "2018-09-02,state-visit,,,Kim Il Sung Square",                                      # 2
    "imp-c-bad-a,,KP,,Pyongyang,2018-09-03,2018-09-04,working-visit,,,",            # 3 bad
    "",                                                                                 # 4
    'imp-c-good2,putin,KP,,Pyongyang;Wonsan,2018-09-05,2018-09-07,official-visit,'
    'Test event,"Talks, then a dinner",Kalma beach;Wonsan airport',                     # 5
    "imp-c-bad-b,putin,KP,,,2018-09-09,2018-09-08,working-visit,,,",                # 6 bad
    "imp-c-bad-c,putin,RUS,,,2018-09-10,2018-09-11,working-visit,,,",              # 7 bad
    "imp-c-bad-d,leaders/nobody-known,KP,,,2018-09-12,2018-09-13,working-visit,,,",    # 8 bad
    "imp-c-good3,leaders/kim-jong-un,RU,,Vladivostok,2018-09-14,2018-09-15,summit,,,",  # 9
]
CSV_GOOD = {2: "imp-c-good1", 5: "imp-c-good2", 9: "imp-c-good3"}
CSV_BAD = {3: "imp-c-bad-a", 6: "imp-c-bad-b", 7: "imp-c-bad-c",
           8: "imp-c-bad-d"}

# what the reason printed for each kind of bad row must mention (any of)
# (the bad rows' ids end in a/b/c/d: missing visitor, end before start, bad country,
# unknown leader; the ids avoid these words so an echoed id cannot pass for a reason)
REASONS = {
    "a": ("visitor",),
    "b": ("end_date", "end date", "enddate", "before"),
    "c": ("country",),
    "d": ("nobody-known", "visitor", "not found", "failed_precondition",
               "reference_not_found"),
}


def _check_report(res, good: dict, bad: dict):
    assert res.code == 65, f"some rows failed: exit 65 expected{res.describe()}"
    assert_no_crash(res)
    text = res.out + "\n" + res.err
    assert created_count(text) == len(good), f"created count {len(good)} not shown{res.describe()}"
    reported = failures(text)
    for line_no, vid in bad.items():
        assert line_no in reported, f"no failure reported for line {line_no} ({vid}){res.describe()}"
        reason = reported[line_no].lower()
        kind = vid.rsplit("-", 1)[1]
        assert any(word in reason for word in REASONS[kind]), \
            f"line {line_no}: reason {reported[line_no]!r} does not say why ({REASONS[kind]})"
    wrong = sorted(set(reported) - set(bad))
    assert not wrong, f"failures reported for lines {wrong}, which are good or not rows" \
                      f" (zero-based indexes instead of file lines?){res.describe()}"


def _check_stored(fresh, good: dict, bad: dict):
    for vid in good.values():
        doc = fresh.ok_json("visits", "get", vid)
        assert doc["name"] == f"visits/{vid}"
    for vid in bad.values():
        res = fresh.run("visits", "get", f"visits/{vid}")
        assert res.code == 66, f"bad row {vid} was created{res.describe()}"


def test_import_jsonl(fresh, leaders, tmp_path):
    """JSON lines with a comment, a blank line, three good rows and four bad ones
    (missing visitor, end before start, bad country, unknown leader): summary says 3
    created, each failure carries its file line (4, 6, 7, 8) and reason; exit 65; the
    good visits exist (short visitor `putin` resolved), the bad ones do not."""
    path = tmp_path / "visits.jsonl"
    path.write_text("\n".join(JSONL) + "\n", "utf-8")
    res = fresh.run("visits", "import", str(path))
    _check_report(res, JSONL_GOOD, JSONL_BAD)
    _check_stored(fresh, JSONL_GOOD, JSONL_BAD)
    doc = fresh.ok_json("visits", "get", "imp-j-good2")
    assert doc["visitor"] == "leaders/vladimir-putin" and doc["cities"] == ["Hanoi"]
    assert fresh.ok_json("visits", "get", "imp-j-good1")["hostLeader"] == "leaders/kim-jong-un"


def test_import_csv(fresh, leaders, tmp_path):
    """CSV with a header (line 1), a blank line, a quoted field holding a comma and
    `;`-separated lists: 3 created, failures on lines 3, 6, 7, 8 with reasons; exit 65;
    the stored rows carry every column."""
    path = tmp_path / "visits.csv"
    path.write_text("\n".join(CSV) + "\n", "utf-8")
    res = fresh.run("visits", "import", str(path))
    _check_report(res, CSV_GOOD, CSV_BAD)
    _check_stored(fresh, CSV_GOOD, CSV_BAD)
    doc = fresh.ok_json("visits", "get", "imp-c-good2")
    assert doc["visitor"] == "leaders/vladimir-putin"
    assert doc["cities"] == ["Pyongyang", "Wonsan"]
    assert doc["sites"] == ["Kalma beach", "Wonsan airport"]
    assert doc["purpose"] == "Talks, then a dinner"
    assert doc["event"] == "Test event"
    assert doc["kind"] == "VISIT_KIND_OFFICIAL_VISIT"
    assert (doc["startDate"], doc["endDate"]) == ({"year": 2018, "month": 9, "day": 5},
                                                  {"year": 2018, "month": 9, "day": 7})
    doc = fresh.ok_json("visits", "get", "imp-c-good1")
    assert doc["hostLeader"] == "leaders/kim-jong-un" and doc["sites"] == ["Kim Il Sung Square"]
    assert doc["kind"] == "VISIT_KIND_STATE_VISIT"


def test_import_all_good_from_stdin(fresh, leaders):
    """All rows good, read from stdin (`-`): exit 0, created count 2, no failures."""
    rows = [_visit("imp-s-good1", "putin", start=(2017, 1, 1), end=(2017, 1, 2)),
            _visit("imp-s-good2", "leaders/kim-jong-un", host="RU", start=(2017, 2, 1),
                   end=(2017, 2, 1))]
    res = fresh.run("visits", "import", "-", input="\n".join(rows) + "\n")
    assert res.code == 0, res.describe()
    assert_no_crash(res)
    assert created_count(res.out + "\n" + res.err) == 2, res.describe()
    assert not failures(res.out + "\n" + res.err), res.describe()
    fresh.ok("visits", "get", "imp-s-good1")
    fresh.ok("visits", "get", "imp-s-good2")


def test_import_all_good_csv_file(fresh, leaders, tmp_path):
    """An all-good CSV file: exit 0 and the visit exists."""
    path = tmp_path / "good.csv"
    path.write_text("visitor,host_country,start_date,end_date,kind,id\n"
                    "putin,CN,2016-06-25,2016-06-26,state-visit,imp-f-good1\n", "utf-8")
    res = fresh.run("visits", "import", str(path))
    assert res.code == 0, res.describe()
    assert created_count(res.out + "\n" + res.err) == 1, res.describe()
    assert fresh.ok_json("visits", "get", "imp-f-good1")["hostCountry"] == "CN"


def test_import_missing_file(fresh, tmp_path):
    """A FILE that does not exist: non-zero exit with a message naming it, no crash."""
    res = fresh.run("visits", "import", str(tmp_path / "absent.jsonl"))
    assert res.code != 0, res.describe()
    assert "absent.jsonl" in res.err, res.describe()
    assert_no_crash(res)


CODES = {"INVALID_ARGUMENT": 3, "FAILED_PRECONDITION": 9}


def test_import_json_output(fresh, leaders, tmp_path):
    """`visits import FILE -o json` prints the ImportVisitsResponse in canonical proto3
    JSON: createdCount and the created names in order, and per failure its zero-based
    `index` in the request stream (proto: "Zero-based position of the visit in the
    request stream"; here every data row is sent, so row 0 is file line 2) and a
    google.rpc.Status with its numeric `code` and a message."""
    rows = [
        _visit("imp-o-good1", "leaders/vladimir-putin", start=(2014, 1, 1), end=(2014, 1, 2)),
        _visit("imp-o-bad-a", None, start=(2014, 1, 3), end=(2014, 1, 4)),
        _visit("imp-o-bad-b", "leaders/vladimir-putin", start=(2014, 1, 6), end=(2014, 1, 5)),
        _visit("imp-o-good2", "leaders/kim-jong-un", host="RU", start=(2014, 2, 1),
               end=(2014, 2, 2)),
        _visit("imp-o-bad-d", "leaders/nobody-known", start=(2014, 3, 1), end=(2014, 3, 2)),
    ]
    path = tmp_path / "out.jsonl"
    path.write_text("# header comment\n" + "\n".join(rows) + "\n", "utf-8")
    res = fresh.run("visits", "import", str(path), output="json")
    assert res.code == 65, res.describe()
    doc = res.json()
    assert doc.get("createdCount") == 2, doc
    assert doc.get("created") == ["visits/imp-o-good1", "visits/imp-o-good2"], doc
    got = [(f.get("index", 0), f.get("status", {}).get("code")) for f in doc["failures"]]
    assert got == [(1, CODES["INVALID_ARGUMENT"]), (2, CODES["INVALID_ARGUMENT"]),
                   (4, CODES["FAILED_PRECONDITION"])], \
        f"failures as (index, status.code): {got}; want zero-based stream indexes and " \
        f"numeric codes{res.describe()}"
    assert all(f["status"].get("message") for f in doc["failures"]), doc
