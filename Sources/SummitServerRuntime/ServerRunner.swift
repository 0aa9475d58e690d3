import Dispatch
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif
import Synchronization
import CoreMetrics
public import Logging
import Metrics
import NIOCore
import Prometheus
import SummitAPI
import SummitHTTP2
public import SummitRPC
import SummitStandardServices
import SummitCodec

/// Runs a gRPC server as a process: logging to stderr, the bound address on
/// one stdout line (`listening on 127.0.0.1:50051`), health and reflection
/// beside the given services, and a graceful drain on SIGTERM or SIGINT.
public enum ServerRunner {
  /// Starts the server and returns when it has drained after a signal.
  /// - Parameters:
  ///   - handlers: the application's services.
  ///   - name: the process name for logs.
  public static func run(name: String, options: ServerOptions, handlers: [RPCHandler]) async throws {
    try await run(name: name, options: options) { _ in handlers }
  }

  /// As ``run(name:options:handlers:)``, with the handlers made once logging
  /// is set up (opening a store, seeding it), so that work logs like the rest.
  public static func run(
    name: String, options: ServerOptions, prepare: (Logger) async throws -> [RPCHandler]
  ) async throws {
    try await run(name: name, options: options) { logger in ServerParts(handlers: try await prepare(logger)) }
  }

  /// As ``run(name:options:prepare:)``, with a readiness signal beside the
  /// handlers: while it says false (the database is unreachable), health
  /// reports NOT_SERVING for `""` and every application service, so load
  /// balancers and Kubernetes readiness probes route around this process.
  /// `grpc.health.v1.Health` itself stays SERVING: the process is alive.
  public static func run(
    name: String, options: ServerOptions, serving: (Logger) async throws -> ServerParts
  ) async throws {
    let listed = ServiceList()
    let level = try options.level()
    let configuration = try options.configuration()
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    let logger = Logger(label: name)
    // Metrics first, so every handle made afterwards reports to Prometheus.
    var metrics: MetricsEndpoint?
    if let (host, port) = try options.metricsAddress() {
      let registry = PrometheusCollectorRegistry()
      MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
      let endpoint = MetricsEndpoint(registry: registry)
      let address = try await endpoint.start(host: host, port: port)
      logger.info("metrics", metadata: ["address": "\(address.ipAddress ?? host):\(address.port ?? port)", "path": "/metrics"])
      metrics = endpoint
    }
    let policy = AccessPolicy(tokens: try options.loadTokens(), requireAuthForReads: options.readsNeedAuth())
    if !policy.isEnabled {
      logger.warning("no --tokens-file: every call, writes included, is allowed")
    }
    let parts = try await serving(logger)
    let handlers = policy.guarding(parts.handlers)

    var router = RPCRouter(handlers)
    let reflection = ReflectionService(files: SummitCodecSchema.files) { listed.value }
    router.register(reflection.rpcHandlers)
    let health = HealthService(services: router.serviceNames + ["grpc.health.v1.Health"])
    router.register(health.servedHandlers)
    listed.value = router.serviceNames
    let readinessTask = parts.readiness.map { readiness in
      let gated = [""] + router.serviceNames.filter { $0 != "grpc.health.v1.Health" }
      return Task {
        for await ready in readiness {
          for service in gated { health.setStatus(ready ? .serving : .notServing, for: service) }
          if ready { logger.info("ready: serving") } else { logger.warning("not ready: NOT_SERVING until the store is back") }
        }
      }
    }

    // Watch for signals before announcing the address: a signal sent the
    // moment the address is printed must not be lost.
    let signals = TerminationSignals()
    let server = GRPCServer(configuration: configuration, router: router, logger: logger)
    let tokensPath = options.tokensPath()
    let readsNeedAuth = options.readsNeedAuth()
    let reload = ReloadSignal {
      do {
        policy.update(tokens: try ServerOptions.loadTokens(from: tokensPath), requireAuthForReads: readsNeedAuth)
        try server.reloadSecurity()
        logger.info(
          "SIGHUP: reloaded", metadata: ["tokens": "\(policy.isEnabled ? "on" : "off")", "security": "\(configuration.security?.name ?? "none")"])
      } catch {
        logger.error("SIGHUP: reload failed; keeping the previous settings", metadata: ["error": "\(error)"])
      }
    }
    let address = try await server.start()
    let host = address.ipAddress ?? configuration.host
    let shown = host.contains(":") ? "[\(host)]" : host
    StandardStreams.write("listening on \(shown):\(address.port ?? configuration.port)\n", to: .standardOutput)
    logger.info(
      "serving",
      metadata: [
        "address": "\(shown):\(address.port ?? 0)", "services": "\(router.serviceNames)",
        "security": "\(configuration.security?.name ?? "h2c")",
      ])

    let signalNumber = await signals.next()
    reload.cancel()
    readinessTask?.cancel()
    logger.info("received signal \(signalNumber): draining", metadata: ["drain_timeout": "\(configuration.drainTimeout)"])
    health.shutDown()
    await server.shutdownGracefully()
    await metrics?.stop()
    logger.info("stopped")
  }
}

/// What a server executable serves: its handlers and, optionally, whether it
/// can serve them right now (see ``ServerRunner/run(name:options:serving:)``).
public struct ServerParts {
  public var handlers: [RPCHandler]
  /// Readiness changes (true: ready). Nil for a process that is always ready.
  public var readiness: AsyncStream<Bool>?

  public init(handlers: [RPCHandler], readiness: AsyncStream<Bool>? = nil) {
    self.handlers = handlers
    self.readiness = readiness
  }
}

/// SIGHUP, calling `action` on a dispatch queue each time it arrives.
final class ReloadSignal {
  private let source: any DispatchSourceSignal

  init(_ action: @escaping @Sendable () -> Void) {
    signal(SIGHUP, SIG_IGN)
    source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "summit.reload"))
    source.setEventHandler(handler: action)
    source.resume()
  }

  func cancel() { source.cancel() }
}

/// SIGTERM and SIGINT, delivered through dispatch sources instead of the
/// default action that would end the process mid-call.
final class TerminationSignals {
  private let stream: AsyncStream<Int32>
  private let sources: [any DispatchSourceSignal]

  init() {
    let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
    let queue = DispatchQueue(label: "summit.signals")
    var sources: [any DispatchSourceSignal] = []
    for number in [SIGTERM, SIGINT] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler { continuation.yield(number) }
      source.resume()
      sources.append(source)
    }
    self.stream = stream
    self.sources = sources
  }

  /// The next signal's number.
  func next() async -> Int32 {
    var iterator = stream.makeAsyncIterator()
    return await iterator.next() ?? SIGTERM
  }

  deinit {
    for source in sources { source.cancel() }
  }
}

/// The services reflection lists: known only once every handler is registered.
private final class ServiceList: Sendable {
  private let names = Mutex<[String]>([])
  var value: [String] {
    get { names.withLock { $0 } }
    set { names.withLock { $0 = newValue } }
  }
}
