import Logging
import NIOCore
import NIOPosix
import SummitAPI
import SummitCodec
import SummitHTTP2
import SummitRPC
import Synchronization
import Testing

/// Where handlers run: those that prefer the event loop run on the thread of
/// their connection's loop (no hop per call); the others on Swift's global
/// executor, so a long handler cannot hold up a loop's other connections.
@Suite struct HandlerPlacementTests {
  typealias Testing_ = Grpc_Testing_TestService.Method

  /// Each call records whether its handler body ran on an event-loop thread.
  final class Placements: Sendable {
    private let state = Mutex<[String: [Bool]]>([:])
    func record(_ name: String) {
      let onLoop = MultiThreadedEventLoopGroup.currentEventLoop != nil
      state.withLock { $0[name, default: []].append(onLoop) }
    }
    subscript(name: String) -> [Bool] { state.withLock { $0[name] ?? [] } }
  }

  func run(handlersOnEventLoops: Bool, _ body: (Grpc_Testing_TestServiceClient, Placements) async throws -> Void) async throws {
    let placements = Placements()
    let quick = RPCHandler.unary(Testing_.EmptyCall.descriptor) { (_: Grpc_Testing_Empty, _: ServerContext) in
      placements.record("quick")
      return Grpc_Testing_Empty()
    }.preferringEventLoop()
    let other = RPCHandler.unary(Testing_.UnaryCall.descriptor) { (_: Grpc_Testing_SimpleRequest, _: ServerContext) in
      placements.record("other")
      return Grpc_Testing_SimpleResponse()
    }
    var configuration = GRPCServerConfiguration()
    configuration.port = 0
    configuration.eventLoopCount = 1
    configuration.handlersOnEventLoops = handlersOnEventLoops
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let server = GRPCServer(configuration: configuration, router: RPCRouter([quick, other]), logger: logger)
    let address = try await server.start()
    let channel = GRPCChannel(host: "127.0.0.1", port: address.port!)
    do {
      try await body(Grpc_Testing_TestServiceClient(channel), placements)
    } catch {
      await channel.close()
      await server.shutdownGracefully()
      throw error
    }
    await channel.close()
    await server.shutdownGracefully()
  }

  @Test func quickHandlersRunOnTheEventLoopOthersDoNot() async throws {
    try await run(handlersOnEventLoops: true) { client, placements in
      for _ in 0..<20 {
        _ = try await client.emptyCall(Grpc_Testing_Empty())
        _ = try await client.unaryCall(Grpc_Testing_SimpleRequest())
      }
      #expect(placements["quick"] == Array(repeating: true, count: 20))
      #expect(placements["other"] == Array(repeating: false, count: 20))
    }
  }

  @Test func theServerCanKeepEveryHandlerOffTheEventLoop() async throws {
    try await run(handlersOnEventLoops: false) { client, placements in
      for _ in 0..<5 { _ = try await client.emptyCall(Grpc_Testing_Empty()) }
      #expect(placements["quick"] == Array(repeating: false, count: 5))
    }
  }
}
