import Logging
import NIOCore
import SummitAPI
import SummitCodec
import SummitHTTP2
import SummitRPC
import Synchronization
import Testing

/// ``RoundRobinChannel`` against three real servers on loopback, each
/// counting the calls it answered.
@Suite struct RoundRobinChannelTests {
  typealias Testing_ = Grpc_Testing_TestService.Method

  final class Counter: Sendable {
    private let calls = Mutex(0)
    func add() { calls.withLock { $0 += 1 } }
    var value: Int { calls.withLock { $0 } }
  }

  static func server(counting counter: Counter) async throws -> (GRPCServer, Int) {
    var configuration = GRPCServerConfiguration()
    configuration.port = 0
    configuration.eventLoopCount = 1
    let router = RPCRouter([
      .unary(Testing_.UnaryCall.descriptor) { (_: Grpc_Testing_SimpleRequest, _: ServerContext) in
        counter.add()
        return Grpc_Testing_SimpleResponse()
      }
    ])
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let server = GRPCServer(configuration: configuration, router: router, logger: logger)
    let address = try await server.start()
    return (server, address.port!)
  }

  @Test func spreadsCallsEvenlyAndSkipsAServerThatIsGone() async throws {
    let counters = [Counter(), Counter(), Counter()]
    var servers: [(GRPCServer, Int)] = []
    for counter in counters { servers.append(try await Self.server(counting: counter)) }
    let channel = try RoundRobinChannel(addresses: servers.map { ("127.0.0.1", $0.1) })
    let client = Grpc_Testing_TestServiceClient(channel)
    for _ in 0..<30 { _ = try await client.unaryCall(Grpc_Testing_SimpleRequest()) }
    #expect(counters.map(\.value) == [10, 10, 10])

    await servers[1].0.shutdownGracefully()
    for _ in 0..<30 { _ = try await client.unaryCall(Grpc_Testing_SimpleRequest()) }
    #expect(counters[1].value == 10)
    #expect(counters[0].value + counters[2].value == 50)
    #expect(counters[0].value >= 20 && counters[2].value >= 20)

    await servers[0].0.shutdownGracefully()
    await servers[2].0.shutdownGracefully()
    await #expect(throws: RPCError.self) { _ = try await client.unaryCall(Grpc_Testing_SimpleRequest()) }
    await channel.close()
  }

  @Test func resolvesANameToItsAddresses() async throws {
    let counter = Counter()
    let (server, port) = try await Self.server(counting: counter)
    // localhost may also resolve to ::1, where nothing listens: those calls
    // move on to 127.0.0.1.
    let channel = try RoundRobinChannel(resolving: "localhost", port: port)
    #expect(channel.addresses.contains("127.0.0.1:\(port)"))
    let client = Grpc_Testing_TestServiceClient(channel)
    for _ in 0..<6 { _ = try await client.unaryCall(Grpc_Testing_SimpleRequest()) }
    #expect(counter.value == 6)
    await channel.close()
    await server.shutdownGracefully()
  }

  @Test func refusesNoAddressesAndUnknownNames() {
    #expect(throws: RPCError.self) { try RoundRobinChannel(addresses: []) }
    #expect(throws: RPCError.self) { try RoundRobinChannel(resolving: "no-such-host.invalid", port: 1) }
  }
}
