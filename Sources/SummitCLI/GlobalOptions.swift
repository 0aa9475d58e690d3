public import ArgumentParser
import Foundation
import SummitHTTP2
import SummitTLS
import SummitRPC

public enum OutputFormat: String, ExpressibleByArgument, Sendable, CaseIterable {
  case table, json, yaml
}

/// Options every command takes; each reads an environment variable too.
public struct GlobalOptions: ParsableArguments {
  @Option(help: "Server address HOST:PORT. [env: SUMMIT_SERVER] (default: 127.0.0.1:50051)")
  var server: String?

  @Option(help: "Deadline per call, e.g. 500ms, 5s, 1m. [env: SUMMIT_TIMEOUT] (default: 10s)")
  var timeout: String?

  @Option(name: [.short, .long], help: "table, json or yaml. [env: SUMMIT_OUTPUT] (default: table)")
  var output: OutputFormat?

  @Option(help: "Bearer token for writes. [env: SUMMIT_TOKEN]")
  var token: String?

  @Flag(help: "Connect with TLS. [env: SUMMIT_TLS=1]")
  var tls = false

  @Option(help: "CA certificate (PEM) to trust for --tls; default the system's. [env: SUMMIT_CA_FILE]")
  var caFile: String?

  @Option(help: "Client certificate and key (PEM) for mutual TLS. [env: SUMMIT_CLIENT_CERT, SUMMIT_CLIENT_KEY]")
  var clientCert: String?

  @Option(help: "Client key (PEM) for mutual TLS.")
  var clientKey: String?

  public init() {}

  var environment: [String: String] { ProcessInfo.processInfo.environment }

  var format: OutputFormat {
    output ?? environment["SUMMIT_OUTPUT"].flatMap(OutputFormat.init(rawValue:)) ?? .table
  }

  func address() throws -> (host: String, port: Int) {
    let text = server ?? environment["SUMMIT_SERVER"] ?? "127.0.0.1:50051"
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port)
    else { throw UsageError("--server must be HOST:PORT, got \(text)") }
    return (String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
  }

  func channel() throws -> GRPCChannel {
    let (host, port) = try address()
    var configuration = GRPCClientConfiguration()
    let ca = caFile ?? environment["SUMMIT_CA_FILE"]
    if tls || environment["SUMMIT_TLS"] == "1" || ca != nil {
      do {
        configuration.security = try ClientTLS(
          caPath: ca, certificateChainPath: clientCert ?? environment["SUMMIT_CLIENT_CERT"],
          privateKeyPath: clientKey ?? environment["SUMMIT_CLIENT_KEY"])
      } catch {
        throw UsageError("cannot load the TLS files: \(error)")
      }
    }
    return GRPCChannel(host: host, port: port, configuration: configuration)
  }

  /// When a command's calls get a deadline.
  enum Deadline {
    /// Always: `--timeout`, else 10 s.
    case always
    /// Only when `--timeout` (or SUMMIT_TIMEOUT) is given: long streams in
    /// (imports, mentions from stdin) may take as long as they need.
    case whenGiven
    /// Never (`watch` runs until interrupted).
    case never
  }

  /// Call options: the deadline and the token.
  func callOptions(deadline: Deadline = .always) throws -> CallOptions {
    var options = CallOptions()
    let given = timeout ?? environment["SUMMIT_TIMEOUT"]
    if deadline == .always || (deadline == .whenGiven && given != nil) {
      let text = given ?? "10s"
      guard let d = Durations.parse(text) else { throw UsageError("--timeout must be a duration like 500ms or 5s, got \(text)") }
      options.timeout = d
    }
    if let token = token ?? environment["SUMMIT_TOKEN"], !token.isEmpty {
      options.metadata.add("authorization", "Bearer \(token)")
    }
    return options
  }
}

enum Durations {
  static func parse(_ text: String) -> Duration? {
    let units: [(String, Double)] = [("ms", 1e6), ("us", 1e3), ("ns", 1), ("h", 3600e9), ("m", 60e9), ("s", 1e9)]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
      guard let v = Double(text.dropLast(suffix.count)), v > 0 else { return nil }
      return .nanoseconds(Int64(v * scale))
    }
    guard let seconds = Double(text), seconds > 0 else { return nil }
    return .nanoseconds(Int64(seconds * 1e9))
  }
}
