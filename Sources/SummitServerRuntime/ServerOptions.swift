public import ArgumentParser
public import FoundationEssentials
public import Logging
public import SummitHTTP2
import SummitTLS

/// The transport and logging flags every server executable takes. Each flag
/// also reads an environment variable (`--max-concurrent-streams` →
/// `SUMMIT_MAX_CONCURRENT_STREAMS`); a flag given on the command line wins.
public struct ServerOptions: ParsableArguments {
  @Option(help: "Address to listen on, HOST:PORT; port 0 picks a free port. [env: SUMMIT_LISTEN] (default: 127.0.0.1:50051)")
  public var listen: String?

  @Option(help: "Largest request message in bytes. [env: SUMMIT_MAX_RECEIVE_MESSAGE_SIZE] (default: 4194304)")
  public var maxReceiveMessageSize: Int?

  @Option(help: "Concurrent streams per connection. [env: SUMMIT_MAX_CONCURRENT_STREAMS] (default: 256)")
  public var maxConcurrentStreams: Int?

  @Option(
    help:
      "Handlers per connection preparing a response at once; further calls wait their turn. [env: SUMMIT_MAX_PREPARING_CALLS_PER_CONNECTION] (default: 4)"
  )
  public var maxPreparingCallsPerConnection: Int?

  @Option(
    help:
      "Unsent response bytes one connection may hold before its new calls wait for it to read. [env: SUMMIT_MAX_CONNECTION_BACKLOG] (default: 2097152)"
  )
  public var maxConnectionBacklog: Int?

  @Option(
    help:
      "Stream resets a connection may send per second (a burst of ten times as many) before it is closed: the rapid-reset defence. [env: SUMMIT_MAX_STREAM_RESETS_PER_SECOND] (default: 1000)"
  )
  public var maxStreamResetsPerSecond: Int?

  @Option(help: "Largest request header block in bytes. [env: SUMMIT_MAX_HEADER_LIST_SIZE] (default: 16384)")
  public var maxHeaderListSize: Int?

  @Option(help: "Close connections idle this long (500ms, 2s, 5m, 1h). [env: SUMMIT_IDLE_TIMEOUT] (default: 5m)")
  public var idleTimeout: String?

  @Option(help: "PING each connection this often. [env: SUMMIT_KEEPALIVE_INTERVAL] (default: 2h)")
  public var keepaliveInterval: String?

  @Option(help: "Close a connection whose PING goes unanswered this long. [env: SUMMIT_KEEPALIVE_TIMEOUT] (default: 20s)")
  public var keepaliveTimeout: String?

  @Option(help: "On SIGTERM/SIGINT, let calls finish for this long. [env: SUMMIT_DRAIN_TIMEOUT] (default: 10s)")
  public var drainTimeout: String?

  @Option(help: "Event-loop threads (0: one per core). [env: SUMMIT_EVENT_LOOPS] (default: 0)")
  public var eventLoops: Int?

  @Option(help: "trace, debug, info, notice, warning, error or critical. [env: SUMMIT_LOG_LEVEL] (default: info)")
  public var logLevel: String?

  @Option(
    help:
      "Bearer tokens, one per line: TOKEN [read|write]. Writes then need a write token. Reloaded on SIGHUP. [env: SUMMIT_TOKENS_FILE]"
  )
  public var tokensFile: String?

  @Flag(help: "With --tokens-file, reads need a token too. [env: SUMMIT_REQUIRE_AUTH_FOR_READS=1]")
  public var requireAuthForReads = false

  @Option(help: "Serve Prometheus metrics on HOST:PORT (GET /metrics), apart from gRPC. [env: SUMMIT_METRICS_LISTEN]")
  public var metricsListen: String?

  @Option(help: "TLS certificate chain (PEM); with --tls-key serves TLS with ALPN h2. Reloaded on SIGHUP. [env: SUMMIT_TLS_CERT]")
  public var tlsCert: String?

  @Option(help: "TLS private key (PEM). [env: SUMMIT_TLS_KEY]")
  public var tlsKey: String?

  @Option(help: "CA (PEM) that client certificates must chain to: mutual TLS. [env: SUMMIT_TLS_CLIENT_CA]")
  public var tlsClientCa: String?

  public init() {}

  /// The configuration these flags and the environment describe.
  public func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws
    -> GRPCServerConfiguration
  {
    var c = GRPCServerConfiguration()
    let listen = self.listen ?? environment["SUMMIT_LISTEN"] ?? "127.0.0.1:50051"
    guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
      (0...65535).contains(port)
    else {
      throw ValidationError("--listen must be HOST:PORT, got \(listen)")
    }
    c.host = String(listen[..<colon].trimming { $0 == "[" || $0 == "]" })
    c.port = port
    func integer(_ flag: Int?, _ name: String, _ current: Int, minimum: Int) throws -> Int {
      let key = "SUMMIT_" + name.uppercased().replacing("-", with: "_")
      guard let value = try flag ?? Self.wholeNumber(environment, key) else { return current }
      guard value >= minimum else { throw ValidationError("--\(name) must be at least \(minimum)") }
      return value
    }
    func duration(_ flag: String?, _ name: String, _ current: Duration) throws -> Duration {
      let key = "SUMMIT_" + name.uppercased().replacing("-", with: "_")
      guard let text = flag ?? environment[key] else { return current }
      guard let value = DurationArgument.parse(text), value > .zero else {
        throw ValidationError("--\(name) must be a duration like 500ms, 2s, 5m; got \(text)")
      }
      return value
    }
    c.maxReceiveMessageSize = try integer(maxReceiveMessageSize, "max-receive-message-size", c.maxReceiveMessageSize, minimum: 1)
    c.maxConcurrentStreams = try integer(maxConcurrentStreams, "max-concurrent-streams", c.maxConcurrentStreams, minimum: 1)
    c.maxPreparingCallsPerConnection = try integer(
      maxPreparingCallsPerConnection, "max-preparing-calls-per-connection", c.maxPreparingCallsPerConnection, minimum: 1)
    c.maxConnectionBacklogBytes = try integer(
      maxConnectionBacklog, "max-connection-backlog", c.maxConnectionBacklogBytes, minimum: 64 * 1024)
    c.maxStreamResetsPerSecond = try integer(
      maxStreamResetsPerSecond, "max-stream-resets-per-second", c.maxStreamResetsPerSecond, minimum: 1)
    c.maxHeaderListSize = try integer(maxHeaderListSize, "max-header-list-size", c.maxHeaderListSize, minimum: 1024)
    c.eventLoopCount = try integer(eventLoops, "event-loops", c.eventLoopCount, minimum: 0)
    c.idleTimeout = try duration(idleTimeout, "idle-timeout", c.idleTimeout)
    c.keepaliveInterval = try duration(keepaliveInterval, "keepalive-interval", c.keepaliveInterval)
    c.keepaliveTimeout = try duration(keepaliveTimeout, "keepalive-timeout", c.keepaliveTimeout)
    c.drainTimeout = try duration(drainTimeout, "drain-timeout", c.drainTimeout)
    let cert = tlsCert ?? environment["SUMMIT_TLS_CERT"]
    let key = tlsKey ?? environment["SUMMIT_TLS_KEY"]
    let clientCA = tlsClientCa ?? environment["SUMMIT_TLS_CLIENT_CA"]
    switch (cert, key) {
    case (let cert?, let key?):
      do {
        c.security = try TLSFiles(certificateChainPath: cert, privateKeyPath: key, clientCAPath: clientCA)
      } catch {
        throw ValidationError("cannot load the TLS certificate or key: \(error)")
      }
    case (nil, nil):
      if clientCA != nil { throw ValidationError("--tls-client-ca needs --tls-cert and --tls-key") }
    default: throw ValidationError("--tls-cert and --tls-key go together")
    }
    return c
  }

  /// The log level these flags and the environment ask for.
  public func level(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Logger.Level {
    let text = logLevel ?? environment["SUMMIT_LOG_LEVEL"] ?? "info"
    guard let level = Logger.Level(rawValue: text) else {
      throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return level
  }
}

extension ServerOptions {
  /// The number in environment variable `key`, if set; a value that is not
  /// one is a usage error (a typo must not quietly mean the default).
  public static func wholeNumber(_ environment: [String: String], _ key: String) throws -> Int? {
    guard let raw = environment[key] else { return nil }
    guard let value = Int(raw) else { throw ValidationError("\(key)=\(raw) is not a whole number") }
    return value
  }

  /// The tokens file's path, from the flag or the environment.
  public func tokensPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
    tokensFile ?? environment["SUMMIT_TOKENS_FILE"]
  }

  public func readsNeedAuth(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
    requireAuthForReads || environment["SUMMIT_REQUIRE_AUTH_FOR_READS"] == "1"
  }

  /// Reads the tokens file into a policy's tokens.
  func loadTokens() throws -> [(String, AccessPolicy.Access)] {
    try Self.loadTokens(from: tokensPath())
  }

  static func loadTokens(from path: String?) throws -> [(String, AccessPolicy.Access)] {
    guard let path else { return [] }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ValidationError("cannot read the tokens file \(path)")
    }
    let tokens = try AccessPolicy.parseTokens(String(decoding: data, as: UTF8.self))
    guard !tokens.isEmpty else { throw ValidationError("the tokens file \(path) holds no token") }
    return tokens
  }
}

extension ServerOptions {
  /// Where metrics are served, if anywhere.
  public func metricsAddress(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (String, Int)? {
    guard let text = metricsListen ?? environment["SUMMIT_METRICS_LISTEN"] else { return nil }
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
    else { throw ValidationError("--metrics-listen must be HOST:PORT, got \(text)") }
    return (String(text[..<colon].trimming { $0 == "[" || $0 == "]" }), port)
  }
}
