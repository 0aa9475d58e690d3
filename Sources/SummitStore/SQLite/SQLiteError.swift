import CSQLite

/// A failed SQLite call: its extended result code and SQLite's message.
struct SQLiteError: Error, CustomStringConvertible {
  /// The extended result code (`SQLITE_IOERR_WRITE`, …); ``primaryCode`` is its low byte.
  var code: Int32
  var message: String

  /// The primary result code (`SQLITE_FULL`, `SQLITE_BUSY`, …), what callers decide on.
  var primaryCode: Int32 { code & 0xFF }

  var description: String { "\(message) (SQLite code \(code))" }

  /// The error SQLite last recorded on `connection` for result code `code`.
  init(code: Int32, connection: OpaquePointer?) {
    self.code = code
    if let connection, let text = sqlite3_errmsg(connection) {
      message = String(cString: text)
    } else {
      message = String(cString: sqlite3_errstr(code))
    }
  }

  init(code: Int32, message: String) {
    self.code = code
    self.message = message
  }
}

/// A value bound to a statement's `?` parameter.
enum SQLiteValue {
  case null
  case integer(Int64)
  case text(String)
  case blob([UInt8])

  /// `.text`, or `.null` for nil.
  static func text(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
  static func integer(_ value: Int) -> SQLiteValue { .integer(Int64(value)) }
}
