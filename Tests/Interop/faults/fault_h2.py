"""Raw HTTP/2 clients for fault tests, on ../transport/raw_h2.H2Client.

H2Client waits with select.select, which cannot watch a descriptor above 1023; with
thousands of sockets open the descriptors go higher, so ``Client`` waits with poll().
``Many`` drives a set of clients from one epoll selector. ``abort`` closes a socket
abruptly (RST, no GOAWAY); ``drop`` closes it with a plain FIN and no GOAWAY.
"""

from __future__ import annotations

import select
import selectors
import socket
import struct
import time

import fault_pb  # noqa: F401  (puts ../transport on sys.path)
from raw_h2 import H2Client, Stream, grpc_frame  # noqa: F401


class Client(H2Client):
    """H2Client whose waits work for any descriptor number."""

    def pump(self, timeout: float) -> bool:
        if self.closed:
            return False
        p = select.poll()
        p.register(self.sock, select.POLLIN | select.POLLERR | select.POLLHUP)
        if not p.poll(max(0.0, timeout) * 1000):
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
        while len(self._inbuf) >= 9:        # one frame at a time, as H2Client does
            size = 9 + int.from_bytes(self._inbuf[:3], "big")
            if len(self._inbuf) < size:
                break
            frame, self._inbuf = bytes(self._inbuf[:size]), self._inbuf[size:]
            self._frame(frame)
        self.flush()
        return True

    def start_unary(self, path: str, message: bytes) -> Stream:
        """Send a whole unary request (HEADERS, one message, END_STREAM); do not wait."""
        s = self.open(path)
        self.send_message(s, message, end_stream=True)
        return s


def abort(client: H2Client) -> None:
    """Close with SO_LINGER 0: the kernel sends RST, no GOAWAY, no FIN."""
    client.mute = True
    try:
        client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    client.sock.close()


def drop(client: H2Client) -> None:
    """Close the socket without a GOAWAY (plain FIN)."""
    client.mute = True
    client.sock.close()


class Many:
    """Clients read together from one epoll selector."""

    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.clients: list[Client] = []

    def add(self, client: Client) -> None:
        self.clients.append(client)
        self.sel.register(client.sock, selectors.EVENT_READ, client)

    def pump(self, timeout: float) -> int:
        """Serve every readable client once; the number served."""
        n = 0
        for key, _ in self.sel.select(timeout):
            c: Client = key.data
            c.pump(0)
            n += 1
            if c.closed:
                self._forget(c)
        return n

    def wait(self, predicate, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                return predicate()
            self.pump(min(left, 0.2))
        return True

    def _forget(self, c: Client) -> None:
        try:
            self.sel.unregister(c.sock)
        except (KeyError, ValueError, OSError):
            pass

    def close_all(self) -> None:
        for c in self.clients:
            self._forget(c)
            c.close()
        self.sel.close()
