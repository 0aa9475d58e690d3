"""Hand-crafted invalid encodings and seeded random bytes for the probe.

Each crafted input has one fault, built at the wire level against real
fields of the schema (picked generically from the descriptors):

* ``truncated``       - input ends inside a tag, varint, fixed field, string,
                        sub-message or group;
* ``length_overrun``  - a length prefix larger than what follows (also 2^32+3,
                        which a decoder keeping 32 bits would read as 3, and
                        2^64-1, which overflows a pointer addition), a
                        sub-message whose field overruns the sub-message,
                        a packed fixed32 run that is not a multiple of 4;
* ``wrong_wire_type`` - a known field sent with another wire type (a varint
                        where a string is declared, ...). protobuf-c rejects
                        it; Python/upb instead keeps it as an unknown field,
                        so here the probe is held to ``err malformed`` without
                        agreement with Python;
* ``overlong_varint`` - varints of 11 bytes (in a value, a length, a tag);
* ``bad_tag``         - field number 0, wire types 6 and 7, field number
                        2^29 (above the maximum), an end-group with no start;
* ``invalid_utf8``    - ill-formed UTF-8 (bad continuation, surrogate,
                        overlong, above U+10FFFF, cut sequence, lone
                        continuation byte) in a string: top level, nested,
                        repeated, oneof member, map key and map value.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from google.protobuf.descriptor import Descriptor, FieldDescriptor as FD

from corpus import is_map

VARINT_TYPES = {FD.TYPE_INT32, FD.TYPE_INT64, FD.TYPE_UINT32, FD.TYPE_UINT64,
                FD.TYPE_SINT32, FD.TYPE_SINT64, FD.TYPE_BOOL, FD.TYPE_ENUM}
FIXED64_TYPES = {FD.TYPE_FIXED64, FD.TYPE_SFIXED64, FD.TYPE_DOUBLE}
FIXED32_TYPES = {FD.TYPE_FIXED32, FD.TYPE_SFIXED32, FD.TYPE_FLOAT}
UNKNOWN_FIELD = 1000  # a field number no message of ours uses

BAD_UTF8 = [
    b"\xc3\x28",              # bad continuation byte
    b"\xed\xa0\x80",          # UTF-16 surrogate U+D800
    b"\xc0\xaf",              # overlong "/"
    b"\xe0\x80\xaf",          # overlong, 3 bytes
    b"\xf4\x90\x80\x80",      # above U+10FFFF
    b"ok \xff",               # never valid
    b"abc\xe2\x82",           # sequence cut at the end
    b"\x80 lone",             # continuation without a start
]

EXPECT = {
    "truncated": {"malformed"},
    "length_overrun": {"malformed"},
    "wrong_wire_type": {"malformed"},
    "overlong_varint": {"malformed"},
    "bad_tag": {"malformed"},
    "invalid_utf8": {"invalidUTF8"},
}
CATEGORIES = list(EXPECT)


@dataclass
class Crafted:
    id: str
    type_name: str
    data: bytes
    category: str

    @property
    def expect(self) -> set[str]:
        return EXPECT[self.category]

    @property
    def python_rejects(self) -> bool:
        """Whether Python/upb must reject it too (sanity check of the craft)."""
        return self.category != "wrong_wire_type"


# ---------------------------------------------------------------- wire format

def varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def padded_varint(n: int, size: int) -> bytes:
    """n as a varint stretched to size bytes (size > 10 is overlong)."""
    out = bytearray()
    for i in range(size):
        out.append((n & 0x7F) | (0x80 if i < size - 1 else 0))
        n >>= 7
    return bytes(out)


def tag(num: int, wt: int) -> bytes:
    return varint(num << 3 | wt)


def ld(num: int, payload: bytes) -> bytes:
    return tag(num, 2) + varint(len(payload)) + payload


# ---------------------------------------------------------------- field picks

def _singular(desc: Descriptor, types: set[int]):
    return [f for f in desc.fields if not f.is_repeated and f.type in types]


def _str_holder(desc: Descriptor):
    """(message field, string field of its type) for a nested string."""
    for f in desc.fields:
        if f.type == FD.TYPE_MESSAGE and not f.is_repeated and not is_map(f):
            inner = _singular(f.message_type, {FD.TYPE_STRING})
            if inner:
                return f, inner[0]
    return None


def _pick(rng: random.Random, types: dict[str, Descriptor], ok, n: int = 3) -> list[Descriptor]:
    cands = [d for _, d in sorted(types.items()) if ok(d)]
    return sorted(rng.sample(cands, min(n, len(cands))), key=lambda d: d.full_name)


def crafted_inputs(types: dict[str, Descriptor], seed: int = 7) -> list[Crafted]:
    rng = random.Random(seed)
    out: list[Crafted] = []

    def add(cat: str, desc: Descriptor, what: str, data: bytes):
        out.append(Crafted(f"{desc.full_name}/{cat}/{what}", desc.full_name, data, cat))

    def strings(d):
        return _singular(d, {FD.TYPE_STRING})

    # truncated: with and without a valid prefix before the cut
    for d in _pick(rng, types, strings, 4):
        s = strings(d)[0].number
        pre = ld(s, "préfixe".encode())
        add("truncated", d, "inside-string", pre + ld(s, b"hello summit")[:-4])
        add("truncated", d, "tag-only", pre + tag(s, 2))
        add("truncated", d, "length-cut", pre + tag(s, 2) + b"\x80")
        add("truncated", d, "tag-cut", pre + b"\x80")
        add("truncated", d, "unknown-fixed64", pre + tag(UNKNOWN_FIELD, 1) + b"\x01\x02\x03")
        add("truncated", d, "unknown-fixed32", tag(UNKNOWN_FIELD, 5) + b"\x01")
        add("truncated", d, "unknown-varint", pre + tag(UNKNOWN_FIELD, 0) + b"\xff\xff")
        add("truncated", d, "open-group", pre + tag(UNKNOWN_FIELD, 3) + tag(1, 0) + b"\x01")
    for d in _pick(rng, types, lambda d: _singular(d, VARINT_TYPES), 3):
        v = _singular(d, VARINT_TYPES)[0].number
        add("truncated", d, "varint-cut", tag(v, 0) + b"\x80")
        add("truncated", d, "varint-missing", tag(v, 0))
    for d in _pick(rng, types, lambda d: _singular(d, FIXED64_TYPES | FIXED32_TYPES), 2):
        f = _singular(d, FIXED64_TYPES | FIXED32_TYPES)[0]
        wt = 1 if f.type in FIXED64_TYPES else 5
        add("truncated", d, "fixed-cut", tag(f.number, wt) + b"\x00\x00\x80")
    for d in _pick(rng, types, _str_holder, 3):
        m, s = _str_holder(d)
        add("truncated", d, "inside-submessage", ld(m.number, ld(s.number, b"abcdef")[:-2]))

    # length_overrun
    for d in _pick(rng, types, strings, 3):
        s = strings(d)[0].number
        for n in (100, 2**31, 2**32 + 3, 2**64 - 1):
            add("length_overrun", d, f"len-{n}", tag(s, 2) + varint(n) + b"abc")
    for d in _pick(rng, types, _str_holder, 3):
        m, s = _str_holder(d)
        inner = tag(s.number, 2) + varint(10) + b"abc"
        add("length_overrun", d, "past-submessage", tag(m.number, 2) + varint(len(inner))
            + inner + ld(UNKNOWN_FIELD, b"x" * 12))
        add("length_overrun", d, "submessage-len", tag(m.number, 2) + varint(50) + ld(s.number, b"ab"))
    for d in _pick(rng, types, lambda d: [f for f in d.fields if f.is_repeated and f.is_packed
                                          and f.type in FIXED32_TYPES], 2):
        f = [f for f in d.fields if f.is_repeated and f.is_packed and f.type in FIXED32_TYPES][0]
        add("length_overrun", d, "packed-fixed32-len-3", ld(f.number, b"\x01\x02\x03"))
    for d in _pick(rng, types, lambda d: [f for f in d.fields if f.is_repeated and f.is_packed
                                          and f.type in VARINT_TYPES], 2):
        f = [f for f in d.fields if f.is_repeated and f.is_packed and f.type in VARINT_TYPES][0]
        add("length_overrun", d, "packed-varints", tag(f.number, 2) + varint(10) + b"\x01\x02")
        add("length_overrun", d, "packed-varint-cut", ld(f.number, b"\x01\x82"))

    # wrong_wire_type: known field, other wire type (protobuf-c rejects)
    for d in _pick(rng, types, strings, 3):
        s = strings(d)[0].number
        add("wrong_wire_type", d, "string-as-varint", tag(s, 0) + varint(1))
        add("wrong_wire_type", d, "string-as-fixed32", tag(s, 5) + b"abcd")
        add("wrong_wire_type", d, "string-as-fixed64", tag(s, 1) + b"abcdefgh")
    for d in _pick(rng, types, lambda d: _singular(d, VARINT_TYPES), 3):
        v = _singular(d, VARINT_TYPES)[0].number
        add("wrong_wire_type", d, "varint-as-bytes", ld(v, b"\x01"))
        add("wrong_wire_type", d, "varint-as-fixed64", tag(v, 1) + b"\x01" * 8)
    for d in _pick(rng, types, lambda d: _singular(d, {FD.TYPE_MESSAGE}), 3):
        m = _singular(d, {FD.TYPE_MESSAGE})[0].number
        add("wrong_wire_type", d, "message-as-varint", tag(m, 0) + varint(0))
    for d in _pick(rng, types, lambda d: _singular(d, FIXED64_TYPES | FIXED32_TYPES), 2):
        f = _singular(d, FIXED64_TYPES | FIXED32_TYPES)[0]
        other = b"\x00" * 4 if f.type in FIXED64_TYPES else b"\x00" * 8
        add("wrong_wire_type", d, "fixed-swapped", tag(f.number, 5 if len(other) == 4 else 1) + other)
        add("wrong_wire_type", d, "fixed-as-varint", tag(f.number, 0) + varint(7))

    # overlong_varint: 11 bytes
    for d in _pick(rng, types, lambda d: _singular(d, VARINT_TYPES) and strings(d), 3):
        v = _singular(d, VARINT_TYPES)[0].number
        s = strings(d)[0].number
        add("overlong_varint", d, "value-ff", tag(v, 0) + b"\xff" * 10 + b"\x01")
        add("overlong_varint", d, "value-zero", tag(v, 0) + padded_varint(0, 11))
        add("overlong_varint", d, "value-one-12", tag(v, 0) + padded_varint(1, 12))
        add("overlong_varint", d, "length", tag(s, 2) + padded_varint(3, 11) + b"abc")
        add("overlong_varint", d, "tag", padded_varint(s << 3 | 2, 11) + b"\x00")
        add("overlong_varint", d, "unknown-field", tag(UNKNOWN_FIELD, 0) + b"\xff" * 11 + b"\x01")

    # bad_tag
    for d in _pick(rng, types, strings, 4):
        pre = ld(strings(d)[0].number, b"fine")
        add("bad_tag", d, "field-0-varint", b"\x00\x01")
        add("bad_tag", d, "field-0-bytes", pre + b"\x02\x00")
        add("bad_tag", d, "wire-type-6", pre + tag(1, 6) + b"\x00")
        add("bad_tag", d, "wire-type-7", tag(1, 7) + b"\x00")
        add("bad_tag", d, "field-2^29", tag(2**29, 0) + b"\x01")
        add("bad_tag", d, "stray-end-group", pre + tag(UNKNOWN_FIELD, 4))
        add("bad_tag", d, "mismatched-end-group", tag(UNKNOWN_FIELD, 3) + tag(UNKNOWN_FIELD + 1, 4))

    # invalid_utf8 at several places
    bad = iter(BAD_UTF8 * 20)
    for d in _pick(rng, types, strings, 4):
        s = strings(d)[0].number
        for i, b in enumerate(BAD_UTF8):
            add("invalid_utf8", d, f"top-{i}", ld(s, b"ok") + ld(s, b))
    for d in _pick(rng, types, _str_holder, 3):
        m, s = _str_holder(d)
        add("invalid_utf8", d, "nested", ld(m.number, ld(s.number, next(bad))))
    reps = lambda d: [f for f in d.fields if f.is_repeated and f.type == FD.TYPE_STRING]  # noqa: E731
    for d in _pick(rng, types, reps, 3):
        f = reps(d)[0].number
        add("invalid_utf8", d, "repeated", ld(f, "ok ✓".encode()) + ld(f, next(bad)))
    oneof_str = lambda d: [f for f in d.fields if f.containing_oneof is not None  # noqa: E731
                           and f.type == FD.TYPE_STRING]
    for d in _pick(rng, types, oneof_str, 3):
        add("invalid_utf8", d, "oneof", ld(oneof_str(d)[0].number, next(bad)))
    smap = lambda d: [f for f in d.fields if is_map(f) and  # noqa: E731
                      f.message_type.fields_by_name["key"].type == FD.TYPE_STRING]
    for d in _pick(rng, types, smap, 3):
        f = smap(d)[0]
        vfd = f.message_type.fields_by_name["value"]
        add("invalid_utf8", d, "map-key", ld(f.number, ld(1, next(bad))))
        if vfd.type == FD.TYPE_STRING:
            add("invalid_utf8", d, "map-value", ld(f.number, ld(1, b"k") + ld(2, next(bad))))
    return out


def random_inputs(types: dict[str, Descriptor], encodings: list[tuple[str, bytes]],
                  seed: int = 11, n_random: int = 200, n_mutated: int = 100):
    """(id, type name, bytes): random byte strings, then mutated valid encodings."""
    rng = random.Random(seed)
    names = sorted(types)
    out = []
    for i in range(n_random):
        name = names[i % len(names)]
        out.append((f"{name}/random-bytes-{i}", name, rng.randbytes(rng.randint(0, 64))))
    pool = [(n, b) for n, b in encodings if 0 < len(b) <= 4096]
    for i in range(n_mutated if pool else 0):
        name, data = rng.choice(pool)
        buf = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            op, pos = rng.randrange(4), rng.randrange(len(buf) or 1)
            if op == 0 and buf:
                buf[pos] ^= 1 << rng.randrange(8)
            elif op == 1 and buf:
                del buf[pos]
            elif op == 2:
                buf.insert(pos, rng.randrange(256))
            else:
                del buf[pos:]
        out.append((f"{name}/mutated-{i}", name, bytes(buf)))
    return out
