"""Errors as docs/cli.md prints them: one `error: CODE: message` line on stderr, then
one line per field violation, and the exit code of the contract's table."""

from __future__ import annotations

import socket
import threading

import pytest

from cli_run import assert_error, assert_no_crash
from cli_setup import ensure_leader, exists


@pytest.mark.parametrize("name", ["xi-jinpin", "leaders/xi-jinpin"])
def test_unknown_leader_not_found(seeded, name):
    """`leaders get xi-jinpin` (a typo of an id, with or without prefix) is
    `error: NOT_FOUND: …` with exit 66, not a guess at Xi Jinping."""
    assert_error(seeded.run("leaders", "get", name), "NOT_FOUND", 66)


def test_unknown_visit_not_found(seeded):
    assert_error(seeded.run("visits", "get", "no-such-visit"), "NOT_FOUND", 66)


def test_end_before_start_invalid_argument(fresh, fresh_api):
    """A visit ending before it starts: `error: INVALID_ARGUMENT: …`, a field line naming
    visit.end_date, exit 65; nothing is created."""
    ensure_leader(fresh_api, "err-visitor", "Erin Visitor", "RU")
    res = fresh.run("visits", "create", "--visitor", "err-visitor", "--host", "KP",
                    "--start", "2019-06-19", "--end", "2019-06-18", "--kind", "state-visit",
                    "--id", "err-end-before-start")
    lines = assert_error(res, "INVALID_ARGUMENT", 65)
    assert any(line.strip().startswith("visit.end_date") for line in lines[1:]), \
        f"no field line naming visit.end_date{res.describe()}"
    assert not exists(fresh_api, "visits", "visits/err-end-before-start")


def test_bad_country_invalid_argument(fresh):
    """A leader whose country is not ISO alpha-2: INVALID_ARGUMENT naming
    leader.country, exit 65."""
    res = fresh.run("leaders", "create", "--display-name", "Bad Country", "--country", "RUS")
    lines = assert_error(res, "INVALID_ARGUMENT", 65)
    assert any(line.strip().startswith("leader.country") for line in lines[1:]), res.describe()


def test_unknown_reference_failed_precondition(fresh):
    """A visit by a leader that does not exist (full name, so no short-name lookup):
    FAILED_PRECONDITION, exit 65."""
    res = fresh.run("visits", "create", "--visitor", "leaders/nobody-known", "--host", "KP",
                    "--start", "2019-01-01", "--end", "2019-01-02", "--kind", "working-visit")
    assert_error(res, "FAILED_PRECONDITION", 65)


def test_server_down_unavailable(cli_down):
    """Nothing listening: one line on stderr, `error: UNAVAILABLE: …` (no stack trace,
    nothing on stdout), exit 69, and promptly."""
    res = cli_down.run("leaders", "get", "putin")
    assert_error(res, "UNAVAILABLE", 69)
    assert len(res.err.strip().splitlines()) == 1, f"more than one stderr line{res.describe()}"
    assert res.elapsed < 11, f"took {res.elapsed:.1f}s to report a refused connection"


def test_server_down_on_every_family(cli_down):
    """The same for visits, allegations and health."""
    for args in (("visits", "list"), ("allegations", "list"), ("health",)):
        res = cli_down.run(*args)
        assert res.code == 69, res.describe()
        assert_no_crash(res)
        assert res.err.strip().startswith("error: UNAVAILABLE"), res.describe()


@pytest.mark.parametrize("args", [
    ("leaders", "list", "--no-such-option"),
    ("leaders", "get"),                                  # missing LEADER
    ("visits", "list", "--year", "twenty"),
    ("visits", "list", "--kind", "space-walk"),
    ("visits", "list", "--from", "18/06/2024"),
    ("allegations", "list", "--category", "gossip"),
    ("leaders", "list", "--output", "xml"),
    ("frobnicate",),
])
def test_usage_errors_exit_64(fresh, args):
    """Bad options and arguments are usage errors: exit 64, a message on stderr, no
    crash."""
    res = fresh.run(*args)
    assert res.code == 64, f"expected exit 64 (usage){res.describe()}"
    assert res.err.strip(), f"no message on stderr{res.describe()}"
    assert_no_crash(res)


def test_bad_date_in_create_is_usage_error(fresh, fresh_api):
    """A --start that is not YYYY-MM-DD is refused before any call: exit 64, nothing
    created."""
    ensure_leader(fresh_api, "err-visitor", "Erin Visitor", "RU")
    res = fresh.run("visits", "create", "--visitor", "err-visitor", "--host", "KP",
                    "--start", "yesterday", "--end", "2019-06-18", "--kind", "state-visit",
                    "--id", "err-bad-date")
    assert res.code == 64, res.describe()
    assert not exists(fresh_api, "visits", "visits/err-bad-date")


def test_timeout_option_and_env(seeded):
    """--timeout accepts 500ms / 5s / 1m; SUMMIT_SERVER and SUMMIT_OUTPUT stand in for
    --server and --output."""
    for t in ("500ms", "5s", "1m"):
        seeded.ok("leaders", "get", "putin", "--timeout", t)
    res = seeded.run("leaders", "get", "putin", server=False,
                     env={"SUMMIT_SERVER": seeded.address, "SUMMIT_OUTPUT": "json"})
    assert res.code == 0, res.describe()
    assert res.json()["name"] == "leaders/vladimir-putin"


@pytest.fixture
def silent_server():
    """A TCP listener that accepts connections and never answers (not even the HTTP/2
    settings): calls to it can only end by their deadline."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held, stop = [], threading.Event()

    def accept():
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                held.append(conn)
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    t.join(2)
    for c in held:
        c.close()
    sock.close()


def test_deadline_exceeded(summit_exe, silent_server):
    """`--timeout 500ms` against a server that never answers: `error:
    DEADLINE_EXCEEDED: …`, exit 75, within a couple of seconds."""
    from cli_run import Cli
    res = Cli(summit_exe, silent_server).run("leaders", "list", "--timeout", "500ms",
                                             timeout=15)
    assert_error(res, "DEADLINE_EXCEEDED", 75)
    assert res.elapsed < 5, f"took {res.elapsed:.1f}s for a 500ms deadline{res.describe()}"
