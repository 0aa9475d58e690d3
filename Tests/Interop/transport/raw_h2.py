"""A small blocking HTTP/2 (h2c, prior knowledge) client built on the `h2`
package, for tests that need to see or send what grpcio hides: SETTINGS,
PING, GOAWAY, RST_STREAM, trailers-only responses, the per-message
compressed flag, malformed requests.

Every wait is bounded by an explicit timeout.
"""

from __future__ import annotations

import gzip
import select
import socket
import struct
import time
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

GRPC_STATUS_NAMES = {
    0: "OK", 1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT", 4: "DEADLINE_EXCEEDED",
    5: "NOT_FOUND", 6: "ALREADY_EXISTS", 7: "PERMISSION_DENIED", 8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION", 10: "ABORTED", 11: "OUT_OF_RANGE", 12: "UNIMPLEMENTED",
    13: "INTERNAL", 14: "UNAVAILABLE", 15: "DATA_LOSS", 16: "UNAUTHENTICATED",
}


def grpc_frame(payload: bytes, compressed: bool = False) -> bytes:
    """Length-prefixed gRPC message: flag byte, 4-byte big-endian length, payload."""
    return struct.pack(">BI", 1 if compressed else 0, len(payload)) + payload


def gzip_frame(payload: bytes) -> bytes:
    return grpc_frame(gzip.compress(payload), compressed=True)


def parse_grpc_frames(data: bytes) -> list[tuple[int, bytes]]:
    """Split a DATA byte stream into (flag, payload); raises ValueError if it is not whole."""
    out, i = [], 0
    while i < len(data):
        if len(data) - i < 5:
            raise ValueError(f"{len(data) - i} stray bytes after {len(out)} messages")
        flag, n = struct.unpack_from(">BI", data, i)
        if len(data) - i - 5 < n:
            raise ValueError(f"message {len(out)} says {n} bytes, {len(data) - i - 5} present")
        out.append((flag, bytes(data[i + 5:i + 5 + n])))
        i += 5 + n
    return out


def decode_message(flag: int, payload: bytes, encoding: str | None) -> bytes:
    """The message bytes, gunzipped when the compressed flag is set."""
    if flag & 1:
        assert encoding == "gzip", f"compressed flag set with grpc-encoding {encoding!r}"
        return gzip.decompress(payload)
    return payload


@dataclass
class Stream:
    id: int
    headers: list[tuple[str, str]] | None = None
    trailers: list[tuple[str, str]] | None = None
    data: bytearray = field(default_factory=bytearray)
    ended: bool = False
    reset_code: int | None = None
    trailers_only: bool = False      # first HEADERS carried END_STREAM
    data_frames: int = 0
    informational: list = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.ended or self.reset_code is not None

    def header(self, name: str) -> str | None:
        for k, v in self.headers or []:
            if k == name:
                return v
        return None

    def trailer(self, name: str) -> str | None:
        source = self.headers if self.trailers_only else self.trailers
        for k, v in source or []:
            if k == name:
                return v
        return None

    @property
    def http_status(self) -> int | None:
        s = self.header(":status")
        return int(s) if s is not None else None

    @property
    def grpc_status(self) -> int | None:
        s = self.trailer("grpc-status")
        return int(s) if s is not None else None

    def messages(self) -> list[tuple[int, bytes]]:
        return parse_grpc_frames(bytes(self.data))

    def payloads(self) -> list[bytes]:
        enc = self.header("grpc-encoding")
        return [decode_message(f, p, enc) for f, p in self.messages()]

    def summary(self) -> str:
        return (f"stream {self.id}: headers={self.headers} trailers={self.trailers} "
                f"trailers_only={self.trailers_only} data={len(self.data)}B "
                f"ended={self.ended} reset={self.reset_code}")


class H2Client:
    """One h2c connection to 127.0.0.1:port."""

    def __init__(self, port: int, timeout: float = 5.0, host: str = "127.0.0.1"):
        self.port = port
        self.host = host
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(
            client_side=True, header_encoding=None))
        self.streams: dict[int, Stream] = {}
        self.closed = False                 # peer closed the TCP connection (or reset it)
        self.goaway: h2.events.ConnectionTerminated | None = None
        self.goaway_at: float | None = None
        self.closed_at: float | None = None
        self.protocol_error: Exception | None = None
        self.pings: list[float] = []         # monotonic times of PINGs from the server
        self.settings_received = False
        self.mute = False                    # when True nothing more is sent (no ACKs)
        self.bytes_received = 0
        self._inbuf = bytearray()
        self.frames_after_close: list[int] = []   # frame types seen after GOAWAY / protocol error
        self.last_goaway: tuple[int, int] | None = None  # (last_stream_id, error_code)
        self.conn.initiate_connection()
        self.flush()

    # -- I/O ------------------------------------------------------------------
    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data and not self.mute and not self.closed:
            try:
                self.sock.sendall(data)
            except OSError:
                self._mark_closed()

    def _mark_closed(self) -> None:
        if not self.closed:
            self.closed = True
            self.closed_at = time.monotonic()

    @property
    def terminated(self) -> bool:
        """GOAWAY received, connection closed, or the peer broke the protocol."""
        return self.closed or self.goaway is not None or self.protocol_error is not None

    def pump(self, timeout: float) -> bool:
        """Read once (waiting at most timeout) and process events; False if nothing came."""
        if self.closed:
            return False
        r, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        if not r:
            return False
        try:
            data = self.sock.recv(1 << 16)
        except OSError:
            self._mark_closed()
            return True
        if not data:
            self._mark_closed()
            return True
        self.bytes_received += len(data)
        self._inbuf += data
        # Feed h2 one frame at a time: h2 treats a GOAWAY as the end of the connection and
        # raises on any later frame (a graceful server sends PINGs, DATA and a final GOAWAY
        # after its first GOAWAY), which would lose the events of the whole read.
        while len(self._inbuf) >= 9:
            size = 9 + int.from_bytes(self._inbuf[:3], "big")
            if len(self._inbuf) < size:
                break
            frame, self._inbuf = bytes(self._inbuf[:size]), self._inbuf[size:]
            self._frame(frame)
        self.flush()
        return True

    def _frame(self, frame: bytes) -> None:
        kind = frame[3]
        if self.goaway is not None or self.protocol_error is not None:
            self.frames_after_close.append(kind)
            if kind == 0x7:          # a later GOAWAY: keep the last one's fields
                self.last_goaway = (int.from_bytes(frame[9:13], "big") & 0x7FFFFFFF,
                                    int.from_bytes(frame[13:17], "big"))
            return
        try:
            events = self.conn.receive_data(frame)
        except h2.exceptions.ProtocolError as exc:
            self.protocol_error = exc
            return
        for ev in events:
            self._handle(ev)

    def _stream(self, sid: int) -> Stream:
        return self.streams.setdefault(sid, Stream(sid))

    @staticmethod
    def _decode(headers) -> list[tuple[str, str]]:
        return [(k.decode("latin-1") if isinstance(k, bytes) else k,
                 v.decode("latin-1") if isinstance(v, bytes) else v) for k, v in headers]

    def _handle(self, ev) -> None:
        if isinstance(ev, h2.events.ResponseReceived):
            s = self._stream(ev.stream_id)
            s.headers = self._decode(ev.headers)
            s.trailers_only = ev.stream_ended is not None
        elif isinstance(ev, h2.events.InformationalResponseReceived):
            self._stream(ev.stream_id).informational.append(self._decode(ev.headers))
        elif isinstance(ev, h2.events.TrailersReceived):
            self._stream(ev.stream_id).trailers = self._decode(ev.headers)
        elif isinstance(ev, h2.events.DataReceived):
            s = self._stream(ev.stream_id)
            s.data += ev.data
            s.data_frames += 1
            if ev.flow_controlled_length:
                try:
                    self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                    pass
        elif isinstance(ev, h2.events.StreamEnded):
            self._stream(ev.stream_id).ended = True
        elif isinstance(ev, h2.events.StreamReset):
            self._stream(ev.stream_id).reset_code = int(ev.error_code)
        elif isinstance(ev, h2.events.ConnectionTerminated):
            self.goaway = ev
            self.goaway_at = time.monotonic()
            self.last_goaway = (ev.last_stream_id, int(ev.error_code))
        elif isinstance(ev, h2.events.PingReceived):
            self.pings.append(time.monotonic())
        elif isinstance(ev, h2.events.RemoteSettingsChanged):
            self.settings_received = True

    def wait(self, predicate, timeout: float) -> bool:
        """Pump until predicate() is true; False if timeout passed (or the socket closed) first."""
        deadline = time.monotonic() + timeout
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                return predicate()
            self.pump(min(left, 0.25))
        return True

    def drain(self, seconds: float) -> None:
        """Keep reading for `seconds` (answering PINGs/SETTINGS) unless the socket closes."""
        deadline = time.monotonic() + seconds
        while not self.closed and time.monotonic() < deadline:
            self.pump(deadline - time.monotonic())

    def wait_settings(self, timeout: float = 5.0) -> dict[int, int]:
        """The server's SETTINGS (its first SETTINGS frame must arrive within timeout)."""
        if not self.wait(lambda: self.settings_received, timeout):
            raise AssertionError(f"no SETTINGS from the server within {timeout}s "
                                 f"(closed={self.closed}, goaway={self.goaway})")
        return {int(k): v for k, v in self.conn.remote_settings.items()}

    # -- requests -------------------------------------------------------------
    def grpc_headers(self, path: str, content_type: str = "application/grpc",
                     method: str = "POST", extra=()) -> list[tuple[str, str]]:
        hs = [(":method", method), (":scheme", "http"), (":path", path),
              (":authority", f"{self.host}:{self.port}")]
        if content_type is not None:
            hs.append(("content-type", content_type))
        hs.append(("te", "trailers"))
        hs.extend(extra)
        return hs

    def open(self, path: str, *, content_type: str = "application/grpc", method: str = "POST",
             extra=(), end_stream: bool = False, headers=None) -> Stream:
        """Send a request HEADERS frame; returns the Stream that collects the response."""
        sid = self.conn.get_next_available_stream_id()
        hs = headers if headers is not None else self.grpc_headers(path, content_type, method, extra)
        self.conn.send_headers(sid, hs, end_stream=end_stream)
        self.flush()
        return self._stream(sid)

    def send(self, stream: Stream, data: bytes, end_stream: bool = False,
             timeout: float = 10.0) -> None:
        """Send DATA honouring flow control (waits for WINDOW_UPDATE, bounded)."""
        deadline = time.monotonic() + timeout
        view = memoryview(data)
        while True:
            window = min(self.conn.local_flow_control_window(stream.id),
                         self.conn.max_outbound_frame_size)
            if len(view) and window <= 0:
                if time.monotonic() > deadline or self.terminated or stream.done:
                    raise AssertionError(f"flow-control window stayed shut ({stream.summary()})")
                self.pump(0.1)
                continue
            chunk, view = view[:window], view[window:]
            last = len(view) == 0
            self.conn.send_data(stream.id, bytes(chunk), end_stream=end_stream and last)
            self.flush()
            if last:
                return

    def send_message(self, stream: Stream, payload: bytes, compressed: bool = False,
                     end_stream: bool = False) -> None:
        frame = grpc_frame(gzip.compress(payload), True) if compressed else grpc_frame(payload)
        self.send(stream, frame, end_stream=end_stream)

    def end(self, stream: Stream) -> None:
        self.conn.end_stream(stream.id)
        self.flush()

    def reset(self, stream: Stream, code=h2.errors.ErrorCodes.CANCEL) -> None:
        self.conn.reset_stream(stream.id, error_code=code)
        self.flush()

    def wait_done(self, stream: Stream, timeout: float = 10.0) -> bool:
        return self.wait(lambda: stream.done or self.terminated, timeout)

    def unary(self, path: str, message: bytes, *, extra=(), compressed: bool = False,
              content_type: str = "application/grpc", timeout: float = 10.0) -> Stream:
        """A complete unary gRPC call; asserts it finished within timeout."""
        s = self.open(path, content_type=content_type, extra=extra)
        self.send_message(s, message, compressed=compressed, end_stream=True)
        assert self.wait_done(s, timeout), f"no response within {timeout}s: {s.summary()}"
        return s

    def close(self) -> None:
        try:
            if not self.closed and not self.mute and self.goaway is None:
                self.conn.close_connection()
                self.flush()
        except Exception:
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> "H2Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


SETTINGS_MAX_CONCURRENT_STREAMS = int(h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS)
SETTINGS_MAX_HEADER_LIST_SIZE = int(h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE)
