import CSQLite

/// One SQLite connection, used by one thread at a time.
///
/// SQLite is opened in its multi-thread mode (`SQLITE_OPEN_NOMUTEX`): no
/// lock inside SQLite, so the caller guarantees one user at a time. The
/// store does: the writer connection is only used on the writer queue, and a
/// reader only while checked out of ``SQLiteReaderPool``. That discipline is
/// what `@unchecked Sendable` stands for here: a connection moves between
/// threads, it is never shared by two at once.
final class SQLiteConnection: @unchecked Sendable {
  private let handle: OpaquePointer
  private var statements: [String: SQLiteStatement] = [:]

  /// Opens the database at `path`, creating it unless `readOnly`.
  init(path: String, readOnly: Bool) throws(SQLiteError) {
    var opened: OpaquePointer?
    let access = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
    let code = sqlite3_open_v2(path, &opened, access | SQLITE_OPEN_NOMUTEX, nil)
    guard code == SQLITE_OK, let opened else {
      let error = SQLiteError(code: code, connection: opened)
      sqlite3_close_v2(opened)
      throw error
    }
    handle = opened
    sqlite3_extended_result_codes(handle, 1)
    // Another process (a backup, the sqlite3 shell) may hold a lock briefly.
    sqlite3_busy_timeout(handle, 5_000)
  }

  deinit {
    statements.removeAll()  // finalized before the connection closes
    sqlite3_close_v2(handle)
  }

  /// Runs SQL text of one or more statements without parameters (schema,
  /// pragmas, BEGIN/COMMIT).
  func execute(_ sql: String) throws(SQLiteError) {
    let code = sqlite3_exec(handle, sql, nil, nil, nil)
    guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: handle) }
  }

  /// The compiled statement for `sql`, compiled on first use and kept for
  /// the connection's life. Callers use a handful of fixed SQL texts.
  func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
    if let cached = statements[sql] { return cached }
    var compiled: OpaquePointer?
    let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &compiled, nil)
    guard code == SQLITE_OK, let compiled else { throw SQLiteError(code: code, connection: handle) }
    let statement = SQLiteStatement(handle: compiled)
    statements[sql] = statement
    return statement
  }

  /// Runs one statement with `values` bound, ignoring any rows.
  func run(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) {
    try statement(sql).run(values)
  }

  /// The first column of the first row of `sql` as an integer, or nil without rows.
  func integer(_ sql: String, _ values: [SQLiteValue] = []) throws -> Int64? {
    try statement(sql).rows(values) { $0.int64(0) }.first
  }

  /// The rowid of the last row this connection inserted.
  var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(handle) }

  /// False inside an open transaction.
  var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }
}
