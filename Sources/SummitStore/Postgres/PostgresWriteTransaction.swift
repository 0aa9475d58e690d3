import FoundationEssentials

/// A ``WriteTransaction`` on the writer connection, inside BEGIN … COMMIT
/// and holding ``PostgresSchema/writeLock``.
final class PostgresWriteTransaction: WriteTransaction {
  private let connection: PGConnection
  /// The sequence of the last change this transaction logged, if any (the
  /// NOTIFY payload: replicas that already published it skip a read).
  private(set) var lastSequence: Int64?

  init(connection: PGConnection) {
    self.connection = connection
  }

  func get(_ collection: ResourceCollection, id: String) throws -> StoredResource? {
    try PostgresQueries.fetch(connection, collection, id: id)
  }

  func insert(_ collection: ResourceCollection, id: String, data: [UInt8], index: ResourceIndex) throws -> Bool {
    let inserted = try connection.execute(
      """
      INSERT INTO records (collection, id, data, version, sort_key, start_date, end_date)
      VALUES ($1, $2, $3, 1, $4, $5, $6) ON CONFLICT (collection, id) DO NOTHING
      """,
      [.text(collection.rawValue), .text(id), .bytes(data), .text(index.sortKey), .text(index.startDate), .text(index.endDate)])
    guard inserted.affected == 1 else { return false }
    try writeIndex(collection, id: id, index)
    return true
  }

  func replace(_ collection: ResourceCollection, id: String, data: [UInt8], index: ResourceIndex) throws -> Int64 {
    let updated = try connection.execute(
      """
      UPDATE records SET data = $1, version = version + 1, sort_key = $2, start_date = $3, end_date = $4
      WHERE collection = $5 AND id = $6 RETURNING version
      """,
      [.bytes(data), .text(index.sortKey), .text(index.startDate), .text(index.endDate), .text(collection.rawValue), .text(id)])
    try clearIndex(collection, id: id)
    try writeIndex(collection, id: id, index)
    return updated.count == 1 ? updated.int(0, 0) : 0
  }

  func delete(_ collection: ResourceCollection, id: String) throws {
    try connection.execute("DELETE FROM records WHERE collection = $1 AND id = $2", [.text(collection.rawValue), .text(id)])
    try clearIndex(collection, id: id)
  }

  func referrers(of name: String, in collection: ResourceCollection) throws -> [String] {
    let rows = try connection.execute(
      "SELECT id FROM record_references WHERE target = $1 AND collection = $2 ORDER BY id",
      [.text(name), .text(collection.rawValue)])
    return (0..<rows.count).map { rows.text($0, 0) }
  }

  func recordChange(_ kind: ChangeKind, _ collection: ResourceCollection, id: String, data: [UInt8]) throws {
    let inserted = try connection.execute(
      "INSERT INTO changes (collection, kind, id, data, commit_time) VALUES ($1, $2, $3, $4, $5) RETURNING sequence",
      [.text(collection.rawValue), .int(Int64(kind.rawValue)), .text(id), .bytes(data), .int(StoreClock.nowMilliseconds())])
    lastSequence = inserted.int(0, 0)
  }

  func idempotentResponse(method: String, requestID: String) throws -> [UInt8]? {
    let rows = try connection.execute(
      "SELECT response FROM idempotent_requests WHERE method = $1 AND request_id = $2", [.text(method), .text(requestID)])
    return rows.count == 1 ? rows.bytes(0, 0) : nil
  }

  func storeIdempotentResponse(method: String, requestID: String, response: [UInt8]) throws {
    try connection.execute(
      """
      INSERT INTO idempotent_requests (method, request_id, response, create_time) VALUES ($1, $2, $3, $4)
      ON CONFLICT (method, request_id) DO UPDATE SET response = excluded.response, create_time = excluded.create_time
      """,
      [.text(method), .text(requestID), .bytes(response), .int(StoreClock.nowMilliseconds())])
  }

  private func writeIndex(_ collection: ResourceCollection, id: String, _ index: ResourceIndex) throws {
    for term in Set(index.terms) {
      try connection.execute(
        "INSERT INTO record_terms (collection, term, sort_key, id) VALUES ($1, $2, $3, $4)",
        [.text(collection.rawValue), .text(term), .text(index.sortKey), .text(id)])
    }
    for target in Set(index.references) {
      try connection.execute(
        "INSERT INTO record_references (target, collection, id) VALUES ($1, $2, $3)",
        [.text(target), .text(collection.rawValue), .text(id)])
    }
  }

  private func clearIndex(_ collection: ResourceCollection, id: String) throws {
    try connection.execute("DELETE FROM record_terms WHERE collection = $1 AND id = $2", [.text(collection.rawValue), .text(id)])
    try connection.execute(
      "DELETE FROM record_references WHERE collection = $1 AND id = $2", [.text(collection.rawValue), .text(id)])
  }
}
