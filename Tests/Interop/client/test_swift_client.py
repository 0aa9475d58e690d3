"""Summit's Swift gRPC client, through the `summit` CLI (docs/cli.md), against a gRPC
server that is not ours: grpcio (Python) implementing LeaderService and VisitService
from the same .proto files (fake_summit.py).

Each test checks both sides: what the CLI printed and how it exited, and what the
foreign server received (requests, order, deadline, cancellation). Together they cover
the four call shapes, deadlines, cancellation, error details and gzip responses.
"""

from __future__ import annotations

import json
import re
import signal
import time

import pytest

import fake_summit

ERROR_LINE = re.compile(r"error: ([A-Z_]+): (.+)")


def error_lines(res) -> list[str]:
    return [line for line in res.err.splitlines() if line.strip()]


def wait_until(predicate, timeout: float, step: float = 0.01) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# -- unary ------------------------------------------------------------------------------
def test_unary_leaders_get_short_name(summit, fake):
    """Unary calls and the short-name rule: `leaders get putin` asks GetLeader for
    leaders/putin, gets NOT_FOUND (with details) from grpcio, resolves "putin" over the
    bidi ResolveLeaders, then GetLeader(leaders/vladimir-putin); the table shows the
    leader and the exit code is 0."""
    res = summit.run("leaders", "get", "putin")
    assert res.code == 0, res.describe()
    assert re.search(r"^display name:\s+Vladimir Putin$", res.out, re.M), res.describe()
    assert re.search(r"^name:\s+leaders/vladimir-putin$", res.out, re.M), res.describe()
    assert re.search(r"^country:\s+RU$", res.out, re.M), res.describe()
    assert res.err == "", res.describe()

    seen = [(c.method, [str(r).strip() for r in c.requests]) for c in fake.calls]
    assert [m for m, _ in seen] == ["GetLeader", "ResolveLeaders", "GetLeader"], seen
    assert fake.calls[0].request.name == "leaders/putin"
    assert [r.mention for r in fake.calls[1].requests] == ["putin"]
    assert fake.calls[2].request.name == "leaders/vladimir-putin"


def test_unary_leaders_get_json(summit, fake):
    """`-o json` prints the grpcio server's Leader as canonical proto3 JSON: camelCase
    names, repeated strings (non-ASCII intact), nested messages, Timestamps as RFC 3339
    strings. Also proves the client sends a deadline (grpc-timeout, 10 s by default)."""
    res = summit.run("leaders", "get", "putin", "-o", "json")
    assert res.code == 0, res.describe()
    doc = res.json()
    assert doc["name"] == "leaders/vladimir-putin"
    assert doc["displayName"] == "Vladimir Putin"
    assert doc["title"] == "President of Russia"
    assert doc["aliases"] == ["Путин", "Putin", "Vladimir Vladimirovich Putin"]
    assert doc["sources"][0]["published"] == {"year": 2024, "month": 1, "day": 2}
    assert doc["createTime"] == fake_summit.CREATE_TIME
    remaining = fake.calls_to("GetLeader")[-1].time_remaining
    assert remaining is not None and 8.0 < remaining <= 10.0, remaining


def test_unary_visits_get_and_list(summit, fake):
    """GetVisit and ListVisits: the request the server gets carries the resolved
    visitor filter (leaders/vladimir-putin for `--visitor putin`), and the response's
    dates, enum and repeated fields come out right in JSON."""
    got = summit.run("visits", "get", "putin-pyongyang-2024", "-o", "json")
    assert got.code == 0, got.describe()
    v = got.json()
    assert v["name"] == "visits/putin-pyongyang-2024"
    assert v["startDate"] == {"year": 2024, "month": 6, "day": 18}
    assert v["kind"] == "VISIT_KIND_STATE_VISIT"
    assert v["cities"] == ["Pyongyang"]
    assert fake.calls_to("GetVisit")[-1].request.name == "visits/putin-pyongyang-2024"

    listed = summit.run("visits", "list", "--visitor", "putin", "-o", "json")
    assert listed.code == 0, listed.describe()
    assert [x["name"] for x in listed.json()["visits"]] == ["visits/putin-pyongyang-2024"]
    assert fake.calls_to("ListVisits")[-1].request.visitor == "leaders/vladimir-putin"


# -- bidirectional streaming ------------------------------------------------------------
def test_bidi_resolve_mentions(summit, fake):
    """`leaders resolve putin kim nobody`: one ResolveLeaders call carrying the three
    mentions in order; each answer printed (table), including an empty one."""
    res = summit.run("leaders", "resolve", "putin", "kim", "nobody")
    assert res.code == 0, res.describe()
    lines = [line for line in res.out.splitlines() if line.strip()]
    assert lines == ["putin: vladimir-putin (0.95)", "kim: kim-jong-un (0.95)",
                     "nobody: no match"], res.describe()
    calls = fake.calls_to("ResolveLeaders")
    assert len(calls) == 1
    assert [r.mention for r in calls[0].requests] == ["putin", "kim", "nobody"]


def test_bidi_resolve_json(summit, fake):
    """The same call with `-o json`: one ResolveLeadersResponse per line, matches with
    the full Leader, score and matched alias."""
    res = summit.run("leaders", "resolve", "putin", "kim", "-o", "json")
    assert res.code == 0, res.describe()
    docs = res.json_lines()
    assert [d["mention"] for d in docs] == ["putin", "kim"], res.describe()
    assert docs[0]["matches"][0]["leader"]["name"] == "leaders/vladimir-putin"
    assert docs[0]["matches"][0]["score"] == 0.95
    assert docs[0]["matches"][0]["matched"] == "Putin"
    assert docs[1]["matches"][0]["leader"]["displayName"] == "Kim Jong Un"


def test_bidi_resolve_is_full_duplex(summit, fake):
    """True bidi: with mentions on stdin, the answer to the first mention reaches the
    CLI's stdout while the request stream is still open (the second mention not yet
    written); then the second; closing stdin half-closes and the CLI exits 0."""
    run = summit.start("leaders", "resolve", stdin=True)
    run.write("putin\n")
    first = run.next_line(timeout=5)
    assert first == "putin: vladimir-putin (0.95)\n", f"got {first!r}{run.describe()}"
    assert run.proc.poll() is None, "the CLI ended before its request stream was closed"
    call = fake.calls_to("ResolveLeaders")[0]
    assert [r.mention for r in call.requests] == ["putin"]
    assert not call.ended.is_set(), "the server saw the call end after one mention"

    run.write("kim\n")
    second = run.next_line(timeout=5)
    assert second == "kim: kim-jong-un (0.95)\n", f"got {second!r}{run.describe()}"
    run.close_stdin()
    code = run.wait(5)
    assert code == 0, f"exit {code}; stderr: {run.stderr()}{run.describe()}"
    assert call.ended.wait(2)
    assert [r.mention for r in call.requests] == ["putin", "kim"]


# -- server streaming -------------------------------------------------------------------
def test_server_streaming_watch_and_sigint(summit, fake):
    """`visits watch -o json` prints each VisitEvent of grpcio's endless stream as one
    JSON line as it arrives (≥3 read while the call runs); SIGINT ends the CLI with exit
    0, and the server sees the call end within 2 s. (grpcio cannot tell whether that was
    the client's RST_STREAM or its connection closing as it exits; either way the
    cancellation reached the server.)"""
    run = summit.start("visits", "watch", "-o", "json")
    events = []
    while len(events) < 3:
        line = run.next_line(timeout=5)
        assert line is not None, f"fewer than 3 events within 5 s each{run.describe()}"
        events.append(json.loads(line))
    assert [int(e["sequence"]) for e in events] == [1, 2, 3]
    assert all(isinstance(e["sequence"], str) for e in events), "int64 must be a JSON string"
    assert events[0]["type"] == "CHANGE_TYPE_UPDATED"
    assert events[1]["type"] == "CHANGE_TYPE_CREATED"
    assert events[0]["visit"]["name"].startswith("visits/")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", events[0]["commitTime"]), events[0]

    call = fake.calls_to("WatchVisits")[0]
    assert not call.ended.is_set(), "the watch ended before SIGINT"
    sent = time.monotonic()
    run.signal(signal.SIGINT)
    code = run.wait(5)
    assert code == 0, f"exit {code} after SIGINT; stderr: {run.stderr()}{run.describe()}"
    assert call.ended.wait(max(0.0, sent + 2.0 - time.monotonic())), \
        "the server did not see the watch end within 2 s of SIGINT"
    assert call.ended_at - sent <= 2.0
    # The handler ended too (its loop saw context.is_active() go False, or grpcio
    # closed it: see fake_summit.watch_visits).
    assert wait_until(lambda: "inactive_at" in call.note, 2.0)


def test_server_streaming_watch_has_no_deadline(summit, fake):
    """docs/cli.md: `--timeout` is not applied to watch. With `--timeout 300ms` the
    server gets no deadline and the stream outlives 300 ms (6+ events at 100 ms)."""
    run = summit.start("visits", "watch", "--visitor", "putin", "--timeout", "300ms",
                       "-o", "json")
    start = time.monotonic()
    for n in range(6):
        line = run.next_line(timeout=5)
        assert line is not None, f"event {n + 1} missing{run.describe()}"
        assert json.loads(line)["visit"]["visitor"] == "leaders/vladimir-putin"
    assert time.monotonic() - start > 0.3
    assert run.proc.poll() is None, f"the watch ended: {run.stderr()}"
    call = fake.calls_to("WatchVisits")[0]
    assert call.time_remaining is None, f"watch sent a deadline ({call.time_remaining:.2f}s)"
    assert call.request.visitor == "leaders/vladimir-putin"
    run.signal(signal.SIGINT)
    assert run.wait(5) == 0


# -- client streaming -------------------------------------------------------------------
IMPORT_JSONL = "\n".join([
    "# visits to import",
    '{"id": "imp-good-1", "visitor": "leaders/vladimir-putin", "hostCountry": "CN",'
    ' "startDate": {"year": 2024, "month": 5, "day": 16},'
    ' "endDate": {"year": 2024, "month": 5, "day": 17},'
    ' "kind": "VISIT_KIND_STATE_VISIT", "cities": ["Beijing", "Harbin"]}',
    "",
    '{"id": "imp-bad", "visitor": "", "hostCountry": "VN",'
    ' "startDate": {"year": 2024, "month": 6, "day": 19},'
    ' "endDate": {"year": 2024, "month": 6, "day": 20}, "kind": "VISIT_KIND_STATE_VISIT"}',
    '{"id": "imp-good-2", "visitor": "putin", "hostCountry": "VN",'
    ' "startDate": {"year": 2024, "month": 6, "day": 19},'
    ' "endDate": {"year": 2024, "month": 6, "day": 20}, "kind": "VISIT_KIND_STATE_VISIT"}',
    "",
])


def test_client_streaming_import(summit, fake, tmp_path):
    """`visits import FILE` streams every row through one ImportVisits call (in order,
    short visitor names resolved first); grpcio's single response reports the bad row
    by stream index, and the CLI maps it back to its file line (4): the summary shows
    2 imported, 1 failed with `line 4: INVALID_ARGUMENT: …` and the BadRequest field,
    exit code 65."""
    path = tmp_path / "visits.jsonl"
    path.write_text(IMPORT_JSONL, "utf-8")
    res = summit.run("visits", "import", str(path))
    assert res.code == 65, res.describe()
    assert "imported 2 visits, 1 failed" in res.out, res.describe()
    assert re.search(r"^line 4: INVALID_ARGUMENT: the visit is not valid$", res.out, re.M), \
        res.describe()
    assert re.search(r"^\s+visit\.visitor: required", res.out, re.M), res.describe()
    assert not re.search(r"^line [1235]:", res.out, re.M), res.describe()

    calls = fake.calls_to("ImportVisits")
    assert len(calls) == 1
    reqs = calls[0].requests
    assert [r.visit_id for r in reqs] == ["imp-good-1", "imp-bad", "imp-good-2"]
    assert [r.visit.visitor for r in reqs] == ["leaders/vladimir-putin", "",
                                               "leaders/vladimir-putin"]
    assert list(reqs[0].visit.cities) == ["Beijing", "Harbin"]


def test_client_streaming_import_json(summit, fake, tmp_path):
    """The import summary as JSON: createdCount and the created names are the
    server's; the one failure carries the zero-based row index (1), the server's
    google.rpc.Status code and message, and its BadRequest detail re-encoded as proto3
    JSON (an Any with @type) — a detail packed by grpcio/protobuf-python. Exit 65."""
    path = tmp_path / "visits.jsonl"
    path.write_text(IMPORT_JSONL, "utf-8")
    res = summit.run("visits", "import", str(path), "-o", "json")
    assert res.code == 65, res.describe()
    doc = res.json()
    assert doc["createdCount"] == 2
    assert doc["created"] == ["visits/imp-good-1", "visits/imp-good-2"]
    assert len(doc["failures"]) == 1, doc
    failure = doc["failures"][0]
    assert failure["index"] == 1, doc
    assert failure["status"]["code"] == 3, doc
    assert failure["status"]["message"] == "the visit is not valid", doc
    assert failure["status"]["details"] == [{
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations": [{"field": "visit.visitor",
                             "description": "required: the visiting leader"}]}], doc


# -- deadlines --------------------------------------------------------------------------
def test_deadline_exceeded(summit, fake):
    """`--timeout 500ms visits get slow` against a handler that would take 3 s: the
    server receives the deadline (grpc-timeout ≈ 0.5 s), the CLI gives up at the
    deadline with `error: DEADLINE_EXCEEDED: …` and exit 75 well within 2 s, and the
    server sees the RPC cancelled (context inactive) long before its 3 s are up (by the
    client's cancel or by the propagated deadline: grpcio does not say which)."""
    res = summit.run("--timeout", "500ms", "visits", "get", "slow", timeout=10)
    assert res.code == 75, res.describe()
    lines = error_lines(res)
    m = ERROR_LINE.fullmatch(lines[0]) if lines else None
    assert m and m.group(1) == "DEADLINE_EXCEEDED", res.describe()
    assert res.out == "", res.describe()
    assert 0.45 <= res.elapsed < 2.0, res.describe()

    call = fake.calls_to("GetVisit")[0]
    assert call.time_remaining is not None and 0.2 < call.time_remaining <= 0.5, \
        call.time_remaining
    assert call.ended.wait(2.0), "the server never saw the slow call end"
    assert call.ended_at - call.started < 1.5
    assert wait_until(lambda: "inactive_at" in call.note, 2.0)
    assert call.note["inactive_at"] is not None, "the handler ran its full 3 s"


# -- error details ------------------------------------------------------------------------
def test_error_bad_request_field_violation(summit, fake):
    """INVALID_ARGUMENT from grpcio with a google.rpc.BadRequest in
    grpc-status-details-bin: stderr is `error: INVALID_ARGUMENT: <message>` then the
    field violation line naming visit.end_date; exit 65; nothing on stdout."""
    res = summit.run("visits", "create", "--visitor", "leaders/vladimir-putin", "--host", "KP",
                     "--start", "2024-06-19", "--end", "2024-06-18", "--kind", "state-visit")
    assert res.code == 65, res.describe()
    lines = error_lines(res)
    assert lines[0] == "error: INVALID_ARGUMENT: the visit is not valid", res.describe()
    assert lines[1:] == ["  visit.end_date: must not be before visit.start_date (2024-06-19)"], \
        res.describe()
    assert res.out == ""
    req = fake.calls_to("CreateVisit")[0].request
    assert (req.visit.end_date.day, req.visit.start_date.day) == (18, 19)


def test_error_not_found_id_shaped(summit, fake):
    """`leaders get xi-jinpin`: an id-shaped name is looked up once, as an id; grpcio's
    NOT_FOUND (status details carrying ErrorInfo RESOURCE_NOT_FOUND) prints
    `error: NOT_FOUND: leaders/xi-jinpin not found`, exit 66, and no ResolveLeaders
    search follows."""
    res = summit.run("leaders", "get", "xi-jinpin")
    assert res.code == 66, res.describe()
    assert error_lines(res) == ["error: NOT_FOUND: leaders/xi-jinpin not found"], res.describe()
    assert res.out == ""
    assert [c.method for c in fake.calls] == ["GetLeader"]
    assert fake.calls[0].request.name == "leaders/xi-jinpin"


def test_error_not_found_after_search(summit, fake):
    """A plain word that is neither an id nor a mention: GetLeader NOT_FOUND, then
    ResolveLeaders finds nothing → `error: NOT_FOUND: …`, exit 66. And `visits get`
    of an unknown visit → NOT_FOUND, exit 66."""
    res = summit.run("leaders", "get", "nobody")
    assert res.code == 66, res.describe()
    assert error_lines(res)[0].startswith("error: NOT_FOUND: "), res.describe()
    assert [c.method for c in fake.calls] == ["GetLeader", "ResolveLeaders"]

    res = summit.run("visits", "get", "no-such-visit")
    assert res.code == 66, res.describe()
    assert error_lines(res) == ["error: NOT_FOUND: visits/no-such-visit not found"], \
        res.describe()


# grpc status code -> the CLI's exit code (docs/cli.md)
EXIT_CODES = {
    "INVALID_ARGUMENT": 65, "FAILED_PRECONDITION": 65, "OUT_OF_RANGE": 65,
    "NOT_FOUND": 66, "ALREADY_EXISTS": 67, "ABORTED": 67, "UNAVAILABLE": 69,
    "INTERNAL": 70, "UNKNOWN": 70, "DATA_LOSS": 70, "UNIMPLEMENTED": 70,
    "DEADLINE_EXCEEDED": 75, "RESOURCE_EXHAUSTED": 75, "CANCELLED": 75,
    "UNAUTHENTICATED": 77, "PERMISSION_DENIED": 77,
}


@pytest.mark.parametrize("code", sorted(EXIT_CODES))
def test_error_status_exit_codes(summit, fake, code):
    """Every non-OK status grpcio sends (plain context.abort, no details) becomes
    `error: CODE: message` on stderr and the exit code of docs/cli.md's table."""
    res = summit.run("visits", "get", "status-" + code.lower())
    assert res.code == EXIT_CODES[code], res.describe()
    assert error_lines(res) == [f"error: {code}: forced {code}"], res.describe()
    assert res.out == ""


def test_error_unimplemented_method(summit, fake):
    """A method the foreign server does not implement (AllegationService is not
    registered): grpcio answers UNIMPLEMENTED → exit 70."""
    res = summit.run("allegations", "get", "a1")
    assert res.code == 70, res.describe()
    assert error_lines(res)[0].startswith("error: UNIMPLEMENTED: "), res.describe()


def test_error_server_down(summit, fake):
    """Nothing listening any more (the fake stopped): UNAVAILABLE, exit 69."""
    fake.stop()
    res = summit.run("leaders", "get", "putin", timeout=15)
    assert res.code == 69, res.describe()
    assert error_lines(res)[0].startswith("error: UNAVAILABLE: "), res.describe()


def test_error_message_percent_decoding(summit, fake):
    """grpcio percent-encodes grpc-message; the client decodes it: non-ASCII text and
    a literal '%' come out as the server wrote them."""
    res = summit.run("visits", "get", "unicode")
    assert res.code == 66, res.describe()
    assert error_lines(res) == [f"error: NOT_FOUND: {fake_summit.UNICODE_MESSAGE}"], \
        res.describe()


def test_error_message_with_newline_stays_one_line(summit, fake):
    """docs/cli.md: an error is ONE stderr line `error: CODE: message`, followed only by
    indented field-violation lines. A foreign server's message may contain a newline;
    the CLI must not let it start an unindented second line."""
    res = summit.run("visits", "get", "multiline")
    assert res.code == 66, res.describe()
    lines = error_lines(res)
    assert lines[0].startswith("error: NOT_FOUND: first line"), res.describe()
    assert all(line.startswith("  ") for line in lines[1:]), \
        f"an unindented line follows the error line{res.describe()}"


def test_error_mid_stream(summit, fake):
    """A stream that fails after some messages: the messages already received are
    printed, then `error: CODE: …` with the table's exit code — server streaming
    (watch: 2 events, then UNAVAILABLE → 69) and bidi (resolve: first answer, then
    INTERNAL → 70)."""
    res = summit.run("visits", "watch", "--after", str(fake_summit.FAILING_WATCH_AFTER),
                     "-o", "json")
    assert res.code == 69, res.describe()
    assert [int(d["sequence"]) for d in res.json_lines()] == [1001, 1002], res.describe()
    assert error_lines(res) == ["error: UNAVAILABLE: the change feed went away"], res.describe()

    res = summit.run("leaders", "resolve", "putin", "boom", "kim")
    assert res.code == 70, res.describe()
    assert res.out.splitlines()[:1] == ["putin: vladimir-putin (0.95)"], res.describe()
    assert error_lines(res) == ['error: INTERNAL: the resolver failed on "boom"'], \
        res.describe()


def test_deadline_applies_to_import(summit, fake, tmp_path):
    """docs/cli.md: `--timeout` is the deadline of every call except `watch`. An import
    whose server stalls (a row with id "slow" holds the handler up to 3 s) must end at
    the 500 ms deadline: DEADLINE_EXCEEDED, exit 75, within 2 s."""
    path = tmp_path / "slow.jsonl"
    path.write_text('{"id": "slow", "visitor": "leaders/vladimir-putin", "hostCountry": "CN",'
                    ' "startDate": {"year": 2024, "month": 5, "day": 16},'
                    ' "endDate": {"year": 2024, "month": 5, "day": 17}}\n', "utf-8")
    res = summit.run("--timeout", "500ms", "visits", "import", str(path), timeout=10)
    call = fake.calls_to("ImportVisits")[0]
    assert res.code == 75, f"server saw deadline {call.time_remaining}{res.describe()}"
    assert error_lines(res)[0].startswith("error: DEADLINE_EXCEEDED: "), res.describe()
    assert res.elapsed < 2.0, res.describe()


# -- gzip ---------------------------------------------------------------------------------
def test_gzip_unary_response(summit, fake_gzip, relay_to):
    """grpcio compresses the response (grpc.Compression.Gzip) and the client decodes it:
    a Visit with a 200 000-byte purpose arrives intact, while fewer than 20 000 bytes
    crossed from server to client (counted by a TCP relay), so it really came gzipped."""
    relay = relay_to(fake_gzip)
    res = summit.at(relay.address).run("visits", "get", "big", "-o", "json")
    assert res.code == 0, res.describe()
    doc = res.json()
    assert doc["purpose"] == fake_gzip.big_visit().purpose
    assert doc["name"] == "visits/big"
    assert relay.to_client < 20_000, f"{relay.to_client} bytes: the response was not compressed"


def test_gzip_streaming_responses(summit, fake_gzip, tmp_path):
    """Compressed messages on every streaming shape: bidi (resolve), client streaming
    (import's single response), server streaming (watch: 3 events, then SIGINT → 0)."""
    gz = summit.at(fake_gzip.address)
    res = gz.run("leaders", "resolve", "putin", "kim", "-o", "json")
    assert res.code == 0, res.describe()
    assert [d["matches"][0]["leader"]["name"] for d in res.json_lines()] == \
        ["leaders/vladimir-putin", "leaders/kim-jong-un"]

    path = tmp_path / "visits.jsonl"
    path.write_text(IMPORT_JSONL, "utf-8")
    res = gz.run("visits", "import", str(path), "-o", "json")
    assert res.code == 65, res.describe()
    assert res.json()["created"] == ["visits/imp-good-1", "visits/imp-good-2"]

    run = gz.start("visits", "watch", "-o", "json")
    for n in range(3):
        line = run.next_line(timeout=5)
        assert line is not None, f"event {n + 1} missing{run.describe()}"
        assert int(json.loads(line)["sequence"]) == n + 1
    run.signal(signal.SIGINT)
    assert run.wait(5) == 0, run.stderr()


@pytest.mark.parametrize("compressed", [False, True], ids=["identity", "gzip"])
def test_response_over_size_limit(summit, fake, fake_gzip, compressed):
    """A 5 MB response (over the client's 4 MiB receive limit) is refused the same way
    whether it arrives plain or gzipped: RESOURCE_EXHAUSTED, exit 75, as gRPC
    implementations report an over-limit message (also after decompression)."""
    server = fake_gzip if compressed else fake
    res = summit.at(server.address).run("visits", "get", "huge", "-o", "json")
    assert res.code == 75, res.describe()
    assert error_lines(res)[0].startswith("error: RESOURCE_EXHAUSTED: "), res.describe()
    assert res.out == ""
