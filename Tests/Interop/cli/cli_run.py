"""Running the `summit` binary: one subprocess per call, bounded, environment cleaned.

``Cli(exe, address).run(*args)`` runs ``summit ARGS... --server ADDRESS`` (the global
options go after the subcommand path, where every command accepts them) and returns a
``Result``; ``Result.json()`` parses stdout, and every assertion helper puts the command,
its exit code, stdout and stderr in its failure message.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

CLI_TIMEOUT = float(os.environ.get("SUMMIT_CLI_TIMEOUT", "20"))
# The CLI's own environment variables: cleared so a developer's shell cannot change
# what the tests see; a test passes its own through ``env=``.
CLI_ENV_VARS = ("SUMMIT_SERVER", "SUMMIT_TIMEOUT", "SUMMIT_OUTPUT", "SUMMIT_TOKEN")
CRASH_MARKERS = ("Traceback", "Fatal error", "fatalError", "Stack dump", "stack trace",
                 "Segmentation fault", "Illegal instruction", "panic", "SIGSEGV", "SIGILL",
                 "Current stack trace", "💣")
ERROR_LINE = re.compile(r"error: ([A-Z_]+): .+")


def clean_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in CLI_ENV_VARS}
    env.pop("COLUMNS", None)          # "80 columns when not a terminal"
    env.update(extra or {})
    return env


@dataclass
class Result:
    argv: list[str]
    code: int
    out: str
    err: str
    elapsed: float

    def describe(self) -> str:
        cmd = " ".join(_quote(a) for a in self.argv)
        return (f"\n$ {cmd}\nexit code: {self.code} ({self.elapsed:.2f}s)\n"
                f"--- stdout ---\n{_clip(self.out)}\n--- stderr ---\n{_clip(self.err)}")

    @property
    def both(self) -> str:
        return self.out + "\n" + self.err

    def json(self):
        """stdout parsed as one JSON document (AssertionError naming the command if not)."""
        try:
            return json.loads(self.out)
        except ValueError as exc:
            raise AssertionError(f"stdout is not one JSON document ({exc}){self.describe()}")

    def json_docs(self) -> list:
        """stdout as a sequence of JSON documents (compact or pretty-printed)."""
        dec, docs, text, i = json.JSONDecoder(), [], self.out, 0
        while True:
            while i < len(text) and text[i].isspace():
                i += 1
            if i >= len(text):
                return docs
            try:
                doc, i = dec.raw_decode(text, i)
            except ValueError as exc:
                raise AssertionError(f"stdout is not a sequence of JSON documents ({exc})"
                                     f"{self.describe()}")
            docs.append(doc)

    def json_lines(self) -> list:
        """stdout as one JSON document per non-blank line (the `watch` format)."""
        docs = []
        for line in self.out.splitlines():
            if line.strip():
                try:
                    docs.append(json.loads(line))
                except ValueError as exc:
                    raise AssertionError(f"stdout line {line!r} is not JSON ({exc})"
                                         f"{self.describe()}")
        return docs


def _quote(a: str) -> str:
    return a if re.fullmatch(r"[\w@%+=:,./-]+", a) else "'" + a.replace("'", "'\\''") + "'"


def _clip(text: str, limit: int = 4000) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n…[{len(text) - limit} more chars]"


class Cli:
    """`summit` bound to one server address."""

    def __init__(self, exe: Path, address: str):
        self.exe = exe
        self.address = address

    def argv(self, args, output: str | None = None, server: bool = True) -> list[str]:
        argv = [str(self.exe), *args]
        if server:
            argv += ["--server", self.address]
        if output:
            argv += ["--output", output]
        return argv

    def run(self, *args: str, output: str | None = None, input: str | None = None,
            env: dict | None = None, server: bool = True,
            timeout: float = CLI_TIMEOUT) -> Result:
        """Run ``summit ARGS --server ADDR [--output OUTPUT]``; stdin is ``input`` or
        /dev/null. A run that outlives ``timeout`` is killed and fails the test."""
        argv = self.argv(args, output, server)
        return run_argv(argv, input=input, env=env, timeout=timeout)

    def popen(self, *args: str, output: str | None = None, env: dict | None = None):
        """Start ``summit ARGS...`` in the background (own session; stdout and stderr
        piped as bytes)."""
        return subprocess.Popen(self.argv(args, output), env=clean_env(env),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)

    # -- common expectations ---------------------------------------------------
    def ok(self, *args: str, **kw) -> Result:
        """Run and require exit 0 and no crash output."""
        res = self.run(*args, **kw)
        assert_ok(res)
        return res

    def ok_json(self, *args: str, **kw):
        return self.ok(*args, output="json", **kw).json()


def run_argv(argv: list[str], input: str | None = None, env: dict | None = None,
             timeout: float = CLI_TIMEOUT) -> Result:
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=clean_env(env),
                            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(input.encode("utf-8") if input is not None else None,
                                    timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        res = Result(argv, -9, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                     time.monotonic() - start)
        pytest.fail(f"summit did not finish within {timeout:.0f}s{res.describe()}",
                    pytrace=False)
    return Result(argv, proc.returncode, out.decode("utf-8", "replace"),
                  err.decode("utf-8", "replace"), time.monotonic() - start)


def assert_no_crash(res: Result) -> None:
    for marker in CRASH_MARKERS:
        assert marker not in res.both, f"crash output ({marker!r}){res.describe()}"


def assert_ok(res: Result) -> None:
    assert res.code == 0, f"expected exit code 0{res.describe()}"
    assert_no_crash(res)


def assert_error(res: Result, code_name: str, exit_code: int) -> list[str]:
    """The contract's error shape: exit ``exit_code``, nothing on stdout, stderr's first
    line ``error: CODE_NAME: message``, then only indented field-violation lines.
    Returns stderr's lines."""
    assert res.code == exit_code, f"expected exit code {exit_code} ({code_name}){res.describe()}"
    assert_no_crash(res)
    lines = [line for line in res.err.splitlines() if line.strip()]
    assert lines, f"nothing on stderr{res.describe()}"
    m = ERROR_LINE.fullmatch(lines[0])
    assert m and m.group(1) == code_name, \
        f"stderr's first line should be 'error: {code_name}: message'{res.describe()}"
    for extra in lines[1:]:
        assert extra.startswith("  ") and ":" in extra, \
            f"after the error line only '  field: description' lines may follow{res.describe()}"
    assert not res.out.strip(), f"an error prints nothing on stdout{res.describe()}"
    return lines


# -- reading output --------------------------------------------------------------
def norm(text: str) -> str:
    """Whitespace runs (including line breaks of wrapped text) collapsed to one space."""
    return re.sub(r"\s+", " ", text)


def shows(text: str, phrase: str, case: bool = False) -> bool:
    """``phrase`` is in ``text`` once wrapping is undone (whitespace-normalised);
    case-insensitive unless ``case``."""
    a, b = norm(text), norm(phrase)
    return b in a if case else b.lower() in a.lower()


def assert_shows(res: Result, *phrases: str, case: bool = False) -> None:
    missing = [p for p in phrases if not shows(res.out, p, case)]
    assert not missing, f"stdout lacks {missing}{res.describe()}"


def assert_not_shows(res: Result, *phrases: str) -> None:
    present = [p for p in phrases if shows(res.out, p)]
    assert not present, f"stdout should not show {present}{res.describe()}"


def canon(value):
    """A proto3 JSON value with the defaults canonical output omits ("" , 0, false, [],
    {}) dropped recursively, for comparing records with the seed file."""
    if isinstance(value, dict):
        out = {k: canon(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ("", 0, False, [], {}, None)}
    if isinstance(value, list):
        return [canon(v) for v in value]
    return value


OUTPUT_ONLY = ("etag", "createTime", "updateTime", "status")


def strip_output_only(record: dict) -> dict:
    return canon({k: v for k, v in record.items() if k not in OUTPUT_ONLY})


def yaml_scalars(text: str) -> list[tuple[str, str]]:
    """(key, scalar) for every ``key: value`` line of block-style YAML (list dashes
    and indentation ignored, quotes removed). Enough to check key lines without a
    YAML library."""
    pairs = []
    for line in text.splitlines():
        m = re.match(r"^\s*(?:-\s+)*([A-Za-z_][\w]*|\"[^\"]+\"):\s*(.*?)\s*$", line)
        if not m:
            continue
        key, value = m.group(1).strip('"'), m.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        pairs.append((key, value))
    return pairs


def yaml_values(text: str, key: str) -> list[str]:
    return [v for k, v in yaml_scalars(text) if k == key]
