#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif
public import NIOCore
import NIOPosix
public import SummitCodec
public import SummitRPC
import Synchronization

/// A client channel to one gRPC server over HTTP/2 (h2c) on nghttp2: one
/// connection, shared by every call (multiplexed), opened on first use and
/// reopened with backoff after it drops or the server sends GOAWAY.
///
/// ```swift
/// let channel = GRPCChannel(host: "127.0.0.1", port: 50051)
/// let leaders = Summit_V1_LeaderServiceClient(channel)
/// let putin = try await leaders.getLeader(.with { $0.name = "leaders/vladimir-putin" })
/// ```
public final class GRPCChannel: ClientTransport, Sendable {
  static let userAgent = "summit-swift/1"

  public let host: String
  public let port: Int
  public let configuration: GRPCClientConfiguration
  private let group: any EventLoopGroup
  private let ownsGroup: Bool

  private struct Connection {
    var channel: any Channel
    var handler: NIOLoopBound<ClientConnectionHandler>
  }
  private enum State {
    case idle
    case connecting(EventLoopFuture<Connection>)
    case ready(Connection)
    case closed
  }
  private struct Backoff {
    var failures = 0
    var notBefore = ContinuousClock.now
    var lastError: String?
  }
  private let state = Mutex(State.idle)
  private let backoff = Mutex(Backoff())

  public init(
    host: String, port: Int, configuration: GRPCClientConfiguration = .init(), group: (any EventLoopGroup)? = nil
  ) {
    self.host = host
    self.port = port
    self.configuration = configuration
    if let group {
      self.group = group
      ownsGroup = false
    } else {
      self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
      ownsGroup = true
    }
  }

  /// Closes the connection; calls in flight fail with UNAVAILABLE.
  public func close() async {
    let previous = state.withLock { state -> State in
      let previous = state
      state = .closed
      return previous
    }
    if case .ready(let connection) = previous { try? await connection.channel.close() }
    if ownsGroup { try? await group.shutdownGracefully() }
  }

  public func makeCall(_ method: ProtoMethodDescriptor, options: CallOptions) async throws -> any ClientCall {
    let call = HTTP2ClientCall(channel: self, method: method, options: options)
    try await call.start()
    return call
  }

  /// A connection that takes new calls: the current one, or a new one.
  func connection() async throws -> (any Channel, NIOLoopBound<ClientConnectionHandler>) {
    while true {
      let action = state.withLock { state -> Result<EventLoopFuture<Connection>, RPCError> in
        switch state {
        case .closed:
          return .failure(RPCError(.unavailable, "the channel is closed"))
        case .ready(let connection):
          return .success(connection.channel.eventLoop.makeSucceededFuture(connection))
        case .connecting(let future):
          return .success(future)
        case .idle:
          // In backoff after a failure: fail fast, as gRPC does without
          // wait-for-ready; a call after the backoff tries again.
          let (notBefore, lastError) = backoff.withLock { ($0.notBefore, $0.lastError) }
          if notBefore > .now, let lastError {
            return .failure(RPCError(.unavailable, "cannot connect to \(host):\(port): \(lastError)"))
          }
          let future = self.connect()
          state = .connecting(future)
          return .success(future)
        }
      }
      let future = try action.get()
      do {
        let connection = try await future.get()
        state.withLock { state in
          if case .connecting = state { state = .ready(connection) }
        }
        backoff.withLock { $0 = Backoff() }
        return (connection.channel, connection.handler)
      } catch {
        backoff.withLock { b in
          b.failures += 1
          b.lastError = Self.describe(error)
          let base = Double(configuration.initialBackoff.components.seconds)
            * pow(configuration.backoffMultiplier, Double(b.failures - 1))
          let capped = min(base, Double(configuration.maxBackoff.components.seconds))
          let jittered = capped * (1 + Double.random(in: -configuration.backoffJitter...configuration.backoffJitter))
          b.notBefore = .now + .milliseconds(Int64(jittered * 1000))
        }
        state.withLock { state in
          if case .connecting = state { state = .idle }
        }
        throw RPCError(.unavailable, "cannot connect to \(host):\(port): \(Self.describe(error))")
      }
    }
  }

  private func connect() -> EventLoopFuture<Connection> {
    let eventLoop = group.next()
    let security = configuration.security
    let configuration = self.configuration
    let authority = "\(host):\(port)"
    let (host, port) = (self.host, self.port)
    return ClientBootstrap(group: eventLoop)
        .channelOption(.socketOption(.tcp_nodelay), value: 1)
        .connectTimeout(.nanoseconds(configuration.connectTimeout.nanoseconds))
        .channelInitializer { channel in
          channel.eventLoop.makeCompletedFuture {
            try security?.addHandlers(to: channel, host: host)
            try channel.pipeline.syncOperations.addHandler(
              ClientConnectionHandler(configuration: configuration, authority: authority))
          }
        }
        .connect(host: host, port: port)
      .flatMapThrowing { channel in
      let handler = try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self)
      let connection = Connection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
      handler.onClosing = { [weak self] in self?.forget(channel) }
      return connection
    }
  }

  /// A connect failure in a few words (NIO's own text lists every attempt).
  static func describe(_ error: any Error) -> String {
    let text = "\(error)"
    if text.contains("Connection refused") { return "connection refused (is the server running?)" }
    if text.contains("connectTimeout") || text.contains("timed out") { return "timed out" }
    if text.contains("No address") || text.contains("resolve") { return "the host name does not resolve" }
    return text
  }

  /// The connection stops taking calls: the next call opens a new one.
  private func forget(_ channel: any Channel) {
    state.withLock { state in
      if case .ready(let current) = state, current.channel === channel { state = .idle }
    }
  }
}
