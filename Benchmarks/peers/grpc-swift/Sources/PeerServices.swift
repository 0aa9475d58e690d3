import GRPCCore
import GRPCProtobuf
import SwiftProtobufSummit

/// grpc.health.v1.Health/Check and summit.v1.LeaderService/GetLeader, registered
/// by hand on grpc-swift-2's router with swift-protobuf messages (what
/// protoc-gen-grpc-swift-2 would generate for these two methods, minus the rest
/// of the services).
struct PeerServices: RegistrableRPCService {
  /// The one leader served; GetLeader for any other name is NOT_FOUND.
  let leader: Summit_V1_Leader

  func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
    router.registerHandler(
      forMethod: MethodDescriptor(fullyQualifiedService: "grpc.health.v1.Health", method: "Check"),
      deserializer: ProtobufDeserializer<Grpc_Health_V1_HealthCheckRequest>(),
      serializer: ProtobufSerializer<Grpc_Health_V1_HealthCheckResponse>()
    ) { request, context in
      let single = try await ServerRequest(stream: request)
      return StreamingServerResponse(single: Self.check(single))
    }
    let leader = self.leader
    router.registerHandler(
      forMethod: MethodDescriptor(fullyQualifiedService: "summit.v1.LeaderService", method: "GetLeader"),
      deserializer: ProtobufDeserializer<Summit_V1_GetLeaderRequest>(),
      serializer: ProtobufSerializer<Summit_V1_Leader>()
    ) { request, context in
      let single = try await ServerRequest(stream: request)
      return StreamingServerResponse(single: Self.getLeader(single, leader: leader))
    }
  }

  static func check(_ request: ServerRequest<Grpc_Health_V1_HealthCheckRequest>)
    -> ServerResponse<Grpc_Health_V1_HealthCheckResponse>
  {
    guard request.message.service.isEmpty else {
      return ServerResponse(error: RPCError(code: .notFound, message: "unknown service"))
    }
    var response = Grpc_Health_V1_HealthCheckResponse()
    response.status = .serving
    return ServerResponse(message: response)
  }

  static func getLeader(_ request: ServerRequest<Summit_V1_GetLeaderRequest>, leader: Summit_V1_Leader)
    -> ServerResponse<Summit_V1_Leader>
  {
    guard request.message.name == leader.name else {
      return ServerResponse(error: RPCError(code: .notFound, message: "no leader \(request.message.name)"))
    }
    return ServerResponse(message: leader)
  }
}
