"""What is measured: the unary scenarios in alternating rounds, then the extras."""
import json
import os
import re
import shlex
import socket
import statistics
import subprocess
import time

from runner.servers import LOAD_CPU, Server, cpu_ns, free_port


def _message_hex(field, text):
    data = text.encode()
    return f"{field << 3 | 2:02x}{len(data):02x}" + data.hex()


LEADER_HEX = _message_hex(1, "leaders/vladimir-putin")  # GetLeaderRequest.name

# name -> (path, request message hex, servers that serve it (None: every gRPC server), connections, streams)
SCENARIOS = {
    "HTTP/2 ceiling: nghttpd serving a 7-byte file (h2load only)": ("/check", "", ["nghttpd"], 16, 32),
    "Health/Check": ("/grpc.health.v1.Health/Check", "", None, 16, 32),
    "GetLeader": ("/summit.v1.LeaderService/GetLeader", LEADER_HEX, None, 16, 32),
    "ListVisits 50/page": ("/summit.v1.VisitService/ListVisits", "0832", ["summitd", "summitd-uncached"], 16, 32),
    "ListVisits 1000/page (MB/s)": ("/summit.v1.VisitService/ListVisits", "08e807", ["summitd"], 4, 4),
    # WatchVisitsRequest{after_sequence: 1}: replays the store's change log (about 1,000 visit events,
    # 0.7 MB) as a server stream; grpcload cancels each call after STREAMING[name] bytes.
    "WatchVisits replay, server streaming (MB/s)": ("/summit.v1.VisitService/WatchVisits", "1001", ["summitd"], 4, 4),
}

# Server-streaming scenarios: bytes after which grpcload ends a call (h2load cannot: it waits for the end).
STREAMING = {"WatchVisits replay, server streaming (MB/s)": 400_000}


def grpcload(fleet, server, path, hex_body, conns, streams, warmup, seconds, extra=()):
    argv = ["taskset", "-c", LOAD_CPU, fleet.grpcload, "-p", str(server.port), "-P", path, "-c", str(conns),
            "-m", str(streams), "-w", str(warmup), "-d", str(seconds), "-s", str(server.pid), *extra]
    if hex_body:
        argv += ["-x", hex_body]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + warmup + 60)
    try:
        result = json.loads(out.stdout)
    except json.JSONDecodeError:
        # No report at all (the server went away, or grpcload could not connect): count the round as failed.
        result = {"ok": 0, "failed": 1, "checked": 0, "error": out.stderr[-500:]}
    result["command"] = shlex.join(argv)
    return result


H2LOAD_RE = {
    "calls_per_s": re.compile(r"finished in [\d.]+m?s, ([\d.]+) req/s"),
    "succeeded": re.compile(r"requests: .* (\d+) succeeded, (\d+) failed, (\d+) errored"),
    "mean_ms": re.compile(r"time for request:\s+\S+\s+\S+\s+(\S+)"),
}


def h2load(fleet, server, path, hex_body, conns, streams, warmup, seconds, work):
    """h2load's calls/s. Without warm-up, also the server's CPU per call (no grpcload for that server)."""
    argv = ["taskset", "-c", LOAD_CPU, "h2load", "-c", str(conns), "-m", str(streams), "-D", f"{int(seconds * 1000)}ms"]
    if warmup:
        argv.append(f"--warm-up-time={int(warmup * 1000)}ms")
    if hex_body is not None:  # a gRPC call; None: a plain GET
        body = os.path.join(work, f"request-{hex_body or 'empty'}.bin"[:120])
        message = bytes.fromhex(hex_body)
        with open(body, "wb") as f:
            f.write(b"\0" + len(message).to_bytes(4, "big") + message)
        argv += ["-d", body, "-H", "content-type: application/grpc", "-H", "te: trailers"]
    argv.append(f"http://127.0.0.1:{server.port}{path}")
    cpu0 = cpu_ns(server.pid)
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + warmup + 60)
    cpu1 = cpu_ns(server.pid)
    result = {"command": shlex.join(argv)}
    m = re.search(r"requests: (\d+) total", out.stdout)
    if m and int(m.group(1)) and not warmup:
        result["server_cpu_sched_us_per_call"] = (cpu1 - cpu0) / 1000 / int(m.group(1))
    m = H2LOAD_RE["calls_per_s"].search(out.stdout)
    result["calls_per_s"] = float(m.group(1)) if m else 0.0
    m = H2LOAD_RE["succeeded"].search(out.stdout)
    result["http_failed"] = int(m.group(2)) + int(m.group(3)) if m else -1
    m = H2LOAD_RE["mean_ms"].search(out.stdout)
    result["mean_latency"] = m.group(1) if m else "?"
    return result


def run_all(fleet, work, args):
    """{scenario: {server: {"grpcload": [round...], "h2load": [round...]}}}"""
    results = {}
    for name, (path, hex_body, only, conns, streams) in SCENARIOS.items():
        targets = [s for s in fleet.servers.values() if s.name in (only or []) or (only is None and s.name != "nghttpd")]
        static = only == ["nghttpd"]
        if not targets:
            continue
        rows = {s.name: {"grpcload": [], "h2load": []} for s in targets}
        for r in range(args.rounds):
            for server in targets:
                line = f"bench: {name} round {r + 1} {server.name}:"
                streaming = ["-S", str(STREAMING[name])] if name in STREAMING else []
                if not static:
                    g = grpcload(fleet, server, path, hex_body, conns, streams, args.warmup, args.seconds,
                                 extra=streaming)
                    rows[server.name]["grpcload"].append(g)
                    line += (f" {g.get('calls_per_s', 0):,.0f} calls/s, {g.get('server_cpu_sched_us_per_call', 0):.1f}"
                             f" us CPU/call, p99 {g.get('p99_us', 0):,.0f} us, failed {g.get('failed')}")
                if static or not (args.no_h2load or streaming):
                    h = h2load(fleet, server, path, None if static else hex_body, conns, streams,
                               0 if static else args.warmup, args.seconds, work)
                    rows[server.name]["h2load"].append(h)
                    line += f"; h2load {h['calls_per_s']:,.0f} calls/s"
                print(line, flush=True)
        for server in targets:
            rows[server.name]["peak_rss_kb"] = server.status("VmHWM")
        results[name] = rows
    return results


def hold_idle_connections(server, count):
    """Opens COUNT HTTP/2 connections (preface + SETTINGS, ACKs the server's) and returns the sockets."""
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
    ack = bytes([0, 0, 0, 4, 1, 0, 0, 0, 0])
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(preface)
        socks.append(s)
    for s in socks:
        s.settimeout(5)
        s.recv(4096)
        s.sendall(ack)
    return socks


def first_call_seconds(fleet, work, rounds=5):
    """summitd start (exec) to its first OK Health/Check, on the already seeded store; and its RSS
    one second later (idle after a fresh start, not after seeding). Returns (seconds, rss_kb) medians."""
    times, rss, anon = [], [], []
    for i in range(rounds):
        port = free_port()
        server = Server("summitd-start", [fleet.summitd_binary()]
                        + fleet.summitd_args(fleet.store_copy("start.db")), {}, os.path.join(work, f"start-{i}.log"))
        server.argv = ["taskset", "-c", "0"] + server.argv + ["--listen", f"127.0.0.1:{port}"]
        log = open(server.log_path, "w")
        t0 = time.monotonic()
        proc = subprocess.Popen(server.argv, stdout=log, stderr=subprocess.STDOUT)
        elapsed = None
        while time.monotonic() - t0 < 10:
            out = subprocess.run([fleet.grpcload, "-p", str(port), "-P", "/grpc.health.v1.Health/Check", "-c", "1",
                                  "-m", "1", "-w", "0", "-d", "0.0001"], capture_output=True, text=True)
            if out.returncode == 0 and json.loads(out.stdout)["ok"] >= 0 and '"failed": 0' in out.stdout:
                elapsed = time.monotonic() - t0
                time.sleep(1)
                with open(f"/proc/{proc.pid}/status") as f:
                    rss += [int(line.split()[1]) for line in f if line.startswith("VmRSS:")]
                with open(f"/proc/{proc.pid}/smaps_rollup") as f:
                    anon += [int(line.split()[1]) for line in f if line.startswith("Anonymous:")]
                break
            time.sleep(0.002)
        proc.terminate()
        proc.wait()
        log.close()
        if elapsed is not None:
            times.append(elapsed)
    def median(values):
        return statistics.median(values) if values else None
    return median(times), (median(rss), median(anon))


def run_extras(fleet, work, args):
    extras = {"servers": {}, "starts": [
        {"name": s.name, "argv": s.argv + ["--listen", "127.0.0.1:0"], "env": s.env} for s in fleet.servers.values()]}
    for server in fleet.servers.values():
        e = {"idle_rss_kb": getattr(server, "idle_rss_kb", None), "idle_anon_kb": getattr(server, "idle_anon_kb", None),
             "start_seconds": server.start_seconds}
        e["peak_rss_kb"] = server.status("VmHWM")
        e["threads"] = server.threads()
        extras["servers"][server.name] = e
    time.sleep(3)
    for server in fleet.servers.values():
        e = extras["servers"][server.name]
        e["after_load_rss_kb"] = server.status("VmRSS")
        before = server.status("VmRSS")
        count = 1000
        try:
            socks = hold_idle_connections(server, count)
            time.sleep(1)
            held = server.status("VmRSS")
            e["rss_per_idle_connection_kb"] = round((held - before) / count, 2)
            e["rss_with_1000_connections_kb"] = held
            for s in socks:
                s.close()
        except OSError as err:
            e["idle_connections_error"] = str(err)
        time.sleep(2)
        e["after_connections_rss_kb"] = server.status("VmRSS")
        print(f"bench: {server.name} extras {e}", flush=True)
    if "summitd" in fleet.servers:
        first, (fresh_rss, fresh_anon) = first_call_seconds(fleet, work)
        extras["summitd_first_call_seconds"] = first
        extras["summitd_fresh_idle_rss_kb"], extras["summitd_fresh_idle_anon_kb"] = fresh_rss, fresh_anon
        print(f"bench: summitd start to first call {extras['summitd_first_call_seconds']}", flush=True)
    return extras


def run_codec_bench(binary, quick):
    """The codec micro-benchmark's Markdown table, run pinned to the server core."""
    if not binary or not os.path.exists(binary):
        return None
    argv = ["taskset", "-c", "0", binary] + (["--quick"] if quick else [])
    out = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    print(out.stdout, flush=True)
    return {"command": shlex.join(argv), "markdown": out.stdout, "stderr": out.stderr[-1000:]}
