"""Reading `summit visits import`'s summary: the created count and, per failure, the
1-based line number of the file and the reason printed with it."""

from __future__ import annotations

import re

_LINE_WORD = re.compile(r"(?i)\bline\s*[:#]?\s*(\d+)\b")        # "line 4: …", "Line #4"
_FILE_LINE = re.compile(r"^\S+?:(\d+):\s")                       # "file.csv:4: …"
_CREATED = re.compile(r"(?i)(?:created|imported)\D{0,20}?(\d+)|(\d+)\s+(?:visits?\s+)?"
                      r"(?:were\s+)?(?:created|imported)")


def created_count(text: str) -> int | None:
    m = _CREATED.search(text)
    if not m:
        return None
    return int(m.group(1) or m.group(2))


def failures(text: str) -> dict[int, str]:
    """{line number: the text reported for it} — the line naming the number plus the
    indented lines after it (field violations), up to the next failure."""
    out: dict[int, str] = {}
    current: int | None = None
    for line in text.splitlines():
        m = _LINE_WORD.search(line) or _FILE_LINE.search(line)
        if m:
            current = int(m.group(1))
            out[current] = out.get(current, "") + line + "\n"
        elif current is not None and line.startswith((" ", "\t")) and line.strip():
            out[current] += line + "\n"
        else:
            current = None
    return out
