"""Reading `summit visits import`'s summary: the created count and, per failure, the
1-based line number of the file and the reason printed with it."""

from __future__ import annotations

import re

_LINE_WORD = re.compile(r"(?i)\bline\s*[:#]?\s*(\d+)\b")        # "line 4: …", "Line #4"
_FILE_LINE = re.compile(r"^\S+?:(\d+):\s")                       # "file.csv:4: …"
# "3 created", "3 visits imported" — else "created: 3", "Created 3 visits", "createdCount: 3"
_N_CREATED = re.compile(r"(?i)\b(\d+)\s+(?:visits?\s+)?(?:were\s+)?(?:created|imported)\b")
_CREATED_N = re.compile(r"(?i)\b(?:created|imported)(?:[ _]?count)?\s*[:=]?\s*(\d+)\b")


def created_count(text: str) -> int | None:
    m = _N_CREATED.search(text) or _CREATED_N.search(text)
    return int(m.group(1)) if m else None


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
