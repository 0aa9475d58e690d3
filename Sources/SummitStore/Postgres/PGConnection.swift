import CLibPQ
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// One blocking libpq connection. Not Sendable: each belongs to one thread
/// or serial queue (``PGWorker``, the change listener), which is what makes
/// the synchronous ``WriteTransaction`` API fit without an async driver.
///
/// Every failure becomes a ``StoreError``: a lost or refused connection is
/// `.unavailable` (UNAVAILABLE to clients), a full disk `.full`, damaged data
/// `.corrupt`.
final class PGConnection {
  private let handle: OpaquePointer

  /// Connects to `url` (a `postgres://` URL or a libpq key=value string).
  /// Defaults that the URL may override: a 5 s connect timeout, and TCP
  /// keepalives plus a 30 s unacknowledged-data timeout, so that a server
  /// gone silent (a partition, not a refusal) fails calls as `.unavailable`
  /// within about half a minute instead of blocking a worker for the kernel's
  /// default of many minutes.
  init(url: String) throws(StoreError) {
    try Self.loadLibPQ()
    // Entries before `dbname` are defaults; the expanded URL overrides them.
    let keywords = [
      "connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
      "application_name", "dbname",
    ]
    let values = ["5", "10", "5", "3", "30000", "summitd", url]
    let connection = Self.withCStrings(keywords) { k in
      Self.withCStrings(values) { v in PQconnectdbParams(k, v, 1) }
    }
    guard let connection else { throw StoreError(.unavailable, "cannot connect to PostgreSQL: out of memory") }
    guard PQstatus(connection) == CONNECTION_OK else {
      let message = Self.trimmed(PQerrorMessage(connection))
      PQfinish(connection)
      throw StoreError(.unavailable, "cannot connect to PostgreSQL: \(message)")
    }
    // Server notices (NOTICE, the FATAL of a terminated session) would go
    // to stderr unformatted; errors that matter reach callers as StoreError.
    _ = PQsetNoticeProcessor(connection, { _, _ in }, nil)
    handle = connection
  }

  deinit { PQfinish(handle) }

  /// libpq is loaded on first use (see CLibPQ.h), so that the SQLite store
  /// neither maps nor needs it; a missing library is a clear `.unavailable`.
  private static func loadLibPQ() throws(StoreError) {
    var error = [CChar](repeating: 0, count: 512)
    guard summit_libpq_load(&error, error.count) == 0 else {
      throw StoreError(.unavailable, "PostgreSQL client library: " + String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
  }

  /// True once the connection is lost; it is then dropped and a new one made.
  var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

  /// Runs one statement with `$1…` parameters; results come back binary.
  @discardableResult
  func execute(_ sql: String, _ parameters: [PGValue] = []) throws(StoreError) -> PGRows {
    let encoded = parameters.map(\.wireBytes)
    let types = parameters.map(\.typeOID)
    let lengths = encoded.map { Int32($0?.count ?? 0) }
    let formats = [Int32](repeating: 1, count: parameters.count)
    let buffers: [UnsafeMutablePointer<CChar>?] = encoded.map { bytes in
      guard let bytes else { return nil }
      let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
      bytes.withUnsafeBytes { raw in
        if let base = raw.baseAddress { UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: raw.count) }
      }
      return buffer
    }
    defer { for buffer in buffers { buffer?.deallocate() } }
    let result = buffers.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
      PQexecParams(handle, sql, Int32(parameters.count), types, values.baseAddress, lengths, formats, 1)
    }
    return try consume(result)
  }

  /// Runs several `;`-separated statements without parameters (migrations).
  func executeScript(_ sql: String) throws(StoreError) {
    _ = try consume(PQexec(handle, sql))
  }

  /// Reads what arrived on the socket; false when the connection is lost.
  func consumeInput() -> Bool { PQconsumeInput(handle) == 1 }

  /// Drains the received notifications; returns their payloads.
  func takeNotifications() -> [String] {
    var payloads: [String] = []
    while let notification = PQnotifies(handle) {
      payloads.append(notification.pointee.extra.map { String(cString: $0) } ?? "")
      PQfreemem(notification)
    }
    return payloads
  }

  /// The socket, for waiting on notifications with poll(2).
  var socket: Int32 { PQsocket(handle) }

  private func consume(_ result: OpaquePointer?) throws(StoreError) -> PGRows {
    guard let result else {
      throw StoreError(.unavailable, "PostgreSQL: \(Self.trimmed(PQerrorMessage(handle)))")
    }
    defer { PQclear(result) }
    let status = PQresultStatus(result)
    guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
      throw Self.error(result, connectionLost: isBroken, fallback: Self.trimmed(PQerrorMessage(handle)))
    }
    let rowCount = Int(PQntuples(result))
    let columnCount = Int(PQnfields(result))
    var rows: [[[UInt8]?]] = []
    rows.reserveCapacity(rowCount)
    for r in 0..<Int32(rowCount) {
      var row: [[UInt8]?] = []
      row.reserveCapacity(columnCount)
      for c in 0..<Int32(columnCount) {
        if PQgetisnull(result, r, c) == 1 {
          row.append(nil)
        } else {
          let length = Int(PQgetlength(result, r, c))
          row.append(PQgetvalue(result, r, c).withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
          })
        }
      }
      rows.append(row)
    }
    let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
    return PGRows(rows: rows, affected: affected)
  }

  /// Maps a failed result to a ``StoreError`` by its SQLSTATE class.
  private static func error(_ result: OpaquePointer, connectionLost: Bool, fallback: String) -> StoreError {
    let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
    let message = PQresultErrorMessage(result).map { trimmed($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? fallback
    if connectionLost { return StoreError(.unavailable, "lost the PostgreSQL connection: \(message)") }
    switch sqlState {
    case "53100": return StoreError(.full, "the database or disk is full")
    case "XX001", "XX002": return StoreError(.corrupt, "the database is damaged: \(message)")
    default: return StoreError(.unavailable, "PostgreSQL error \(sqlState): \(message)")
    }
  }

  private static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
    guard let text else { return "" }
    // libpq ends its messages with a newline.
    var message = Substring(String(cString: text)).unicodeScalars
    while let first = message.first, first.properties.isWhitespace { message.removeFirst() }
    while let last = message.last, last.properties.isWhitespace { message.removeLast() }
    return String(message)
  }

  private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { for copy in copies { free(copy) } }
    let pointers = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
  }
}
