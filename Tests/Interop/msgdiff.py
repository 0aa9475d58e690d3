"""Field-by-field comparison of two messages of the same type.

Unlike ``==`` it treats NaN as equal to NaN, tells -0.0 from +0.0, compares
``google.protobuf.Any`` by its unpacked content when the type is known (the
packed bytes of equal messages may differ in map order), reports unknown
fields found on the ``got`` side, and keeps its report short: a few lines per
message, long repeated fields summarised rather than dumped.
"""

from __future__ import annotations

import math

from google.protobuf import message_factory, unknown_fields
from google.protobuf.descriptor import FieldDescriptor as FD
from google.protobuf.message import Message

MAX_LINES = 12
MAX_ITEMS = 3  # differing elements reported per repeated field or map


def _short(v, limit: int = 60) -> str:
    r = repr(v)
    return r if len(r) <= limit else r[: limit - 15] + "..." + r[-12:]


def scalar_equal(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b and type(a) is type(b)


def diff(want: Message, got: Message, check_unknown: bool = True) -> list[str]:
    """Differences between want and got as short lines; empty when equal."""
    out: list[str] = []
    if want.SerializeToString(deterministic=True) == got.SerializeToString(deterministic=True):
        # Same bytes: same content (NaN bits and the sign of zero included),
        # unknown fields included: none can be on got's side alone.
        return out
    _diff_msg(want, got, want.DESCRIPTOR.full_name, out, check_unknown)
    if len(out) > MAX_LINES:
        out[MAX_LINES:] = [f"... and {len(out) - MAX_LINES} more differences"]
    return out


def _diff_msg(a: Message, b: Message, path: str, out: list, check_unknown: bool):
    if len(out) > MAX_LINES:
        return
    if check_unknown:
        unk = unknown_fields.UnknownFieldSet(b)
        if len(unk):
            nums = sorted({f.field_number for f in unk})
            out.append(f"{path}: unknown fields {nums} in the probe's output")
    if a.DESCRIPTOR.full_name == "google.protobuf.Any" and a.type_url == b.type_url:
        name = a.type_url.rpartition("/")[2]
        try:
            desc = a.DESCRIPTOR.file.pool.FindMessageTypeByName(name)
        except KeyError:
            desc = None
        if desc is not None:
            cls = message_factory.GetMessageClass(desc)
            ia, ib = cls(), cls()
            try:
                a.Unpack(ia)
                b.Unpack(ib)
            except Exception as exc:  # noqa: BLE001 - report, do not raise
                out.append(f"{path}: cannot unpack Any {name}: {exc}")
                return
            _diff_msg(ia, ib, f"{path}<{name}>", out, check_unknown)
            return
    for fd in a.DESCRIPTOR.fields:
        p = f"{path}.{fd.name}"
        va, vb = getattr(a, fd.name), getattr(b, fd.name)
        if fd.type == FD.TYPE_MESSAGE and fd.message_type.GetOptions().map_entry:
            _diff_map(fd, va, vb, p, out, check_unknown)
        elif fd.is_repeated:
            _diff_list(fd, list(va), list(vb), p, out, check_unknown)
        else:
            if fd.has_presence and a.HasField(fd.name) != b.HasField(fd.name):
                out.append(f"{p}: {'set' if a.HasField(fd.name) else 'unset'} in original, "
                           f"{'set' if b.HasField(fd.name) else 'unset'} in probe's")
                continue
            if fd.type == FD.TYPE_MESSAGE:
                _diff_msg(va, vb, p, out, check_unknown)
            elif not scalar_equal(va, vb):
                out.append(f"{p}: want {_short(va)}, got {_short(vb)}")


def _diff_value(fd, va, vb, p, out, check_unknown):
    if fd.type == FD.TYPE_MESSAGE:
        before = len(out)
        _diff_msg(va, vb, p, out, check_unknown)
        return len(out) == before
    if not scalar_equal(va, vb):
        out.append(f"{p}: want {_short(va)}, got {_short(vb)}")
        return False
    return True


def _diff_list(fd, la, lb, p, out, check_unknown):
    if len(la) != len(lb):
        out.append(f"{p}: want {len(la)} elements, got {len(lb)}")
    bad = 0
    for i, (x, y) in enumerate(zip(la, lb)):
        if bad >= MAX_ITEMS:
            rest = sum(1 for x2, y2 in zip(la[i:], lb[i:]) if fd.type != FD.TYPE_MESSAGE
                       and not scalar_equal(x2, y2))
            if rest:
                out.append(f"{p}: ... {rest} more differing elements")
            break
        if not _diff_value(fd, x, y, f"{p}[{i}]", out, check_unknown):
            bad += 1


def _diff_map(fd, ma, mb, p, out, check_unknown):
    vfd = fd.message_type.fields_by_name["value"]
    ka, kb = set(ma.keys()), set(mb.keys())
    if ka - kb:
        out.append(f"{p}: keys missing in probe's: {_short(sorted(ka - kb, key=repr))}")
    if kb - ka:
        out.append(f"{p}: extra keys in probe's: {_short(sorted(kb - ka, key=repr))}")
    bad = 0
    for key in sorted(ka & kb, key=repr):
        if bad >= MAX_ITEMS:
            out.append(f"{p}: ... more differing values")
            break
        if not _diff_value(vfd, ma[key], mb[key], f"{p}[{_short(key, 32)}]", out, check_unknown):
            bad += 1
