import CoreMetrics
import Metrics
import Synchronization

/// The shared store for several `summitd` replicas: PostgreSQL through libpq.
///
/// Same schema, semantics and durability as ``SQLiteStore``: a write returns
/// once its COMMIT has succeeded (`synchronous_commit` on, the server
/// default), so an acknowledged write survives a crash of `summitd` or of the
/// database server.
///
/// Writes: one writer connection per process; every write transaction takes
/// ``PostgresSchema/writeLock`` first, which serializes writers across all
/// replicas, so change sequences are in commit order (a sequence alone is
/// handed out at insert, not at commit) and the idempotency check and the
/// write it guards cannot interleave with another replica's. Reads: a few
/// connections, each on its own queue. Changes reach this process's
/// ``feed`` through ``PostgresChangeFollower`` (LISTEN/NOTIFY plus a poll).
///
/// A lost connection fails calls as `.unavailable` and is remade on a later
/// call; a COMMIT whose outcome is unknown is reported as `.unavailable`, not
/// retried (the client's `request_id` makes its own retry safe).
public final class PostgresStore: ResourceStore {
  public let feed = ChangeFeed()
  private let writer: PGWorker
  private let readers: [PGWorker]
  private let nextReader = Atomic<Int>(0)
  private let follower: PostgresChangeFollower
  private let readTimer = Metrics.Timer(label: "summit_store_operation_duration_seconds", dimensions: [("operation", "read")])
  private let writeTimer = Metrics.Timer(label: "summit_store_operation_duration_seconds", dimensions: [("operation", "write")])

  /// True for the `--db` values this store serves (`postgres://`, `postgresql://`).
  public static func accepts(_ location: String) -> Bool {
    location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
  }

  /// Connects, migrates (one replica at a time), and starts following the
  /// change log from its current end.
  /// - Parameter readers: connections for reads, each on its own queue.
  public init(url: String, readers: Int = 4) throws {
    let setup = try PGConnection(url: url)
    try PostgresSchema.migrate(setup)
    let end = try setup.execute("SELECT coalesce(max(sequence), 0) FROM changes").int(0, 0)
    writer = PGWorker(url: url, label: "writer")
    self.readers = (0..<max(1, readers)).map { PGWorker(url: url, label: "reader\($0)") }
    follower = PostgresChangeFollower(url: url, feed: feed, startAfter: end)
    follower.start()
  }

  deinit { follower.stop() }

  /// Whether the database is reachable: the current value, then each change
  /// (seen by the listening connection within about a second).
  public func availability() -> AsyncStream<Bool> { follower.availability() }

  public func get(_ collection: ResourceCollection, id: String) async throws -> StoredResource? {
    try await read { try PostgresQueries.fetch($0, collection, id: id) }
  }

  public func count(_ collection: ResourceCollection) async throws -> Int {
    try await read { try PostgresQueries.count($0, collection) }
  }

  public func list(_ query: ListQuery) async throws -> [StoredResource] {
    try await read { try PostgresQueries.list($0, query) }
  }

  public func changes(after: Int64, limit: Int) async throws -> [Change] {
    try await read { try PostgresQueries.changes($0, after: after, limit: limit) }
  }

  public func write<T: Sendable>(_ body: @escaping @Sendable (any WriteTransaction) throws -> T) async throws -> T {
    let started = ContinuousClock.now
    defer { writeTimer.recordNanoseconds(SQLiteStore.nanoseconds(since: started)) }
    let follower = self.follower
    return try await writer.run(idempotent: false) { connection in
      do throws(StoreError) {
        try connection.executeScript("BEGIN")
      } catch {
        throw PGNotStarted(cause: error)
      }
      let result: T
      let transaction = PostgresWriteTransaction(connection: connection)
      do {
        try connection.execute("SELECT pg_advisory_xact_lock($1)", [.int(PostgresSchema.writeLock)])
        result = try body(transaction)
        if let last = transaction.lastSequence {
          try connection.execute("SELECT pg_notify($1, $2)", [.text(PostgresSchema.changesChannel), .text(String(last))])
        }
      } catch {
        if !connection.isBroken { _ = try? connection.executeScript("ROLLBACK") }
        throw error
      }
      do {
        try connection.executeScript("COMMIT")
      } catch where connection.isBroken {
        throw StoreError(
          .unavailable, "lost the PostgreSQL connection during COMMIT: the write may or may not have been applied")
      }
      // Committed. Publish before returning, as SQLite does, so this
      // process's own readers of the feed see the write at once; if that
      // fails the listener publishes it instead.
      if transaction.lastSequence != nil { try? follower.catchUp(using: connection) }
      return result
    }
  }

  private func read<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
    let started = ContinuousClock.now
    defer { readTimer.recordNanoseconds(SQLiteStore.nanoseconds(since: started)) }
    let index = nextReader.add(1, ordering: .relaxed).oldValue
    return try await readers[index % readers.count].run(idempotent: true, body)
  }
}
