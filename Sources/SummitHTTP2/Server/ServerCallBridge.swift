import NIOCore
import SummitRPC

/// A handler's way to its stream: each operation runs on the connection's
/// event loop, where the stream and the nghttp2 session live. Handlers run
/// on that loop too (``EventLoopTaskExecutor``), so an operation normally
/// runs in place; from any other thread it hops there.
struct ServerCallBridge: ServerCallStreams {
  let eventLoop: any EventLoop
  let stream: NIOLoopBound<ServerStream>
  let connection: NIOLoopBound<ServerConnectionHandler>
  /// The negotiated response encoding, nil for identity.
  let compression: MessageEncoding?
  let context: ServerContext
  let maxPendingResponseBytes: Int

  /// Runs `body` on the event loop: in place when already there.
  private func onLoop<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    if eventLoop.inEventLoop { return try body() }
    return try await eventLoop.submit(body).get()
  }

  func nextRequest() async throws -> ReceivedMessage? {
    try Task.checkCancellation()
    let (stream, connection, eventLoop) = (self.stream, self.connection, self.eventLoop)
    let next = try await onLoop { () -> ServerStream.NextRequest in
      let s = stream.value
      let next = try s.nextRequest(on: eventLoop)
      // A queued message handed over frees its share of the receive window.
      connection.value.returnWindow(s)
      connection.value.scheduleFlush()
      return next
    }
    switch next {
    case .ready(let message): return message
    case .later(let future): return try await future.get()
    }
  }

  func sendResponse(_ message: [UInt8]) async throws {
    try Task.checkCancellation()
    try await sendFramed(frame(message), count: message.count)
  }

  /// Frames the messages back to back (gRPC messages are length-prefixed,
  /// so the concatenation is the same bytes on the wire) and hands them over
  /// in batches of about ``batchBytes``: one visit to the loop per batch.
  func sendResponses(_ messages: [[UInt8]]) async throws {
    try Task.checkCancellation()
    let gzip = compressesResponses
    var batch = FramedBytes()
    var count = 0
    for message in messages {
      batch.append(message: message, gzip: gzip)
      count += message.count
      if batch.count >= Self.batchBytes {
        try await sendFramed(batch, count: count)
        batch = FramedBytes()
        count = 0
      }
    }
    if batch.count > 0 { try await sendFramed(batch, count: count) }
  }

  /// How many framed bytes ``sendResponses(_:)`` hands over at once.
  static let batchBytes = 64 * 1024

  private var compressesResponses: Bool { compression == .gzip && context.compressResponses }

  /// The message as sent: compressed when negotiated, framed.
  private func frame(_ message: [UInt8]) -> FramedBytes {
    FramedBytes(message: message, gzip: compressesResponses)
  }

  /// Queues framed bytes (of `count` message bytes) for the stream.
  ///
  /// Framed off the loop, so that the usual case (the stream has room) is
  /// one visit to the loop, which queues them; a handler off the loop pays
  /// one thread hop per hand-over, not two. When the client reads slowly the
  /// framed bytes wait here, held (counted in the connection's backlog), so
  /// a stream queues at most its limit plus one hand-over.
  private func sendFramed(_ framed: FramedBytes, count: Int) async throws {
    let (stream, connection, eventLoop, context, limit) =
      (self.stream, self.connection, self.eventLoop, self.context, self.maxPendingResponseBytes)
    let room = try await onLoop { () -> EventLoopFuture<Void>? in
      let s = stream.value
      let c = connection.value
      guard !s.finished, !s.closed else { throw CancellationError() }
      c.responseBuilt(s, count: count)
      guard s.pendingCount <= limit else { return s.waitForRoom(limit: limit, on: eventLoop) }
      c.queueFramedResponse(s, framed, heldCount: count, initial: context.initialMetadata)
      return nil
    }
    guard let room else { return }
    do {
      try await room.get()
    } catch {
      _ = try? await onLoop { connection.value.dropHeld(stream.value, count: count) }
      throw error
    }
    try await onLoop {
      let s = stream.value
      let c = connection.value
      guard !s.finished, !s.closed else {
        c.dropHeld(s, count: count)
        throw CancellationError()
      }
      c.queueFramedResponse(s, framed, heldCount: count, initial: context.initialMetadata)
    }
  }

  func sendInitialMetadata() async throws {
    let (stream, connection, context) = (self.stream, self.connection, self.context)
    try await onLoop {
      let s = stream.value
      guard !s.finished, !s.closed else { throw CancellationError() }
      connection.value.handlerPrepared(s)
      connection.value.ensureHeadersSent(s, initial: context.initialMetadata)
      connection.value.scheduleFlush()
    }
  }
}
