import CSQLite

/// One compiled SQL statement of one ``SQLiteConnection``, reused across
/// calls (the connection caches them by SQL text: compiling a statement
/// costs more than running a point read).
///
/// A statement is used by one thread at a time, like its connection. Every
/// use binds, steps, and ends with ``reset()``, which ``rows(_:_:)`` and
/// ``run(_:)`` do themselves.
final class SQLiteStatement {
  let handle: OpaquePointer

  init(handle: OpaquePointer) {
    self.handle = handle
  }

  deinit {
    sqlite3_finalize(handle)
  }

  /// Binds `values` to parameters 1, 2, … in order.
  func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
    for (offset, value) in values.enumerated() {
      let index = Int32(offset + 1)
      switch value {
      case .null: try check(sqlite3_bind_null(handle, index))
      case .integer(let number): try check(sqlite3_bind_int64(handle, index, number))
      case .text(let text): try bind(text, at: index)
      case .blob(let bytes):
        // A NULL pointer would bind SQL NULL, not an empty blob.
        try check(
          bytes.withUnsafeBytes { raw in
            raw.baseAddress.map { summit_sqlite3_bind_blob_copy(handle, index, $0, Int32(raw.count)) }
              ?? sqlite3_bind_zeroblob(handle, index, 0)
          })
      }
    }
  }

  /// Binds one text parameter (1-based): the hot path's bind, without an
  /// array of values.
  func bind(_ text: String, at index: Int32) throws(SQLiteError) {
    var text = text
    let code = text.withUTF8 { utf8 -> Int32 in
      // A NULL pointer would bind SQL NULL, not the empty string.
      guard let base = utf8.baseAddress else { return summit_sqlite3_bind_text_copy(handle, index, "", 0) }
      return summit_sqlite3_bind_text_copy(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(utf8.count))
    }
    try check(code)
  }

  /// Steps once: true when a row is ready to read, false when done.
  func step() throws(SQLiteError) -> Bool {
    let code = sqlite3_step(handle)
    switch code {
    case SQLITE_ROW: return true
    case SQLITE_DONE: return false
    default: throw SQLiteError(code: code, connection: sqlite3_db_handle(handle))
    }
  }

  /// Makes the statement ready for its next use and drops its bindings.
  func reset() {
    sqlite3_reset(handle)
    sqlite3_clear_bindings(handle)
  }

  /// Binds `values`, steps to the end, and resets.
  func run(_ values: [SQLiteValue] = []) throws(SQLiteError) {
    defer { reset() }
    try bind(values)
    while try step() {}
  }

  /// Binds `values` and maps every row through `row`, then resets.
  func rows<T>(_ values: [SQLiteValue] = [], _ row: (SQLiteStatement) throws -> T) throws -> [T] {
    defer { reset() }
    try bind(values)
    var result: [T] = []
    while try step() { result.append(try row(self)) }
    return result
  }

  // MARK: Columns of the current row (0-based)

  func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

  func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

  func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

  /// The column as text; "" for NULL (see ``optionalText(_:)``).
  func text(_ column: Int32) -> String {
    guard let bytes = sqlite3_column_text(handle, column) else { return "" }
    let count = Int(sqlite3_column_bytes(handle, column))
    return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
  }

  func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

  /// The column as bytes, copied once out of SQLite's buffer; empty for NULL.
  func blob(_ column: Int32) -> [UInt8] {
    guard let bytes = sqlite3_column_blob(handle, column) else { return [] }
    let count = Int(sqlite3_column_bytes(handle, column))
    return [UInt8](UnsafeRawBufferPointer(start: bytes, count: count))
  }

  private func check(_ code: Int32) throws(SQLiteError) {
    guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: sqlite3_db_handle(handle)) }
  }
}
