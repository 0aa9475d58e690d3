import Logging
import NIOCore
import NIOPosix
import SummitAPI
import SummitCodec
import SummitHTTP2
import SummitRPC
import Synchronization
import Testing

/// Unary handlers answered at once (`RPCHandler.immediate`): run on the
/// connection's event loop with no task, giving the same answers, errors
/// and metadata checks as the handler path, which still serves them when
/// the server keeps handlers off its loops.
@Suite struct ImmediateHandlerTests {
  typealias Testing_ = Grpc_Testing_TestService.Method

  /// How each call was answered: on an event loop or not, inside a task or not.
  final class Answers: Sendable {
    struct Answer: Equatable {
      var onLoop: Bool
      var inTask: Bool
    }
    private let state = Mutex<[Answer]>([])
    func record() {
      let answer = Answer(
        onLoop: MultiThreadedEventLoopGroup.currentEventLoop != nil, inTask: withUnsafeCurrentTask { $0 != nil })
      state.withLock { $0.append(answer) }
    }
    var all: [Answer] { state.withLock { $0 } }
  }

  func run(
    handlersOnEventLoops: Bool = true, guardedBy check: (@Sendable (ServerContext) throws -> Void)? = nil,
    _ body: (Grpc_Testing_TestServiceClient, Answers) async throws -> Void
  ) async throws {
    let answers = Answers()
    let empty = RPCHandler.unaryImmediate(Testing_.EmptyCall.descriptor) { (_: Grpc_Testing_Empty, _: ServerContext) in
      answers.record()
      return Grpc_Testing_Empty()
    }
    // Echoes the payload's size, and refuses an empty payload.
    let unary = RPCHandler.unaryImmediate(Testing_.UnaryCall.descriptor) { (request: Grpc_Testing_SimpleRequest, _: ServerContext) in
      answers.record()
      guard request.responseSize > 0 else { throw RPCError(.invalidArgument, "response_size must be positive") }
      return Grpc_Testing_SimpleResponse.with { $0.payload = .with { $0.body = Array(repeating: 7, count: Int(request.responseSize)) } }
    }
    let handlers = [empty, unary].map { handler in check.map { handler.guarded(by: $0) } ?? handler }
    var configuration = GRPCServerConfiguration()
    configuration.port = 0
    configuration.eventLoopCount = 1
    configuration.handlersOnEventLoops = handlersOnEventLoops
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let server = GRPCServer(configuration: configuration, router: RPCRouter(handlers), logger: logger)
    let address = try await server.start()
    let channel = GRPCChannel(host: "127.0.0.1", port: address.port!)
    do {
      try await body(Grpc_Testing_TestServiceClient(channel), answers)
    } catch {
      await channel.close()
      await server.shutdownGracefully()
      throw error
    }
    await channel.close()
    await server.shutdownGracefully()
  }

  @Test func answersOnTheEventLoopWithoutATask() async throws {
    try await run { client, answers in
      for size in 1...20 {
        let response = try await client.unaryCall(.with { $0.responseSize = Int32(size) })
        #expect(response.payload?.body == Array(repeating: 7, count: size))
      }
      _ = try await client.emptyCall(Grpc_Testing_Empty())
      #expect(answers.all == Array(repeating: .init(onLoop: true, inTask: false), count: 21))
    }
  }

  @Test func aThrownErrorIsTheCallsStatus() async throws {
    try await run { client, _ in
      let error = await #expect(throws: RPCError.self) { try await client.unaryCall(Grpc_Testing_SimpleRequest()) }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message == "response_size must be positive")
      // The connection serves on.
      _ = try await client.emptyCall(Grpc_Testing_Empty())
    }
  }

  @Test func compressedRequestsAreAnsweredToo() async throws {
    try await run { client, answers in
      let response = try await client.unaryCall(.with { $0.responseSize = 300 }, options: CallOptions(compressRequests: true))
      #expect(response.payload?.body.count == 300)
      #expect(answers.all == [.init(onLoop: true, inTask: false)])
    }
  }

  @Test func aGuardRunsBeforeEveryImmediateAnswer() async throws {
    let guardCheck: @Sendable (ServerContext) throws -> Void = { context in
      guard context.requestMetadata.first("authorization") == "Bearer right" else {
        throw RPCError(.unauthenticated, "no valid token")
      }
    }
    try await run(guardedBy: guardCheck) { client, answers in
      let error = await #expect(throws: RPCError.self) { try await client.emptyCall(Grpc_Testing_Empty()) }
      #expect(error?.code == .unauthenticated)
      #expect(answers.all.isEmpty)
      _ = try await client.emptyCall(Grpc_Testing_Empty(), options: CallOptions(metadata: Metadata(["authorization": "Bearer right"])))
      #expect(answers.all == [.init(onLoop: true, inTask: false)])
    }
  }

  @Test func withHandlersKeptOffTheLoopsTheHandlerPathAnswers() async throws {
    try await run(handlersOnEventLoops: false) { client, answers in
      let response = try await client.unaryCall(.with { $0.responseSize = 5 })
      #expect(response.payload?.body.count == 5)
      #expect(answers.all == [.init(onLoop: false, inTask: true)])
    }
  }
}
