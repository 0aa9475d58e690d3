// summitd: the Summit gRPC server.
import ArgumentParser
import SummitServerRuntime

@main
struct Summitd: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "summitd",
    abstract: "Serve Summit's record of leaders, visits and allegations over gRPC.",
    discussion: """
      Prints `listening on HOST:PORT` on one line once it accepts connections.
      SIGTERM or SIGINT sends GOAWAY, lets calls finish for --drain-timeout, then exits 0.

      Examples:
        summitd                                   # 127.0.0.1:50051
        summitd --listen 0.0.0.0:50051 --log-level debug
        SUMMIT_LISTEN=127.0.0.1:0 summitd          # a free port, printed at start
      """)

  @OptionGroup var server: ServerOptions

  func run() async throws {
    try await ServerRunner.run(name: "summitd", options: server, handlers: [])
  }
}
