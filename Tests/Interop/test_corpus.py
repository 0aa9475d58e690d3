"""Checks of the test inputs themselves; these need no probe.

The corpus covers every message type and what the brief asks for, Python
round-trips it (so a probe failure is the codec's, not the corpus's), and
each crafted malformed input is rejected by Python for the intended reason.
"""

from __future__ import annotations

import collections

from google.protobuf import message_factory
from google.protobuf.message import DecodeError

import corpus
import jsonparse
import malformed
import msgdiff


def test_corpus_is_large_and_covers_every_type(schema, corpus_cases):
    assert len(corpus_cases) >= 400
    covered = {c.type_name for c in corpus_cases}
    assert covered == set(schema.messages), sorted(set(schema.messages) - covered)
    ids = [c.id for c in corpus_cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    for name in schema.messages:
        assert f"{name}/empty" in ids


def test_corpus_has_every_oneof_case(schema, corpus_cases):
    seen = collections.defaultdict(set)
    for c in corpus_cases:
        for o in corpus.real_oneofs(c.message.DESCRIPTOR):
            which = c.message.WhichOneof(o.name)
            if which:
                seen[o.full_name].add(which)
    for desc in schema.messages.values():
        for o in corpus.real_oneofs(desc):
            assert seen[o.full_name] == {f.name for f in o.fields}, o.full_name


def test_corpus_shapes(corpus_cases):
    assert max(corpus.nesting_depth(c.message) for c in corpus_cases) >= 3
    longest = max(len(getattr(c.message, f.name)) for c in corpus_cases
                  for f in c.message.DESCRIPTOR.fields if f.is_repeated)
    assert longest >= corpus.LONG_REPEATED
    assert any(c.id.endswith("/unknown-enum") for c in corpus_cases)
    assert any(len(getattr(c.message, f.name)) >= 3 for c in corpus_cases
               for f in c.message.DESCRIPTOR.fields if corpus.is_map(f))


def test_corpus_strings_have_no_nul_and_many_scripts(corpus_cases):
    chars = set()
    for c in corpus_cases:
        for s in corpus.strings_in(c.message):
            assert "\x00" not in s, c.id
            chars.update(s)
    for probe_char in "ДКim한习ال🤝\u0301𝔘":
        assert probe_char in chars, probe_char


def test_corpus_is_deterministic(schema, seed, corpus_cases):
    again = corpus.build_corpus(schema.messages, seed)
    assert [(c.id, c.data) for c in again] == [(c.id, c.data) for c in corpus_cases]


def test_python_round_trips_its_own_corpus(corpus_cases):
    failures = []
    for c in corpus_cases:
        cls = type(c.message)
        back = msgdiff.diff(c.message, cls.FromString(c.data))
        back += msgdiff.diff(c.message, jsonparse.parse(jsonparse.to_json(c.message), cls()),
                             check_unknown=False)
        if back:
            failures.append(f"{c.id}: {back}")
    assert not failures, "\n".join(failures[:20])


def test_crafted_inputs_fail_in_python_for_the_intended_reason(schema, crafted_cases):
    cats = collections.Counter(c.category for c in crafted_cases)
    assert set(cats) == set(malformed.CATEGORIES), cats
    wrong = []
    for c in crafted_cases:
        cls = message_factory.GetMessageClass(schema.messages[c.type_name])
        try:
            cls.FromString(c.data)
            error = None
        except DecodeError as exc:
            error = str(exc)
        if c.python_rejects != (error is not None):
            wrong.append(f"{c.id} {c.data.hex()}: Python says {error or 'ok'}")
        elif c.category == "invalid_utf8" and "UTF-8" not in error:
            wrong.append(f"{c.id}: rejected, but not for UTF-8: {error}")
    assert not wrong, "\n".join(wrong)


def test_random_inputs_are_seeded(schema, corpus_cases, random_cases):
    again = malformed.random_inputs(schema.messages, [(c.type_name, c.data) for c in corpus_cases])
    assert again == random_cases
    assert sum(1 for i, _, _ in random_cases if "/random-bytes-" in i) == 200
