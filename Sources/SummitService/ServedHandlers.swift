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
      .replacing(Summit_V1_VisitService.Method.ListVisits.descriptor, with: listVisitsHandler)
  }

  /// `ListVisits` from stored bytes; on the embedded store, short pages are
  /// answered at once (``RPCHandler/immediate``) and the rest on a task.
  private var listVisitsHandler: RPCHandler {
    let method = Summit_V1_VisitService.Method.ListVisits.descriptor
    let body: @Sendable (Summit_V1_ListVisitsRequest, ServerContext) async throws -> [UInt8] = { request, _ in
      try await listVisitsEncoded(request: request)
    }
    guard let reads = store as? any ImmediateReads else { return .unaryEncoded(method, body) }
    return .unaryMostlyImmediate(
      method, immediate: { (request: Summit_V1_ListVisitsRequest, _) in try listVisitsEncodedImmediately(request: request, reads: reads) },
      body)
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
