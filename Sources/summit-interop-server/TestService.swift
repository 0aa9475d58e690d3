import SummitCodec
import SummitRPC

/// gRPC's interop `TestService`, as gRPC's interop-test descriptions define
/// the server side: payloads of the requested sizes, echoed status codes,
/// echoed metadata, and compression on request.
enum TestService {
  typealias Method = Grpc_Testing_TestService.Method

  static var handlers: [RPCHandler] {
    [
      .unary(Method.EmptyCall.descriptor) { (_: Grpc_Testing_Empty, _) in Grpc_Testing_Empty() },
      RPCHandler(method: Method.UnaryCall.descriptor, run: unaryCall),
      RPCHandler(method: Method.CacheableUnaryCall.descriptor, run: unaryCall),
      .serverStreaming(Method.StreamingOutputCall.descriptor) { (request: Grpc_Testing_StreamingOutputCallRequest, responses, context) in
        try await respond(to: request, responses: responses, context: context)
      },
      RPCHandler(method: Method.StreamingInputCall.descriptor, run: streamingInputCall),
      .bidirectionalStreaming(Method.FullDuplexCall.descriptor) {
        (requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>, responses, context) in
        for try await request in requests {
          try await respond(to: request, responses: responses, context: context)
        }
      },
      .bidirectionalStreaming(Method.HalfDuplexCall.descriptor) {
        (requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>, responses, context) in
        var all: [Grpc_Testing_StreamingOutputCallRequest] = []
        for try await request in requests { all.append(request) }
        for request in all { try await respond(to: request, responses: responses, context: context) }
      },
      .unary(Method.UnimplementedCall.descriptor) { (_: Grpc_Testing_Empty, _) -> Grpc_Testing_Empty in
        throw RPCError(.unimplemented, "UnimplementedCall is not implemented, by design")
      },
    ]
  }

  /// Echoes `x-grpc-test-echo-initial` into the response headers and
  /// `x-grpc-test-echo-trailing-bin` into the trailers, for every method.
  static func echoingMetadata(_ handler: RPCHandler) -> RPCHandler {
    RPCHandler(method: handler.method) { streams, context in
      var initial = context.initialMetadata
      for value in context.requestMetadata["x-grpc-test-echo-initial"] { initial.add("x-grpc-test-echo-initial", value) }
      context.initialMetadata = initial
      var trailing = context.trailingMetadata
      for value in context.requestMetadata[binary: "x-grpc-test-echo-trailing-bin"] {
        trailing.add("x-grpc-test-echo-trailing-bin", bytes: value)
      }
      context.trailingMetadata = trailing
      try await handler.run(streams, context)
    }
  }

  /// UnaryCall sees the raw message, to check `expect_compressed`.
  @Sendable static func unaryCall(streams: any ServerCallStreams, context: ServerContext) async throws {
    guard let received = try await streams.nextRequest() else {
      throw RPCError(.internalError, "expected one request message")
    }
    let request = try decode(Grpc_Testing_SimpleRequest.self, received)
    if request.expectCompressed?.value == true && !received.wasCompressed {
      throw RPCError(.invalidArgument, "expected a compressed request")
    }
    try throwIfAsked(request.responseStatus)
    if let compressed = request.responseCompressed { context.compressResponses = compressed.value }
    let response = Grpc_Testing_SimpleResponse.with { $0.payload = payload(size: request.responseSize) }
    try await streams.sendResponse(response.serializedBytes())
  }

  @Sendable static func streamingInputCall(streams: any ServerCallStreams, context: ServerContext) async throws {
    var total: Int32 = 0
    while let received = try await streams.nextRequest() {
      let request = try decode(Grpc_Testing_StreamingInputCallRequest.self, received)
      if request.expectCompressed?.value == true && !received.wasCompressed {
        throw RPCError(.invalidArgument, "expected a compressed request")
      }
      total += Int32(request.payload?.body.count ?? 0)
    }
    let response = Grpc_Testing_StreamingInputCallResponse.with { $0.aggregatedPayloadSize = total }
    try await streams.sendResponse(response.serializedBytes())
  }

  /// Sends one response per `response_parameters`, after each one's interval.
  static func respond(
    to request: Grpc_Testing_StreamingOutputCallRequest,
    responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>, context: ServerContext
  ) async throws {
    try throwIfAsked(request.responseStatus)
    for parameters in request.responseParameters {
      if parameters.intervalUs > 0 { try await Task.sleep(for: .microseconds(Int64(parameters.intervalUs))) }
      context.compressResponses = parameters.compressed?.value ?? true
      try await responses.write(.with { $0.payload = payload(size: parameters.size) })
    }
  }

  static func throwIfAsked(_ status: Grpc_Testing_EchoStatus?) throws {
    guard let status, status.code != 0 else { return }
    throw RPCError(StatusCode(rawValue: Int(status.code)), status.message)
  }

  static func payload(size: Int32) -> Grpc_Testing_Payload {
    .with {
      $0.type = .compressable
      $0.body = [UInt8](repeating: 0, count: Int(max(0, size)))
    }
  }

  static func decode<M: ProtoMessage>(_: M.Type, _ received: ReceivedMessage) throws -> M {
    do {
      return try M(serializedBytes: received.bytes)
    } catch {
      throw RPCError(.internalError, "request is not a valid \(M.protoMessageName): \(error.message)")
    }
  }
}
