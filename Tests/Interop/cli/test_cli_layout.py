"""Table layout (docs/cli.md, Output): when stdout is not a terminal, tables fit 80
columns (long text wrapped), and carry no ANSI escape sequences."""

from __future__ import annotations

import pytest

COMMANDS = [
    ("leaders", "list"),
    ("leaders", "get", "kim-jong-il"),
    ("visits", "list"),
    ("visits", "list", "--visitor", "putin", "--year", "2024"),
    ("visits", "get", "putin-pyongyang-2024"),
    ("allegations", "list"),
    ("allegations", "list", "--denied-by", "KP"),
    ("allegations", "get", "north-korea-military-aid-to-russia"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_table_fits_80_columns(seeded, args):
    """No line is wider than 80 characters, except one holding a single unbreakable
    token longer than 40 (a URL or a very long id)."""
    res = seeded.ok(*args)
    wide = [f"{len(line)}: {line}" for line in res.out.splitlines()
            if len(line) > 80 and not any(len(tok) > 40 for tok in line.split())]
    assert not wide, "lines wider than 80 columns:\n" + "\n".join(wide) + res.describe()


@pytest.mark.parametrize("args", COMMANDS[:3], ids=" ".join)
def test_no_ansi_in_pipe(seeded, args):
    res = seeded.ok(*args)
    assert "\x1b[" not in res.out, f"ANSI escapes in piped output{res.describe()}"
