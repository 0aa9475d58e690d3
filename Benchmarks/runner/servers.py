"""Starting, pinning and watching the servers under test."""
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time

SERVER_CPU = "0"
LOAD_CPU = "1"


def binaries(repo):
    """Name -> (command, env) of every server that make bench builds."""
    peers = os.path.join(repo, ".build-bench", "peers")
    swift_bin = os.path.join(repo, ".build-bench", "swift", "release")
    summitd = os.environ.get("SUMMITD") or os.path.join(repo, ".build", "release", "summitd")
    return {
        "summitd": (summitd, {}),
        # The same binary with its answer cache off (--response-cache-size 0): what a
        # read costs when it is not a repeat, next to what a repeat costs.
        "summitd-uncached": (summitd, {}),
        "grpc-swift-2": (os.path.join(swift_bin, "grpc-swift-peer"), {}),
        "grpc-go": (os.path.join(peers, "go-peer"), {"GOMAXPROCS": "1"}),
        "grpc-c++": (os.path.join(peers, "cpp-peer"), {}),
    }


class Server:
    def __init__(self, name, argv, env, log_path):
        self.name, self.argv, self.env, self.log_path = name, argv, env, log_path
        self.proc = None
        self.port = None
        self.start_seconds = None

    def start(self, port=0):
        """Starts pinned to SERVER_CPU; returns once it prints `listening on HOST:PORT`."""
        env = dict(os.environ, **self.env)
        argv = ["taskset", "-c", SERVER_CPU] + self.argv + ["--listen", f"127.0.0.1:{port}"]
        self.log = open(self.log_path, "w")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = t0 + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {open(self.log_path).read()[-2000:]}")
            for line in open(self.log_path, errors="replace"):
                if line.startswith("listening on "):
                    self.port = int(line.strip().rsplit(":", 1)[1])
                    self.start_seconds = time.monotonic() - t0
                    return self
            time.sleep(0.005)
        raise RuntimeError(f"{self.name} did not print 'listening on' within 60 s")

    @property
    def pid(self):
        return self.proc.pid

    def status(self, key):
        """A /proc/PID/status field in kB (VmRSS, VmHWM)."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def anonymous_kb(self):
        """Anonymous (heap, stacks) memory of the process; the rest of its RSS is mapped files, mostly code."""
        with open(f"/proc/{self.pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Anonymous:"):
                    return int(line.split()[1])
        return 0

    def threads(self):
        return len(os.listdir(f"/proc/{self.pid}/task"))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()


class StaticFileServer(Server):
    """nghttpd serving one small file: the HTTP/2 ceiling, with no RPC work at all."""

    def __init__(self, log_path, docroot):
        super().__init__("nghttpd", ["nghttpd", "--no-tls", "-n", "1", "-d", docroot], {}, log_path)

    def start(self, port=0):
        port = port or free_port()
        self.log = open(self.log_path, "w")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(["taskset", "-c", SERVER_CPU] + self.argv + [str(port)], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        while time.monotonic() - t0 < 10:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                self.port, self.start_seconds = port, time.monotonic() - t0
                return self
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("nghttpd did not accept connections within 10 s")


def cpu_ns(pid):
    """The process's CPU time so far, summed over its threads' schedstat, in ns."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Fleet:
    """Every server of the run, with the files they need (seeded store, leader bytes)."""

    def __init__(self, repo, work):
        self.repo, self.work = repo, work
        self.servers = {}
        self.grpcload = os.path.join(repo, ".build-bench", "bin", "grpcload")
        self.leader_path = os.path.join(work, "leader.bin")
        self.seed_path = os.path.join(work, "bench-seed.json")
        self.db_path = os.path.join(work, "summit.db")

    def summitd_binary(self):
        return binaries(self.repo)["summitd"][0]

    def summitd_args(self, db_path=None):
        return ["--db", db_path or self.db_path, "--seed-file", self.seed_path, "--event-loops", "1",
                "--log-level", "warning"]

    def store_copy(self, name):
        """A consistent copy of the bench store (SQLite's backup API, safe while summitd
        serves it), for another summitd: a server claims its database file, so a second
        one cannot start on the fleet's."""
        path = os.path.join(self.work, name)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        source, copy = sqlite3.connect(self.db_path), sqlite3.connect(path)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return path

    def start_all(self, only):
        write_bench_seed(self.repo, self.seed_path)
        for name, (path, env) in binaries(self.repo).items():
            if only and name not in only:
                continue
            if not os.path.exists(path):
                print(f"bench: {name} not built ({path}); skipped", flush=True)
                continue
            if name == "summitd":
                argv = [path] + self.summitd_args()
            elif name == "summitd-uncached":
                argv = [path] + self.summitd_args(os.path.join(self.work, "uncached.db")) + ["--response-cache-size", "0"]
            else:
                if not os.path.exists(self.leader_path):
                    raise RuntimeError("summitd must start first: its Leader bytes feed the peers")
                argv = [path, "--leader", self.leader_path]
            server = Server(name, argv, env, os.path.join(self.work, f"{name}.log"))
            server.start()
            time.sleep(0.5)
            server.idle_rss_kb = server.status("VmRSS")
            server.idle_anon_kb = server.anonymous_kb()
            self.servers[name] = server
            print(f"bench: {name} pid {server.pid} on port {server.port}", flush=True)
            if name == "summitd":
                self.capture_leader(server)
        if not only or "nghttpd" in only:
            self.start_static()

    def capture_leader(self, server):
        """The bytes summitd answers GetLeader with: the peers serve the same message."""
        from runner.scenarios import LEADER_HEX  # noqa: PLC0415
        out = subprocess.run([self.grpcload, "-p", str(server.port), "-P", "/summit.v1.LeaderService/GetLeader",
                              "-x", LEADER_HEX, "-c", "1", "-m", "1", "-w", "0", "-d", "0.05",
                              "-D", self.leader_path], capture_output=True, text=True)
        result = json.loads(out.stdout)
        if result["ok"] == 0 or not os.path.getsize(self.leader_path):
            raise RuntimeError(f"GetLeader on summitd failed: {out.stdout} {out.stderr}")

    def start_static(self):
        """nghttpd with a 7-byte file, the size of a framed HealthCheckResponse."""
        if not shutil.which("nghttpd"):
            print("bench: nghttpd not installed; no HTTP/2 ceiling row", flush=True)
            return
        docroot = os.path.join(self.work, "htdocs")
        os.makedirs(docroot, exist_ok=True)
        with open(os.path.join(docroot, "check"), "wb") as f:
            f.write(bytes([0, 0, 0, 0, 2, 8, 1]))
        server = StaticFileServer(os.path.join(self.work, "nghttpd.log"), docroot).start()
        time.sleep(0.5)
        server.idle_rss_kb = server.status("VmRSS")
        server.idle_anon_kb = server.anonymous_kb()
        self.servers[server.name] = server
        print(f"bench: nghttpd pid {server.pid} on port {server.port}", flush=True)

    def stop_all(self):
        for server in self.servers.values():
            server.stop()


def write_bench_seed(repo, path, visits=1000):
    """The bundled seed plus copies of its visits, so that a page of 1,000 (the largest) is full."""
    with open(os.path.join(repo, "Sources", "SummitService", "Resources", "seed.json")) as f:
        seed = json.load(f)
    base = list(seed["visits"])
    for i in range(visits - len(base)):
        v = json.loads(json.dumps(base[i % len(base)]))
        v["name"] = f"visits/bench-{i:07d}"
        v.pop("reciprocates", None)
        seed["visits"].append(v)
    with open(path, "w") as f:
        json.dump(seed, f)


def which(tool):
    return shutil.which(tool)
