import Dispatch

/// A PostgreSQL connection confined to one serial queue: calls run there one
/// at a time, off the event loops, and bridge back to async callers.
///
/// The connection is made on first use and again after it is lost; while the
/// server cannot be reached, calls fail fast as `.unavailable` (one new
/// attempt per ``retryInterval``) instead of queueing behind connect timeouts.
///
/// `@unchecked Sendable`: `connection` and the retry state are touched only
/// on `queue`.
final class PGWorker: @unchecked Sendable {
  static let retryInterval: Duration = .milliseconds(250)

  private let url: String
  private let queue: DispatchQueue
  private var connection: PGConnection?
  private var lastFailure: (at: ContinuousClock.Instant, error: StoreError)?

  init(url: String, label: String) {
    self.url = url
    self.queue = DispatchQueue(label: "summit.postgres.\(label)")
  }

  /// Runs `body` on this worker's connection. When it fails with the
  /// connection lost, the connection is dropped so the next call reconnects.
  ///
  /// A connection idle across a database restart is found dead only by its
  /// next statement. So when `body` fails on a connection that was already
  /// open before this call, it runs once more on a new one, provided it is
  /// safe to: reads (`idempotent`) always are; writes only when they throw
  /// ``PGNotStarted`` (the transaction never began).
  func run<T: Sendable>(idempotent: Bool, _ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      queue.async {
        continuation.resume(with: Result { try self.onQueue(idempotent: idempotent, body) })
      }
    }
  }

  private func onQueue<T>(idempotent: Bool, _ body: (PGConnection) throws -> T) throws -> T {
    let reused = connection.map { !$0.isBroken } ?? false
    let connection = try connected()
    do {
      return try body(connection)
    } catch {
      guard connection.isBroken else { throw (error as? PGNotStarted)?.cause ?? error }
      self.connection = nil
      guard reused, idempotent || error is PGNotStarted else { throw (error as? PGNotStarted)?.cause ?? error }
      do {
        return try body(try connected())
      } catch let notStarted as PGNotStarted {
        throw notStarted.cause
      }
    }
  }

  private func connected() throws(StoreError) -> PGConnection {
    if let connection, !connection.isBroken { return connection }
    connection = nil
    if let lastFailure, ContinuousClock.now - lastFailure.at < Self.retryInterval { throw lastFailure.error }
    do {
      let fresh = try PGConnection(url: url)
      connection = fresh
      lastFailure = nil
      return fresh
    } catch {
      lastFailure = (ContinuousClock.now, error)
      throw error
    }
  }
}

/// Thrown by a write whose transaction failed to begin: nothing reached the
/// database, so ``PGWorker`` may run it again on a new connection.
struct PGNotStarted: Error {
  var cause: StoreError
}
