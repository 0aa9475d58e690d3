import NIOCore
import SummitCodec
import SummitRPC

/// One client HTTP/2 connection: its nghttp2 session, its calls' streams,
/// and GOAWAY. Confined to its event loop, like the server's handler.
final class ClientConnectionHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  let configuration: GRPCClientConfiguration
  let authority: String
  /// `https` over TLS, `http` for h2c.
  let scheme: String
  var session: NGHTTP2Session?
  var context: ChannelHandlerContext?
  var streams: [Int32: ClientStream] = [:]
  /// The server sent GOAWAY or the socket closed: no new calls here.
  private(set) var isClosing = false
  private var flushPending = false
  /// Called once when the connection can take no more calls.
  var onClosing: (@Sendable () -> Void)?

  init(configuration: GRPCClientConfiguration, authority: String) {
    self.configuration = configuration
    self.authority = authority
    scheme = configuration.security == nil ? "http" : "https"
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    do {
      session = try NGHTTP2Session(
        events: self,
        settings: .init(
          role: .client, maxConcurrentStreams: 1000, initialWindowSize: configuration.streamWindowSize,
          maxHeaderListSize: 64 * 1024, connectionWindowSize: configuration.connectionWindowSize))
    } catch {
      context.close(promise: nil)
      return
    }
    flush()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let buffer = unwrapInboundIn(data)
    do {
      try buffer.withUnsafeReadableBytes { try session?.receive($0) }
    } catch {
      failAll(RPCError(.unavailable, "HTTP/2 connection error: \(error)"))
      context.close(promise: nil)
      return
    }
    flush()
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    if context.channel.isWritable { flush() }
  }

  func channelInactive(context: ChannelHandlerContext) {
    markClosing()
    failAll(RPCError(.unavailable, "the connection to \(authority) closed"))
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    failAll(RPCError(.unavailable, "connection to \(authority) failed: \(error)"))
    context.close(promise: nil)
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.context = nil
  }

  func onGoAway() { markClosing() }

  private func markClosing() {
    guard !isClosing else { return }
    isClosing = true
    onClosing?()
  }

  private func failAll(_ error: RPCError) {
    for stream in streams.values { stream.end(.failure(error)) }
    streams.removeAll()
  }

  // MARK: Output

  func flush() {
    guard let context, let session, context.channel.isWritable else { return }
    var buffer = context.channel.allocator.buffer(capacity: 0)
    do {
      try session.drainOutput {
        buffer.writeBytes($0)
        return true
      }
    } catch {
      context.close(promise: nil)
      return
    }
    if buffer.readableBytes > 0 { context.writeAndFlush(wrapOutboundOut(buffer), promise: nil) }
  }

  func scheduleFlush() {
    guard !flushPending, let context else { return }
    flushPending = true
    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    context.eventLoop.execute {
      loopBound.value.flushPending = false
      loopBound.value.flush()
    }
  }

  // MARK: Calls

  /// Opens a stream for `path`; nil when this connection takes no more calls.
  func start(_ stream: ClientStream, path: String, options: CallOptions, compressed: Bool) -> Bool {
    guard !isClosing, let session else { return false }
    var headers: [(String, String)] = [
      (":method", "POST"), (":scheme", scheme), (":path", path), (":authority", authority),
      ("content-type", "application/grpc"), ("te", "trailers"), ("user-agent", GRPCChannel.userAgent),
      ("grpc-accept-encoding", MessageEncoding.acceptHeader),
    ]
    if compressed { headers.append(("grpc-encoding", "gzip")) }
    if let timeout = options.timeout { headers.append(("grpc-timeout", GRPCTimeout.format(timeout))) }
    for entry in options.metadata where !entry.key.hasPrefix(":") && !entry.key.hasPrefix("grpc-") {
      headers.append((entry.key, HeaderValues.headerValue(entry.value)))
    }
    do {
      stream.id = try session.submitRequest(headers: headers)
    } catch {
      return false
    }
    streams[stream.id] = stream
    scheduleFlush()
    return true
  }

  func resume(_ stream: ClientStream) {
    if stream.dataDeferred {
      stream.dataDeferred = false
      session?.resumeData(stream: stream.id)
    }
    scheduleFlush()
  }

  func cancel(_ stream: ClientStream, with error: RPCError) {
    guard streams[stream.id] != nil else { return }
    session?.submitReset(stream: stream.id, errorCode: 8)  // CANCEL
    stream.end(.failure(error))
    scheduleFlush()
  }

  func returnWindow(_ stream: ClientStream) {
    session?.consume(stream: stream.id, count: stream.bytesToConsume())
  }
}
