"""`summit visits watch` / `summit allegations watch` as long-running processes: they
print each committed change (one JSON event per line with -o json) and end cleanly,
exit 0, on SIGINT."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import threading
import time

import pytest

from cli_run import CRASH_MARKERS
from cli_setup import ensure_leader

SETTLE = 1.0        # seconds the watcher gets to open its stream before the change
EVENT_WAIT = 8.0    # seconds an event may take to arrive
EXIT_WAIT = 3.0     # seconds the watcher may take to exit after SIGINT


class Watcher:
    """A background `summit … watch` whose stdout lines are collected by a thread."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            self.lines.put(raw.decode("utf-8", "replace"))

    def wait_for(self, predicate, timeout: float = EVENT_WAIT) -> str | None:
        """The first line (collected from now on) satisfying predicate, or None."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=max(0.0, end - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if predicate(line):
                return line
        return None

    def interrupt(self) -> tuple[int | None, str, float]:
        """SIGINT; (exit code or None if still running after EXIT_WAIT, stderr, seconds)."""
        start = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(EXIT_WAIT)
        except subprocess.TimeoutExpired:
            code = None
        took = time.monotonic() - start
        self.kill()
        self._t.join(2)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        err = self.proc.stderr.read().decode("utf-8", "replace")
        return code, err, took

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def report(self) -> str:
        return "\n--- watcher stdout so far ---\n" + "".join(self.seen)


@pytest.fixture
def watch(fresh):
    started: list[Watcher] = []

    def _start(*args, output=None) -> Watcher:
        w = Watcher(fresh.popen(*args, output=output))
        started.append(w)
        time.sleep(SETTLE)
        assert w.proc.poll() is None, \
            f"watcher exited at once (code {w.proc.returncode}): " \
            f"{w.proc.stderr.read().decode('utf-8', 'replace')}"
        return w

    yield _start
    for w in started:
        w.kill()


@pytest.fixture
def visitors(fresh_api):
    ensure_leader(fresh_api, "watch-a", "Wanda Watched", "RU")
    ensure_leader(fresh_api, "watch-b", "Walter Other", "CN")


def _json_event_for(name: str, type_: str):
    def match(line: str) -> bool:
        try:
            doc = json.loads(line)
        except ValueError:
            return False
        return doc.get("type") == type_ and (doc.get("visit") or doc.get("allegation") or {}) \
            .get("name") == name
    return match


def _assert_clean_exit(w: Watcher, code, err, took):
    assert code == 0, f"watcher exit code after SIGINT: {code} (within {EXIT_WAIT}s)\n" \
                      f"stderr: {err}{w.report()}"
    assert took <= EXIT_WAIT
    for marker in CRASH_MARKERS + ("error:",):
        assert marker not in err, f"stderr after SIGINT holds {marker!r}: {err}"


def test_visits_watch_json_sees_create_and_exits_on_sigint(fresh, watch, visitors):
    """A `visits watch -o json` started before `visits create` (another process) prints
    a JSON line {type: CHANGE_TYPE_CREATED, visit: {name: …}, sequence: "N" (int64 as
    string), commitTime} within seconds; every stdout line is JSON; SIGINT ends it with
    exit 0 within 3 s and no error or traceback."""
    w = watch("visits", "watch", output="json")
    fresh.ok("visits", "create", "--visitor", "watch-a", "--host", "KP", "--start",
             "2015-01-01", "--end", "2015-01-02", "--kind", "working-visit", "--id", "watch-v1")
    line = w.wait_for(_json_event_for("visits/watch-v1", "CHANGE_TYPE_CREATED"))
    assert line, f"no CHANGE_TYPE_CREATED event for visits/watch-v1 within {EVENT_WAIT}s" \
                 f"{w.report()}"
    event = json.loads(line)
    assert event["visit"]["visitor"] == "leaders/watch-a"
    assert isinstance(event.get("sequence"), str) and event["sequence"].isdigit(), event
    assert isinstance(event.get("commitTime"), str), event
    code, err, took = w.interrupt()
    _assert_clean_exit(w, code, err, took)
    for extra in w.seen:
        if extra.strip():
            json.loads(extra)       # no garbage on stdout


def test_visits_watch_update_delete_and_after(fresh, watch, visitors):
    """UPDATED and DELETED events follow in commit order with increasing sequences; a
    second watcher started with `--after SEQ` of the CREATED event replays the later
    changes from the change log."""
    w = watch("visits", "watch", output="json")
    fresh.ok("visits", "create", "--visitor", "watch-a", "--host", "KP", "--start",
             "2015-02-01", "--end", "2015-02-02", "--kind", "working-visit", "--id", "watch-v2")
    created = w.wait_for(_json_event_for("visits/watch-v2", "CHANGE_TYPE_CREATED"))
    assert created, w.report()
    fresh.ok("visits", "update", "watch-v2", "--purpose", "Watched update.")
    fresh.ok("visits", "delete", "watch-v2")
    updated = w.wait_for(_json_event_for("visits/watch-v2", "CHANGE_TYPE_UPDATED"))
    deleted = w.wait_for(_json_event_for("visits/watch-v2", "CHANGE_TYPE_DELETED"))
    assert updated and deleted, w.report()
    seqs = [int(json.loads(x)["sequence"]) for x in (created, updated, deleted)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3, seqs
    assert json.loads(deleted)["visit"]["purpose"] == "Watched update."
    code, err, took = w.interrupt()
    _assert_clean_exit(w, code, err, took)

    w2 = watch("visits", "watch", "--after", str(seqs[0]), output="json")
    assert w2.wait_for(_json_event_for("visits/watch-v2", "CHANGE_TYPE_UPDATED")), w2.report()
    assert w2.wait_for(_json_event_for("visits/watch-v2", "CHANGE_TYPE_DELETED")), w2.report()
    code, err, took = w2.interrupt()
    _assert_clean_exit(w2, code, err, took)


def test_visits_watch_visitor_filter_table(fresh, watch, visitors):
    """`visits watch --visitor watch-a` (table) shows the change to watch-a's visit in
    words ("created") and not the earlier one by watch-b."""
    w = watch("visits", "watch", "--visitor", "watch-a")
    fresh.ok("visits", "create", "--visitor", "watch-b", "--host", "KP", "--start",
             "2015-03-01", "--end", "2015-03-02", "--kind", "working-visit", "--id", "watch-other")
    fresh.ok("visits", "create", "--visitor", "watch-a", "--host", "KP", "--start",
             "2015-03-03", "--end", "2015-03-04", "--kind", "working-visit", "--id", "watch-mine")
    line = w.wait_for(lambda s: "watch-mine" in s)
    assert line, w.report()
    assert "created" in "".join(w.seen).lower(), f"change type not in words{w.report()}"
    assert "watch-other" not in "".join(w.seen), f"--visitor filter ignored{w.report()}"
    assert "CHANGE_TYPE_" not in "".join(w.seen), w.report()
    code, err, took = w.interrupt()
    _assert_clean_exit(w, code, err, took)


def test_allegations_watch_json(fresh, watch):
    """`allegations watch -o json` prints CREATED then UPDATED (a response) events."""
    w = watch("allegations", "watch", output="json")
    fresh.ok("allegations", "create", "--accuser", "group:Watch Group", "--accused", "KP",
             "--summary", "Watched allegation.", "--category", "other", "--id", "watch-alg")
    assert w.wait_for(_json_event_for("allegations/watch-alg", "CHANGE_TYPE_CREATED")), \
        w.report()
    fresh.ok("allegations", "respond", "watch-alg", "--party", "KP", "--stance", "deny")
    line = w.wait_for(_json_event_for("allegations/watch-alg", "CHANGE_TYPE_UPDATED"))
    assert line, w.report()
    assert json.loads(line)["allegation"]["status"] == "ALLEGATION_STATUS_DENIED"
    code, err, took = w.interrupt()
    _assert_clean_exit(w, code, err, took)


def test_watch_ignores_timeout(fresh, watch, visitors):
    """--timeout is a per-call deadline "not applied to watch": a watcher started with
    --timeout 500ms is still running well after it and still delivers events."""
    w = watch("visits", "watch", "--timeout", "500ms", output="json")
    time.sleep(1.0)                          # SETTLE + this: three times the timeout
    assert w.proc.poll() is None, \
        f"watch ended (code {w.proc.returncode}) after its --timeout: " \
        f"{w.proc.stderr.read().decode('utf-8', 'replace')}"
    fresh.ok("visits", "create", "--visitor", "watch-a", "--host", "KP", "--start",
             "2015-04-01", "--end", "2015-04-02", "--kind", "working-visit", "--id", "watch-late")
    assert w.wait_for(_json_event_for("visits/watch-late", "CHANGE_TYPE_CREATED")), w.report()
    code, err, took = w.interrupt()
    _assert_clean_exit(w, code, err, took)
