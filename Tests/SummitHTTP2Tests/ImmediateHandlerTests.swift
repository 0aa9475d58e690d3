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
    cache: AnswerCache? = nil, _ body: (Grpc_Testing_TestServiceClient, Answers) async throws -> Void
  ) async throws {
    let answers = Answers()
    let empty = RPCHandler.unaryImmediate(Testing_.EmptyCall.descriptor) { (_: Grpc_Testing_Empty, _: ServerContext) in
      answers.record()
      return Grpc_Testing_Empty()
    }
    // Echoes the payload's size, and refuses an empty payload; sizes of
    // 1,000 and more are declined by the immediate path, for the handler's.
    @Sendable func echo(_ request: Grpc_Testing_SimpleRequest) throws -> [UInt8] {
      answers.record()
      guard request.responseSize > 0 else { throw RPCError(.invalidArgument, "response_size must be positive") }
      return Grpc_Testing_SimpleResponse.with { $0.payload = .with { $0.body = Array(repeating: 7, count: Int(request.responseSize)) } }
        .serializedBytes()
    }
    let unary = RPCHandler.unaryMostlyImmediate(
      Testing_.UnaryCall.descriptor,
      immediate: { (request: Grpc_Testing_SimpleRequest, _: ServerContext) in request.responseSize >= 1000 ? nil : try echo(request) },
      { request, _ in try echo(request) })
    let handlers = [empty, unary].map { handler in
      let handler = cache.map { handler.cachingImmediateAnswers(in: $0) } ?? handler
      return check.map { handler.guarded(by: $0) } ?? handler
    }
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

  @Test func aDeclinedRequestTakesTheHandlerPath() async throws {
    try await run { client, answers in
      let large = try await client.unaryCall(.with { $0.responseSize = 2000 })
      #expect(large.payload?.body == Array(repeating: 7, count: 2000))
      let small = try await client.unaryCall(.with { $0.responseSize = 3 })
      #expect(small.payload?.body.count == 3)
      // The declined one ran on the loop's task executor (the method prefers the loop).
      #expect(answers.all == [.init(onLoop: true, inTask: true), .init(onLoop: true, inTask: false)])
    }
  }

  @Test func cachedAnswersAreServedUntilTheGenerationMoves() async throws {
    let generation = Atomic<UInt64>(0)
    let cache = AnswerCache(budget: 1 << 20) { generation.load(ordering: .acquiring) }
    try await run(cache: cache) { client, answers in
      for _ in 0..<3 {
        let response = try await client.unaryCall(.with { $0.responseSize = 10 })
        #expect(response.payload?.body.count == 10)
      }
      #expect(answers.all.count == 1)
      // Another request is another answer; errors and declined requests are not kept.
      _ = try await client.unaryCall(.with { $0.responseSize = 11 })
      _ = try? await client.unaryCall(Grpc_Testing_SimpleRequest())
      _ = try? await client.unaryCall(Grpc_Testing_SimpleRequest())
      _ = try await client.unaryCall(.with { $0.responseSize = 2000 })
      _ = try await client.unaryCall(.with { $0.responseSize = 2000 })
      #expect(answers.all.count == 6)
      #expect(cache.count == 2)
      generation.add(1, ordering: .releasing)
      _ = try await client.unaryCall(.with { $0.responseSize = 10 })
      #expect(answers.all.count == 7)
      #expect(cache.count == 1)
    }
  }

  @Test func aGuardRunsBeforeACachedAnswer() async throws {
    let cache = AnswerCache(budget: 1 << 20) { 0 }
    let guardCheck: @Sendable (ServerContext) throws -> Void = { context in
      guard context.requestMetadata.first("authorization") == "Bearer right" else {
        throw RPCError(.unauthenticated, "no valid token")
      }
    }
    try await run(guardedBy: guardCheck, cache: cache) { client, answers in
      let allowed = CallOptions(metadata: Metadata(["authorization": "Bearer right"]))
      _ = try await client.unaryCall(.with { $0.responseSize = 4 }, options: allowed)
      #expect(cache.count == 1)
      let error = await #expect(throws: RPCError.self) { try await client.unaryCall(.with { $0.responseSize = 4 }) }
      #expect(error?.code == .unauthenticated)
      _ = try await client.unaryCall(.with { $0.responseSize = 4 }, options: allowed)
      #expect(answers.all.count == 1)
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
