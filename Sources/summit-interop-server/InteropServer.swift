// summit-interop-server: gRPC's interop grpc.testing.TestService on Summit's
// transport, so that the interop clients of other gRPC implementations (and
// Tests/Interop/transport) can be pointed at it. It shares all transport
// code with summitd through SummitServerRuntime.
import ArgumentParser
import SummitCodec
import SummitRPC
import SummitServerRuntime

@main
struct InteropServer: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "summit-interop-server",
    abstract: "Serve grpc.testing.TestService (gRPC's interop test service) on Summit's transport.",
    discussion: """
      Prints `listening on HOST:PORT` on one line once it accepts connections.

      Example:
        summit-interop-server --listen 127.0.0.1:10000
      """)

  @OptionGroup var server: ServerOptions

  func run() async throws {
    try await ServerRunner.run(
      name: "summit-interop-server", options: server, handlers: TestService.handlers.map(TestService.echoingMetadata))
  }
}
