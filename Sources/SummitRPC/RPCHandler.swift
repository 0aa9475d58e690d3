public import SummitCodec

/// One request message as it arrived: its encoded bytes (decompressed), and
/// whether the client compressed it.
public struct ReceivedMessage: Sendable {
  public var bytes: [UInt8]
  public var wasCompressed: Bool

  public init(bytes: [UInt8], wasCompressed: Bool) {
    self.bytes = bytes
    self.wasCompressed = wasCompressed
  }
}

/// The raw side of one call, implemented by a transport: request messages in,
/// response messages out, each as encoded bytes.
public protocol ServerCallStreams: Sendable {
  /// The next request message, or nil once the client has half-closed.
  /// - Throws: ``RPCError`` when the stream broke (too large a message, bad
  ///   compression), `CancellationError` when the call was cancelled.
  func nextRequest() async throws -> ReceivedMessage?
  /// Sends one response message, waiting while the client is slow to read.
  func sendResponse(_ message: [UInt8]) async throws
  /// Sends the response headers now, with the context's initial metadata,
  /// rather than with the first message.
  func sendInitialMetadata() async throws
  /// Sends several response messages, in order, as one hand-over to the
  /// transport where it can (a handler streaming a backlog of messages pays
  /// one thread hop per batch, not one per message).
  func sendResponses(_ messages: [[UInt8]]) async throws
}

extension ServerCallStreams {
  /// One ``sendResponse(_:)`` per message, for transports without batches.
  public func sendResponses(_ messages: [[UInt8]]) async throws {
    for message in messages { try await sendResponse(message) }
  }
}

/// A method's implementation as the transport sees it: encoded messages in
/// and out. Build one with the typed constructors (`unary`, `serverStreaming`,
/// `clientStreaming`, `bidirectionalStreaming`), which decode and encode.
public struct RPCHandler: Sendable {
  public let method: ProtoMethodDescriptor
  public let run: @Sendable (_ streams: any ServerCallStreams, _ context: ServerContext) async throws -> Void
  /// The handler finishes in microseconds and never waits long (an
  /// in-memory answer, a point read): a transport may run it on the thread
  /// that read the request, saving two thread hops per call. Leave it false
  /// for anything that computes or waits at length, which would hold up the
  /// other connections of that thread.
  public var prefersEventLoop = false
  /// For a unary method whose answer is ready at once (an in-memory answer,
  /// a point read on the embedded store): the request message's bytes in,
  /// the response's encoded bytes out. A transport that supports it calls
  /// this on the thread that read the request, once the request has fully
  /// arrived, with no task, continuation or thread hop; others call
  /// ``run``, which gives the same answer through the streams.
  ///
  /// It may decline a request by returning nil (a list page that could
  /// scan at length): the transport then calls ``run`` for that call, with
  /// the same request, as if there were no immediate path.
  public var immediate: ImmediateAnswer?

  /// See ``immediate``: the response's bytes, or nil to leave the call to ``run``.
  public typealias ImmediateAnswer = @Sendable (_ request: [UInt8], _ context: ServerContext) throws -> [UInt8]?

  public init(
    method: ProtoMethodDescriptor,
    run: @escaping @Sendable (_ streams: any ServerCallStreams, _ context: ServerContext) async throws -> Void
  ) {
    self.method = method
    self.run = run
  }
}

extension RPCHandler {
  /// This handler with ``prefersEventLoop`` set.
  public func preferringEventLoop() -> RPCHandler {
    var copy = self
    copy.prefersEventLoop = true
    return copy
  }

  /// This handler running `body` in place of its own, with the same settings.
  public func wrapped(
    _ body: @escaping @Sendable (_ streams: any ServerCallStreams, _ context: ServerContext, _ inner: RPCHandler) async throws
      -> Void
  ) -> RPCHandler {
    var copy = RPCHandler(method: method) { streams, context in try await body(streams, context, self) }
    copy.prefersEventLoop = prefersEventLoop
    return copy
  }
}

extension RPCHandler {
  /// This handler with `check` run before every call, on both of its paths
  /// (``run`` and ``immediate``): for access control.
  public func guarded(by check: @escaping @Sendable (ServerContext) throws -> Void) -> RPCHandler {
    var copy = wrapped { streams, context, inner in
      try check(context)
      try await inner.run(streams, context)
    }
    if let immediate {
      copy.immediate = { request, context in
        try check(context)
        return try immediate(request, context)
      }
    }
    return copy
  }
}

extension Array where Element == RPCHandler {
  /// These handlers, with ``RPCHandler/prefersEventLoop`` set for `methods`.
  public func preferringEventLoop(for methods: Set<ProtoMethodDescriptor>) -> [RPCHandler] {
    map { methods.contains($0.method) ? $0.preferringEventLoop() : $0 }
  }
}

extension RPCHandler {
  public static func unary<Input: ProtoMessage, Output: ProtoMessage>(
    _ method: ProtoMethodDescriptor,
    _ body: @escaping @Sendable (Input, ServerContext) async throws -> Output
  ) -> RPCHandler {
    RPCHandler(method: method) { streams, context in
      let request: Input = try await RequestStream(streams).single()
      let response = try await body(request, context)
      try await streams.sendResponse(response.serializedBytes())
    }
  }

  /// A unary handler whose body returns the response already encoded (for
  /// a response assembled from stored bytes); the same call as `unary`.
  public static func unaryEncoded<Input: ProtoMessage>(
    _ method: ProtoMethodDescriptor,
    _ body: @escaping @Sendable (Input, ServerContext) async throws -> [UInt8]
  ) -> RPCHandler {
    RPCHandler(method: method) { streams, context in
      let request: Input = try await RequestStream(streams).single()
      try await streams.sendResponse(try await body(request, context))
    }
  }

  /// A unary handler answered at once (see ``RPCHandler/immediate``), with
  /// the response already encoded; it prefers the event loop.
  public static func unaryImmediate<Input: ProtoMessage>(
    _ method: ProtoMethodDescriptor,
    _ body: @escaping @Sendable (Input, ServerContext) throws -> [UInt8]
  ) -> RPCHandler {
    var handler = RPCHandler(method: method) { streams, context in
      let request: Input = try await RequestStream(streams).single()
      try await streams.sendResponse(try body(request, context))
    }
    handler.immediate = { bytes, context in try body(try RequestStream<Input>.decode(bytes), context) }
    handler.prefersEventLoop = true
    return handler
  }

  /// A unary handler answered at once when `immediate` can (it returns nil
  /// for requests that need `body`'s path, see ``RPCHandler/immediate``),
  /// otherwise by `body`; both return the response already encoded, and
  /// must give the same answer. It prefers the event loop.
  public static func unaryMostlyImmediate<Input: ProtoMessage>(
    _ method: ProtoMethodDescriptor,
    immediate: @escaping @Sendable (Input, ServerContext) throws -> [UInt8]?,
    _ body: @escaping @Sendable (Input, ServerContext) async throws -> [UInt8]
  ) -> RPCHandler {
    var handler = unaryEncoded(method, body)
    handler.immediate = { bytes, context in try immediate(try RequestStream<Input>.decode(bytes), context) }
    handler.prefersEventLoop = true
    return handler
  }

  /// A unary handler answered at once (see ``RPCHandler/immediate``); it
  /// prefers the event loop.
  public static func unaryImmediate<Input: ProtoMessage, Output: ProtoMessage>(
    _ method: ProtoMethodDescriptor,
    _ body: @escaping @Sendable (Input, ServerContext) throws -> Output
  ) -> RPCHandler {
    unaryImmediate(method) { (request: Input, context) throws -> [UInt8] in try body(request, context).serializedBytes() }
  }

  public static func serverStreaming<Input: ProtoMessage, Output: ProtoMessage>(
    _ method: ProtoMethodDescriptor,
    _ body: @escaping @Sendable (Input, ResponseWriter<Output>, ServerContext) async throws -> Void
  ) -> RPCHandler {
    RPCHandler(method: method) { streams, context in
      let request: Input = try await RequestStream(streams).single()
      try await body(request, ResponseWriter(streams), context)
    }
  }

  public static func clientStreaming<Input: ProtoMessage, Output: ProtoMessage>(
    _ method: ProtoMethodDescriptor,
    _ body: @escaping @Sendable (RequestStream<Input>, ServerContext) async throws -> Output
  ) -> RPCHandler {
    RPCHandler(method: method) { streams, context in
      let response = try await body(RequestStream(streams), context)
      try await streams.sendResponse(response.serializedBytes())
    }
  }

  public static func bidirectionalStreaming<Input: ProtoMessage, Output: ProtoMessage>(
    _ method: ProtoMethodDescriptor,
    _ body: @escaping @Sendable (RequestStream<Input>, ResponseWriter<Output>, ServerContext) async throws -> Void
  ) -> RPCHandler {
    RPCHandler(method: method) { streams, context in
      try await body(RequestStream(streams), ResponseWriter(streams), context)
    }
  }
}

/// The request messages of a streaming call, decoded.
public struct RequestStream<Message: ProtoMessage>: AsyncSequence, Sendable {
  public typealias Element = Message
  private let streams: any ServerCallStreams

  public init(_ streams: any ServerCallStreams) {
    self.streams = streams
  }

  public struct AsyncIterator: AsyncIteratorProtocol {
    let streams: any ServerCallStreams

    public mutating func next() async throws -> Message? {
      guard let message = try await streams.nextRequest() else { return nil }
      return try RequestStream.decode(message.bytes)
    }
  }

  public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(streams: streams) }

  /// The one message a unary or server-streaming call must carry.
  func single() async throws -> Message {
    guard let message = try await streams.nextRequest() else {
      throw RPCError(.internalError, "expected one request message, got none")
    }
    guard try await streams.nextRequest() == nil else {
      throw RPCError(.internalError, "expected one request message, got more")
    }
    return try Self.decode(message.bytes)
  }

  /// gRPC's status-code document: a request that does not parse is INTERNAL.
  static func decode(_ bytes: [UInt8]) throws -> Message {
    do {
      return try Message(serializedBytes: bytes)
    } catch {
      throw RPCError(.internalError, "request is not a valid \(Message.protoMessageName): \(error.message)")
    }
  }
}

/// Sends the response messages of a streaming call.
public struct ResponseWriter<Message: ProtoMessage>: Sendable {
  private let streams: any ServerCallStreams

  public init(_ streams: any ServerCallStreams) {
    self.streams = streams
  }

  /// Sends `message`, waiting while the client is slow to read, so that a
  /// slow reader cannot make the server buffer without bound.
  public func write(_ message: Message) async throws {
    try await streams.sendResponse(message.serializedBytes())
  }

  /// Sends messages already encoded (built from stored bytes) in order, like
  /// one ``write(_:)`` each, but handed to the transport in batches (see
  /// ``ServerCallStreams/sendResponses(_:)``); the caller vouches that each
  /// is a valid `Message`.
  public func writeEncoded(contentsOf messages: [[UInt8]]) async throws {
    try await streams.sendResponses(messages)
  }

  /// Sends the response headers now (with the context's initial metadata).
  public func sendInitialMetadata() async throws {
    try await streams.sendInitialMetadata()
  }
}
