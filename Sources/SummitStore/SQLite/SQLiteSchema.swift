/// The SQLite schema, one versioned step at a time.
///
/// Steps run at start, in order, each in its own transaction, and never
/// change once released. Which steps a file has is recorded in
/// `grdb_migrations(identifier)`: the table the GRDB library's migrator
/// kept when it ran these steps (before Summit talked to SQLite directly),
/// kept under its name so that every existing store opens unchanged.
enum SQLiteSchema {
  struct Step {
    var identifier: String
    var sql: String
  }

  static let steps: [Step] = [
    Step(
      identifier: "v1: records, terms, change log, idempotency",
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
        """),
  ]

  /// Applies the steps `db` lacks, each in its own IMMEDIATE transaction.
  static func migrate(_ db: SQLiteConnection) throws {
    try db.execute("CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
    for step in steps {
      try db.execute("BEGIN IMMEDIATE")
      do {
        let applied = try db.statement("SELECT 1 FROM grdb_migrations WHERE identifier = ?")
          .rows([.text(step.identifier)]) { _ in true }
        if applied.isEmpty {
          try db.execute(step.sql)
          try db.run("INSERT INTO grdb_migrations (identifier) VALUES (?)", [.text(step.identifier)])
        }
        try db.execute("COMMIT")
      } catch {
        if !db.isAutocommit { try? db.execute("ROLLBACK") }
        throw error
      }
    }
  }
}
