public import SummitCodec

/// How a call is made: its deadline, metadata and compression.
public struct CallOptions: Sendable {
  /// How long the call may take; sent as `grpc-timeout`, enforced locally too.
  public var timeout: Duration?
  /// Custom request metadata (keys ending in `-bin` carry bytes).
  public var metadata: Metadata
  /// Compress request messages with gzip.
  public var compressRequests: Bool

  public init(timeout: Duration? = nil, metadata: Metadata = Metadata(), compressRequests: Bool = false) {
    self.timeout = timeout
    self.metadata = metadata
    self.compressRequests = compressRequests
  }
}

/// The client side of one call, as a transport implements it: encoded
/// messages out and in, then a status.
public protocol ClientCall: Sendable {
  /// Sends one request message, waiting while the server is slow to read.
  func send(_ message: [UInt8]) async throws
  /// Half-closes: no more request messages.
  func closeSend() async throws
  /// The next response message; nil once the call ended with OK.
  /// - Throws: ``RPCError`` for any other status (with the server's message,
  ///   details and trailing metadata), `CancellationError` when cancelled.
  func receive() async throws -> [UInt8]?
  /// The response headers' metadata, once they arrive.
  func initialMetadata() async throws -> Metadata
  /// The trailers' metadata, once the call ended.
  func trailingMetadata() async throws -> Metadata
  /// Ends the call now (RST_STREAM CANCEL); pending operations fail.
  func cancel()
}

/// Makes calls; implemented by the HTTP/2 channel (`GRPCChannel`).
public protocol ClientTransport: Sendable {
  func makeCall(_ method: ProtoMethodDescriptor, options: CallOptions) async throws -> any ClientCall
}
