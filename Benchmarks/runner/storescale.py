"""Store scale: GetVisit and a filtered ListVisits on stores of 1,000 up to 1,000,000 visits.

A store of N visits is made from the run's seeded store (1,000 visits) by
copying its visit rows in SQL, renaming each copy: the copies keep the
original's terms (visitor, host country, kind), references and sort key, and
the stored message gets the new name (ids have a fixed width, so the name is
replaced in place in the encoded bytes). This takes seconds where a million
CreateVisit calls (each an fsync) would take hours.
"""
import os
import shutil
import sqlite3
import time

from runner.scenarios import _message_hex, grpcload
from runner.servers import Server

ID_WIDTH = 7  # bench-0000000: servers.write_bench_seed names its visits this way


def grow(db_path, total):
    """Copies the `bench-*` visits of db_path until it holds `total` of them."""
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    templates = db.execute(
        "SELECT id, data, version, sort_key, start_date, end_date FROM records "
        "WHERE collection = 'visits' AND id LIKE 'bench-%' ORDER BY id").fetchall()
    terms = {}
    for term, sort_key, rid in db.execute(
            "SELECT term, sort_key, id FROM record_terms WHERE collection = 'visits' AND id LIKE 'bench-%'"):
        terms.setdefault(rid, []).append((term, sort_key))
    refs = {}
    for target, rid in db.execute(
            "SELECT target, id FROM record_references WHERE collection = 'visits' AND id LIKE 'bench-%'"):
        refs.setdefault(rid, []).append(target)
    have = len(templates)

    def copies():
        for i in range(have, total):
            rid, data, version, sort_key, start, end = templates[i % have]
            new = f"bench-{i:0{ID_WIDTH}d}"
            yield rid, new, data.replace(f"visits/{rid}".encode(), f"visits/{new}".encode()), version, sort_key, \
                start, end

    with db:
        batch = []
        for rid, new, data, version, sort_key, start, end in copies():
            batch.append((rid, new, data, version, sort_key, start, end))
            if len(batch) == 20000:
                _insert(db, batch, terms, refs)
                batch = []
        _insert(db, batch, terms, refs)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _insert(db, batch, terms, refs):
    db.executemany("INSERT INTO records (collection, id, data, version, sort_key, start_date, end_date) "
                   "VALUES ('visits', ?, ?, ?, ?, ?, ?)", [b[1:] for b in batch])
    db.executemany("INSERT INTO record_terms (collection, term, sort_key, id) VALUES ('visits', ?, ?, ?)",
                   [(t, s, b[1]) for b in batch for t, s in terms.get(b[0], [])])
    db.executemany("INSERT INTO record_references (target, collection, id) VALUES (?, 'visits', ?)",
                   [(t, b[1]) for b in batch for t in refs.get(b[0], [])])


SCALE_SCENARIOS = {
    "GetVisit": ("/summit.v1.VisitService/GetVisit", _message_hex(1, "visits/bench-0000500")),
    # ListVisitsRequest{page_size: 50, visitor: "leaders/vladimir-putin"}
    "ListVisits visitor=putin, 50/page": ("/summit.v1.VisitService/ListVisits",
                                          "0832" + _message_hex(3, "leaders/vladimir-putin")),
}


def run(fleet, work, args, sizes):
    """{size: {scenario: grpcload result}}: summitd alone on a copy of the store grown to each size."""
    results = {}
    base = fleet.db_path
    for size in sizes:
        path = os.path.join(work, f"scale-{size}.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(base + suffix):
                shutil.copy(base + suffix, path + suffix)
        t0 = time.monotonic()
        grow(path, size)
        print(f"bench: store of {size:,} visits made in {time.monotonic() - t0:.0f} s "
              f"({os.path.getsize(path) / 1e6:,.0f} MB)", flush=True)
        # The answer cache off: these rows measure the store, and a repeated read would
        # otherwise be answered from memory at any size.
        server = Server(f"summitd-{size}", [fleet.summitd_binary(), "--db", path, "--no-seed", "--event-loops", "1",
                                            "--log-level", "warning", "--response-cache-size", "0"], {},
                        os.path.join(work, f"scale-{size}.log"))
        server.start()
        try:
            results[size] = {}
            for name, (rpc, hex_body) in SCALE_SCENARIOS.items():
                g = grpcload(fleet, server, rpc, hex_body, 16, 32, args.warmup, args.seconds)
                results[size][name] = g
                print(f"bench: {size:,} visits, {name}: {g.get('calls_per_s', 0):,.0f} calls/s, "
                      f"{g.get('server_cpu_sched_us_per_call', 0):.1f} us CPU/call, failed {g.get('failed')}",
                      flush=True)
        finally:
            server.stop()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    return results
