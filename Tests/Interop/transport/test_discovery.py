"""summitd's grpc.health.v1.Health and server reflection (v1 and v1alpha):
a client that knows only the address can find the services, build their
message types from the server's descriptors, and call them.
"""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from reflection_client import NOT_FOUND, ReflectionDatabase, ReflectionError
from summit_checks import T, assert_code, rpc_error

REQUIRED_SERVICES = {"grpc.health.v1.Health", "summit.v1.LeaderService"}
REFLECTION_SERVICES = {"grpc.reflection.v1.ServerReflection",
                       "grpc.reflection.v1alpha.ServerReflection"}


@pytest.fixture(params=["v1", "v1alpha"])
def reflection(request, pb, summitd_channel):
    """A ReflectionDatabase on one ServerReflectionInfo stream, v1 or v1alpha."""
    module = pb.refl_v1 if request.param == "v1" else pb.refl_v1alpha
    db = ReflectionDatabase(summitd_channel, module)
    yield db
    db.close()


# -- health ---------------------------------------------------------------------
def test_health_check_overall(pb, health_stub):
    """Check("") is SERVING."""
    resp = health_stub.Check(pb.health.HealthCheckRequest(service=""), timeout=T)
    assert resp.status == pb.health.HealthCheckResponse.SERVING


def test_health_check_each_registered_service(pb, health_stub, summitd_channel):
    """Every service that reflection lists reports SERVING by name."""
    db = ReflectionDatabase(summitd_channel, pb.refl_v1)
    try:
        services = db.get_services()
    finally:
        db.close()
    assert REQUIRED_SERVICES <= set(services), services
    for name in services:
        resp = health_stub.Check(pb.health.HealthCheckRequest(service=name), timeout=T)
        assert resp.status == pb.health.HealthCheckResponse.SERVING, name


def test_health_check_unknown_service(pb, health_stub):
    """Check of an unknown service name is the NOT_FOUND status."""
    err = rpc_error(health_stub.Check, pb.health.HealthCheckRequest(service="nope.Nope"),
                    timeout=T)
    assert_code(err, grpc.StatusCode.NOT_FOUND)


@pytest.mark.parametrize("service,expected", [("", "SERVING"),
                                              ("grpc.health.v1.Health", "SERVING"),
                                              ("nope.Nope", "SERVICE_UNKNOWN")])
def test_health_watch_first_response(pb, health_stub, service, expected):
    """Watch sends the current status at once (SERVING, or SERVICE_UNKNOWN for an unknown
    name) and keeps the stream open."""
    call = health_stub.Watch(pb.health.HealthCheckRequest(service=service), timeout=T)
    try:
        first = next(call)
        assert pb.health.HealthCheckResponse.ServingStatus.Name(first.status) == expected
        assert call.is_active(), "Watch ended after its first response"
    finally:
        call.cancel()


# -- reflection ---------------------------------------------------------------
def test_list_services(reflection):
    """list_services names the health, reflection and summit.v1 services."""
    services = set(reflection.get_services())
    assert REQUIRED_SERVICES <= services, services
    assert REFLECTION_SERVICES & services, services


def test_discover_and_call_health_check(reflection, summitd_channel):
    """From the address alone: resolve grpc.health.v1.Health through reflection, build
    HealthCheckRequest/Response classes from the received descriptors and call Check
    with a generic unary_unary."""
    pool = descriptor_pool.DescriptorPool(reflection)
    svc = pool.FindServiceByName("grpc.health.v1.Health")
    assert {"Check", "Watch"} <= {m.name for m in svc.methods}
    method = svc.FindMethodByName("Check")
    assert method.input_type.full_name == "grpc.health.v1.HealthCheckRequest"
    request_cls = message_factory.GetMessageClass(method.input_type)
    response_cls = message_factory.GetMessageClass(method.output_type)
    call = summitd_channel.unary_unary(
        f"/{svc.full_name}/{method.name}",
        request_serializer=request_cls.SerializeToString,
        response_deserializer=response_cls.FromString)
    resp = call(request_cls(service=""), timeout=T)
    status_enum = method.output_type.fields_by_name["status"].enum_type
    assert status_enum.values_by_number[resp.status].name == "SERVING"


def test_discover_summit_leader_service(reflection, summitd_channel):
    """summit.v1.LeaderService resolves with all its imports (well-known types, google.rpc,
    google.type); a call built from the discovered types gets a gRPC status."""
    pool = descriptor_pool.DescriptorPool(reflection)
    svc = pool.FindServiceByName("summit.v1.LeaderService")
    assert "GetLeader" in {m.name for m in svc.methods}
    method = svc.FindMethodByName("GetLeader")
    request_cls = message_factory.GetMessageClass(method.input_type)
    response_cls = message_factory.GetMessageClass(method.output_type)
    call = summitd_channel.unary_unary(
        f"/{svc.full_name}/{method.name}",
        request_serializer=request_cls.SerializeToString,
        response_deserializer=response_cls.FromString)
    try:
        call(request_cls(), timeout=T)
    except grpc.RpcError as err:
        assert err.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.INTERNAL,
                                  grpc.StatusCode.UNKNOWN), err


def test_file_by_filename_round_trip(reflection):
    """The file that file_containing_symbol returns for grpc.health.v1.Health is also served
    by file_by_filename under its own name."""
    name = reflection.FindFileContainingSymbol("grpc.health.v1.Health").name
    resp = reflection.ask(file_by_filename=name)
    assert resp.WhichOneof("message_response") == "file_descriptor_response", resp
    names = [descriptor_pb2.FileDescriptorProto.FromString(b).name
             for b in resp.file_descriptor_response.file_descriptor_proto]
    assert names[0] == name, names


@pytest.mark.parametrize("request_kind", ["unknown_symbol", "unknown_file", "extension"])
def test_reflection_not_found(reflection, request_kind):
    """Unknown symbol, unknown file and file_containing_extension give an error_response with
    NOT_FOUND, and the stream stays usable for the next request."""
    with pytest.raises(ReflectionError) as info:
        if request_kind == "unknown_symbol":
            reflection.FindFileContainingSymbol("no.such.Symbol")
        elif request_kind == "unknown_file":
            reflection.FindFileByName("no/such/file.proto")
        else:
            reflection.FindFileContainingExtension("grpc.health.v1.HealthCheckRequest", 100)
    assert info.value.code == NOT_FOUND, info.value
    assert "grpc.health.v1.Health" in reflection.get_services()
