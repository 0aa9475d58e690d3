// grpc-swift-peer: the grpc-swift-2 peer of `make bench`.
//
//   grpc-swift-peer [--listen HOST:PORT] [--leader FILE] [--event-loops N]
//
// Serves Health/Check and GetLeader (see PeerServices) over grpc-swift-nio-
// transport's HTTP/2 server with N event-loop threads (default 1: the
// benchmark pins the server to one core, and NIO's core count reads cgroup
// limits, not affinity). Prints `listening on HOST:PORT` once bound.
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOPosix
import SwiftProtobuf
import SwiftProtobufSummit

@main
struct GRPCSwiftPeer {
  static func main() async throws {
    let arguments = Arguments(CommandLine.arguments.dropFirst())
    var leader = Summit_V1_Leader()
    if let path = arguments.value("--leader") {
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      leader = try Summit_V1_Leader(serializedBytes: data)
    }
    let listen = arguments.value("--listen") ?? "127.0.0.1:0"
    guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
      throw ArgumentError(message: "--listen must be HOST:PORT")
    }
    let loops = Int(arguments.value("--event-loops") ?? "1") ?? 1
    let group = MultiThreadedEventLoopGroup(numberOfThreads: loops)
    let transport = HTTP2ServerTransport.Posix(
      address: .ipv4(host: String(listen[..<colon]), port: port),
      transportSecurity: .plaintext,
      eventLoopGroup: group
    )
    let server = GRPCServer(transport: transport, services: [PeerServices(leader: leader)])
    try await withThrowingDiscardingTaskGroup { tasks in
      tasks.addTask { try await server.serve() }
      guard let address = try await transport.listeningAddress.ipv4 else {
        throw ArgumentError(message: "not listening on IPv4")
      }
      FileHandle.standardOutput.write(Data("listening on \(address.host):\(address.port)\n".utf8))
    }
  }
}

struct ArgumentError: Error {
  var message: String
}

/// `--name value` pairs from the command line.
struct Arguments {
  private let words: [String]

  init(_ words: ArraySlice<String>) {
    self.words = Array(words)
  }

  func value(_ name: String) -> String? {
    guard let index = words.firstIndex(of: name), index + 1 < words.count else { return nil }
    return words[index + 1]
  }
}
