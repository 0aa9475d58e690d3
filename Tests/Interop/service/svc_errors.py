"""Reading and asserting Summit's errors (AIP-193): the grpc status, and the
google.rpc.Status in ``grpc-status-details-bin`` with its ErrorInfo and BadRequest."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import grpc

DOMAIN = "summit.v1"
DETAILS_KEY = "grpc-status-details-bin"
UPPER_SNAKE = re.compile(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*")

INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND
EXISTS = grpc.StatusCode.ALREADY_EXISTS
ABORTED = grpc.StatusCode.ABORTED
PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION


@dataclass
class Failure:
    """One error as the client saw it."""

    code: grpc.StatusCode
    message: str
    status: object | None = None                     # google.rpc.Status
    infos: list = field(default_factory=list)        # google.rpc.ErrorInfo
    bad_requests: list = field(default_factory=list)  # google.rpc.BadRequest

    @property
    def info(self):
        return self.infos[0] if self.infos else None

    @property
    def fields(self) -> list[str]:
        return [v.field for br in self.bad_requests for v in br.field_violations]

    def describe(self) -> str:
        reason = self.info.reason if self.info else None
        return (f"{self.code.name} {self.message!r} reason={reason} fields={self.fields}")


def rpc_error(fn, *args, **kwargs) -> grpc.RpcError:
    """Call fn (a stream result is drained) and return the RpcError it raises."""
    try:
        result = fn(*args, **kwargs)
        if hasattr(result, "__iter__") and not hasattr(result, "ListFields"):
            result = list(result)
    except grpc.RpcError as err:
        return err
    raise AssertionError(f"expected the call to fail; it returned {result!r}")


def unpack_status(pb, status, code: grpc.StatusCode | None = None, message: str | None = None):
    """A Failure from a google.rpc.Status (e.g. an ImportFailure's)."""
    code = code or _code_of(status.code)
    f = Failure(code=code, message=status.message if message is None else message, status=status)
    ed = pb.error_details
    for any_ in status.details:
        if any_.Is(ed.ErrorInfo.DESCRIPTOR):
            m = ed.ErrorInfo()
            any_.Unpack(m)
            f.infos.append(m)
        elif any_.Is(ed.BadRequest.DESCRIPTOR):
            m = ed.BadRequest()
            any_.Unpack(m)
            f.bad_requests.append(m)
    return f


def decode(pb, err: grpc.RpcError) -> Failure:
    """The Failure of an RpcError, its details decoded from trailing metadata."""
    raw = None
    for key, value in (err.trailing_metadata() or ()):
        if key == DETAILS_KEY:
            raw = value
    if raw is None:
        return Failure(code=err.code(), message=err.details() or "")
    status = pb.status.Status.FromString(raw)
    return unpack_status(pb, status, code=err.code(), message=err.details() or "")


def _code_of(number: int) -> grpc.StatusCode:
    for c in grpc.StatusCode:
        if c.value[0] == number:
            return c
    raise AssertionError(f"unknown status code {number}")


def check(f: Failure, code: grpc.StatusCode, reason: str | None = None, *,
          field: str | None = None, field_prefix: str | None = None,
          in_message: str | None = None) -> Failure:
    """Assert the shape AIP-193 and docs/api-semantics.md promise:

    * the grpc status code is ``code``;
    * a google.rpc.Status with the same code and message is attached;
    * it holds exactly one ErrorInfo, domain ``summit.v1``, an UPPER_SNAKE reason
      (``reason`` when given);
    * ``field``: a BadRequest violation names exactly that path; ``field_prefix``: one
      names a path starting with it (``allegation.accusers`` for
      ``allegation.accusers[0].country``); every violation has a description;
    * ``in_message``: the message contains that text (e.g. the resource name).
    """
    what = f.describe()
    assert f.code == code, f"expected {code.name}, got {what}"
    assert f.status is not None, f"no {DETAILS_KEY} trailer on {what}"
    assert f.status.code == code.value[0], f"Status.code {f.status.code} on {what}"
    assert f.status.message == f.message, (
        f"Status.message {f.status.message!r} differs from grpc-message {f.message!r}")
    assert len(f.infos) == 1, f"{len(f.infos)} ErrorInfo on {what}"
    assert f.info.domain == DOMAIN, f"ErrorInfo.domain {f.info.domain!r} on {what}"
    assert UPPER_SNAKE.fullmatch(f.info.reason), f"reason {f.info.reason!r} is not UPPER_SNAKE"
    if reason is not None:
        assert f.info.reason == reason, f"expected reason {reason}, got {what}"
    if field is not None or field_prefix is not None:
        assert f.bad_requests, f"no BadRequest on {what}"
        for br in f.bad_requests:
            for v in br.field_violations:
                assert v.description, f"violation of {v.field!r} without a description"
    if field is not None:
        assert field in f.fields, f"expected a violation of {field!r}, got {what}"
    if field_prefix is not None:
        assert any(p == field_prefix or p.startswith(field_prefix + ".")
                   or p.startswith(field_prefix + "[") for p in f.fields), (
            f"expected a violation under {field_prefix!r}, got {what}")
    if in_message is not None:
        assert in_message in f.message, f"{in_message!r} not in the message of {what}"
    return f


def expect(pb, fn, request, code: grpc.StatusCode, reason: str | None = None, **kw) -> Failure:
    """Call ``fn(request)``, expect it to fail, and :func:`check` the failure."""
    return check(decode(pb, rpc_error(fn, request)), code, reason, **kw)


def invalid(pb, fn, request, field: str | None = None, **kw) -> Failure:
    """INVALID_ARGUMENT / INVALID_FIELD naming ``field`` (exact path)."""
    return expect(pb, fn, request, INVALID, "INVALID_FIELD", field=field, **kw)


def not_found(pb, fn, request, name: str) -> Failure:
    """NOT_FOUND / RESOURCE_NOT_FOUND whose message contains ``name``."""
    return expect(pb, fn, request, NOT_FOUND, "RESOURCE_NOT_FOUND", in_message=name)
