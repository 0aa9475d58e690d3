/// How a ``GRPCChannel`` connects and reconnects.
public struct GRPCClientConfiguration: Sendable {
  /// Largest response message accepted.
  public var maxReceiveMessageSize = 4 * 1024 * 1024
  /// Request bytes queued on one stream before `send` waits.
  public var maxPendingRequestBytes = 256 * 1024
  public var streamWindowSize: UInt32 = 1024 * 1024
  public var connectionWindowSize: Int32 = 8 * 1024 * 1024
  /// How long one connection attempt may take.
  public var connectTimeout: Duration = .seconds(10)
  /// Reconnection backoff (gRPC's connection-backoff document): the first
  /// delay, its growth per failure, the cap, and ± jitter.
  public var initialBackoff: Duration = .seconds(1)
  public var backoffMultiplier = 1.6
  public var maxBackoff: Duration = .seconds(120)
  public var backoffJitter = 0.2

  /// TLS to the server (SummitTLS's `ClientTLS`); nil speaks h2c.
  public var security: (any ClientChannelSecurity)?

  public init() {}
}
