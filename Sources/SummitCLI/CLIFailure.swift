import ArgumentParser
import Foundation
import SummitCodec
import SummitRPC

/// How the CLI ends on an error: one line on stderr (`error: CODE:
/// message`), a line per field violation, and an exit code from the table
/// in docs/cli.md.
enum CLIFailure {
  static func exitCode(for code: StatusCode) -> Int32 {
    switch code {
    case .invalidArgument, .failedPrecondition, .outOfRange: 65
    case .notFound: 66
    case .alreadyExists, .aborted: 67
    case .unavailable: 69
    case .deadlineExceeded, .resourceExhausted, .cancelled: 75
    case .unauthenticated, .permissionDenied: 77
    default: 70
    }
  }

  static func report(_ error: RPCError) -> ExitCode {
    // One line, whatever the server put in its message.
    let message = error.message.split(whereSeparator: { $0.isNewline }).joined(separator: " ")
    var lines = ["error: \(error.code.name): \(message)"]
    if let bad = error.detail(Google_Rpc_BadRequest.self) {
      lines += bad.fieldViolations.map { "  \($0.field): \($0.description_p)" }
    }
    printError(lines.joined(separator: "\n"))
    return ExitCode(exitCode(for: error.code))
  }

  static func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  /// Runs a command body, turning RPC errors into the one-line report and
  /// its exit code.
  static func run(_ body: () async throws -> Void) async throws {
    do {
      try await body()
    } catch let error as RPCError {
      throw report(error)
    } catch let error as UsageError {
      printError("error: \(error.message)")
      throw ExitCode(64)
    }
  }
}

/// A mistake in what the user typed, found after parsing (a bad date, an
/// ambiguous short name).
struct UsageError: Error {
  var message: String
  init(_ message: String) { self.message = message }
}
