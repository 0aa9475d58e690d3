
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
      let summary = try sqlite.withReader { db in try copyTables(db, to: target) }
      try target.execute(
        "SELECT setval(pg_get_serial_sequence('changes', 'sequence'), (SELECT max(sequence) FROM changes))")
      try target.executeScript("COMMIT")
      return summary
    } catch {
      if !target.isBroken { _ = try? target.executeScript("ROLLBACK") }
      throw SQLiteStore.storeError(error)
    }
  }

  /// Streams every table of `db` into `target`, row by row.
  private static func copyTables(_ db: SQLiteConnection, to target: PGConnection) throws -> ImportSummary {
    var summary = ImportSummary()
    try forEachRow(db, "SELECT collection, id, data, version, sort_key, start_date, end_date FROM records") { row in
      try target.execute(
        "INSERT INTO records (collection, id, data, version, sort_key, start_date, end_date) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
          .text(row.text(0)), .text(row.text(1)), .bytes(row.blob(2)), .int(row.int64(3)), .text(row.text(4)),
          .text(row.optionalText(5)), .text(row.optionalText(6)),
        ])
      summary.records += 1
    }
    try forEachRow(db, "SELECT collection, term, sort_key, id FROM record_terms") { row in
      try target.execute(
        "INSERT INTO record_terms (collection, term, sort_key, id) VALUES ($1, $2, $3, $4)",
        [.text(row.text(0)), .text(row.text(1)), .text(row.text(2)), .text(row.text(3))])
    }
    try forEachRow(db, "SELECT target, collection, id FROM record_references") { row in
      try target.execute(
        "INSERT INTO record_references (target, collection, id) VALUES ($1, $2, $3)",
        [.text(row.text(0)), .text(row.text(1)), .text(row.text(2))])
    }
    try forEachRow(db, "SELECT sequence, collection, kind, id, data, commit_time FROM changes ORDER BY sequence") { row in
      try target.execute(
        """
        INSERT INTO changes (sequence, collection, kind, id, data, commit_time) OVERRIDING SYSTEM VALUE
        VALUES ($1, $2, $3, $4, $5, $6)
        """,
        [.int(row.int64(0)), .text(row.text(1)), .int(row.int64(2)), .text(row.text(3)), .bytes(row.blob(4)), .int(row.int64(5))])
      summary.changes += 1
    }
    try forEachRow(db, "SELECT method, request_id, response, create_time FROM idempotent_requests") { row in
      try target.execute(
        "INSERT INTO idempotent_requests (method, request_id, response, create_time) VALUES ($1, $2, $3, $4)",
        [.text(row.text(0)), .text(row.text(1)), .bytes(row.blob(2)), .int(row.int64(3))])
      summary.idempotentResponses += 1
    }
    return summary
  }

  /// Runs `body` on each row of `sql` as it is stepped: a table is never held in memory whole.
  private static func forEachRow(_ db: SQLiteConnection, _ sql: String, _ body: (SQLiteStatement) throws -> Void) throws {
    let statement = try db.statement(sql)
    defer { statement.reset() }
    while try statement.step() { try body(statement) }
  }
}
