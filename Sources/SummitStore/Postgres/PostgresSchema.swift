/// The PostgreSQL schema: the SQLite store's tables, column for column, one
/// versioned step at a time. Steps never change once released; each runs in
/// its own transaction, and replicas starting together take turns through a
/// session advisory lock, so exactly one of them applies each step.
enum PostgresSchema {
  /// Advisory lock keys (pg_advisory_*): arbitrary constants, Summit's own.
  static let migrationLock: Int64 = 0x5355_4d4d_4954_0001
  /// Held by every write transaction until its commit, so that change
  /// sequences are handed out in commit order across all replicas.
  static let writeLock: Int64 = 0x5355_4d4d_4954_0002
  /// The NOTIFY channel a commit with changes signals on.
  static let changesChannel = "summit_changes"

  /// `COLLATE "C"` on ordered text keeps list and page-token order the
  /// byte order SQLite uses, whatever the database's default collation.
  static let migrations: [(name: String, sql: String)] = [
    (
      "v1: records, terms, change log, idempotency",
      """
      CREATE TABLE records (
        collection text NOT NULL,
        id text COLLATE "C" NOT NULL,
        data bytea NOT NULL,
        version bigint NOT NULL,
        sort_key text COLLATE "C" NOT NULL,
        start_date text COLLATE "C",
        end_date text COLLATE "C",
        PRIMARY KEY (collection, id)
      );
      CREATE INDEX records_order ON records (collection, sort_key, id);
      CREATE TABLE record_terms (
        collection text NOT NULL,
        term text COLLATE "C" NOT NULL,
        sort_key text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        PRIMARY KEY (collection, term, sort_key, id)
      );
      CREATE INDEX record_terms_by_record ON record_terms (collection, id);
      CREATE TABLE record_references (
        target text COLLATE "C" NOT NULL,
        collection text NOT NULL,
        id text COLLATE "C" NOT NULL,
        PRIMARY KEY (target, collection, id)
      );
      CREATE INDEX record_references_by_record ON record_references (collection, id);
      CREATE TABLE changes (
        sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        collection text NOT NULL,
        kind integer NOT NULL,
        id text NOT NULL,
        data bytea NOT NULL,
        commit_time bigint NOT NULL
      );
      CREATE TABLE idempotent_requests (
        method text NOT NULL,
        request_id text NOT NULL,
        response bytea NOT NULL,
        create_time bigint NOT NULL,
        PRIMARY KEY (method, request_id)
      );
      """
    )
  ]

  /// Applies the steps not yet applied; fails as `.corrupt` when the
  /// database holds a step this binary does not know (it is newer).
  static func migrate(_ connection: PGConnection) throws(StoreError) {
    try connection.execute("SELECT pg_advisory_lock($1)", [.int(migrationLock)])
    defer { _ = try? connection.execute("SELECT pg_advisory_unlock($1)", [.int(migrationLock)]) }
    try connection.executeScript(
      "CREATE TABLE IF NOT EXISTS summit_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
    let applied = try connection.execute("SELECT name FROM summit_migrations")
    let names = Set((0..<applied.count).map { applied.text($0, 0) })
    let known = Set(migrations.map(\.name))
    if let unknown = names.subtracting(known).sorted().first {
      throw StoreError(.corrupt, "the database schema is newer than this binary (it has migration \"\(unknown)\")")
    }
    for migration in migrations where !names.contains(migration.name) {
      try connection.executeScript("BEGIN")
      do {
        try connection.executeScript(migration.sql)
        try connection.execute("INSERT INTO summit_migrations (name) VALUES ($1)", [.text(migration.name)])
        try connection.executeScript("COMMIT")
      } catch {
        if !connection.isBroken { _ = try? connection.executeScript("ROLLBACK") }
        throw error
      }
    }
  }
}
