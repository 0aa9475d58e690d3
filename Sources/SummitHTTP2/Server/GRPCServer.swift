public import Logging
public import NIOCore
import NIOPosix
public import SummitRPC
import Synchronization

/// A gRPC server over HTTP/2 (h2c, prior knowledge) on nghttp2.
///
/// ```swift
/// var router = RPCRouter()
/// router.register(HealthService().rpcHandlers)
/// let server = GRPCServer(configuration: .init(), router: router, logger: logger)
/// let address = try await server.start()
/// // … on SIGTERM:
/// await server.shutdownGracefully()
/// ```
public final class GRPCServer: Sendable {
  public let configuration: GRPCServerConfiguration
  private let router: RPCRouter
  private let logger: Logger
  private let group: MultiThreadedEventLoopGroup
  /// One per event loop, when handlers run on their connection's loop.
  private let executors: [ObjectIdentifier: EventLoopTaskExecutor]

  private struct State {
    var listener: (any Channel)?
    var connections: [ObjectIdentifier: any Channel] = [:]
    var shuttingDown = false
  }
  private let state = Mutex(State())

  public init(configuration: GRPCServerConfiguration, router: RPCRouter, logger: Logger) {
    self.configuration = configuration
    self.router = router
    self.logger = logger
    let loops = configuration.eventLoopCount > 0 ? configuration.eventLoopCount : System.coreCount
    group = MultiThreadedEventLoopGroup(numberOfThreads: loops)
    var executors: [ObjectIdentifier: EventLoopTaskExecutor] = [:]
    if configuration.handlersOnEventLoops {
      for loop in group.makeIterator() {
        executors[ObjectIdentifier(loop)] = EventLoopTaskExecutor(eventLoop: loop)
      }
    }
    self.executors = executors
  }

  /// Reads the certificates again (through the configured security); new
  /// connections use them, open ones keep theirs.
  public func reloadSecurity() throws {
    try configuration.security?.reload()
  }

  /// Binds and starts accepting connections.
  /// - Returns: the bound address (useful with port 0).
  public func start() async throws -> SocketAddress {
    MemoryTrimmer.configure()
    let configuration = self.configuration
    let router = self.router
    let logger = self.logger
    let executors = self.executors
    let bootstrap = ServerBootstrap(group: group)
      .serverChannelOption(.backlog, value: 1024)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      // How much written output a connection may hold before it stops
      // taking more from nghttp2 (`ServerConnectionHandler.flush`): NIO's
      // default of 64 KB is two list pages, which cost a write syscall
      // every couple of pages under load.
      .childChannelOption(.writeBufferWaterMark, value: .init(low: 128 * 1024, high: 256 * 1024))
      .childChannelInitializer { [weak self] channel in
        guard let self, self.register(channel) else {
          return channel.close()
        }
        return channel.eventLoop.makeCompletedFuture {
          try configuration.security?.addHandlers(to: channel)
          try channel.pipeline.syncOperations.addHandler(
            ServerConnectionHandler(
              configuration: configuration, router: router, logger: logger,
              executor: executors[ObjectIdentifier(channel.eventLoop)]))
        }
      }
    let listener = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
    state.withLock { $0.listener = listener }
    guard let address = listener.localAddress else { throw ChannelError.unknownLocalAddress }
    return address
  }

  /// Tracks a new connection; false once shutdown has begun.
  private func register(_ channel: any Channel) -> Bool {
    let id = ObjectIdentifier(channel)
    let accepted = state.withLock { state -> Bool in
      guard !state.shuttingDown else { return false }
      state.connections[id] = channel
      return true
    }
    if accepted {
      channel.closeFuture.whenComplete { [weak self] _ in
        _ = self?.state.withLock { $0.connections.removeValue(forKey: id) }
      }
    }
    return accepted
  }

  /// Stops accepting, sends GOAWAY on every connection, lets in-flight calls
  /// finish for up to the drain timeout, then closes what is left.
  /// A second call returns at once.
  public func shutdownGracefully() async {
    let (alreadyShuttingDown, listener, connections) = state.withLock { state in
      let already = state.shuttingDown
      state.shuttingDown = true
      return (already, state.listener, Array(state.connections.values))
    }
    guard !alreadyShuttingDown else { return }
    try? await listener?.close()
    logger.info("shutting down", metadata: ["open_connections": "\(connections.count)"])
    for channel in connections {
      channel.pipeline.fireUserInboundEventTriggered(GracefulShutdownEvent())
    }
    let deadline = ContinuousClock.now + configuration.drainTimeout
    while ContinuousClock.now < deadline {
      if state.withLock({ $0.connections.isEmpty }) { break }
      try? await Task.sleep(for: .milliseconds(20))
    }
    let remaining = state.withLock { Array($0.connections.values) }
    if !remaining.isEmpty {
      logger.warning("drain timeout: closing connections with calls still running", metadata: ["connections": "\(remaining.count)"])
    }
    for channel in remaining { try? await channel.close() }
    // Handlers still finishing move to the global executor first.
    for executor in executors.values { executor.close() }
    try? await group.shutdownGracefully()
  }
}
