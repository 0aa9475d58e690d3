"""Stubs of the three Summit services (and Health) over one channel, each call with a
deadline unless the caller passes its own ``timeout=``."""

from __future__ import annotations

import grpc

from svc_pb import TRANSPORT_DIR  # noqa: F401  (puts ../transport on sys.path)
from summit_checks import channel

T = 10.0            # default deadline of one unary call
STREAM_T = 120.0    # default deadline of a streaming call (tests cancel them earlier)


class _WithDeadline:
    """Proxy over a generated stub: every method gets ``timeout=`` unless given."""

    def __init__(self, stub, unary: float, streaming: set[str], stream_timeout: float):
        self._stub = stub
        self._unary = unary
        self._streaming = streaming
        self._stream_timeout = stream_timeout

    def __getattr__(self, name: str):
        method = getattr(self._stub, name)
        timeout = self._stream_timeout if name in self._streaming else self._unary

        def call(*args, **kwargs):
            kwargs.setdefault("timeout", timeout)
            return method(*args, **kwargs)

        def with_call(*args, **kwargs):
            kwargs.setdefault("timeout", timeout)
            return method.with_call(*args, **kwargs)

        call.with_call = with_call
        call.__name__ = name
        return call


class Api:
    """``api.leaders``, ``api.visits``, ``api.allegations``, ``api.health`` on one
    connection of its own; ``api.pb`` is the generated-modules namespace."""

    def __init__(self, pb, address: str, timeout: float = T):
        self.pb = pb
        self.address = address
        self.channel: grpc.Channel = channel(address)
        self.leaders = _WithDeadline(pb.leader_grpc.LeaderServiceStub(self.channel), timeout,
                                     {"ResolveLeaders"}, STREAM_T)
        self.visits = _WithDeadline(pb.visit_grpc.VisitServiceStub(self.channel), timeout,
                                    {"WatchVisits", "ImportVisits"}, STREAM_T)
        self.allegations = _WithDeadline(
            pb.allegation_grpc.AllegationServiceStub(self.channel), timeout,
            {"WatchAllegations"}, STREAM_T)
        self.health = _WithDeadline(pb.health_grpc.HealthStub(self.channel), timeout, set(), T)

    def serving(self) -> bool:
        resp = self.health.Check(self.pb.health.HealthCheckRequest(service=""))
        return resp.status == self.pb.health.HealthCheckResponse.SERVING

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> "Api":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
