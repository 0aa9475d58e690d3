public import SummitCodec

/// Maps a request's `:path` (`/summit.v1.LeaderService/GetLeader`) to its handler.
public struct RPCRouter: Sendable {
  private var handlers: [String: RPCHandler] = [:]

  public init(_ handlers: [RPCHandler] = []) {
    register(handlers)
  }

  /// Adds handlers; a later handler for the same path replaces the earlier.
  public mutating func register(_ handlers: [RPCHandler]) {
    for handler in handlers { self.handlers[handler.method.path] = handler }
  }

  public func handler(forPath path: String) -> RPCHandler? {
    handlers[path]
  }

  /// Fully qualified names of the services with at least one handler, sorted.
  public var serviceNames: [String] {
    Set(handlers.values.map(\.method.service)).sorted()
  }

  public var methods: [ProtoMethodDescriptor] {
    handlers.values.map(\.method).sorted { $0.path < $1.path }
  }
}
