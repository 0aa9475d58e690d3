public import SummitCodec

/// Typed calls over a ``ClientTransport``: what generated client stubs use.
public enum ClientCalls {
  public static func unary<Input: ProtoMessage, Output: ProtoMessage>(
    _ transport: any ClientTransport, _ method: ProtoMethodDescriptor, _ request: Input, options: CallOptions
  ) async throws -> Output {
    let call = try await transport.makeCall(method, options: options)
    return try await withTaskCancellationHandler {
      try await call.send(request.serializedBytes())
      try await call.closeSend()
      return try await single(call)
    } onCancel: {
      call.cancel()
    }
  }

  public static func serverStreaming<Input: ProtoMessage, Output: ProtoMessage>(
    _ transport: any ClientTransport, _ method: ProtoMethodDescriptor, _ request: Input, options: CallOptions
  ) -> ResponseStream<Output> {
    ResponseStream { () async throws -> any ClientCall in
      let call = try await transport.makeCall(method, options: options)
      try await call.send(request.serializedBytes())
      try await call.closeSend()
      return call
    }
  }

  public static func clientStreaming<Input: ProtoMessage, Output: ProtoMessage>(
    _ transport: any ClientTransport, _ method: ProtoMethodDescriptor, options: CallOptions,
    _ body: (RequestWriter<Input>) async throws -> Void
  ) async throws -> Output {
    let call = try await transport.makeCall(method, options: options)
    return try await withTaskCancellationHandler {
      try await body(RequestWriter(call: call))
      try await call.closeSend()
      return try await single(call)
    } onCancel: {
      call.cancel()
    }
  }

  /// A bidirectional call: `body` writes requests and reads responses, at
  /// once if it likes; the request side closes when `body` returns.
  public static func bidirectionalStreaming<Input: ProtoMessage, Output: ProtoMessage, Result: Sendable>(
    _ transport: any ClientTransport, _ method: ProtoMethodDescriptor, options: CallOptions,
    _ body: (RequestWriter<Input>, ResponseStream<Output>) async throws -> Result
  ) async throws -> Result {
    let call = try await transport.makeCall(method, options: options)
    return try await withTaskCancellationHandler {
      let result = try await body(RequestWriter(call: call), ResponseStream(call: call))
      try await call.closeSend()
      return result
    } onCancel: {
      call.cancel()
    }
  }

  static func single<Output: ProtoMessage>(_ call: any ClientCall) async throws -> Output {
    guard let bytes = try await call.receive() else {
      throw RPCError(.internalError, "the server ended the call without a response message")
    }
    let output = try decode(Output.self, bytes)
    guard try await call.receive() == nil else {
      throw RPCError(.internalError, "the server sent more than one response message")
    }
    return output
  }

  static func decode<M: ProtoMessage>(_: M.Type, _ bytes: [UInt8]) throws -> M {
    do {
      return try M(serializedBytes: bytes)
    } catch {
      throw RPCError(.internalError, "response is not a valid \(M.protoMessageName): \(error.message)")
    }
  }
}

/// Writes request messages of a streaming call.
public struct RequestWriter<Message: ProtoMessage>: Sendable {
  let call: any ClientCall

  public func write(_ message: Message) async throws {
    try await call.send(message.serializedBytes())
  }

  /// No more requests (also done when the call's body returns).
  public func finish() async throws {
    try await call.closeSend()
  }
}

/// The response messages of a streaming call. Iterating ends at an OK
/// status and throws ``RPCError`` for any other.
public struct ResponseStream<Message: ProtoMessage>: AsyncSequence, Sendable {
  public typealias Element = Message
  private let start: @Sendable () async throws -> any ClientCall

  init(start: @escaping @Sendable () async throws -> any ClientCall) {
    self.start = start
  }

  init(call: any ClientCall) {
    start = { call }
  }

  public struct AsyncIterator: AsyncIteratorProtocol {
    let start: @Sendable () async throws -> any ClientCall
    var call: (any ClientCall)?

    public mutating func next() async throws -> Message? {
      if call == nil { call = try await start() }
      let call = self.call!
      return try await withTaskCancellationHandler {
        guard let bytes = try await call.receive() else { return nil }
        return try ClientCalls.decode(Message.self, bytes)
      } onCancel: {
        call.cancel()
      }
    }
  }

  public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(start: start) }
}
