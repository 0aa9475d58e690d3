"""A server-reflection client: a protobuf DescriptorDatabase fed by a live
server's ServerReflectionInfo stream, v1 or v1alpha.

It does what grpcio-reflection's ProtoReflectionDescriptorDatabase does (one
long-lived bidi stream; file_containing_symbol / file_by_filename /
file_containing_extension / all_extension_numbers_of_type / list_services;
every returned FileDescriptorProto added to the database), but is built on
the reflection modules compiled from Protos/, because installing
grpcio-reflection hides those modules (see requirements-extra.txt).

    db = ReflectionDatabase(channel, pb.refl_v1alpha)
    pool = descriptor_pool.DescriptorPool(db)
    svc = pool.FindServiceByName("grpc.health.v1.Health")
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor_database import DescriptorDatabase

from summit_checks import T, Requests

NOT_FOUND = 5


class ReflectionError(KeyError):
    def __init__(self, request: str, code: int, message: str):
        super().__init__(f"{request}: error {code} {message!r}")
        self.code = code
        self.message = message


class ReflectionDatabase(DescriptorDatabase):
    def __init__(self, channel, refl_pb2, timeout: float = T):
        super().__init__()
        package = refl_pb2.DESCRIPTOR.package          # grpc.reflection.v1 / v1alpha
        self._pb2 = refl_pb2
        self._requests = Requests(idle_timeout=timeout)
        call = channel.stream_stream(
            f"/{package}.ServerReflection/ServerReflectionInfo",
            request_serializer=refl_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=refl_pb2.ServerReflectionResponse.FromString)
        self._responses = call(self._requests, timeout=timeout * 3)
        self._added: set[str] = set()
        self.requests_sent = 0

    # -- the stream -----------------------------------------------------------
    def ask(self, **request):
        """Send one ServerReflectionRequest on the stream; return its response."""
        self._requests.put(self._pb2.ServerReflectionRequest(**request))
        self.requests_sent += 1
        return next(self._responses)

    def close(self) -> None:
        self._requests.close()
        self._responses.cancel()

    def _files(self, what: str, **request):
        resp = self.ask(**request)
        kind = resp.WhichOneof("message_response")
        if kind == "error_response":
            raise ReflectionError(what, resp.error_response.error_code,
                                  resp.error_response.error_message)
        assert kind == "file_descriptor_response", f"{what}: unexpected {kind}"
        protos = [descriptor_pb2.FileDescriptorProto.FromString(b)
                  for b in resp.file_descriptor_response.file_descriptor_proto]
        assert protos, f"{what}: empty file_descriptor_response"
        for fdp in protos:
            if fdp.name not in self._added:
                self._added.add(fdp.name)
                self.Add(fdp)
        return protos

    # -- DescriptorDatabase ---------------------------------------------------
    def get_services(self) -> list[str]:
        resp = self.ask(list_services="")
        assert resp.WhichOneof("message_response") == "list_services_response", resp
        return [s.name for s in resp.list_services_response.service]

    def FindFileByName(self, name):
        try:
            return super().FindFileByName(name)
        except KeyError:
            pass
        self._files(f"file_by_filename {name}", file_by_filename=name)
        return super().FindFileByName(name)

    def FindFileContainingSymbol(self, symbol):
        try:
            return super().FindFileContainingSymbol(symbol)
        except KeyError:
            pass
        self._files(f"file_containing_symbol {symbol}", file_containing_symbol=symbol)
        return super().FindFileContainingSymbol(symbol)

    def FindFileContainingExtension(self, extendee_name, extension_number):
        ext = self._pb2.ExtensionRequest(containing_type=extendee_name,
                                         extension_number=extension_number)
        self._files(f"file_containing_extension {extendee_name}({extension_number})",
                    file_containing_extension=ext)
        return super().FindFileContainingExtension(extendee_name, extension_number)

    def FindAllExtensionNumbers(self, extendee_name):
        resp = self.ask(all_extension_numbers_of_type=extendee_name)
        if resp.WhichOneof("message_response") == "error_response":
            raise ReflectionError(f"all_extension_numbers_of_type {extendee_name}",
                                  resp.error_response.error_code,
                                  resp.error_response.error_message)
        return list(resp.all_extension_numbers_response.extension_number)
