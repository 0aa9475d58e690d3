import Dispatch
import Foundation
import Logging
import NIOCore
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
    let level = try options.level()
    let configuration = try options.configuration()
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    let logger = Logger(label: name)

    var router = RPCRouter(handlers)
    let health = HealthService(services: router.serviceNames + ["grpc.health.v1.Health"])
    router.register(health.rpcHandlers)
    let served = router
    let reflection = ReflectionService(files: SummitCodecSchema.files) {
      served.serviceNames + ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"]
    }
    router.register(reflection.rpcHandlers)

    // Signals go to a dispatch source, not the default handler that would end the process.
    signal(SIGTERM, SIG_IGN)
    signal(SIGINT, SIG_IGN)
    let server = GRPCServer(configuration: configuration, router: router, logger: logger)
    let address = try await server.start()
    let host = address.ipAddress ?? configuration.host
    let shown = host.contains(":") ? "[\(host)]" : host
    FileHandle.standardOutput.write(Data("listening on \(shown):\(address.port ?? configuration.port)\n".utf8))
    logger.info("serving", metadata: ["address": "\(shown):\(address.port ?? 0)", "services": "\(router.serviceNames)"])

    let signalNumber = await waitForTerminationSignal()
    logger.info("received signal \(signalNumber): draining", metadata: ["drain_timeout": "\(configuration.drainTimeout)"])
    health.shutDown()
    await server.shutdownGracefully()
    logger.info("stopped")
  }

  /// Suspends until SIGTERM or SIGINT arrives; returns the signal's number.
  static func waitForTerminationSignal() async -> Int32 {
    let queue = DispatchQueue(label: "summit.signals")
    return await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
      let once = OnceFlag()
      var sources: [any DispatchSourceSignal] = []
      for number in [SIGTERM, SIGINT] {
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler {
          if once.claim() { continuation.resume(returning: number) }
        }
        source.resume()
        sources.append(source)
      }
      // The sources must outlive this closure; they live as long as the process.
      SignalSources.keep(sources)
    }
  }
}

import Synchronization

/// True once, then false: resumes a continuation exactly once from either signal.
private final class OnceFlag: Sendable {
  private let claimed = Atomic(false)
  func claim() -> Bool { !claimed.exchange(true, ordering: .acquiringAndReleasing) }
}

/// Keeps signal sources alive for the life of the process.
private enum SignalSources {
  nonisolated(unsafe) static var retained: [any DispatchSourceSignal] = []
  static func keep(_ sources: [any DispatchSourceSignal]) { retained += sources }
}
