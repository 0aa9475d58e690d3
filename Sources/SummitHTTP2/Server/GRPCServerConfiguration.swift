/// Everything an operator can tune about the gRPC server; each has a flag
/// and an environment variable in `summitd`.
public struct GRPCServerConfiguration: Sendable {
  /// Address to listen on; port 0 picks a free port.
  public var host = "127.0.0.1"
  public var port = 50051
  /// Largest request message accepted, after decompression (RESOURCE_EXHAUSTED beyond).
  public var maxReceiveMessageSize = 4 * 1024 * 1024
  /// Streams a client may have open at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS).
  public var maxConcurrentStreams = 256
  /// Largest request header block, in HPACK-decoded bytes (SETTINGS_MAX_HEADER_LIST_SIZE).
  public var maxHeaderListSize = 16 * 1024
  /// A connection with no open stream for this long gets GOAWAY and is closed.
  public var idleTimeout: Duration = .seconds(300)
  /// How often the server PINGs a connection to check the peer is there.
  public var keepaliveInterval: Duration = .seconds(7200)
  /// How long a PING may go unanswered before the connection is closed.
  public var keepaliveTimeout: Duration = .seconds(20)
  /// On shutdown, how long in-flight calls may take to finish.
  public var drainTimeout: Duration = .seconds(10)
  /// Event loops (threads) serving connections; SwiftNIO's `System.coreCount`
  /// reads cgroup limits, not CPU affinity, so set this when pinning.
  public var eventLoopCount = 0
  /// Per-stream receive window: how much of a request a client may send
  /// ahead of the handler reading it.
  public var streamWindowSize: UInt32 = 256 * 1024
  /// Connection receive window, shared by all of a connection's streams.
  public var connectionWindowSize: Int32 = 4 * 1024 * 1024
  /// Response bytes a handler may have queued on one stream before its next
  /// write waits for the client to read.
  public var maxPendingResponseBytes = 256 * 1024
  /// Handlers on one connection that may be preparing a response at once;
  /// further calls wait their turn with their deadlines running (see
  /// `CallAdmission`). A handler stops counting once it sends something.
  public var maxPreparingCallsPerConnection = 4
  /// Response bytes one connection may hold unsent before its new calls wait
  /// for the client to read.
  public var maxConnectionBacklogBytes = 2 * 1024 * 1024
  /// Stream resets (RST_STREAM) one connection may send per second, beyond a
  /// burst of ten times as many, before it is closed with GOAWAY: the
  /// rapid-reset defence (CVE-2023-44487). nghttp2's own default, 33 per
  /// second, ends healthy connections whose client cancels streaming calls
  /// routinely (a proxy multiplexing many clients, a watcher that stops
  /// after what it needs); a reset costs this server about what a call
  /// does, and call admission bounds the handlers a connection can start.
  public var maxStreamResetsPerSecond = 1000

  /// Run the handlers that ask for it (`RPCHandler.prefersEventLoop`: quick,
  /// never waiting long) on the event loop of their connection rather than
  /// on Swift's global executor: no thread hop per call (see
  /// `EventLoopTaskExecutor`). Every other handler runs on the global
  /// executor, so a long one cannot hold up a loop's other connections.
  public var handlersOnEventLoops = true

  /// TLS (SummitTLS's `TLSFiles`), or nil for h2c (cleartext, prior knowledge).
  public var security: (any ServerChannelSecurity)?

  public init() {}
}
