"""The Swift codec (protobuf-c underneath) against Python's protobuf.

Every test here needs the probe (see conftest.py); without it they fail.
The whole corpus goes through one probe process, then each case is checked:
accepted, its re-encoding parses in Python to an equal message, and its JSON
parses in Python to an equal message (NaN-aware, sign of zero kept).

Run: ``make test-python``, or by hand
  python3 -m venv /tmp/v && /tmp/v/bin/pip install -r Tests/Interop/requirements.txt
  SUMMIT_CODEC_PROBE=$(swift build --show-bin-path)/summit-codec-probe \
    /tmp/v/bin/python -m pytest -q Tests/Interop
"""

from __future__ import annotations

import collections
import json

import pytest
from google.protobuf import message_factory
from google.protobuf.message import DecodeError

import jsonparse
import malformed
import msgdiff
import probe_client

pytestmark = pytest.mark.usefixtures("probe")

SHOWN = 20  # failing cases detailed in a report


def _report(what: str, failures: list[tuple[str, list[str]]], total: int,
            run: probe_client.Run | None = None) -> str:
    by_type = collections.Counter(case_id.split("/")[0] for case_id, _ in failures)
    lines = [f"{len(failures)} of {total} cases {what}, in {len(by_type)} types: "
             + ", ".join(f"{t} ({n})" for t, n in by_type.most_common(12))]
    if run is not None and run.problem():
        lines.append(f"run: {run.problem()}")
    for case_id, details in failures[:SHOWN]:
        lines.append(f"- {case_id}")
        lines.extend(f"    {d}" for d in details)
    if len(failures) > SHOWN:
        lines.append(f"... {len(failures) - SHOWN} more failing cases")
    if run is not None and run.stderr.strip():
        lines.append("probe stderr (tail):\n" + run.stderr_tail())
    return "\n".join(lines)


def _pairs(cases, run: probe_client.Run):
    return zip(cases, run.replies[: len(cases)])


def test_probe_answers_every_corpus_line(corpus_cases, corpus_run):
    problem = corpus_run.problem()
    if problem and len(corpus_run.replies) < len(corpus_cases):
        problem += f": {corpus_cases[len(corpus_run.replies)].id}"
    assert problem is None, problem + "\nprobe stderr (tail):\n" + corpus_run.stderr_tail()
    bad = [(c.id, [r.code, r.brief()]) for c, r in _pairs(corpus_cases, corpus_run)
           if r.status == "bad"]
    assert not bad, _report("got a reply that breaks the protocol", bad, len(corpus_cases))


def test_probe_accepts_every_corpus_message(corpus_cases, corpus_run):
    failures = [(c.id, [r.brief()]) for c, r in _pairs(corpus_cases, corpus_run)
                if r.status == "err"]
    assert not failures, _report("were rejected", failures, len(corpus_cases), corpus_run)


def test_binary_round_trip(corpus_cases, corpus_run):
    failures = []
    for case, reply in _pairs(corpus_cases, corpus_run):
        if reply.status != "ok":
            continue
        cls = type(case.message)
        try:
            got = cls.FromString(reply.data)
        except DecodeError as exc:
            failures.append((case.id, [f"Python cannot parse the re-encoding: {exc}"]))
            continue
        details = msgdiff.diff(case.message, got)
        if details:
            failures.append((case.id, details))
    assert not failures, _report("changed in the binary round trip", failures,
                                 len(corpus_cases), corpus_run)


def test_json_round_trip(corpus_cases, corpus_run):
    failures = []
    for case, reply in _pairs(corpus_cases, corpus_run):
        if reply.status != "ok":
            continue
        try:
            if not isinstance(json.loads(reply.json), dict):
                raise ValueError("not a JSON object")
            got = jsonparse.parse(reply.json, type(case.message)())
        except Exception as exc:  # noqa: BLE001 - every parse failure is a finding
            text = reply.json if len(reply.json) < 200 else reply.json[:200] + "..."
            failures.append((case.id, [f"Python cannot parse the JSON: {exc}", text]))
            continue
        details = msgdiff.diff(case.message, got, check_unknown=False)
        if details:
            failures.append((case.id, details))
    assert not failures, _report("changed in the JSON round trip", failures,
                                 len(corpus_cases), corpus_run)


@pytest.mark.parametrize("category", malformed.CATEGORIES)
def test_crafted_malformed_input_is_rejected(category, crafted_cases, crafted_run):
    """Truncated, overrun, wrong wire type, overlong varint, bad tag: ``err
    malformed``. Invalid UTF-8 in a string: ``err invalidUTF8`` only; the
    protocol has a code for it, and ``malformed`` would hide that the codec
    cannot tell a broken encoding from a broken string."""
    problem = crafted_run.problem()
    failures = []
    for case, reply in _pairs(crafted_cases, crafted_run):
        if case.category != category:
            continue
        if reply.status != "err" or reply.code not in case.expect:
            failures.append((case.id, [f"input {case.data.hex()}",
                                       f"want err {'/'.join(sorted(case.expect))}, "
                                       f"got: {reply.brief()}"]))
    n = sum(1 for c in crafted_cases if c.category == category)
    missing = [c.id for c in crafted_cases[len(crafted_run.replies):] if c.category == category]
    assert not failures and not missing, _report(
        "were not rejected as expected", failures + [(m, ["no reply"]) for m in missing],
        n, crafted_run) + (f"\n{problem}" if problem else "")


def test_random_bytes_never_crash(schema, random_cases, random_run):
    """The probe answers every line; when it accepts, Python can parse its
    re-encoding. Agreement with Python on accept/reject is only reported."""
    assert random_run.problem() is None, (
        f"{random_run.problem()} (next input: "
        f"{random_cases[min(len(random_run.replies), len(random_cases) - 1)]})\n"
        f"probe stderr (tail):\n{random_run.stderr_tail()}")
    failures, agree = [], collections.Counter()
    for (case_id, name, data), reply in zip(random_cases, random_run.replies):
        cls = message_factory.GetMessageClass(schema.messages[name])
        try:
            cls.FromString(data)
            py = "ok"
        except DecodeError:
            py = "err"
        agree[(py, reply.status if reply.status != "err" else f"err {reply.code}")] += 1
        if reply.status == "bad":
            failures.append((case_id, [f"input {data.hex()}", reply.code, reply.brief()]))
        elif reply.status == "ok":
            try:
                cls.FromString(reply.data)
            except DecodeError as exc:
                failures.append((case_id, [f"input {data.hex()}",
                                           f"Python cannot parse the re-encoding "
                                           f"{reply.data.hex()}: {exc}"]))
    print("python vs probe on random input:",
          ", ".join(f"py {p} / probe {q}: {n}" for (p, q), n in sorted(agree.items())))
    assert not failures, _report("broke the rules", failures, len(random_cases), random_run)


@pytest.mark.parametrize("name", [
    "summit.v1.NoSuchMessage", "no.such.Type", "summit.v1", "summit.v1.ChangeType",
    "summit.v1.leader", "Leader",
])
def test_unknown_message_name(probe, name):
    """A name that is not a message of the schema (an enum, a package, a short
    or wrongly cased name included) is ``err unknownType``."""
    run = probe_client.run_probe(probe, [(name, b""), (name, b"\x0a\x02hi")], timeout=60)
    assert run.problem() is None, f"{run.problem()}\n{run.stderr_tail()}"
    for reply in run.replies:
        assert (reply.status, reply.code) == ("err", "unknownType"), reply.brief()
