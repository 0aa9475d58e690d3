import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// Prometheus exposition on its own port: `GET /metrics` returns the text
/// format; anything else is 404. Separate from the gRPC port so that
/// scraping never competes with, or needs the credentials of, gRPC clients.
final class MetricsEndpoint: Sendable {
  private let registry: PrometheusCollectorRegistry
  private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

  init(registry: PrometheusCollectorRegistry) {
    self.registry = registry
  }

  /// Binds `host:port` (port 0 picks one) and returns the bound address.
  func start(host: String, port: Int) async throws -> SocketAddress {
    let registry = self.registry
    let channel = try await ServerBootstrap(group: group)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.pipeline.configureHTTPServerPipeline().flatMap {
          channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(registry: registry))
          }
        }
      }
      .bind(host: host, port: port).get()
    guard let address = channel.localAddress else { throw ChannelError.unknownLocalAddress }
    return address
  }

  func stop() async {
    try? await group.shutdownGracefully()
  }
}

private final class MetricsHTTPHandler: ChannelInboundHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  let registry: PrometheusCollectorRegistry
  private var head: HTTPRequestHead?

  init(registry: PrometheusCollectorRegistry) {
    self.registry = registry
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head): self.head = head
    case .body: break
    case .end:
      guard let head else { return }
      self.head = nil
      let ok = head.method == .GET && head.uri.split(separator: "?").first == "/metrics"
      let body: [UInt8] = ok ? registry.emitToBuffer() : Array("not found: try GET /metrics\n".utf8)
      var headers = HTTPHeaders()
      headers.add(name: "content-type", value: ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain")
      headers.add(name: "content-length", value: String(body.count))
      context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: ok ? .ok : .notFound, headers: headers))), promise: nil)
      context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
      context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
  }
}
