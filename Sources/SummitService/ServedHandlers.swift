import SummitAPI
import SummitCodec
public import SummitRPC

extension [RPCHandler] {
  /// These handlers with `method`'s answered by `body`, which returns the
  /// response already encoded (built from stored bytes, `EncodedPages`).
  func replacing<Input: ProtoMessage>(
    _ method: ProtoMethodDescriptor, encodedBy body: @escaping @Sendable (Input, ServerContext) async throws -> [UInt8]
  ) -> [RPCHandler] {
    map { $0.method == method ? .unaryEncoded(method, body) : $0 }
  }
}

extension LeaderServiceImpl {
  /// The handlers `summitd` serves: the generated ones, with `GetLeader`
  /// answered from the stored bytes rather than a decoded message.
  public var servedHandlers: [RPCHandler] {
    rpcHandlers.replacing(Summit_V1_LeaderService.Method.GetLeader.descriptor) { (request: Summit_V1_GetLeaderRequest, _) in
      try await leaders.getEncoded(request.name)
    }
  }
}

extension VisitServiceImpl {
  /// The handlers `summitd` serves: the generated ones, with `GetVisit` and
  /// `ListVisits` answered from the stored bytes rather than decoded messages.
  public var servedHandlers: [RPCHandler] {
    rpcHandlers
      .replacing(Summit_V1_VisitService.Method.GetVisit.descriptor) { (request: Summit_V1_GetVisitRequest, _) in
        try await visits.getEncoded(request.name)
      }
      .replacing(Summit_V1_VisitService.Method.ListVisits.descriptor) { (request: Summit_V1_ListVisitsRequest, _) in
        try await listVisitsEncoded(request: request)
      }
  }
}

extension AllegationServiceImpl {
  /// The handlers `summitd` serves: the generated ones, with `GetAllegation`
  /// answered from the stored bytes rather than a decoded message.
  public var servedHandlers: [RPCHandler] {
    rpcHandlers.replacing(Summit_V1_AllegationService.Method.GetAllegation.descriptor) {
      (request: Summit_V1_GetAllegationRequest, _) in
      try await allegations.getEncoded(request.name)
    }
  }
}
