import CSQLite
import CoreMetrics
import Dispatch
import Glibc
import Metrics
import Synchronization

/// The embedded store: one SQLite file in WAL mode, driven through SQLite's
/// C API directly.
///
/// Durability: `synchronous=FULL` makes SQLite fsync the WAL at every commit,
/// so a write is on disk before the call that made it returns: an
/// acknowledged write survives `kill -9` and power loss. (`NORMAL`, the
/// usual WAL companion, may lose the last commits on power loss.)
///
/// Threads: one writer connection, used only on a serial queue (writes are
/// one at a time in SQLite anyway, and the queue gives commit-order
/// publication for free); a pool of read-only connections. Every read runs
/// on the caller's thread, as file I/O would: a point read by primary key
/// takes microseconds and is called from event loops (`ImmediateReads`), and
/// so are short list reads (`ListQuery.isShortRead`); lists that may scan at
/// length, and the change log, are read by handlers on Swift's pool, never
/// on an event loop.
public final class SQLiteStore: ResourceStore, ImmediateReads {
  public let feed = ChangeFeed()
  private let writer: SQLiteConnection
  private let writerQueue = DispatchQueue(label: "summit.sqlite.writer")
  private let readers: SQLiteReaderPool
  private let commits = Atomic<UInt64>(0)
  private let fileLock: StoreFileLock?
  private let readTimer = Metrics.Timer(label: "summit_store_operation_duration_seconds", dimensions: [("operation", "read")])
  private let writeTimer = Metrics.Timer(label: "summit_store_operation_duration_seconds", dimensions: [("operation", "write")])

  /// Opens (creating when absent) the database at `path` and migrates it.
  /// - Parameter maxSizeBytes: a ceiling on the database file; writes past it
  ///   fail as `StoreError.full` (RESOURCE_EXHAUSTED to clients) and reads go on.
  /// - Parameter readers: how many read-only connections may be open at once;
  ///   by default enough for every thread that reads (an event loop and a
  ///   concurrency-pool thread per core), so a point read on an event loop
  ///   never waits for a reader.
  /// - Parameter exclusive: claim the file for this process (``StoreFileLock``),
  ///   failing as `StoreError.unavailable` when another server holds it. A
  ///   server does; a one-off reader of the file (the import) need not.
  public init(path: String, maxSizeBytes: Int64? = nil, readers: Int = SQLiteStore.defaultReaders, exclusive: Bool = false)
    throws
  {
    do {
      try FileSystemPaths.createParentDirectories(of: path)
      fileLock = exclusive ? try StoreFileLock(databasePath: path) : nil
      writer = try SQLiteConnection(path: path, readOnly: false)
      try writer.execute("PRAGMA journal_mode = WAL")
      try writer.execute("PRAGMA synchronous = FULL")
      try writer.execute("PRAGMA foreign_keys = ON")
      if let maxSizeBytes {
        let pageSize = try writer.integer("PRAGMA page_size") ?? 4096
        try writer.execute("PRAGMA max_page_count = \(max(1, maxSizeBytes / pageSize))")
      }
      try SQLiteSchema.migrate(writer)
      try Self.checkWritable(writer)
    } catch {
      throw Self.storeError(error)
    }
    self.readers = SQLiteReaderPool(path: path, capacity: max(1, readers))
  }

  /// Two readers per online CPU, plus two; at least eight.
  public static var defaultReaders: Int { max(8, 2 * max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) + 2) }

  /// Fails unless the database can be written. SQLite opens a file it may
  /// not write read-only instead of failing, and whether it then can is up
  /// to what the last process left behind (a WAL file or none), so without
  /// this check a read-only store would sometimes start, serve reads, and
  /// fail every write; it is refused at start instead, every time. The probe
  /// rewrites a header field inside a transaction it rolls back: SQLite
  /// checks for write access when a page changes (`BEGIN IMMEDIATE` alone
  /// succeeds on a read-only file), and nothing reaches the disk.
  static func checkWritable(_ db: SQLiteConnection) throws {
    try db.execute("BEGIN IMMEDIATE")
    defer { if !db.isAutocommit { try? db.execute("ROLLBACK") } }
    let version = try db.integer("PRAGMA user_version") ?? 0
    try db.execute("PRAGMA user_version = \(version)")
  }

  /// Goes up after every commit, before the write is acknowledged (see
  /// ``ImmediateReads/generation``). Complete only while this process is
  /// the file's one writer, which `exclusive` makes sure of.
  public var generation: UInt64 { commits.load(ordering: .acquiring) }

  public func get(_ collection: ResourceCollection, id: String) async throws -> StoredResource? {
    try getImmediately(collection, id: id)
  }

  /// A point read in place: see the type's comment on threads.
  public func getImmediately(_ collection: ResourceCollection, id: String) throws -> StoredResource? {
    try readInPlace { db in try Self.fetch(db, collection, id: id) }
  }

  public func count(_ collection: ResourceCollection) async throws -> Int {
    try readInPlace { db in
      Int(try db.integer("SELECT count(*) FROM records WHERE collection = ?", [.text(collection.rawValue)]) ?? 0)
    }
  }

  public func list(_ query: ListQuery) async throws -> [StoredResource] {
    // In place (see the type's comment): a hop to Dispatch and back cost two
    // context switches per page, 15% of a 50-visit ListVisits.
    try listImmediately(query)
  }

  /// A page read in place; callers on an event loop keep to short reads
  /// (``ListQuery/isShortRead``).
  public func listImmediately(_ query: ListQuery) throws -> [StoredResource] {
    try readInPlace { db in try Self.list(db, query) }
  }

  public func changes(after: Int64, limit: Int) async throws -> [Change] {
    try readInPlace { db in try Self.changes(db, after: after, limit: limit) }
  }

  public func write<T: Sendable>(_ body: @escaping @Sendable (any WriteTransaction) throws -> T) async throws -> T {
    let started = ContinuousClock.now
    defer { writeTimer.recordNanoseconds(Self.nanoseconds(since: started)) }
    return try await withCheckedThrowingContinuation { continuation in
      writerQueue.async {
        continuation.resume(with: Result { try self.writeOnQueue(body) })
      }
    }
  }

  /// One write transaction on the writer queue. Changes are published right
  /// after COMMIT, still on the queue, so publication order is commit order.
  private func writeOnQueue<T>(_ body: (any WriteTransaction) throws -> T) throws -> T {
    do {
      try writer.execute("BEGIN IMMEDIATE")
      let transaction = SQLiteWriteTransaction(db: writer)
      let result: T
      do {
        result = try body(transaction)
        try writer.execute("COMMIT")
      } catch {
        if !writer.isAutocommit { try? writer.execute("ROLLBACK") }
        throw error
      }
      // After COMMIT, before the caller hears of it: an answer computed
      // from an older snapshot can no longer be cached as current.
      // Every commit counts, even one that logged no change: cheaper than
      // proving a write touched no record.
      commits.add(1, ordering: .releasing)
      feed.publish(transaction.changes)
      return result
    } catch {
      throw Self.storeError(error)
    }
  }

  /// Runs `body` with a reader of the pool on the calling thread (for the
  /// import, which streams every table out in one read).
  func withReader<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
    do {
      return try readers.withReader(body)
    } catch {
      throw Self.storeError(error)
    }
  }

  /// A read on the caller's thread. Every read here is one SELECT, which
  /// SQLite runs in a snapshot of its own: no BEGIN/COMMIT around it.
  private func readInPlace<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
    let started = ContinuousClock.now
    defer { readTimer.recordNanoseconds(Self.nanoseconds(since: started)) }
    return try withReader(body)
  }

  static func nanoseconds(since start: ContinuousClock.Instant) -> Int64 {
    let (seconds, attoseconds) = (ContinuousClock.now - start).components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
  }

  /// The ``StoreError`` for a failed SQLite call (other errors pass through).
  static func storeError(_ error: any Error) -> any Error {
    guard let error = error as? SQLiteError else { return error }
    switch error.primaryCode {
    case SQLITE_FULL: return StoreError(.full, "the database or disk is full")
    case SQLITE_CORRUPT, SQLITE_NOTADB: return StoreError(.corrupt, "the database is damaged: \(error.message)")
    case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PERM:
      return StoreError(.unavailable, "the database cannot be used: \(error.message)")
    default: return StoreError(.unavailable, "database error: \(error)")
    }
  }
}
