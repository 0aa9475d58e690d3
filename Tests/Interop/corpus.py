"""Deterministic corpus of protobuf messages for codec compatibility tests.

``build_corpus(types, seed)`` walks the descriptors of every message type it
is given (no hand-written list) and makes, for each type, a set of cases:

* ``empty``      - the message with nothing set;
* ``defaults``   - every sub-message present but empty, every oneof set to
                   its first member's default value, every proto3 ``optional``
                   field set to its default (presence without content);
* ``random-N``   - random fills of varying density, sub-messages to depth 4;
* ``deep``       - every sub-message field filled, to show nesting >= 3;
* ``extreme-K``  - numeric fields at the extremes of their type (int32
                   min/max, uint64 max, sint64 min, float/double +-0.0,
                   subnormal, huge, +-inf, nan; float32 values are exactly
                   representable), repeated/map numeric fields get all of them;
* ``unicode-K``  - strings in many scripts (Cyrillic, Hangul, CJK, Arabic,
                   emoji, combining marks, astral planes, control characters);
* ``long``       - repeated fields with 1,000 elements, maps with 300 entries;
* ``oneof-O-M``  - one case per member M of each oneof O (random value), and
                   ``-default`` with the member at its default value;
* ``unknown-enum`` - enum fields at values the schema does not know (12345,
                   -12345, int32 max) which an open proto3 enum must keep.

No string ever contains U+0000: protobuf-c keeps strings as NUL-terminated C
strings (a documented limitation), so the probe cannot round-trip it.

Well-known types are filled with valid values so that proto3 JSON works:
Timestamp within 0001-01-01..9999-12-31, Duration within +-10,000 years with
nanos of the seconds' sign, FieldMask paths that are lower_snake identifiers
(they survive the JSON camelCase round trip), Any packing a real message of
the schema (google.rpc error details when present), Struct/Value/ListValue
with finite numbers. Self-referencing types are cut off by a depth limit and
by allowing a type at most twice on the current nesting path.
"""

from __future__ import annotations

import math
import random
import struct
from dataclasses import dataclass, field
from typing import Iterable

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor as FD
from google.protobuf.message import Message

DEFAULT_SEED = 20240611
LONG_REPEATED = 1000
LONG_MAP = 300
MAX_DEPTH = 4
UNKNOWN_ENUMS = (12345, -12345, 2**31 - 1)


@dataclass
class Case:
    """One corpus item: ``id`` is ``<type>/<variant>``."""

    id: str
    type_name: str
    message: Message
    data: bytes = field(repr=False)


# ---------------------------------------------------------------- scalars

def f32(x: float) -> float:
    """x rounded to the nearest float32 (NaN and inf kept)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


F32_MAX = f32(3.4028234663852886e38)
F32_TINY = f32(1.401298464324817e-45)        # smallest subnormal
F32_MIN_NORMAL = f32(1.1754943508222875e-38)
NAN = float("nan")
INF = float("inf")

INT_RANGES = {
    FD.TYPE_INT32: (-(2**31), 2**31 - 1), FD.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FD.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FD.TYPE_INT64: (-(2**63), 2**63 - 1), FD.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FD.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FD.TYPE_UINT32: (0, 2**32 - 1), FD.TYPE_FIXED32: (0, 2**32 - 1),
    FD.TYPE_UINT64: (0, 2**64 - 1), FD.TYPE_FIXED64: (0, 2**64 - 1),
}


def _int_extremes(t: int) -> list[int]:
    lo, hi = INT_RANGES[t]
    if lo < 0:
        return [lo, hi, -1, 0, 1, lo + 1, hi - 1, -128, 2**31 - 1 if hi > 2**31 else 127]
    return [hi, 0, 1, hi - 1, (hi + 1) // 2, 127, 128, 2**32 if hi > 2**32 else 255, 300]


EXTREMES = {
    **{t: _int_extremes(t) for t in INT_RANGES},
    FD.TYPE_FLOAT: [0.0, -0.0, F32_TINY, F32_MIN_NORMAL, F32_MAX, -F32_MAX,
                    INF, -INF, NAN, f32(0.1), -F32_TINY],
    FD.TYPE_DOUBLE: [0.0, -0.0, 5e-324, 2.2250738585072014e-308,
                     1.7976931348623157e308, -1.7976931348623157e308,
                     INF, -INF, NAN, 0.1, -5e-324],
    FD.TYPE_BOOL: [True, False],
    FD.TYPE_STRING: ["", "x", "\x01\x1f\x7f", "\ud7ff\ue000\uffff\U0010ffff",
                     "€" * 50, "a b\tc\nd\r\"\\/"],
    FD.TYPE_BYTES: [b"", b"\x00", bytes(range(256)), b"\xff" * 200, b"\x00abc\x00"],
}

SCRIPTS = [
    "Владимир Путин и Ким Чен Ын",            # Cyrillic
    "김정은 국무위원장 방문",                     # Hangul
    "习近平会见普京 東京で首脳会談",              # CJK
    "الرئيس في زيارة رسمية إلى بيونغ يانغ",   # Arabic (RTL)
    "ביקור ממלכתי בירושלים",                  # Hebrew
    "प्रधानमंत्री की आधिकारिक यात्रा",             # Devanagari
    "การเยือนอย่างเป็นทางการ",                   # Thai
    "Επίσημη επίσκεψη στην Αθήνα",             # Greek
    "🤝🇰🇵🇷🇺 👨\u200d👩\u200d👧\u200d👦 🏳️\u200d🌈 ✈️",  # emoji, ZWJ, flags, VS16
    "e\u0301 a\u0308 n\u0303 Z\u0351\u0334\u0358a\u0336lgo",  # combining marks
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠀀𠀁 \U0010fffd",                   # astral planes
    "\ufeffBOM \u2028LS \u2029PS \u0085NEL \u202eRLO\u202c",  # tricky separators
    "quote\" backslash\\ slash/ \x01\x1f ctrl \t\r\n",        # JSON escapes
    "Ærø Øresund straße İstanbul ǅ",           # Latin specials, case oddities
]

LONG_TEXT = "€" * 7000 + "".join(SCRIPTS)

_WORDS = ["summit", "visit", "leader", "state", "arms", "sanction", "accord",
          "treaty", "envoy", "talks", "host", "press", "border", "trade"]


def _rand_string(rng: random.Random, max_len: int = 24) -> str:
    pick = rng.random()
    if pick < 0.3:
        return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 4)))
    if pick < 0.6:
        s = rng.choice(SCRIPTS)
        i = rng.randint(0, len(s))
        return s[i:i + rng.randint(0, max_len)]
    chars = []
    for _ in range(rng.randint(0, max_len)):
        lo, hi = rng.choice([(1, 0x7F), (0x80, 0x7FF), (0x800, 0xD7FF),
                             (0xE000, 0xFFFF), (0x10000, 0x10FFFF)])
        chars.append(chr(rng.randint(lo, hi)))
    return "".join(chars)


def _rand_int(rng: random.Random, t: int) -> int:
    lo, hi = INT_RANGES[t]
    bits = rng.choice([0, 1, 4, 7, 8, 14, 15, 21, 28, 31, 32, 35, 49, 56, 63, 64])
    v = rng.getrandbits(bits) if bits else 0
    if lo < 0 and rng.random() < 0.4:
        v = -v
    return min(max(v, lo), hi)


def _rand_float(rng: random.Random, t: int) -> float:
    r = rng.random()
    if r < 0.4:
        v = rng.uniform(-1e6, 1e6)
    elif r < 0.8:  # random bit pattern: subnormals, huge, tiny; no NaN payloads
        if t == FD.TYPE_FLOAT:
            v = struct.unpack("<f", rng.randbytes(4))[0]
        else:
            v = struct.unpack("<d", rng.randbytes(8))[0]
        if math.isnan(v):
            v = NAN
    else:
        v = rng.choice(EXTREMES[t])
    return f32(v) if t == FD.TYPE_FLOAT else v


# ---------------------------------------------------------------- descriptors

_OPTIONAL_CACHE: dict[str, set[str]] = {}


def proto3_optional_fields(desc: Descriptor) -> set[str]:
    """Names of the proto3 ``optional`` fields (their oneofs are synthetic)."""
    if desc.full_name not in _OPTIONAL_CACHE:
        from google.protobuf import descriptor_pb2
        dp = descriptor_pb2.DescriptorProto()
        desc.CopyToProto(dp)
        _OPTIONAL_CACHE[desc.full_name] = {f.name for f in dp.field if f.proto3_optional}
    return _OPTIONAL_CACHE[desc.full_name]


def real_oneofs(desc: Descriptor):
    opt = proto3_optional_fields(desc)
    return [o for o in desc.oneofs if not (len(o.fields) == 1 and o.fields[0].name in opt)]


def is_map(fd: FD) -> bool:
    return fd.type == FD.TYPE_MESSAGE and fd.message_type.GetOptions().map_entry


def field_kinds(desc: Descriptor) -> set[int]:
    """Scalar field types used directly by desc (map keys and values included)."""
    kinds = set()
    for fd in desc.fields:
        if is_map(fd):
            kinds |= {f.type for f in fd.message_type.fields}
        else:
            kinds.add(fd.type)
    return kinds


# ---------------------------------------------------------------- generator

SPECIAL = {
    "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask",
    "google.protobuf.Any", "google.protobuf.Struct", "google.protobuf.Value",
    "google.protobuf.ListValue",
}
TS_MIN, TS_MAX = -62135596800, 253402300799
DUR_MAX = 315576000000


class Gen:
    """Fills messages. ``style`` picks how scalars are chosen:
    random, extreme (with index ``k``), unicode (with index ``k``), unknown-enum,
    long (long repeated fields), default (zero values with presence)."""

    def __init__(self, rng: random.Random, any_targets: list[Descriptor]):
        self.rng = rng
        self.any_targets = any_targets

    # -- scalars
    def scalar(self, fd: FD, style: str, k: int = 0, j: int = 0):
        rng, t = self.rng, fd.type
        if style == "default":
            return {FD.TYPE_STRING: "", FD.TYPE_BYTES: b"", FD.TYPE_BOOL: False,
                    FD.TYPE_FLOAT: 0.0, FD.TYPE_DOUBLE: 0.0}.get(t, 0)
        if t == FD.TYPE_ENUM:
            values = [v.number for v in fd.enum_type.values]
            if style == "unknown-enum":
                return UNKNOWN_ENUMS[(k + j) % len(UNKNOWN_ENUMS)]
            if style == "extreme":
                ext = [max(values), min(values), *UNKNOWN_ENUMS]
                return ext[(k + j) % len(ext)]
            return rng.choice(UNKNOWN_ENUMS) if rng.random() < 0.15 else rng.choice(values)
        if style == "extreme" and t in EXTREMES:
            ext = EXTREMES[t]
            return ext[(k + j) % len(ext)]
        if style == "unicode" and t == FD.TYPE_STRING:
            return SCRIPTS[(k + j) % len(SCRIPTS)]
        if style == "long" and t == FD.TYPE_STRING:  # 3-byte length prefix
            return LONG_TEXT
        if style == "long" and t == FD.TYPE_BYTES:
            return bytes(range(256)) * 80
        if t in INT_RANGES:
            return _rand_int(rng, t)
        if t in (FD.TYPE_FLOAT, FD.TYPE_DOUBLE):
            return _rand_float(rng, t)
        if t == FD.TYPE_BOOL:
            return rng.random() < 0.5
        if t == FD.TYPE_STRING:
            return _rand_string(rng)
        if t == FD.TYPE_BYTES:
            return rng.randbytes(rng.randint(0, 32))
        raise ValueError(f"unsupported field type {t} in {fd.full_name}")

    # -- messages
    def fill(self, msg: Message, style: str = "random", k: int = 0, depth: int = 0,
             path: tuple = (), density: float = 0.7, max_depth: int = MAX_DEPTH) -> Message:
        desc = msg.DESCRIPTOR
        path = path + (desc.full_name,)
        if desc.full_name in SPECIAL:
            self._fill_special(msg, style, k, depth, path, max_depth)
            return msg
        rng = self.rng
        chosen = {}
        for o in real_oneofs(desc):
            members = list(o.fields)
            if style == "default":
                chosen[o.name] = members[0]
            elif style in ("extreme", "unicode", "unknown-enum"):
                chosen[o.name] = members[(k + o.index) % len(members)]
            else:
                chosen[o.name] = rng.choice(members + [None])
        in_real_oneof = {f.name: o.name for o in real_oneofs(desc) for f in o.fields}
        optional = proto3_optional_fields(desc)
        for j, fd in enumerate(desc.fields):
            if fd.name in in_real_oneof:
                if chosen[in_real_oneof[fd.name]] is not fd:
                    continue
                self.set_field(msg, fd, style, k, j, depth, path, density, max_depth, force=True)
                continue
            if style == "default":
                if (fd.type == FD.TYPE_MESSAGE and not is_map(fd)) or fd.name in optional:
                    self.set_field(msg, fd, style, k, j, depth, path, density, max_depth)
                continue
            if style in ("random", "deep") and rng.random() > density:
                continue
            self.set_field(msg, fd, style, k, j, depth, path, density, max_depth)
        return msg

    @staticmethod
    def _touch(sub: Message) -> Message:
        """Make sub present (an empty Value is not JSON: it becomes null)."""
        sub.SetInParent()
        if sub.DESCRIPTOR.full_name == "google.protobuf.Value":
            sub.null_value = 0
        return sub

    def _may_nest(self, fd: FD, depth: int, path: tuple, max_depth: int) -> bool:
        name = fd.message_type.full_name
        return depth + 1 <= max_depth and path.count(name) < 2

    def set_field(self, msg, fd, style, k, j, depth, path, density, max_depth, force=False):
        """Set one field of msg (``force``: even a sub-message past the depth
        limit is made present, empty, so that a oneof case is always set)."""
        rng = self.rng
        sub_style = "random" if style == "long" else style
        if style == "default":
            if fd.is_repeated:
                return
            if fd.type == FD.TYPE_MESSAGE:
                if force or self._may_nest(fd, depth, path, max_depth):
                    self._touch(getattr(msg, fd.name))
            else:
                setattr(msg, fd.name, self.scalar(fd, "default"))
            return
        if fd.type == FD.TYPE_MESSAGE and not is_map(fd) and not self._may_nest(
                fd, depth, path, max_depth):
            if force and not fd.is_repeated:
                self._touch(getattr(msg, fd.name))
            return
        if is_map(fd):
            self._fill_map(getattr(msg, fd.name), fd, style, k, depth, path, density, max_depth)
        elif fd.is_repeated:
            target = getattr(msg, fd.name)
            if style == "long":
                n = LONG_REPEATED
            elif style == "extreme" and fd.type in EXTREMES:
                n = len(EXTREMES[fd.type])
            elif style == "unicode" and fd.type == FD.TYPE_STRING:
                n = len(SCRIPTS)
            elif style in ("extreme", "unicode"):
                n = 2
            else:
                n = rng.randint(1, 5)
            if fd.type == FD.TYPE_MESSAGE:
                for i in range(n):
                    if style == "long":  # shallow, to keep the corpus small
                        self.fill(target.add(), "random", 0, depth + 1, path, 0.3, depth + 1)
                    else:
                        self.fill(target.add(), sub_style, k + i, depth + 1, path,
                                  density * 0.8, max_depth)
            else:
                elem_style = "random" if style == "long" else sub_style
                target.extend(self.scalar(fd, elem_style, k, i) for i in range(n))
        elif fd.type == FD.TYPE_MESSAGE:
            sub = self._touch(getattr(msg, fd.name))
            decay = 1.0 if style == "deep" else 0.9
            self.fill(sub, sub_style, k + j, depth + 1, path, density * decay, max_depth)
        else:
            setattr(msg, fd.name, self.scalar(fd, sub_style, k, j))

    def _fill_map(self, target, fd, style, k, depth, path, density, max_depth):
        kfd = fd.message_type.fields_by_name["key"]
        vfd = fd.message_type.fields_by_name["value"]
        if kfd.type == FD.TYPE_BOOL:
            keys = [True, False]
        elif style == "extreme" and kfd.type in EXTREMES:
            keys = list(dict.fromkeys(EXTREMES[kfd.type]))
        elif style == "unicode" and kfd.type == FD.TYPE_STRING:
            keys = SCRIPTS
        else:
            n = LONG_MAP if style == "long" else self.rng.randint(2, 6)
            keys = list(dict.fromkeys(self.scalar(kfd, "random") for _ in range(n * 2)))[:n]
        sub_style = "random" if style == "long" else style
        for i, key in enumerate(keys):
            if vfd.type == FD.TYPE_MESSAGE:
                if self._may_nest(vfd, depth, path, max_depth):
                    sub = self._touch(target[key])
                    if style != "long":
                        self.fill(sub, sub_style, k + i, depth + 1, path, density * 0.8, max_depth)
                else:
                    self._touch(target[key])
            else:
                target[key] = self.scalar(vfd, sub_style, k, i)

    # -- well-known types
    def _fill_special(self, msg, style, k, depth, path, max_depth):
        name, rng = msg.DESCRIPTOR.full_name, self.rng
        if style == "default":
            return
        if name == "google.protobuf.Timestamp":
            if style == "extreme":
                msg.seconds, msg.nanos = [(TS_MIN, 0), (TS_MAX, 999_999_999), (0, 0),
                                          (-1, 999_999_999), (0, 1)][k % 5]
            else:
                msg.seconds = rng.randint(TS_MIN, TS_MAX)
                msg.nanos = rng.choice([0, 0, rng.randint(0, 999_999_999),
                                        rng.randint(0, 999) * 1_000_000])
        elif name == "google.protobuf.Duration":
            if style == "extreme":
                msg.seconds, msg.nanos = [(-DUR_MAX, -999_999_999), (DUR_MAX, 999_999_999),
                                          (0, -1), (0, 1), (0, 0)][k % 5]
            else:
                s = rng.randint(-DUR_MAX, DUR_MAX) if rng.random() < 0.3 else rng.randint(-100, 100)
                ns = rng.randint(0, 999_999_999)
                msg.seconds, msg.nanos = s, (-ns if s < 0 else ns if s > 0 else rng.choice([ns, -ns]))
        elif name == "google.protobuf.FieldMask":
            n = 5 if style == "extreme" else rng.randint(0, 4)
            for _ in range(n):
                segs = ["_".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3)))
                        for _ in range(rng.randint(1, 3))]
                msg.paths.append(".".join(segs))
        elif name == "google.protobuf.Any":
            if not self.any_targets:
                return
            target = self.any_targets[(k + depth) % len(self.any_targets)] \
                if style != "random" else rng.choice(self.any_targets)
            inner = message_factory.GetMessageClass(target)()
            if depth + 1 < max_depth and path.count(target.full_name) < 1:
                self.fill(inner, "random" if style == "long" else style, k, depth + 1,
                          path, 0.7, max_depth)
            msg.Pack(inner, deterministic=True)
        elif name == "google.protobuf.Value":
            self._fill_value(msg, depth)
        elif name == "google.protobuf.Struct":
            for _ in range(rng.randint(0, 3)):
                self._fill_value(msg.fields[rng.choice(_WORDS)], depth + 1)
        elif name == "google.protobuf.ListValue":
            for _ in range(rng.randint(0, 3)):
                self._fill_value(msg.values.add(), depth + 1)

    def _fill_value(self, v, depth):
        rng = self.rng
        kinds = ["null", "number", "string", "bool"] + (["struct", "list"] if depth < 3 else [])
        kind = rng.choice(kinds)
        if kind == "null":
            v.null_value = 0
        elif kind == "number":
            v.number_value = rng.choice([0.0, -1.5, 1e300, rng.uniform(-1e9, 1e9)])
        elif kind == "string":
            v.string_value = _rand_string(rng)
        elif kind == "bool":
            v.bool_value = rng.random() < 0.5
        elif kind == "struct":
            v.struct_value.SetInParent()
            for _ in range(rng.randint(0, 2)):
                self._fill_value(v.struct_value.fields[rng.choice(_WORDS)], depth + 1)
        else:
            v.list_value.SetInParent()
            for _ in range(rng.randint(0, 2)):
                self._fill_value(v.list_value.values.add(), depth + 1)


# ---------------------------------------------------------------- corpus

def _any_targets(types: dict[str, Descriptor]) -> list[Descriptor]:
    rpc = [d for n, d in types.items()
           if n.startswith("google.rpc.") and n != "google.rpc.Status"]
    return rpc or [d for n, d in types.items() if n not in SPECIAL][:8]


def _variants(desc: Descriptor, gen: Gen) -> Iterable[tuple[str, Message]]:
    cls = message_factory.GetMessageClass(desc)
    rng = gen.rng
    kinds = field_kinds(desc)
    yield "empty", cls()
    if desc.fields:
        yield "defaults", gen.fill(cls(), "default")
    for i, density in enumerate([0.35, 0.6, 0.85, 1.0]):
        yield f"random-{i}", gen.fill(cls(), "random", density=density)
    if any(fd.type == FD.TYPE_MESSAGE for fd in desc.fields):
        yield "deep", gen.fill(cls(), "deep", density=1.0, max_depth=MAX_DEPTH + 1)
    # Enough cases for every extreme of every scalar kind to appear in a
    # singular field; message-only types get two (their children vary).
    n_ext = max([len(EXTREMES[t]) for t in kinds if t in EXTREMES]
                + [5 if FD.TYPE_ENUM in kinds else 0]
                + [2 if FD.TYPE_MESSAGE in kinds else 0])
    for k in range(n_ext):
        yield f"extreme-{k}", gen.fill(cls(), "extreme", k, max_depth=2)
    if _has_strings(desc):
        for k in range(3):
            yield f"unicode-{k}", gen.fill(cls(), "unicode", k * 5, max_depth=2)
    if any(fd.is_repeated for fd in desc.fields):
        yield "long", gen.fill(cls(), "long")
    for o in real_oneofs(desc):
        for fd in o.fields:
            m = gen.fill(cls(), "random", density=0.5)
            gen.set_field(m, fd, "random", rng.randint(0, 9), 0, 0, (desc.full_name,),
                          0.7, MAX_DEPTH, force=True)
            yield f"oneof-{o.name}-{fd.name}", m
            m = gen.fill(cls(), "random", density=0.5)
            gen.set_field(m, fd, "default", 0, 0, 0, (desc.full_name,), 0.7, MAX_DEPTH,
                          force=True)
            yield f"oneof-{o.name}-{fd.name}-default", m
            if fd.type == FD.TYPE_ENUM:
                m = cls()
                setattr(m, fd.name, UNKNOWN_ENUMS[0])
                yield f"oneof-{o.name}-{fd.name}-unknown", m
    if _has_enums(desc):
        yield "unknown-enum", gen.fill(cls(), "unknown-enum", density=1.0)


def _has_strings(desc: Descriptor, depth: int = 2) -> bool:
    for fd in desc.fields:
        if fd.type == FD.TYPE_STRING:
            return True
        if is_map(fd) and FD.TYPE_STRING in field_kinds(fd.message_type):
            return True
        if fd.type == FD.TYPE_MESSAGE and depth > 0 and not is_map(fd) \
                and _has_strings(fd.message_type, depth - 1):
            return True
    return False


def _has_enums(desc: Descriptor, depth: int = 2) -> bool:
    for fd in desc.fields:
        if fd.type == FD.TYPE_ENUM:
            return True
        if is_map(fd) and FD.TYPE_ENUM in field_kinds(fd.message_type):
            return True
        if fd.type == FD.TYPE_MESSAGE and depth > 0 and not is_map(fd) \
                and _has_enums(fd.message_type, depth - 1):
            return True
    return False


def build_corpus(types: dict[str, Descriptor], seed: int = DEFAULT_SEED) -> list[Case]:
    """Every variant of every type in ``types`` (full name -> descriptor)."""
    gen = Gen(random.Random(seed), _any_targets(types))
    cases = []
    for name in sorted(types):
        for variant, msg in _variants(types[name], gen):
            cases.append(Case(f"{name}/{variant}", name, msg,
                              msg.SerializeToString(deterministic=True)))
    return cases


# ---------------------------------------------------------------- analysis

def nesting_depth(msg: Message) -> int:
    """Deepest chain of set sub-messages below msg (0 for a flat message)."""
    best = 0
    for fd, value in msg.ListFields():
        if fd.type != FD.TYPE_MESSAGE:
            continue
        if is_map(fd):
            subs = value.values() if fd.message_type.fields_by_name["value"].type == \
                FD.TYPE_MESSAGE else []
        elif fd.is_repeated:
            subs = value
        else:
            subs = [value]
        for s in subs:
            best = max(best, 1 + nesting_depth(s))
    return best


def strings_in(msg: Message) -> Iterable[str]:
    """Every string value in msg, recursively (map keys included)."""
    for fd, value in msg.ListFields():
        if is_map(fd):
            kfd, vfd = fd.message_type.fields
            for key, v in value.items():
                if kfd.type == FD.TYPE_STRING:
                    yield key
                if vfd.type == FD.TYPE_STRING:
                    yield v
                elif vfd.type == FD.TYPE_MESSAGE:
                    yield from strings_in(v)
            continue
        values = value if fd.is_repeated else [value]
        for v in values:
            if fd.type == FD.TYPE_STRING:
                yield v
            elif fd.type == FD.TYPE_MESSAGE:
                yield from strings_in(v)
