"""Machine facts, medians and the generated part of BENCHMARKS.md."""
import os
import platform
import shlex
import statistics
import subprocess
import time

from runner import allocs

BEGIN = "<!-- bench:begin (written by make bench; edit outside these markers) -->"
END = "<!-- bench:end -->"


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine_facts():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    commit = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--", "Sources"], capture_output=True,
                           text=True).stdout.strip()

    def version(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": commit + (" (Sources/ modified)" if dirty else ""),
        "load_start": load_average(),
        "swift": version(["swift", "--version"]),
        "h2load": version(["h2load", "--version"]),
        "go": version(["go", "version"]),
    }


def median(rounds, key):
    values = [r.get(key) for r in rounds if isinstance(r.get(key), (int, float))]
    return statistics.median(values) if values else None


def fmt(value, digits=0, unit=""):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}{unit}"


def scenario_table(name, rows):
    lines = [f"#### {name}", "",
             "| server | calls/s (grpcload) | calls/s (h2load) | summitd ÷ server | server CPU µs/call "
             "| p50 µs | p99 µs | MB/s payload | failed / checked | peak RSS MB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    ours = median(rows.get("summitd", {}).get("grpcload", []), "calls_per_s")
    ours_h2 = median(rows.get("summitd", {}).get("h2load", []), "calls_per_s")
    for server, data in rows.items():
        g, h = data["grpcload"], data["h2load"]
        calls = median(g, "calls_per_s")
        calls_h2 = median(h, "calls_per_s")
        ratio = f"{ours / calls:.2f}×" if ours and calls else "—"
        if not g and calls_h2 and ours_h2:
            ratio = f"{ours_h2 / calls_h2:.2f}× (h2load)"
        failed = sum(r.get("failed", 0) for r in g)
        checked = sum(r.get("checked", 0) for r in g)
        http_failed = sum(r.get("http_failed", 0) for r in h)
        fail_text = f"{failed:,} / {checked:,}" if g else "not checked"
        fail_text += f" (h2load: {http_failed} HTTP failures)" if http_failed else ""
        lines.append(
            f"| {server} | {fmt(calls)} | {fmt(median(h, 'calls_per_s'))} | {ratio} "
            f"| {fmt(median(g or h, 'server_cpu_sched_us_per_call'), 2)} | {fmt(median(g, 'p50_us'))} "
            f"| {fmt(median(g, 'p99_us'))} | {fmt(median(g, 'payload_mb_per_s'), 1)} | {fail_text} "
            f"| {fmt(data.get('peak_rss_kb', 0) / 1024, 1)} |")
    return lines


def extras_table(extras):
    lines = ["#### Memory and start-up", "",
             "| server | idle RSS MB | of which anonymous MB | RSS after load (+3 s) MB "
             "| RSS per idle connection KB (1,000 conns) | RSS after closing them MB | threads |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for server, e in extras.get("servers", {}).items():
        mb = lambda k: fmt(e[k] / 1024, 1) if e.get(k) is not None else "—"  # noqa: E731
        lines.append(f"| {server} | {mb('idle_rss_kb')} | {mb('idle_anon_kb')} | {mb('after_load_rss_kb')} "
                     f"| {fmt(e.get('rss_per_idle_connection_kb'), 1)} | {mb('after_connections_rss_kb')} "
                     f"| {e.get('threads', '—')} |")
    first = extras.get("summitd_first_call_seconds")
    if first is not None:
        lines += ["", f"summitd, start (exec) to first OK `Health/Check` on the seeded store: "
                      f"**{first * 1000:.0f} ms** (median of 5)."]
    fresh = extras.get("summitd_fresh_idle_rss_kb")
    if fresh:
        lines += ["", f"summitd's RSS one second after that first call (a fresh start on the seeded store, so "
                      f"without what seeding 1,000 visits leaves behind): **{fresh / 1024:.1f} MB**, of which "
                      f"{(extras.get('summitd_fresh_idle_anon_kb') or 0) / 1024:.1f} MB anonymous (heap and stacks); "
                      f"the rest is mapped code and data of the executable and its libraries."]
    return lines


def scale_table(scale):
    if not scale:
        return []
    sizes = sorted(scale, key=int)
    names = list(next(iter(scale.values())).keys())
    lines = ["#### Store scale: summitd alone, stores of growing size", "",
             "| visits | " + " | ".join(f"{n} calls/s | {n} CPU µs/call | {n} p99 µs" for n in names) + " |",
             "|---:|" + "---:|" * (3 * len(names))]
    for size in sizes:
        cells = []
        for n in names:
            g = scale[size][n]
            base = scale[sizes[0]][n].get("server_cpu_sched_us_per_call")
            cpu = g.get("server_cpu_sched_us_per_call")
            rel = f" ({cpu / base:.2f}×)" if base and cpu and size != sizes[0] else ""
            cells += [fmt(g.get("calls_per_s")), fmt(cpu, 1) + rel, fmt(g.get("p99_us"))]
        lines.append(f"| {int(size):,} | " + " | ".join(cells) + " |")
    lines += ["", "CPU per call in brackets: relative to the smallest store (target: within 1.5×)."]
    return lines


def commands(raw):
    """summitd's commands of the first round; each peer's differ only in port and pid."""
    seen = []
    for rows in raw["results"].values():
        data = rows.get("summitd") or next(iter(rows.values()))
        for kind in ("grpcload", "h2load"):
            if data[kind]:
                seen.append(data[kind][0]["command"])
    return seen


def write_markdown(path, raw):
    m = raw["machine"]
    a = raw["args"]
    body = [BEGIN, "",
            f"Run of {m['date']} at commit `{m['commit']}`: {a['rounds']} alternating round(s) of "
            f"{a['seconds']} s (+{a['warmup']} s warm-up) per server and scenario"
            f"{' (BENCH_QUICK)' if m.get('quick') else ''}; took {m['wall_seconds']} s.",
            "",
            f"Machine: {m['cpu']}, {m['cores']} cores, Linux {m['kernel']}; load average {m['load_start']} "
            f"at the start, {m['load_end']} at the end (other work shares this machine: compare within a run). "
            f"{m['swift']}; {m['h2load']}; {m['go']}.",
            ""]
    for name, rows in raw["results"].items():
        body += scenario_table(name, rows) + [""]
    body += extras_table(raw["extras"]) + [""]
    body += allocs.table(raw["extras"].get("allocations")) + [""]
    body += scale_table(raw.get("store_scale")) + [""]
    if raw.get("codec"):
        body += ["#### Codec: Summit (protobuf-c) against swift-protobuf 1.39", "",
                 raw["codec"]["markdown"].strip(), "", f"`{raw['codec']['command']}`", ""]
    starts = [" ".join([f"{k}={v}" for k, v in s["env"].items()] + ["taskset -c 0", shlex.join(s["argv"])])
              for s in raw["extras"].get("starts", [])]
    body += ["<details><summary>Exact load commands (summitd, first round; the peers' differ in port and pid "
             "only)</summary>", "", "```"] + commands(raw) + ["", "# servers"] + starts + ["```", "", "</details>", "", END]
    text = open(path).read() if os.path.exists(path) else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(path, "w") as f:
        f.write(head + "\n".join(body) + tail)
