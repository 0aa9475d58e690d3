public import SummitCodec
import Synchronization

/// What a handler knows about its call, and what it may add to the answer.
///
/// The transport creates one per call. Handlers read the request metadata,
/// deadline and peer, and may set the metadata sent with the response
/// headers and trailers.
public final class ServerContext: Sendable {
  public let method: ProtoMethodDescriptor
  /// The request's custom metadata (reserved `grpc-*` and HTTP/2 headers removed).
  public let requestMetadata: Metadata
  /// When the client stops waiting; the handler's task is cancelled then.
  public let deadline: ContinuousClock.Instant?
  /// The client's address, e.g. `127.0.0.1:53412`.
  public let peer: String

  private struct ResponseState {
    var initialMetadata = Metadata()
    var trailingMetadata = Metadata()
    var compressResponses = true
  }
  private let state = Mutex(ResponseState())

  public init(
    method: ProtoMethodDescriptor, requestMetadata: Metadata, deadline: ContinuousClock.Instant?, peer: String
  ) {
    self.method = method
    self.requestMetadata = requestMetadata
    self.deadline = deadline
    self.peer = peer
  }

  /// Metadata for the response headers; takes effect if set before the
  /// first response message is written.
  public var initialMetadata: Metadata {
    get { state.withLock { $0.initialMetadata } }
    set { state.withLock { $0.initialMetadata = newValue } }
  }

  /// Metadata for the trailers, sent when the handler returns or throws.
  public var trailingMetadata: Metadata {
    get { state.withLock { $0.trailingMetadata } }
    set { state.withLock { $0.trailingMetadata = newValue } }
  }

  /// Whether response messages use the call's negotiated compression
  /// (the request's `grpc-encoding`, when the client accepts it). On by default.
  public var compressResponses: Bool {
    get { state.withLock { $0.compressResponses } }
    set { state.withLock { $0.compressResponses = newValue } }
  }

  /// Time left before the deadline, nil when the call has none.
  public var timeRemaining: Duration? {
    deadline.map { $0 - .now }
  }
}
