import NIOCore
import SummitRPC

/// A handler's way to its stream: each operation hops onto the connection's
/// event loop, where the stream and the nghttp2 session live.
struct ServerCallBridge: ServerCallStreams {
  let eventLoop: any EventLoop
  let stream: NIOLoopBound<ServerStream>
  let connection: NIOLoopBound<ServerConnectionHandler>
  /// The negotiated response encoding, nil for identity.
  let compression: MessageEncoding?
  let context: ServerContext
  let maxPendingResponseBytes: Int

  func nextRequest() async throws -> ReceivedMessage? {
    try Task.checkCancellation()
    let (stream, connection, eventLoop) = (self.stream, self.connection, self.eventLoop)
    return try await eventLoop.flatSubmit {
      let s = stream.value
      let future = s.nextRequest(on: eventLoop)
      // A queued message handed over frees its share of the receive window.
      connection.value.returnWindow(s)
      connection.value.scheduleFlush()
      return future
    }.get()
  }

  func sendResponse(_ message: [UInt8]) async throws {
    try Task.checkCancellation()
    let (stream, connection, eventLoop, context, limit) =
      (self.stream, self.connection, self.eventLoop, self.context, self.maxPendingResponseBytes)
    // Wait for room first, so a stream queues at most its limit plus one
    // message, and a handler whose client reads slowly waits before its
    // message is framed rather than after it was copied into the queue.
    let count = message.count
    do {
      try await eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
        let s = stream.value
        guard !s.finished, !s.closed else { return eventLoop.makeFailedFuture(CancellationError()) }
        connection.value.responseBuilt(s, count: count)
        return s.waitForRoom(limit: limit, on: eventLoop)
      }.get()
    } catch {
      eventLoop.execute { connection.value.dropHeld(stream.value, count: count) }
      throw error
    }
    // Compression and framing happen here, off the event loop.
    let compressed = compression == .gzip && context.compressResponses
    let payload = compressed ? Gzip.compress(message) : message
    var bytes: [UInt8] = []
    MessageFramer.append(payload, compressed: compressed, to: &bytes)
    let framed = bytes
    try await eventLoop.submit {
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
    }.get()
  }

  func sendInitialMetadata() async throws {
    let (stream, connection, eventLoop, context) = (self.stream, self.connection, self.eventLoop, self.context)
    try await eventLoop.submit {
      let s = stream.value
      guard !s.finished, !s.closed else { throw CancellationError() }
      connection.value.handlerPrepared(s)
      connection.value.ensureHeadersSent(s, initial: context.initialMetadata)
      connection.value.scheduleFlush()
    }.get()
  }
}
