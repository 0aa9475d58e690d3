import Dispatch
import Foundation

/// Runs a long operation (a watch) until it ends or the user presses
/// Ctrl-C (SIGINT) or sends SIGTERM; then returns normally, so the command
/// exits 0 instead of dying mid-line.
enum UntilInterrupted {
  static func run(_ body: @escaping @Sendable () async throws -> Void) async throws {
    let work = Task { try await body() }
    let queue = DispatchQueue(label: "summit.signals")
    var sources: [any DispatchSourceSignal] = []
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler { work.cancel() }
      source.resume()
      sources.append(source)
    }
    defer { for s in sources { s.cancel() } }
    do {
      try await work.value
    } catch is CancellationError {
      return
    } catch {
      if work.isCancelled { return }
      throw error
    }
  }
}
