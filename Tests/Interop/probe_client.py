"""Talk to the codec probe: one process, many lines.

Protocol (stdin -> stdout, line based, one reply per request, in order):
  request: ``<full.message.Name> <base64 of the bytes>``
  reply:   ``ok <base64 of the re-encoding> <proto3 JSON on one line>``
       or  ``err <code> <free text>``, code in ERR_CODES.
Only ``\\n`` ends a line: a JSON string may legally hold U+2028 or U+0085.
"""

from __future__ import annotations

import base64
import binascii
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

ERR_CODES = {"malformed", "invalidUTF8", "unknownType", "invalidValue", "other"}
DEFAULT_TIMEOUT = 120.0


@dataclass
class Reply:
    raw: str
    status: str            # "ok", "err", or "bad" (reply breaks the protocol)
    data: bytes = b""      # ok: the probe's re-encoding
    json: str = ""         # ok: the probe's JSON
    code: str = ""         # err: its code; bad: what is wrong with the line
    text: str = ""         # err: its message

    def brief(self, limit: int = 160) -> str:
        return self.raw if len(self.raw) <= limit else self.raw[:limit] + "..."


@dataclass
class Run:
    replies: list[Reply]
    n_requests: int
    returncode: int | None
    stderr: str
    timed_out: bool

    def problem(self) -> str | None:
        """Why the run as a whole broke the protocol, or None."""
        n = len(self.replies)
        if self.timed_out:
            return (f"probe timed out (SUMMIT_PROBE_TIMEOUT) after answering {n} of "
                    f"{self.n_requests} lines; stuck on request line {n + 1}?")
        if n < self.n_requests:
            return (f"probe stopped after answering {n} of {self.n_requests} lines "
                    f"(exit status {self.returncode}); it died on request line {n + 1}")
        if n > self.n_requests:
            return f"probe printed {n} lines for {self.n_requests} requests"
        if self.returncode != 0:
            return f"probe exited with status {self.returncode} at EOF"
        return None

    def stderr_tail(self, head: int = 1500, tail: int = 1000) -> str:
        """stderr, its start and end kept (a sanitizer report's error line
        is at the top, its SUMMARY at the bottom)."""
        s = self.stderr.strip()
        return s if len(s) <= head + tail else f"{s[:head]}\n...\n{s[-tail:]}"


def parse_reply(line: bytes) -> Reply:
    if line.endswith(b"\r"):
        line = line[:-1]
    try:
        raw = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Reply(repr(line[:200]), "bad", code=f"reply is not UTF-8: {exc}")
    if raw.startswith("ok "):
        parts = raw.split(" ", 2)
        if len(parts) != 3:
            return Reply(raw, "bad", code="ok reply without the JSON part")
        try:
            data = base64.b64decode(parts[1], validate=True)
        except (binascii.Error, ValueError) as exc:
            return Reply(raw, "bad", code=f"ok reply with bad base64: {exc}")
        return Reply(raw, "ok", data=data, json=parts[2])
    if raw.startswith("err "):
        parts = raw.split(" ", 2)
        code, text = parts[1], parts[2] if len(parts) > 2 else ""
        if code not in ERR_CODES:
            return Reply(raw, "bad", code=f"unknown error code {code!r}")
        return Reply(raw, "err", code=code, text=text)
    return Reply(raw, "bad", code="reply is neither 'ok ...' nor 'err ...'")


def request_line(type_name: str, data: bytes) -> bytes:
    return type_name.encode() + b" " + base64.b64encode(data) + b"\n"


def run_probe(probe: Path, requests: list[tuple[str, bytes]],
              timeout: float | None = None) -> Run:
    """Send every request to one probe process; collect what it answered."""
    if timeout is None:
        timeout = float(os.environ.get("SUMMIT_PROBE_TIMEOUT", DEFAULT_TIMEOUT))
    stdin = b"".join(request_line(name, data) for name, data in requests)
    timed_out = False
    try:
        proc = subprocess.run([str(probe)], input=stdin, capture_output=True,
                              timeout=timeout)
        out, err, rc = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        out, err, rc, timed_out = exc.stdout or b"", exc.stderr or b"", None, True
    lines = out.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return Run([parse_reply(line) for line in lines], len(requests), rc,
               err.decode("utf-8", "replace"), timed_out)
