import Foundation
import GRDB

/// Moving one instance's SQLite file into the PostgreSQL database replicas
/// share, for an operator going from one `summitd` to several.
extension PostgresStore {
  /// What an import copied.
  public struct ImportSummary: Sendable, CustomStringConvertible {
    public var records = 0
    public var changes = 0
    public var idempotentResponses = 0
    public var description: String {
      "\(records) records, \(changes) changes, \(idempotentResponses) idempotent responses"
    }
  }

  /// Copies every record (versions, so etags, unchanged), its index rows,
  /// the change log (sequences unchanged, so watchers' resume positions stay
  /// valid) and the idempotent responses from `sqlite` into this database,
  /// in one transaction: all or nothing.
  /// - Throws: ``StoreError`` `.unavailable` when this database already holds
  ///   records or changes (an import never merges), or on a database failure.
  public static func importing(from sqlite: SQLiteStore, into url: String) throws -> ImportSummary {
    let target = try PGConnection(url: url)
    try PostgresSchema.migrate(target)
    try target.executeScript("BEGIN")
    do {
      try target.execute("SELECT pg_advisory_xact_lock($1)", [.int(PostgresSchema.writeLock)])
      let present = try target.execute(
        "SELECT (SELECT count(*) FROM records) + (SELECT count(*) FROM changes) + (SELECT count(*) FROM idempotent_requests)")
      guard present.int(0, 0) == 0 else {
        throw StoreError(.unavailable, "the PostgreSQL database is not empty: an import only fills an empty one")
      }
      let summary = try sqlite.pool.read { db in try copyTables(db, to: target) }
      try target.execute(
        "SELECT setval(pg_get_serial_sequence('changes', 'sequence'), (SELECT max(sequence) FROM changes))")
      try target.executeScript("COMMIT")
      return summary
    } catch {
      if !target.isBroken { _ = try? target.executeScript("ROLLBACK") }
      throw SQLiteStore.storeError(error)
    }
  }

  private static func copyTables(_ db: Database, to target: PGConnection) throws -> ImportSummary {
    var summary = ImportSummary()
    let records = try Row.fetchCursor(
      db, sql: "SELECT collection, id, data, version, sort_key, start_date, end_date FROM records")
    while let row = try records.next() {
      let data: Data = row["data"]
      try target.execute(
        "INSERT INTO records (collection, id, data, version, sort_key, start_date, end_date) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
          .text(row["collection"] as String), .text(row["id"] as String), .bytes([UInt8](data)),
          .int(row["version"]), .text(row["sort_key"] as String), .text(row["start_date"] as String?),
          .text(row["end_date"] as String?),
        ])
      summary.records += 1
    }
    let terms = try Row.fetchCursor(db, sql: "SELECT collection, term, sort_key, id FROM record_terms")
    while let row = try terms.next() {
      try target.execute(
        "INSERT INTO record_terms (collection, term, sort_key, id) VALUES ($1, $2, $3, $4)",
        [.text(row["collection"] as String), .text(row["term"] as String), .text(row["sort_key"] as String), .text(row["id"] as String)])
    }
    let references = try Row.fetchCursor(db, sql: "SELECT target, collection, id FROM record_references")
    while let row = try references.next() {
      try target.execute(
        "INSERT INTO record_references (target, collection, id) VALUES ($1, $2, $3)",
        [.text(row["target"] as String), .text(row["collection"] as String), .text(row["id"] as String)])
    }
    let changes = try Row.fetchCursor(
      db, sql: "SELECT sequence, collection, kind, id, data, commit_time FROM changes ORDER BY sequence")
    while let row = try changes.next() {
      let data: Data = row["data"]
      try target.execute(
        """
        INSERT INTO changes (sequence, collection, kind, id, data, commit_time) OVERRIDING SYSTEM VALUE
        VALUES ($1, $2, $3, $4, $5, $6)
        """,
        [
          .int(row["sequence"]), .text(row["collection"] as String), .int(row["kind"]), .text(row["id"] as String),
          .bytes([UInt8](data)), .int(row["commit_time"]),
        ])
      summary.changes += 1
    }
    let responses = try Row.fetchCursor(db, sql: "SELECT method, request_id, response, create_time FROM idempotent_requests")
    while let row = try responses.next() {
      let response: Data = row["response"]
      try target.execute(
        "INSERT INTO idempotent_requests (method, request_id, response, create_time) VALUES ($1, $2, $3, $4)",
        [.text(row["method"] as String), .text(row["request_id"] as String), .bytes([UInt8](response)), .int(row["create_time"])])
      summary.idempotentResponses += 1
    }
    return summary
  }
}
