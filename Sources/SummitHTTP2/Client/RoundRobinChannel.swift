import Dispatch
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif
import NIOCore
import NIOPosix
public import SummitCodec
public import SummitRPC
import Synchronization

/// Spreads calls over several servers (replicas of one service), one call to
/// the next in turn, without a proxy: gRPC over HTTP/2 would otherwise send
/// every call of a client down the one connection it opened first.
///
/// The servers are a fixed list of addresses, or every address a DNS name
/// resolves to (a Kubernetes headless Service lists each ready pod), resolved
/// again every `refreshInterval`. Each address has its own ``GRPCChannel``
/// (one connection, reconnect with backoff). A call whose connection cannot
/// be made goes to the next address; nothing was sent, so this is safe for
/// any method. A call that has started is never moved.
///
/// ```swift
/// let channel = try RoundRobinChannel(resolving: "summitd-pods", port: 50051)
/// let leaders = Summit_V1_LeaderServiceClient(channel)
/// ```
public final class RoundRobinChannel: ClientTransport, Sendable {
  public let configuration: GRPCClientConfiguration
  private let source: Source
  private let group: any EventLoopGroup
  private let state: Mutex<State>

  private enum Source {
    case fixed
    case dns(host: String, port: Int, refreshInterval: Duration)
  }
  private struct State {
    /// In the order calls take them; keyed by `host:port`.
    var endpoints: [(key: String, channel: GRPCChannel)] = []
    var next = 0
    var resolvedAt = ContinuousClock.now
    var closed = false
  }

  /// Over a fixed list of servers.
  public init(addresses: [(host: String, port: Int)], configuration: GRPCClientConfiguration = .init()) throws {
    guard !addresses.isEmpty else { throw RPCError(.invalidArgument, "RoundRobinChannel needs at least one address") }
    self.configuration = configuration
    self.source = .fixed
    self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    self.state = Mutex(State())
    replaceEndpoints(addresses)
  }

  /// Over every address `host` resolves to (IPv4 and IPv6), resolved now and
  /// again every `refreshInterval`.
  /// - Throws: ``RPCError`` UNAVAILABLE when the name does not resolve.
  public init(
    resolving host: String, port: Int, refreshInterval: Duration = .seconds(30),
    configuration: GRPCClientConfiguration = .init()
  ) throws {
    self.configuration = configuration
    self.source = .dns(host: host, port: port, refreshInterval: refreshInterval)
    self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    self.state = Mutex(State())
    let addresses = try AddressResolver.resolve(host, port: port)
    replaceEndpoints(addresses.map { ($0, port) })
  }

  /// The servers calls go to now, as `host:port`, in turn order.
  public var addresses: [String] { state.withLock { $0.endpoints.map(\.key) } }

  public func makeCall(_ method: ProtoMethodDescriptor, options: CallOptions) async throws -> any ClientCall {
    await refreshIfDue()
    let (order, closed) = state.withLock { state -> ([GRPCChannel], Bool) in
      guard !state.endpoints.isEmpty else { return ([], state.closed) }
      let start = state.next % state.endpoints.count
      state.next = (start + 1) % state.endpoints.count
      let rotated = state.endpoints[start...] + state.endpoints[..<start]
      return (rotated.map(\.channel), state.closed)
    }
    if closed { throw RPCError(.unavailable, "the channel is closed") }
    var failures: [String] = []
    for channel in order {
      do {
        return try await channel.makeCall(method, options: options)
      } catch let error as RPCError where error.code == .unavailable {
        failures.append(error.message)
      }
    }
    throw RPCError(.unavailable, "no server would take the call: \(failures.joined(separator: "; "))")
  }

  /// Closes every connection; calls in flight fail with UNAVAILABLE.
  public func close() async {
    let channels = state.withLock { state -> [GRPCChannel] in
      state.closed = true
      defer { state.endpoints = [] }
      return state.endpoints.map(\.channel)
    }
    for channel in channels { await channel.close() }
    try? await group.shutdownGracefully()
  }

  private func refreshIfDue() async {
    guard case .dns(let host, let port, let interval) = source else { return }
    let due = state.withLock { state -> Bool in
      guard !state.closed, ContinuousClock.now - state.resolvedAt >= interval else { return false }
      state.resolvedAt = .now  // one refresh at a time
      return true
    }
    guard due, let addresses = try? await AddressResolver.resolveOffThread(host, port: port) else { return }
    let dropped = replaceEndpoints(addresses.map { ($0, port) })
    for channel in dropped { await channel.close() }
  }

  /// Keeps the channels of addresses still listed, adds new ones; returns
  /// the channels of addresses no longer listed (for closing).
  @discardableResult
  private func replaceEndpoints(_ addresses: [(host: String, port: Int)]) -> [GRPCChannel] {
    state.withLock { state in
      guard !state.closed else { return [] }
      var existing = Dictionary(state.endpoints.map { ($0.key, $0.channel) }, uniquingKeysWith: { a, _ in a })
      var endpoints: [(key: String, channel: GRPCChannel)] = []
      for (host, port) in addresses {
        let key = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard !endpoints.contains(where: { $0.key == key }) else { continue }
        let channel =
          existing.removeValue(forKey: key)
          ?? GRPCChannel(host: host, port: port, configuration: configuration, group: group)
        endpoints.append((key, channel))
      }
      state.endpoints = endpoints
      return Array(existing.values)
    }
  }
}

/// Name-to-addresses lookups (getaddrinfo), for ``RoundRobinChannel``.
enum AddressResolver {
  /// Every distinct address `host` resolves to, in the resolver's order.
  static func resolve(_ host: String, port: Int) throws(RPCError) -> [String] {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0, let first = list else {
      throw RPCError(.unavailable, "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
    }
    defer { freeaddrinfo(first) }
    var addresses: [String] = []
    var entry: UnsafeMutablePointer<addrinfo>? = first
    while let current = entry {
      var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
      if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
        let address = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if !addresses.contains(address) { addresses.append(address) }
      }
      entry = current.pointee.ai_next
    }
    return addresses
  }

  /// ``resolve(_:port:)`` on a dispatch queue: getaddrinfo blocks.
  static func resolveOffThread(_ host: String, port: Int) async throws -> [String] {
    try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global().async {
        continuation.resume(with: Result { () throws(RPCError) in try resolve(host, port: port) })
      }
    }
  }
}
