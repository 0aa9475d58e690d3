/// A statement parameter, sent to PostgreSQL in binary form with its type
/// stated, so the server never guesses a type from context.
enum PGValue {
  case text(String)
  case bytes([UInt8])
  case int(Int64)
  /// SQL NULL, typed as text (the only nullable columns are dates).
  case nullText

  /// The type's OID (pg_type): text 25, bytea 17, int8 20.
  var typeOID: UInt32 {
    switch self {
    case .text, .nullText: 25
    case .bytes: 17
    case .int: 20
    }
  }

  /// The binary wire form; nil for NULL.
  var wireBytes: [UInt8]? {
    switch self {
    case .text(let s): Array(s.utf8)
    case .bytes(let b): b
    case .int(let v): withUnsafeBytes(of: v.bigEndian) { Array($0) }
    case .nullText: nil
    }
  }

  static func text(_ value: String?) -> PGValue { value.map { .text($0) } ?? .nullText }
}

/// The rows of one statement, copied out of libpq's result (binary format):
/// no pointer into libpq outlives the call that made it.
struct PGRows {
  var rows: [[[UInt8]?]]
  /// Rows an INSERT/UPDATE/DELETE touched (PQcmdTuples), 0 otherwise.
  var affected: Int

  var count: Int { rows.count }

  func bytes(_ row: Int, _ column: Int) -> [UInt8] { rows[row][column] ?? [] }

  func text(_ row: Int, _ column: Int) -> String { String(decoding: bytes(row, column), as: UTF8.self) }

  /// A binary integer column (int2, int4 or int8, big-endian).
  func int(_ row: Int, _ column: Int) -> Int64 {
    bytes(row, column).reduce(Int64(0)) { ($0 << 8) | Int64($1) }.signExtended(fromBytes: bytes(row, column).count)
  }
}

extension Int64 {
  fileprivate func signExtended(fromBytes count: Int) -> Int64 {
    guard count > 0, count < 8 else { return self }
    let shift = Int64(64 - count * 8)
    return (self << shift) >> shift
  }
}
