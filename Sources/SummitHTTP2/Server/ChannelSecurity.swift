public import NIOCore

/// What secures a server connection before HTTP/2 (TLS, in the SummitTLS
/// module). The transport itself knows nothing of TLS, so it builds without
/// a TLS library; the security adds its handlers at the front of each
/// accepted connection's pipeline, on that connection's event loop.
public protocol ServerChannelSecurity: Sendable {
  /// Adds the handlers that go before gRPC's (called on the channel's loop).
  func addHandlers(to channel: any Channel) throws
  /// Reads certificates again; new connections use them.
  func reload() throws
  /// For logs: `tls`, `mutual-tls`.
  var name: String { get }
}

/// What secures a client connection; the client counterpart of
/// ``ServerChannelSecurity``.
public protocol ClientChannelSecurity: Sendable {
  /// Adds the handlers that go before gRPC's, for a connection to `host`.
  func addHandlers(to channel: any Channel, host: String) throws
}
