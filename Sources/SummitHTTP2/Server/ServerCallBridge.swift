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
    let (stream, connection, eventLoop, context, limit) =
      (self.stream, self.connection, self.eventLoop, self.context, self.maxPendingResponseBytes)
    let count = message.count
    // Wait for room first, so a stream queues at most its limit plus one
    // message, and a handler whose client reads slowly waits before its
    // message is framed rather than after it was copied into the queue.
    let room = try await onLoop { () -> EventLoopFuture<Void>? in
      let s = stream.value
      guard !s.finished, !s.closed else { throw CancellationError() }
      connection.value.responseBuilt(s, count: count)
      return s.pendingCount <= limit ? nil : s.waitForRoom(limit: limit, on: eventLoop)
    }
    if let room {
      do {
        try await room.get()
      } catch {
        _ = try? await onLoop { connection.value.dropHeld(stream.value, count: count) }
        throw error
      }
    }
    let compressed = compression == .gzip && context.compressResponses
    let payload = compressed ? Gzip.compress(message) : message
    var bytes: [UInt8] = []
    MessageFramer.append(payload, compressed: compressed, to: &bytes)
    let framed = bytes
    try await onLoop {
      let s = stream.value
      let c = connection.value
      guard !s.finished, !s.closed else {
        c.dropHeld(s, count: count)
        throw CancellationError()
      }
      c.ensureHeadersSent(s, initial: context.initialMetadata)
      c.queueResponse(s, heldCount: count, framed: framed)
      c.resume(s)
      c.scheduleFlush()
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
