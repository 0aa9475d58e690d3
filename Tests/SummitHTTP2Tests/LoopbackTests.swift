import Logging
import NIOCore
import SummitAPI
import SummitCodec
import SummitHTTP2
import SummitRPC
import SummitStandardServices
import Synchronization
import Testing

/// The server and the client transport against each other over real
/// loopback sockets: every call type, deadlines, cancellation, metadata,
/// errors with details, compression, limits and graceful shutdown.
@Suite struct LoopbackTests {
  typealias Testing_ = Grpc_Testing_TestService.Method

  /// Test handlers on grpc.testing messages.
  static func handlers(log: CallLog) -> [RPCHandler] {
    [
      .unary(Testing_.UnaryCall.descriptor) { (request: Grpc_Testing_SimpleRequest, context: ServerContext) in
        var initial = Metadata()
        for v in context.requestMetadata["x-echo"] { initial.add("x-echo", v) }
        context.initialMetadata = initial
        var trailing = Metadata()
        for b in context.requestMetadata[binary: "x-bin"] { trailing.add("x-bin", bytes: b) }
        context.trailingMetadata = trailing
        if let status = request.responseStatus, status.code != 0 {
          var error = RPCError(StatusCode(rawValue: Int(status.code)), status.message)
          error.addDetail(Google_Rpc_ErrorInfo.with { $0.reason = "ASKED_FOR"; $0.domain = "test" })
          throw error
        }
        return Grpc_Testing_SimpleResponse.with {
          $0.payload = .with { $0.body = [UInt8](repeating: 7, count: Int(request.responseSize)) }
        }
      },
      .serverStreaming(Testing_.StreamingOutputCall.descriptor) {
        (request: Grpc_Testing_StreamingOutputCallRequest, responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>, _) in
        do {
          for p in request.responseParameters {
            if p.intervalUs > 0 { try await Task.sleep(for: .microseconds(Int64(p.intervalUs))) }
            try await responses.write(Grpc_Testing_StreamingOutputCallResponse.with {
              $0.payload = .with { $0.body = [UInt8](repeating: 1, count: Int(p.size)) }
            })
            log.wrote()
          }
        } catch {
          log.handlerEnded(cancelled: error is CancellationError || Task.isCancelled)
          throw error
        }
        log.handlerEnded(cancelled: false)
      },
      .clientStreaming(Testing_.StreamingInputCall.descriptor) {
        (requests: RequestStream<Grpc_Testing_StreamingInputCallRequest>, _) in
        log.inputStarted()
        var total: Int32 = 0
        for try await r in requests { total += Int32(r.payload?.body.count ?? 0) }
        return Grpc_Testing_StreamingInputCallResponse.with { $0.aggregatedPayloadSize = total }
      },
      .bidirectionalStreaming(Testing_.FullDuplexCall.descriptor) {
        (requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>,
          responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>, _) in
        for try await r in requests {
          for p in r.responseParameters {
            try await responses.write(Grpc_Testing_StreamingOutputCallResponse.with {
              $0.payload = .with { $0.body = [UInt8](repeating: 2, count: Int(p.size)) }
            })
          }
        }
      },
    ]
  }

  final class CallLog: Sendable {
    private let state = Mutex((writes: 0, ended: 0, cancelled: 0, inputsStarted: 0))
    func wrote() { state.withLock { $0.writes += 1 } }
    func inputStarted() { state.withLock { $0.inputsStarted += 1 } }
    var inputsStarted: Int { state.withLock { $0.inputsStarted } }
    func handlerEnded(cancelled: Bool) {
      state.withLock {
        $0.ended += 1
        if cancelled { $0.cancelled += 1 }
      }
    }
    var writes: Int { state.withLock { $0.writes } }
    var cancelled: Int { state.withLock { $0.cancelled } }
  }

  struct Running {
    let server: GRPCServer
    let channel: GRPCChannel
    let client: Grpc_Testing_TestServiceClient
    let log: CallLog
  }

  func withServer(
    _ configure: (inout GRPCServerConfiguration) -> Void = { _ in }, _ body: (Running) async throws -> Void
  ) async throws {
    var configuration = GRPCServerConfiguration()
    configuration.port = 0
    configuration.eventLoopCount = 1
    configure(&configuration)
    let log = CallLog()
    var router = RPCRouter(Self.handlers(log: log))
    router.register(HealthService(services: []).rpcHandlers)
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let server = GRPCServer(configuration: configuration, router: router, logger: logger)
    let address = try await server.start()
    let channel = GRPCChannel(host: "127.0.0.1", port: address.port!)
    do {
      try await body(Running(server: server, channel: channel, client: Grpc_Testing_TestServiceClient(channel), log: log))
    } catch {
      await channel.close()
      await server.shutdownGracefully()
      throw error
    }
    await channel.close()
    await server.shutdownGracefully()
  }

  /// Polls `condition` for up to five seconds: the server notices a cancel
  /// asynchronously, and CI machines are busy.
  func eventually(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<250 {
      if condition() { return true }
      try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
  }

  func rpcError(_ body: () async throws -> Void) async -> RPCError? {
    do {
      try await body()
      return nil
    } catch {
      return error as? RPCError
    }
  }

  @Test func unaryWithMetadataBothWays() async throws {
    try await withServer { s in
      var metadata = Metadata(["x-echo": "hello"])
      metadata.add("x-bin", bytes: [0, 1, 254, 255])
      let call = try await s.channel.makeCall(Testing_.UnaryCall.descriptor, options: CallOptions(metadata: metadata))
      try await call.send(Grpc_Testing_SimpleRequest.with { $0.responseSize = 10 }.serializedBytes())
      try await call.closeSend()
      #expect(try await call.initialMetadata()["x-echo"] == ["hello"])
      let response = try Grpc_Testing_SimpleResponse(serializedBytes: try #require(try await call.receive()))
      #expect(response.payload?.body.count == 10)
      #expect(try await call.receive() == nil)
      #expect(try await call.trailingMetadata()[binary: "x-bin"] == [[0, 1, 254, 255]])
    }
  }

  @Test func errorsCarryMessageAndDetails() async throws {
    try await withServer { s in
      let error = await rpcError {
        _ = try await s.client.unaryCall(.with { $0.responseStatus = .with { $0.code = 9; $0.message = "nope ☺ %" } })
      }
      #expect(error?.code == .failedPrecondition)
      #expect(error?.message == "nope ☺ %")
      #expect(error?.detail(Google_Rpc_ErrorInfo.self)?.reason == "ASKED_FOR")
      let unknown = await rpcError { _ = try await s.client.unimplementedCall(Grpc_Testing_Empty()) }
      #expect(unknown?.code == .unimplemented)
    }
  }

  @Test func everyCallType() async throws {
    try await withServer { s in
      var sizes: [Int] = []
      for try await r in s.client.streamingOutputCall(.with { $0.responseParameters = [1, 2, 3].map { n in .with { $0.size = n } } }) {
        sizes.append(r.payload?.body.count ?? -1)
      }
      #expect(sizes == [1, 2, 3])
      let total = try await s.client.streamingInputCall { writer in
        for n in [10, 20, 30] { try await writer.write(.with { $0.payload = .with { $0.body = [UInt8](repeating: 0, count: n) } }) }
      }
      #expect(total.aggregatedPayloadSize == 60)
      // Bidi: each response read before the next request is written.
      let echoed = try await s.client.fullDuplexCall { requests, responses in
        var iterator = responses.makeAsyncIterator()
        var got: [Int] = []
        for n in [5, 6, 7] {
          try await requests.write(.with { $0.responseParameters = [.with { $0.size = Int32(n) }] })
          got.append(try await iterator.next()?.payload?.body.count ?? -1)
        }
        try await requests.finish()
        #expect(try await iterator.next() == nil)
        return got
      }
      #expect(echoed == [5, 6, 7])
    }
  }

  @Test func deadlineCancelsTheHandler() async throws {
    try await withServer { s in
      // 10 messages 400 ms apart against a 2 s deadline: the deadline falls
      // while the handler runs even when a loaded machine starts it late (a
      // handler cancelled before it starts never reaches the code that
      // records it; 300 ms was sometimes too short in CI, and 1 s too short
      // beside a CPU-bound suite running in parallel).
      let slow = Grpc_Testing_StreamingOutputCallRequest.with {
        $0.responseParameters = (0..<10).map { _ in .with { $0.size = 1; $0.intervalUs = 400_000 } }
      }
      let error = await rpcError {
        for try await _ in s.client.streamingOutputCall(slow, options: CallOptions(timeout: .seconds(2))) {}
      }
      #expect(error?.code == .deadlineExceeded)
      #expect(await eventually { s.log.cancelled == 1 })
    }
  }

  @Test func clientCancellationReachesTheServer() async throws {
    try await withServer { s in
      let task = Task {
        for try await _ in s.client.streamingOutputCall(
          .with { $0.responseParameters = (0..<100).map { _ in .with { $0.size = 1; $0.intervalUs = 50_000 } } })
        {}
      }
      // Cancel once the handler runs (a handler cancelled before it starts
      // never reaches the code that records it; on a loaded machine a fixed
      // sleep was sometimes not enough).
      #expect(await eventually { s.log.writes >= 1 })
      task.cancel()
      _ = await task.result
      #expect(await eventually { s.log.cancelled == 1 })
      // The connection still serves.
      let after = try await s.client.unaryCall(.with { $0.responseSize = 1 })
      #expect(after.payload?.body.count == 1)
    }
  }

  @Test func compressionBothWays() async throws {
    try await withServer { s in
      let big = Grpc_Testing_StreamingInputCallRequest.with { $0.payload = .with { $0.body = [UInt8](repeating: 3, count: 3_000_000) } }
      let total = try await s.client.streamingInputCall(options: CallOptions(compressRequests: true)) { writer in
        try await writer.write(big)
      }
      #expect(total.aggregatedPayloadSize == 3_000_000)
      let response = try await s.client.unaryCall(.with { $0.responseSize = 100_000 }, options: CallOptions(compressRequests: true))
      #expect(response.payload?.body.count == 100_000)
    }
  }

  @Test func oversizedMessagesAreRefused() async throws {
    try await withServer({ $0.maxReceiveMessageSize = 1024 }) { s in
      let error = await rpcError {
        _ = try await s.client.unaryCall(.with { $0.payload = .with { $0.body = [UInt8](repeating: 0, count: 2000) } })
      }
      #expect(error?.code == .resourceExhausted)
      let after = try await s.client.unaryCall(.with { $0.responseSize = 5 })
      #expect(after.payload?.body.count == 5)
    }
  }

  @Test func manyConcurrentCallsOnOneConnection() async throws {
    try await withServer { s in
      try await withThrowingTaskGroup(of: Int.self) { group in
        for i in 0..<200 { group.addTask { try await s.client.unaryCall(.with { $0.responseSize = Int32(i) }).payload?.body.count ?? -1 } }
        var sum = 0
        for try await n in group { sum += n }
        #expect(sum == (0..<200).reduce(0, +))
      }
    }
  }

  @Test func aSlowReaderHoldsBackTheWriter() async throws {
    try await withServer { s in
      // 400 × 64 KiB = 25 MiB offered; the client reads one message, then stops.
      let request = Grpc_Testing_StreamingOutputCallRequest.with {
        $0.responseParameters = (0..<400).map { _ in .with { $0.size = 64 * 1024 } }
      }
      let call = try await s.channel.makeCall(Testing_.StreamingOutputCall.descriptor, options: CallOptions())
      try await call.send(request.serializedBytes())
      try await call.closeSend()
      _ = try await call.receive()
      try await Task.sleep(for: .milliseconds(500))
      // Windows (1 MiB stream, 8 MiB connection on the client) plus the
      // server's 256 KiB queue bound what was written: far from all 400.
      #expect(s.log.writes < 60)
      call.cancel()
    }
  }

  @Test func gracefulShutdownFinishesCallsInFlight() async throws {
    try await withServer { (s: Running) async throws in
      let slow = Grpc_Testing_StreamingOutputCallRequest.with {
        $0.responseParameters = (0..<5).map { _ in .with { $0.size = 1; $0.intervalUs = 100_000 } }
      }
      let inFlight = Task {
        var n = 0
        for try await _ in s.client.streamingOutputCall(slow) { n += 1 }
        return n
      }
      // Shut down once the call is in flight (its first message written),
      // not after a fixed sleep a loaded machine may outlast.
      #expect(await eventually { s.log.writes >= 1 })
      await s.server.shutdownGracefully()
      #expect(try await inFlight.value == 5)
      let refused = await rpcError { _ = try await s.client.unaryCall(.with { $0.responseSize = 1 }) }
      #expect(refused?.code == .unavailable)
    }
  }

  @Test func theChannelReconnectsAfterTheServerComesBack() async throws {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    var configuration = GRPCServerConfiguration()
    configuration.port = 0
    configuration.eventLoopCount = 1
    let router = RPCRouter(Self.handlers(log: CallLog()))
    let first = GRPCServer(configuration: configuration, router: router, logger: logger)
    let port = try await first.start().port!
    var clientConfiguration = GRPCClientConfiguration()
    clientConfiguration.initialBackoff = .milliseconds(100)
    let channel = GRPCChannel(host: "127.0.0.1", port: port, configuration: clientConfiguration)
    let client = Grpc_Testing_TestServiceClient(channel)
    #expect(try await client.unaryCall(.with { $0.responseSize = 1 }).payload?.body.count == 1)

    await first.shutdownGracefully()
    let down = await rpcError { _ = try await client.unaryCall(.with { $0.responseSize = 1 }) }
    #expect(down?.code == .unavailable)

    configuration.port = port
    let second = GRPCServer(configuration: configuration, router: router, logger: logger)
    _ = try await second.start()
    var answered = false
    for _ in 0..<50 where !answered {
      answered = (try? await client.unaryCall(.with { $0.responseSize = 2 }))?.payload?.body.count == 2
      if !answered { try await Task.sleep(for: .milliseconds(100)) }
    }
    #expect(answered)
    await channel.close()
    await second.shutdownGracefully()
  }
}
