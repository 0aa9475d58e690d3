"""proto3 JSON -> message with Python's json_format, minus one known bug.

Python's parser rejects a JSON number above FLT_MAX (as a double) for a
``float`` field, so it refuses ``3.4028235e+38``: the shortest spelling of
FLT_MAX, which Swift, Go and .NET print (protobuf issue #10509, fixed for C#
only). Any number below the float32 rounding boundary 0x1.ffffffp+127 rounds
to FLT_MAX and is valid, so the limit is widened to that while parsing.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

from google.protobuf import json_format
from google.protobuf.internal import type_checkers
from google.protobuf.message import Message

_ROUNDS_TO_FLT_MAX = math.nextafter(float.fromhex("0x1.ffffffp+127"), 0.0)


@contextmanager
def _float32_rounding_limits():
    saved = type_checkers._FLOAT_MAX, type_checkers._FLOAT_MIN  # noqa: SLF001
    type_checkers._FLOAT_MAX, type_checkers._FLOAT_MIN = _ROUNDS_TO_FLT_MAX, -_ROUNDS_TO_FLT_MAX
    try:
        yield
    finally:
        type_checkers._FLOAT_MAX, type_checkers._FLOAT_MIN = saved


def parse(text: str, message: Message) -> Message:
    """json_format.Parse, strict about unknown fields, FLT_MAX-tolerant."""
    with _float32_rounding_limits():
        return json_format.Parse(text, message, ignore_unknown_fields=False)


def to_json(message: Message) -> str:
    """One-line proto3 JSON, as the probe prints it (for self-checks)."""
    return json_format.MessageToJson(message, indent=None)
