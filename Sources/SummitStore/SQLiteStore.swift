import CoreMetrics
import Foundation
import GRDB
import Metrics

/// The embedded store: one SQLite file in WAL mode, through GRDB.
///
/// Durability: `synchronous=FULL` makes SQLite fsync the WAL at every commit,
/// so a write is on disk before the call that made it returns: an
/// acknowledged write survives `kill -9` and power loss. (`NORMAL`, the
/// usual WAL companion, may lose the last commits on power loss.)
///
/// SQLite calls block a thread; GRDB runs them on its own queues (one writer,
/// a pool of readers), off the event loops.
public final class SQLiteStore: ResourceStore {
  let pool: DatabasePool
  public let feed = ChangeFeed()
  private let readTimer = Metrics.Timer(label: "summit_store_operation_duration_seconds", dimensions: [("operation", "read")])
  private let writeTimer = Metrics.Timer(label: "summit_store_operation_duration_seconds", dimensions: [("operation", "write")])

  /// Opens (creating when absent) the database at `path` and migrates it.
  /// - Parameter maxSizeBytes: a ceiling on the database file; writes past it
  ///   fail as `StoreError.full` (RESOURCE_EXHAUSTED to clients) and reads go on.
  public init(path: String, maxSizeBytes: Int64? = nil) throws {
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    var configuration = Configuration()
    configuration.busyMode = .timeout(5)
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA synchronous = FULL")
      try db.execute(sql: "PRAGMA foreign_keys = ON")
      if let maxSizeBytes {
        let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        try db.execute(sql: "PRAGMA max_page_count = \(max(1, maxSizeBytes / pageSize))")
      }
    }
    do {
      pool = try DatabasePool(path: path, configuration: configuration)
      try Self.migrator.migrate(pool)
      try Self.checkWritable(pool)
    } catch {
      throw Self.storeError(error)
    }
  }

  /// Fails unless the database can be written. SQLite opens a file it may
  /// not write read-only instead of failing, and whether it then can is up
  /// to what the last process left behind (a WAL file or none), so without
  /// this check a read-only store would sometimes start, serve reads, and
  /// fail every write; it is refused at start instead, every time. The probe
  /// rewrites a header field inside a transaction it rolls back: SQLite
  /// checks for write access when a page changes (`BEGIN IMMEDIATE` alone
  /// succeeds on a read-only file), and nothing reaches the disk.
  static func checkWritable(_ pool: DatabasePool) throws {
    try pool.writeWithoutTransaction { db in
      try db.execute(sql: "BEGIN IMMEDIATE")
      do {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        try db.execute(sql: "PRAGMA user_version = \(version)")
      } catch {
        try? db.execute(sql: "ROLLBACK")
        throw error
      }
      try db.execute(sql: "ROLLBACK")
    }
  }

  /// The schema, one versioned step at a time; steps run at start, in order,
  /// each in its own transaction, and never change once released.
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1: records, terms, change log, idempotency") { db in
      try db.execute(
        sql: """
          CREATE TABLE records (
            collection TEXT NOT NULL,
            id TEXT NOT NULL,
            data BLOB NOT NULL,
            version INTEGER NOT NULL,
            sort_key TEXT NOT NULL,
            start_date TEXT,
            end_date TEXT,
            PRIMARY KEY (collection, id)
          ) WITHOUT ROWID;
          CREATE INDEX records_order ON records (collection, sort_key, id);
          CREATE TABLE record_terms (
            collection TEXT NOT NULL,
            term TEXT NOT NULL,
            sort_key TEXT NOT NULL,
            id TEXT NOT NULL,
            PRIMARY KEY (collection, term, sort_key, id)
          ) WITHOUT ROWID;
          CREATE INDEX record_terms_by_record ON record_terms (collection, id);
          CREATE TABLE record_references (
            target TEXT NOT NULL,
            collection TEXT NOT NULL,
            id TEXT NOT NULL,
            PRIMARY KEY (target, collection, id)
          ) WITHOUT ROWID;
          CREATE INDEX record_references_by_record ON record_references (collection, id);
          CREATE TABLE changes (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            collection TEXT NOT NULL,
            kind INTEGER NOT NULL,
            id TEXT NOT NULL,
            data BLOB NOT NULL,
            commit_time INTEGER NOT NULL
          );
          CREATE TABLE idempotent_requests (
            method TEXT NOT NULL,
            request_id TEXT NOT NULL,
            response BLOB NOT NULL,
            create_time INTEGER NOT NULL,
            PRIMARY KEY (method, request_id)
          ) WITHOUT ROWID;
          """)
    }
    return migrator
  }

  public func get(_ collection: ResourceCollection, id: String) async throws -> StoredResource? {
    // A point read by primary key takes microseconds: it runs on the
    // caller's thread (the connection's event loop), which costs less than
    // the hop to a GRDB queue and back. Lists, which can be long, hop.
    try readInPlace { db in try Self.fetch(db, collection, id: id) }
  }

  public func count(_ collection: ResourceCollection) async throws -> Int {
    try await read { db in
      try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE collection = ?", arguments: [collection.rawValue]) ?? 0
    }
  }

  public func list(_ query: ListQuery) async throws -> [StoredResource] {
    try await read { db in try Self.list(db, query) }
  }

  public func changes(after: Int64, limit: Int) async throws -> [Change] {
    try await read { db in
      try Row.fetchAll(
        db, sql: "SELECT sequence, collection, kind, id, data, commit_time FROM changes WHERE sequence > ? ORDER BY sequence LIMIT ?",
        arguments: [after, limit]
      ).compactMap(Self.change)
    }
  }

  public func write<T: Sendable>(_ body: @escaping @Sendable (any WriteTransaction) throws -> T) async throws -> T {
    let feed = self.feed
    let started = ContinuousClock.now
    defer { writeTimer.recordNanoseconds(Self.nanoseconds(since: started)) }
    do {
      return try await pool.write { db in
        let transaction = SQLiteWriteTransaction(db: db)
        let result = try body(transaction)
        let changes = transaction.changes
        // Runs on the single writer right after COMMIT: publication order is commit order.
        db.afterNextTransaction { _ in feed.publish(changes) }
        return result
      }
    } catch let error as DatabaseError {
      throw Self.storeError(error)
    }
  }

  /// GRDB's blocking read (in an async function its async one is chosen).
  /// Every read here is one SELECT, which SQLite runs in a snapshot of its
  /// own, so GRDB's wrapping transaction (BEGIN and COMMIT around each read:
  /// a sixth of a GetLeader's CPU) is left out.
  private func readInPlace<T>(_ body: (Database) throws -> T) throws -> T {
    let started = ContinuousClock.now
    defer { readTimer.recordNanoseconds(Self.nanoseconds(since: started)) }
    do {
      return try pool.unsafeRead(body)
    } catch let error as DatabaseError {
      throw Self.storeError(error)
    }
  }

  private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    let started = ContinuousClock.now
    defer { readTimer.recordNanoseconds(Self.nanoseconds(since: started)) }
    do {
      return try await pool.unsafeRead(body)  // one SELECT each: see readInPlace
    } catch let error as DatabaseError {
      throw Self.storeError(error)
    }
  }

  static func nanoseconds(since start: ContinuousClock.Instant) -> Int64 {
    let (seconds, attoseconds) = (ContinuousClock.now - start).components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
  }

  static func storeError(_ error: any Error) -> any Error {
    guard let error = error as? DatabaseError else { return error }
    switch error.resultCode {
    case .SQLITE_FULL: return StoreError(.full, "the database or disk is full")
    case .SQLITE_CORRUPT, .SQLITE_NOTADB: return StoreError(.corrupt, "the database is damaged: \(error.message ?? "")")
    case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_IOERR, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_PERM:
      return StoreError(.unavailable, "the database cannot be used: \(error.message ?? "\(error.resultCode)")")
    default: return StoreError(.unavailable, "database error: \(error)")
    }
  }
}
