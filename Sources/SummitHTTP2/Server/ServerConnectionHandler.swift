import CoreMetrics
package import Logging
package import NIOCore
package import SummitRPC

/// One client connection: owns its nghttp2 session, feeds it the socket's
/// bytes, and writes what it produces. Everything here runs on the
/// connection's event loop; handler tasks reach it only through
/// `eventLoop.execute` (see ``ServerCallBridge``).
package final class ServerConnectionHandler: ChannelInboundHandler {
  package typealias InboundIn = ByteBuffer
  package typealias OutboundOut = ByteBuffer

  let configuration: GRPCServerConfiguration
  let router: RPCRouter
  var logger: Logger
  var session: NGHTTP2Session?
  var context: ChannelHandlerContext?
  var streams: [Int32: ServerStream] = [:]
  var peer = "unknown"
  var admission: CallAdmission

  /// GOAWAY sent: no new streams; close once the open ones end.
  var draining = false
  private var flushPending = false
  private var idleTimer: Scheduled<Void>?
  private var keepaliveTask: RepeatedTask?
  private var pingOutstandingSince: NIODeadline?

  /// Where handlers that prefer the event loop run; nil: every handler runs
  /// on the global concurrent executor.
  let executor: (any TaskExecutor)?

  package init(
    configuration: GRPCServerConfiguration, router: RPCRouter, logger: Logger, executor: (any TaskExecutor)? = nil
  ) {
    self.executor = executor
    self.configuration = configuration
    self.router = router
    self.logger = logger
    admission = CallAdmission(
      maxPreparing: configuration.maxPreparingCallsPerConnection,
      maxBacklogBytes: configuration.maxConnectionBacklogBytes)
  }

  // MARK: Channel events

  package func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    peer = context.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "unknown"
    logger[metadataKey: "peer"] = "\(peer)"
    do {
      session = try NGHTTP2Session(
        events: self,
        settings: .init(
          maxConcurrentStreams: UInt32(configuration.maxConcurrentStreams),
          initialWindowSize: configuration.streamWindowSize,
          maxHeaderListSize: UInt32(configuration.maxHeaderListSize),
          connectionWindowSize: configuration.connectionWindowSize,
          resetBurst: UInt64(configuration.maxStreamResetsPerSecond) * 10,
          resetRatePerSecond: UInt64(configuration.maxStreamResetsPerSecond)))
    } catch {
      logger.error("cannot create an HTTP/2 session: \(error)")
      context.close(promise: nil)
      return
    }
    if context.channel.isActive { start(context: context) }
  }

  package func channelActive(context: ChannelHandlerContext) {
    start(context: context)
    context.fireChannelActive()
  }

  private var started = false
  private func start(context: ChannelHandlerContext) {
    guard !started else { return }
    started = true
    ServerMetrics.shared.connectionsOpen.increment()
    armIdleTimer()
    startKeepalive(context: context)
    flush()
  }

  package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let buffer = unwrapInboundIn(data)
    ServerMetrics.shared.bytesReceived.increment(by: buffer.readableBytes)
    guard let session else { return }
    do {
      try buffer.withUnsafeReadableBytes { try session.receive($0) }
    } catch {
      logger.debug("closing connection: \(error)")
      flush()
      context.close(promise: nil)
      return
    }
    flush()
  }

  package func channelWritabilityChanged(context: ChannelHandlerContext) {
    if context.channel.isWritable { flush() }
    context.fireChannelWritabilityChanged()
  }

  package func channelInactive(context: ChannelHandlerContext) {
    if started { ServerMetrics.shared.connectionsOpen.decrement() }
    MemoryTrimmer.connectionClosed()
    idleTimer?.cancel()
    keepaliveTask?.cancel()
    for stream in streams.values {
      ServerMetrics.shared.streamsOpen.decrement()
      account(stream, code: .unavailable)
      abandon(stream)
    }
    streams.removeAll()
    context.fireChannelInactive()
  }

  package func errorCaught(context: ChannelHandlerContext, error: any Error) {
    logger.debug("connection error: \(error)")
    context.close(promise: nil)
  }

  package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is GracefulShutdownEvent {
      beginDraining()
    } else {
      context.fireUserInboundEventTriggered(event)
    }
  }

  package func handlerRemoved(context: ChannelHandlerContext) {
    self.context = nil
  }

  // MARK: Output

  /// Writes whatever nghttp2 has ready, unless the socket is full: then it
  /// waits for writability, so a client that never reads cannot make us
  /// buffer without bound.
  func flush() {
    guard let context, let session else { return }
    guard context.channel.isWritable else { return }
    // nghttp2's output goes out in buffers of at most `outputChunk` bytes,
    // written as they fill and flushed together (one gathering write). One
    // buffer for all of it grew to megabytes under load (32 list pages at
    // once), each one a fresh mapping whose pages faulted in and were
    // unmapped again: a fifth of a 50-visit ListVisits' time. Draining
    // stops once the channel holds more than its high-water mark; the rest
    // stays with nghttp2 (and the streams' queues) until the socket takes
    // what is written (`channelWritabilityChanged`).
    var buffer = context.channel.allocator.buffer(capacity: 0)
    var written = 0
    do {
      try session.drainOutput { bytes in
        if buffer.readableBytes > 0 && buffer.readableBytes + bytes.count > Self.outputChunk {
          written += buffer.readableBytes
          context.write(wrapOutboundOut(buffer), promise: nil)
          buffer = context.channel.allocator.buffer(capacity: min(Self.outputChunk, max(bytes.count, 4096)))
        }
        buffer.writeBytes(bytes)
        return context.channel.isWritable
      }
    } catch {
      logger.debug("nghttp2 send failed: \(error)")
      context.close(promise: nil)
      return
    }
    if buffer.readableBytes > 0 {
      written += buffer.readableBytes
      context.write(wrapOutboundOut(buffer), promise: nil)
    }
    if written > 0 {
      ServerMetrics.shared.bytesSent.increment(by: written)
      context.flush()
    }
    if session.isFinished || (draining && streams.isEmpty) {
      context.close(promise: nil)
    }
  }

  /// The largest output buffer `flush()` fills: well under glibc's mmap
  /// threshold (``MemoryTrimmer``), so buffers come from, and go back to,
  /// the heap.
  static let outputChunk = 64 * 1024

  /// Flushes once, after whatever else this event-loop tick does.
  func scheduleFlush() {
    guard !flushPending, let context else { return }
    flushPending = true
    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    context.eventLoop.execute {
      let handler = loopBound.value
      handler.flushPending = false
      handler.flush()
    }
  }

  // MARK: Connection lifetime

  func beginDraining() {
    guard !draining else { return }
    draining = true
    session?.submitGoAway(errorCode: 0)
    logger.debug("draining: GOAWAY sent", metadata: ["open_streams": "\(streams.count)"])
    flush()
  }

  private func armIdleTimer() {
    idleTimer?.cancel()
    guard let context, streams.isEmpty else { return }
    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    idleTimer = context.eventLoop.scheduleTask(in: .nanoseconds(configuration.idleTimeout.nanoseconds)) {
      let handler = loopBound.value
      guard handler.streams.isEmpty else { return }
      handler.logger.debug("idle timeout: closing connection")
      handler.beginDraining()
      handler.context?.close(promise: nil)
    }
  }

  private func startKeepalive(context: ChannelHandlerContext) {
    let interval = TimeAmount.nanoseconds(configuration.keepaliveInterval.nanoseconds)
    let timeout = TimeAmount.nanoseconds(configuration.keepaliveTimeout.nanoseconds)
    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    keepaliveTask = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
      let handler = loopBound.value
      guard handler.pingOutstandingSince == nil else { return }
      let sent = NIODeadline.now()
      handler.pingOutstandingSince = sent
      handler.session?.submitPing()
      handler.flush()
      handler.context?.eventLoop.scheduleTask(in: timeout) {
        let handler = loopBound.value
        guard handler.pingOutstandingSince == sent else { return }
        handler.logger.debug("keepalive PING unanswered: closing connection")
        handler.context?.close(promise: nil)
      }
    }
  }

  func streamOpened() {
    ServerMetrics.shared.streamsOpen.increment()
    idleTimer?.cancel()
    idleTimer = nil
  }

  func streamRemoved() {
    ServerMetrics.shared.streamsOpen.decrement()
    if streams.isEmpty {
      if draining {
        scheduleFlush()
      } else {
        armIdleTimer()
      }
    }
  }

  func pingAcknowledged() {
    pingOutstandingSince = nil
  }
}

/// Sent down every connection's pipeline when the server shuts down.
struct GracefulShutdownEvent: Sendable {}

extension Duration {
  var nanoseconds: Int64 {
    let (seconds, attoseconds) = components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
  }
}
