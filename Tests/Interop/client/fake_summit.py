"""A Summit server that is not ours: grpcio (Python) serving LeaderService and
VisitService from the same Protos/, with a little in-memory data and a record of
what every call received, so tests of the Swift client (`summit`) can check both
what the CLI printed and what reached the server.

    pb = load_pb(Path("Protos"), tmp_dir)
    fake = FakeSummit(pb).start()            # 127.0.0.1:<free port>
    ... run `summit --server fake.address ...` ...
    fake.calls_to("GetLeader")               # [Call(method, request, metadata, ...)]
    fake.stop()

Behaviour (everything else UNIMPLEMENTED, grpcio's default):

LeaderService
  GetLeader        leaders/vladimir-putin, leaders/kim-jong-un; any other name: NOT_FOUND
                   with grpc-status-details-bin = google.rpc.Status{details: [ErrorInfo
                   reason RESOURCE_NOT_FOUND]}.
  ResolveLeaders   bidi; answers each mention as soon as it arrives (a word of the display
                   name or an alias, case-insensitive: score 0.95); echoes mention and tag;
                   the mention "boom" fails the call with INTERNAL.
VisitService
  GetVisit         visits/putin-pyongyang-2024, visits/kim-vladivostok-2019;
                   visits/big (purpose of BIG_PURPOSE_LEN compressible bytes, for gzip);
                   visits/huge (purpose of HUGE_PURPOSE_LEN bytes: over the 4 MiB limit);
                   visits/slow (waits up to SLOW_SECONDS, watching for the client's
                   cancellation or the deadline; ``note["inactive_at"]``);
                   visits/status-<code name, lowercase> (fails with that code);
                   visits/unicode (NOT_FOUND, message UNICODE_MESSAGE: non-ASCII and '%');
                   visits/multiline (NOT_FOUND, message "first line" + newline + "second line");
                   others NOT_FOUND.
  ListVisits       filters visitor / host_country / kind; ordered by start date, name.
  CreateVisit      INVALID_ARGUMENT + BadRequest{visit.end_date} when end < start (and
                   visit.visitor when empty); otherwise echoes the visit with a name.
  WatchVisits      a VisitEvent every WATCH_PERIOD s, forever, until the call ends (the
                   Call's ``ended``/``ended_at``); after_sequence FAILING_WATCH_AFTER: two
                   events, then UNAVAILABLE.
  ImportVisits     client streaming; counts; a visit with an empty visitor is a failure
                   {index, google.rpc.Status INVALID_ARGUMENT + BadRequest visit.visitor};
                   visit_id "slow" makes the handler wait up to SLOW_SECONDS (as GetVisit).

``compression=grpc.Compression.Gzip`` makes the server compress every response message.
``ByteCountingRelay`` sits between client and server and counts bytes each way (to see
that responses really travelled compressed).
"""

from __future__ import annotations

import collections
import socket
import sys
import threading
import time
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import grpc
from google.protobuf import any_pb2, timestamp_pb2

TRANSPORT_DIR = Path(__file__).resolve().parent.parent / "transport"
if str(TRANSPORT_DIR) not in sys.path:
    sys.path.append(str(TRANSPORT_DIR))   # appended: never shadows this folder's modules

import summit_pb  # noqa: E402  (../transport: compile Protos/ with grpc_tools, import)

MODULES = {
    "common": "summit.v1.common_pb2",
    "leader": "summit.v1.leader_pb2",
    "leader_grpc": "summit.v1.leader_pb2_grpc",
    "visit": "summit.v1.visit_pb2",
    "visit_grpc": "summit.v1.visit_pb2_grpc",
    "date": "google.type.date_pb2",
    "status": "google.rpc.status_pb2",
    "error_details": "google.rpc.error_details_pb2",
}

WATCH_PERIOD = 0.1
SLOW_SECONDS = 3.0
BIG_PURPOSE_LEN = 200_000
HUGE_PURPOSE_LEN = 5_000_000
FAILING_WATCH_AFTER = 1000
UNICODE_MESSAGE = "Визит «visits/unicode» не найден: 100% sûr"
CREATE_TIME = "2024-01-02T03:04:05Z"

# grpc status codes as numbers (google.rpc.Code)
INVALID_ARGUMENT = 3


def load_pb(protos_root: Path, out_dir: Path) -> SimpleNamespace:
    """Compile every .proto under protos_root into out_dir (grpc_tools.protoc,
    messages + stubs) and return the modules of MODULES."""
    summit_pb.compile_protos(protos_root, out_dir)
    summit_pb._make_importable(out_dir)
    return SimpleNamespace(**{a: summit_pb._import(m, out_dir) for a, m in MODULES.items()})


class _Status(collections.namedtuple("_Status", ("code", "details", "trailing_metadata")),
              grpc.Status):
    """What ServicerContext.abort_with_status takes."""


@dataclass
class Call:
    """One RPC as the server saw it."""
    method: str
    requests: list                 # request messages, in arrival order
    metadata: dict                 # invocation metadata (last value per key)
    started: float                 # time.monotonic()
    time_remaining: float | None   # context.time_remaining() on arrival (None: no deadline)
    ended: threading.Event = field(default_factory=threading.Event)
    ended_at: float | None = None  # when grpcio reported the RPC over (add_callback)
    request_times: list = field(default_factory=list)   # monotonic arrival of each request
    response_times: list = field(default_factory=list)  # monotonic send of each response
    note: dict = field(default_factory=dict)            # handler-specific facts

    @property
    def request(self):
        return self.requests[0] if self.requests else None


def _date(pb, y, m, d):
    return pb.date.Date(year=y, month=m, day=d)


def _ts(text: str) -> timestamp_pb2.Timestamp:
    t = timestamp_pb2.Timestamp()
    t.FromJsonString(text)
    return t


def _pack(message) -> any_pb2.Any:
    a = any_pb2.Any()
    a.Pack(message)        # type.googleapis.com/<full name>
    return a


class FakeSummit:
    def __init__(self, pb: SimpleNamespace, compression: grpc.Compression | None = None):
        self.pb = pb
        self.compression = compression
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._server: grpc.Server | None = None
        self.port = 0
        self.leaders = self._seed_leaders()
        self.visits = self._seed_visits()

    # -- data ------------------------------------------------------------------------
    def _seed_leaders(self) -> dict:
        L, C = self.pb.leader, self.pb.common
        out = {}
        for name, display, title, cc, aliases in (
            ("leaders/vladimir-putin", "Vladimir Putin", "President of Russia", "RU",
             ["Путин", "Putin", "Vladimir Vladimirovich Putin"]),
            ("leaders/kim-jong-un", "Kim Jong Un", "General Secretary of the Workers' Party of Korea",
             "KP", ["Kim", "김정은"]),
        ):
            out[name] = L.Leader(
                name=name, display_name=display, title=title, country=cc, aliases=aliases,
                sources=[C.Source(title="Profile", url="https://example.org/" + name,
                                  publisher="Example Wire", published=_date(self.pb, 2024, 1, 2))],
                etag="etag-" + name.split("/")[1], create_time=_ts(CREATE_TIME),
                update_time=_ts(CREATE_TIME))
        return out

    def _seed_visits(self) -> dict:
        V = self.pb.visit
        out = {}
        for v in (
            V.Visit(name="visits/putin-pyongyang-2024", visitor="leaders/vladimir-putin",
                    host_country="KP", host_leader="leaders/kim-jong-un", cities=["Pyongyang"],
                    start_date=_date(self.pb, 2024, 6, 18), end_date=_date(self.pb, 2024, 6, 19),
                    kind=V.VISIT_KIND_STATE_VISIT,
                    purpose="Signed a Comprehensive Strategic Partnership treaty",
                    sites=["Kumsusan Palace of the Sun"], etag="etag-v1",
                    create_time=_ts(CREATE_TIME)),
            V.Visit(name="visits/kim-vladivostok-2019", visitor="leaders/kim-jong-un",
                    host_country="RU", host_leader="leaders/vladimir-putin",
                    cities=["Vladivostok"], start_date=_date(self.pb, 2019, 4, 24),
                    end_date=_date(self.pb, 2019, 4, 26), kind=V.VISIT_KIND_OFFICIAL_VISIT,
                    purpose="First summit with Putin", etag="etag-v2",
                    create_time=_ts(CREATE_TIME)),
        ):
            out[v.name] = v
        return out

    def big_visit(self):
        # Compressible but not trivially uniform: a repeated sentence.
        sentence = "The delegation toured the port and discussed fisheries. "
        text = (sentence * (BIG_PURPOSE_LEN // len(sentence) + 1))[:BIG_PURPOSE_LEN]
        v = self.pb.visit.Visit()
        v.CopyFrom(self.visits["visits/putin-pyongyang-2024"])
        v.name = "visits/big"
        v.purpose = text
        return v

    # -- call records ----------------------------------------------------------------
    def _record(self, method: str, context, requests=None) -> Call:
        md = {}
        for k, v in context.invocation_metadata() or ():
            md[k] = v
        remaining = context.time_remaining()
        call = Call(method=method, requests=list(requests or []), metadata=md,
                    started=time.monotonic(),
                    time_remaining=remaining if remaining is not None and remaining < 1e6 else None)
        if requests:
            call.request_times = [call.started] * len(requests)

        def done():
            call.ended_at = time.monotonic()
            call.ended.set()

        context.add_callback(done)
        with self._lock:
            self.calls.append(call)
        return call

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def describe_calls(self) -> str:
        with self._lock:
            rows = [f"  {c.method}: {[_short(r) for r in c.requests][:6]}" for c in self.calls]
        return "\n--- calls the fake server saw ---\n" + ("\n".join(rows) or "  (none)")

    # -- errors ----------------------------------------------------------------------
    def _abort(self, context, code: grpc.StatusCode, message: str, *details) -> None:
        """End the call with code/message and google.rpc.Status{details} in
        grpc-status-details-bin (what AIP-193 servers send)."""
        status = self.pb.status.Status(code=code.value[0], message=message,
                                       details=[_pack(d) for d in details])
        context.abort_with_status(_Status(
            code, message, (("grpc-status-details-bin", status.SerializeToString()),)))

    def _not_found(self, context, name: str, kind: str) -> None:
        info = self.pb.error_details.ErrorInfo(
            reason="RESOURCE_NOT_FOUND", domain="summit.example.org",
            metadata={"resource": name, "type": kind})
        self._abort(context, grpc.StatusCode.NOT_FOUND, f"{name} not found", info)

    def _bad_request(self, *violations) -> object:
        ED = self.pb.error_details
        return ED.BadRequest(field_violations=[
            ED.BadRequest.FieldViolation(field=f, description=d) for f, d in violations])

    # -- handlers: LeaderService -----------------------------------------------------
    def get_leader(self, request, context):
        self._record("GetLeader", context, [request])
        leader = self.leaders.get(request.name)
        if leader is None:
            self._not_found(context, request.name, "summit.v1.Leader")
        return leader

    def resolve_leaders(self, request_iterator, context):
        call = self._record("ResolveLeaders", context)
        L = self.pb.leader
        for req in request_iterator:
            call.requests.append(req)
            call.request_times.append(time.monotonic())
            if req.mention == "boom":
                context.abort(grpc.StatusCode.INTERNAL, "the resolver failed on \"boom\"")
            wanted = req.mention.strip().lower()
            matches = []
            for leader in self.leaders.values():
                words = leader.display_name.lower().split()
                hit = next((a for a in leader.aliases if a.lower() == wanted), None)
                if hit is None and wanted in words:
                    hit = leader.display_name
                if hit is not None:
                    matches.append(L.LeaderMatch(leader=leader, score=0.95, matched=hit))
            limit = req.max_matches or 5
            yield L.ResolveLeadersResponse(mention=req.mention, tag=req.tag,
                                           matches=matches[:limit])
            call.response_times.append(time.monotonic())

    # -- handlers: VisitService ------------------------------------------------------
    @staticmethod
    def _wait_while_active(call: Call, context) -> None:
        """Up to SLOW_SECONDS, or until the call is cancelled / past its deadline."""
        end = time.monotonic() + SLOW_SECONDS
        while time.monotonic() < end and context.is_active():
            time.sleep(0.01)
        call.note["inactive_at"] = None if context.is_active() else time.monotonic()

    def get_visit(self, request, context):
        call = self._record("GetVisit", context, [request])
        if request.name == "visits/big":
            return self.big_visit()
        if request.name == "visits/huge":
            v = self.big_visit()
            v.name, v.purpose = "visits/huge", "y" * HUGE_PURPOSE_LEN
            return v
        if request.name.startswith("visits/status-"):
            code = grpc.StatusCode[request.name[len("visits/status-"):].upper()]
            context.abort(code, f"forced {code.name}")
        if request.name == "visits/unicode":
            self._abort(context, grpc.StatusCode.NOT_FOUND, UNICODE_MESSAGE)
        if request.name == "visits/multiline":
            self._abort(context, grpc.StatusCode.NOT_FOUND, "first line\nsecond line")
        if request.name == "visits/slow":
            self._wait_while_active(call, context)
            v = self.pb.visit.Visit()
            v.CopyFrom(self.visits["visits/putin-pyongyang-2024"])
            v.name = "visits/slow"
            return v
        visit = self.visits.get(request.name)
        if visit is None:
            self._not_found(context, request.name, "summit.v1.Visit")
        return visit

    def list_visits(self, request, context):
        self._record("ListVisits", context, [request])
        V = self.pb.visit
        found = [v for v in self.visits.values()
                 if (not request.visitor or v.visitor == request.visitor)
                 and (not request.host_country or v.host_country == request.host_country)
                 and (not request.kind or v.kind == request.kind)]
        found.sort(key=lambda v: ((v.start_date.year, v.start_date.month, v.start_date.day), v.name))
        start = int(request.page_token or 0)
        size = request.page_size or 50
        page = found[start:start + size]
        token = str(start + size) if start + size < len(found) else ""
        return V.ListVisitsResponse(visits=page, next_page_token=token)

    def _violations(self, visit) -> list:
        out = []
        if not visit.visitor:
            out.append(("visit.visitor", "required: the visiting leader"))
        s, e = visit.start_date, visit.end_date
        if visit.HasField("start_date") and visit.HasField("end_date") and \
                (e.year, e.month, e.day) < (s.year, s.month, s.day):
            out.append(("visit.end_date",
                        f"must not be before visit.start_date ({s.year:04}-{s.month:02}-{s.day:02})"))
        return out

    def create_visit(self, request, context):
        self._record("CreateVisit", context, [request])
        violations = self._violations(request.visit)
        if violations:
            self._abort(context, grpc.StatusCode.INVALID_ARGUMENT,
                        "the visit is not valid", self._bad_request(*violations))
        v = self.pb.visit.Visit()
        v.CopyFrom(request.visit)
        v.name = "visits/" + (request.visit_id or f"v{len(self.calls)}")
        v.etag = "etag-new"
        v.create_time.CopyFrom(_ts(CREATE_TIME))
        return v

    def watch_visits(self, request, context):
        call = self._record("WatchVisits", context, [request])
        V, C = self.pb.visit, self.pb.common
        template = [v for v in self.visits.values()
                    if not request.visitor or v.visitor == request.visitor] \
            or list(self.visits.values())
        seq = request.after_sequence
        if seq == FAILING_WATCH_AFTER:
            for _ in range(2):
                seq += 1
                yield V.VisitEvent(type=C.CHANGE_TYPE_CREATED, visit=template[0], sequence=seq)
            context.abort(grpc.StatusCode.UNAVAILABLE, "the change feed went away")
        # The note is written however the handler ends: its loop sees the call
        # inactive, or, when the cancellation lands while grpcio is sending an
        # event (the generator suspended at `yield`), grpcio never resumes it and
        # the generator is closed instead (GeneratorExit at the yield).
        try:
            while context.is_active():
                seq += 1
                ev = V.VisitEvent(type=C.CHANGE_TYPE_UPDATED if seq % 2 else C.CHANGE_TYPE_CREATED,
                                  visit=template[seq % len(template)], sequence=seq)
                ev.commit_time.GetCurrentTime()
                yield ev
                call.response_times.append(time.monotonic())
                time.sleep(WATCH_PERIOD)
        finally:
            call.note["inactive_at"] = time.monotonic()

    def import_visits(self, request_iterator, context):
        call = self._record("ImportVisits", context)
        V, S = self.pb.visit, self.pb.status
        created, failures = [], []
        for index, req in enumerate(request_iterator):
            call.requests.append(req)
            call.request_times.append(time.monotonic())
            if req.visit_id == "slow":
                self._wait_while_active(call, context)
            violations = self._violations(req.visit)
            if violations:
                failures.append(V.ImportFailure(index=index, status=S.Status(
                    code=INVALID_ARGUMENT, message="the visit is not valid",
                    details=[_pack(self._bad_request(*violations))])))
            else:
                created.append("visits/" + (req.visit_id or f"imported-{index}"))
        return V.ImportVisitsResponse(created_count=len(created), created=created,
                                      failures=failures)

    # -- lifecycle -------------------------------------------------------------------
    def _handlers(self):
        pb, fake = self.pb, self

        class Leaders(pb.leader_grpc.LeaderServiceServicer):
            def GetLeader(self, request, context):
                return fake.get_leader(request, context)

            def ResolveLeaders(self, request_iterator, context):
                return fake.resolve_leaders(request_iterator, context)

        class Visits(pb.visit_grpc.VisitServiceServicer):
            def GetVisit(self, request, context):
                return fake.get_visit(request, context)

            def ListVisits(self, request, context):
                return fake.list_visits(request, context)

            def CreateVisit(self, request, context):
                return fake.create_visit(request, context)

            def WatchVisits(self, request, context):
                return fake.watch_visits(request, context)

            def ImportVisits(self, request_iterator, context):
                return fake.import_visits(request_iterator, context)

        return Leaders(), Visits()

    def start(self) -> "FakeSummit":
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=16,
                                                        thread_name_prefix="fake-summit"),
                             compression=self.compression)
        leaders, visits = self._handlers()
        self.pb.leader_grpc.add_LeaderServiceServicer_to_server(leaders, server)
        self.pb.visit_grpc.add_VisitServiceServicer_to_server(visits, server)
        self.port = server.add_insecure_port("127.0.0.1:0")
        if not self.port:
            raise RuntimeError("grpcio could not bind 127.0.0.1:0")
        server.start()
        self._server = server
        return self

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(grace=None).wait(5)
            self._server = None


def _short(message) -> str:
    text = " ".join(str(message).split())
    return text if len(text) <= 120 else text[:117] + "..."


class ByteCountingRelay:
    """A TCP relay on 127.0.0.1:<free port> to ``target`` that counts the bytes each
    way: ``to_server`` (client → server) and ``to_client`` (server → client)."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.to_server = 0
        self.to_client = 0
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True, name="relay-accept").start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _accept(self):
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            upstream.settimeout(None)
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, "to_server"),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, "to_client"),
                             daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, counter: str):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self._lock:
                    setattr(self, counter, getattr(self, counter) + len(data))
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (dst,):
                try:
                    s.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

    def close(self):
        self._closed = True
        for s in [self._listener, *self._sockets]:
            try:
                s.close()
            except OSError:
                pass
