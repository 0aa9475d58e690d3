import SummitAPI
import SummitCodec
public import SummitRPC
import SummitStore

extension [RPCHandler] {
  /// These handlers with `method`'s answered by `handler`.
  func replacing(_ method: ProtoMethodDescriptor, with handler: RPCHandler) -> [RPCHandler] {
    map { $0.method == method ? handler : $0 }
  }

  /// These handlers with the Get method `method` answered from the stored
  /// bytes (`EncodedPages`): at once (``RPCHandler/immediate``) when the
  /// store's point reads are immediate, else as an async handler.
  func servingGet<Input: ProtoMessage, Resource>(
    _ method: ProtoMethodDescriptor, from operations: ResourceOperations<Resource>,
    name: @escaping @Sendable (Input) -> String
  ) -> [RPCHandler] {
    guard let reads = operations.store as? any ImmediateReads else {
      return replacing(method, with: .unaryEncoded(method) { (request: Input, _) in try await operations.getEncoded(name(request)) })
    }
    return replacing(
      method, with: .unaryImmediate(method) { (request: Input, _) in try operations.getEncodedImmediately(name(request), reads: reads) })
  }
}

extension LeaderServiceImpl {
  /// The handlers `summitd` serves: the generated ones, with `GetLeader`
  /// answered from the stored bytes rather than a decoded message.
  public var servedHandlers: [RPCHandler] {
    rpcHandlers.servingGet(Summit_V1_LeaderService.Method.GetLeader.descriptor, from: leaders) {
      (request: Summit_V1_GetLeaderRequest) in request.name
    }
  }
}

extension VisitServiceImpl {
  /// The handlers `summitd` serves: the generated ones, with `GetVisit` and
  /// `ListVisits` answered from the stored bytes rather than decoded messages.
  public var servedHandlers: [RPCHandler] {
    rpcHandlers
      .servingGet(Summit_V1_VisitService.Method.GetVisit.descriptor, from: visits) { (request: Summit_V1_GetVisitRequest) in
        request.name
      }
      .replacing(
        Summit_V1_VisitService.Method.ListVisits.descriptor,
        with: .unaryEncoded(Summit_V1_VisitService.Method.ListVisits.descriptor) { (request: Summit_V1_ListVisitsRequest, _) in
          try await listVisitsEncoded(request: request)
        })
  }
}

extension AllegationServiceImpl {
  /// The handlers `summitd` serves: the generated ones, with `GetAllegation`
  /// answered from the stored bytes rather than a decoded message.
  public var servedHandlers: [RPCHandler] {
    rpcHandlers.servingGet(Summit_V1_AllegationService.Method.GetAllegation.descriptor, from: allegations) {
      (request: Summit_V1_GetAllegationRequest) in request.name
    }
  }
}
