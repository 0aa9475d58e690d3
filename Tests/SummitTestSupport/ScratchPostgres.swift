import Foundation

/// The PostgreSQL server the store tests use: `SUMMIT_TEST_PG_URL` when set
/// (the Makefile starts one around `swift test`), otherwise a throw-away
/// cluster this process starts with `scripts/pg-scratch.sh` and stops at exit.
/// Each test gets a fresh database on it.
public enum ScratchPostgres {
  /// Why PostgreSQL tests cannot run here, or nil when they can.
  public static let unavailableReason: String? = {
    if ProcessInfo.processInfo.environment["SUMMIT_TEST_PG_URL"] != nil { return nil }
    let hasServer = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.contains {
      FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/initdb")
    } ?? false
    return hasServer ? nil : "no PostgreSQL server binaries (Debian's postgresql; `make deps` installs it)"
  }()

  public static var isAvailable: Bool { unavailableReason == nil }

  /// The server's URL (its `postgres` database).
  public static let serverURL: String = {
    if let url = ProcessInfo.processInfo.environment["SUMMIT_TEST_PG_URL"] { return url }
    scratchDirectory = "/tmp/summit-swift-pg-\(getpid())"
    let url = run([script, "start", scratchDirectory!])
    atexit { if let directory = ScratchPostgres.scratchDirectory { _ = ScratchPostgres.run([script, "stop", directory]) } }
    return url
  }()

  nonisolated(unsafe) private static var scratchDirectory: String?
  private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../scripts/pg-scratch.sh").standardized.path

  /// A new, empty database; returns its URL.
  public static func freshDatabase() -> String {
    let name = "summit_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    _ = run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", serverURL, "-c", "CREATE DATABASE \(name)"])
    return databaseURL(name)
  }

  /// The URL of database `name` on the server.
  public static func databaseURL(_ name: String) -> String {
    var url = serverURL
    if let slash = url.range(of: "/", options: .backwards) { url.replaceSubrange(slash.upperBound..., with: name) }
    return url
  }

  /// Runs a command and returns its stdout. The output goes through a file,
  /// not a pipe: the server that `pg-scratch.sh start` leaves running would
  /// inherit a pipe's write end and the read would never see its end.
  @discardableResult
  public static func run(_ arguments: [String]) -> String {
    let outputPath = NSTemporaryDirectory() + "summit-pg-run-\(UUID().uuidString)"
    _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    guard let output = FileHandle(forWritingAtPath: outputPath) else { fatalError("cannot write \(outputPath)") }
    process.standardOutput = output
    do { try process.run() } catch { fatalError("cannot run \(arguments): \(error)") }
    process.waitUntilExit()
    try? output.close()
    precondition(process.terminationStatus == 0, "\(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
    let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
