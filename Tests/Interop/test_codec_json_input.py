"""The Swift proto3 JSON decoder against Python's JSON printer.

Python prints each corpus message as proto3 JSON (lowerCamel names for half
the corpus, proto field names for the other half); the probe decodes that
JSON and re-encodes the wire format, which must parse in Python to a message
equal to the original. Bad JSON must be refused, not guessed at.
"""

from __future__ import annotations

import base64

import pytest
from google.protobuf import json_format

import msgdiff
import probe_client

pytestmark = pytest.mark.usefixtures("probe")


@pytest.fixture(scope="session")
def json_run(probe, corpus_cases):
    requests = []
    for i, case in enumerate(corpus_cases):
        text = json_format.MessageToJson(case.message, indent=None, preserving_proto_field_name=bool(i % 2))
        requests.append((f"json {case.type_name}", text.encode()))
    return probe_client.run_probe(probe, requests)


def test_swift_decodes_python_json(corpus_cases, json_run):
    assert json_run.problem() is None, json_run.problem() + "\n" + json_run.stderr_tail()
    failures = []
    for case, reply in zip(corpus_cases, json_run.replies):
        if reply.status != "ok":
            failures.append((case.id, [reply.brief()]))
            continue
        got = type(case.message).FromString(reply.data)
        details = msgdiff.diff(case.message, got, check_unknown=False)
        if details:
            failures.append((case.id, details))
    assert not failures, f"{len(failures)} of {len(corpus_cases)} failed, first: {failures[:5]}"


BAD_JSON = [
    ("summit.v1.Visit", '{"name": 1}', "invalidValue"),
    ("summit.v1.Visit", '{"kind": "VISIT_KIND_NOPE"}', "invalidValue"),
    ("summit.v1.Visit", '{"noSuchField": true}', "invalidValue"),
    ("summit.v1.Visit", '{"startDate": {"year": "x"}}', "invalidValue"),
    ("summit.v1.Leader", '{"createTime": "2024-02-30T00:00:00Z"}', "invalidValue"),
    ("summit.v1.Leader", '{"name": "a"', "malformed"),
    ("summit.v1.Leader", '[1, 2]', "invalidValue"),
    ("summit.testing.v1.Scalars", '{"i32": 2147483648}', "invalidValue"),
    ("summit.testing.v1.Scalars", '{"u64": "-1"}', "invalidValue"),
    ("summit.testing.v1.Scalars", '{"blob": "***"}', "invalidValue"),
    ("summit.testing.v1.Scalars", '{"flt": 1e39}', "invalidValue"),
    ("google.rpc.Status", '{"details": [{"@type": "type.googleapis.com/no.Such"}]}', "unknownType"),
    ("summit.v1.Leader", '{"name": "\\ud800"}', "malformed"),
    ("summit.v1.Leader", "[" * 1000 + "]" * 1000, "malformed"),
]


@pytest.mark.parametrize("type_name,text,code", BAD_JSON)
def test_bad_json_is_refused(probe, type_name, text, code):
    run = probe_client.run_probe(probe, [(f"json {type_name}", text.encode())])
    assert run.replies and run.replies[0].status == "err", run.replies
    assert run.replies[0].code == code, run.replies[0].brief()
