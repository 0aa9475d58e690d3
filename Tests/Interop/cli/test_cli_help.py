"""`--help` on every command exits 0 and shows at least one example invocation;
`summit completion SHELL` prints a completion script."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from cli_run import assert_no_crash

COMMANDS = [
    (),
    ("leaders",), ("leaders", "list"), ("leaders", "get"), ("leaders", "create"),
    ("leaders", "update"), ("leaders", "delete"), ("leaders", "resolve"),
    ("visits",), ("visits", "list"), ("visits", "get"), ("visits", "create"),
    ("visits", "update"), ("visits", "delete"), ("visits", "import"), ("visits", "watch"),
    ("allegations",), ("allegations", "list"), ("allegations", "get"),
    ("allegations", "create"), ("allegations", "update"), ("allegations", "respond"),
    ("allegations", "watch"),
    ("health",), ("services",), ("completion",),
]


def _examples(text: str, path: tuple) -> list[str]:
    """Lines that are example invocations of this command: outside the USAGE line, they
    read `summit <path> …` (optionally after a `$ ` prompt) with no <placeholder>."""
    prefix = " ".join(("summit", *path))
    out = []
    for line in text.splitlines():
        s = line.strip()
        if s.upper().startswith("USAGE:"):
            continue
        s = re.sub(r"^[$%>]\s*", "", s)
        if (s == prefix or s.startswith(prefix + " ")) and "<" not in s:
            out.append(s)
    return out


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "summit")
def test_help_has_example(summit_exe, path):
    """`summit PATH --help`: exit 0, help on stdout, at least one example line."""
    from cli_run import run_argv
    res = run_argv([str(summit_exe), *path, "--help"], timeout=10)
    assert res.code == 0, res.describe()
    assert_no_crash(res)
    assert _examples(res.out, path), f"no example line (`summit {' '.join(path)} …`)" \
                                     f"{res.describe()}"


def test_global_options_in_help(summit_exe):
    """A leaf command's help documents the global options and their env variables."""
    from cli_run import run_argv
    res = run_argv([str(summit_exe), "visits", "list", "--help"], timeout=10)
    for word in ("--server", "--timeout", "--output", "--token"):
        assert word in res.out, f"{word} not in help{res.describe()}"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion(summit_exe, shell, tmp_path):
    """`summit completion SHELL` prints a script naming summit (and, for bash, one
    `bash -n` accepts)."""
    from cli_run import run_argv
    res = run_argv([str(summit_exe), "completion", shell], timeout=10)
    assert res.code == 0, res.describe()
    assert "summit" in res.out and len(res.out) > 100, res.describe()
    if shell == "bash":
        assert "complete" in res.out, res.describe()
        bash = shutil.which("bash")
        if bash:
            script = tmp_path / "summit.bash"
            script.write_text(res.out, "utf-8")
            chk = subprocess.run([bash, "-n", str(script)], capture_output=True, text=True,
                                 timeout=10)
            assert chk.returncode == 0, f"bash -n rejects the script: {chk.stderr}"


def _rewrapped(text: str) -> list[str]:
    """Lines that show text wrapped twice (pre-wrapped text re-wrapped by the help
    formatter): a short unindented fragment after a long line, between it and its
    continuation ("…snake_case fields),\\nwith\\nan optional…") or broken off an
    indented example ("  summit … --first-reported\\n2023-10-13")."""
    lines = text.splitlines()
    bad = []
    for i in range(1, len(lines) - 1):
        before, line, after = lines[i - 1], lines[i], lines[i + 1]
        if (len(before) >= 60 and 0 < len(line) <= 20 and not line.startswith(" ")
                and not line.rstrip().endswith(":")
                and ((after.strip() and not after.startswith(" "))
                     or before.startswith(" "))):
            bad.append(f"{before!r} / {line!r} / {after!r}")
    return bad


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "summit")
def test_help_text_not_wrapped_twice(summit_exe, path):
    """Help text is wrapped once: no ragged fragments left by the help formatter
    re-wrapping already-wrapped prose, and no example broken onto an unindented line
    (which would no longer copy-paste as one command)."""
    from cli_run import run_argv
    res = run_argv([str(summit_exe), *path, "--help"], timeout=10)
    bad = _rewrapped(res.out)
    assert not bad, "help text wrapped twice:\n" + "\n".join(bad) + res.describe()
