/// A ``WriteTransaction`` on the SQLite writer connection.
final class SQLiteWriteTransaction: WriteTransaction {
  let db: SQLiteConnection
  /// Changes recorded in this transaction, published after commit.
  private(set) var changes: [Change] = []

  init(db: SQLiteConnection) {
    self.db = db
  }

  func get(_ collection: ResourceCollection, id: String) throws -> StoredResource? {
    try SQLiteStore.fetch(db, collection, id: id)
  }

  func insert(_ collection: ResourceCollection, id: String, data: [UInt8], index: ResourceIndex) throws -> Bool {
    guard try get(collection, id: id) == nil else { return false }
    try db.run(
      "INSERT INTO records (collection, id, data, version, sort_key, start_date, end_date) VALUES (?, ?, ?, 1, ?, ?, ?)",
      [.text(collection.rawValue), .text(id), .blob(data), .text(index.sortKey), .text(index.startDate), .text(index.endDate)])
    try writeIndex(collection, id: id, index)
    return true
  }

  func replace(_ collection: ResourceCollection, id: String, data: [UInt8], index: ResourceIndex) throws -> Int64 {
    try db.run(
      """
      UPDATE records SET data = ?, version = version + 1, sort_key = ?, start_date = ?, end_date = ?
      WHERE collection = ? AND id = ?
      """,
      [.blob(data), .text(index.sortKey), .text(index.startDate), .text(index.endDate), .text(collection.rawValue), .text(id)])
    try clearIndex(collection, id: id)
    try writeIndex(collection, id: id, index)
    return try db.integer(
      "SELECT version FROM records WHERE collection = ? AND id = ?", [.text(collection.rawValue), .text(id)]) ?? 0
  }

  func delete(_ collection: ResourceCollection, id: String) throws {
    try db.run("DELETE FROM records WHERE collection = ? AND id = ?", [.text(collection.rawValue), .text(id)])
    try clearIndex(collection, id: id)
  }

  func referrers(of name: String, in collection: ResourceCollection) throws -> [String] {
    try db.statement("SELECT id FROM record_references WHERE target = ? AND collection = ? ORDER BY id")
      .rows([.text(name), .text(collection.rawValue)]) { $0.text(0) }
  }

  func recordChange(_ kind: ChangeKind, _ collection: ResourceCollection, id: String, data: [UInt8]) throws {
    let now = StoreClock.nowMilliseconds()
    try db.run(
      "INSERT INTO changes (collection, kind, id, data, commit_time) VALUES (?, ?, ?, ?, ?)",
      [.text(collection.rawValue), .integer(kind.rawValue), .text(id), .blob(data), .integer(now)])
    changes.append(
      Change(sequence: db.lastInsertedRowID, collection: collection, kind: kind, id: id, data: data, commitTime: now))
  }

  func idempotentResponse(method: String, requestID: String) throws -> [UInt8]? {
    try db.statement("SELECT response FROM idempotent_requests WHERE method = ? AND request_id = ?")
      .rows([.text(method), .text(requestID)]) { $0.blob(0) }.first
  }

  func storeIdempotentResponse(method: String, requestID: String, response: [UInt8]) throws {
    try db.run(
      "INSERT OR REPLACE INTO idempotent_requests (method, request_id, response, create_time) VALUES (?, ?, ?, ?)",
      [.text(method), .text(requestID), .blob(response), .integer(StoreClock.nowMilliseconds())])
  }

  private func writeIndex(_ collection: ResourceCollection, id: String, _ index: ResourceIndex) throws {
    for term in Set(index.terms) {
      try db.run(
        "INSERT INTO record_terms (collection, term, sort_key, id) VALUES (?, ?, ?, ?)",
        [.text(collection.rawValue), .text(term), .text(index.sortKey), .text(id)])
    }
    for target in Set(index.references) {
      try db.run(
        "INSERT INTO record_references (target, collection, id) VALUES (?, ?, ?)",
        [.text(target), .text(collection.rawValue), .text(id)])
    }
  }

  private func clearIndex(_ collection: ResourceCollection, id: String) throws {
    try db.run("DELETE FROM record_terms WHERE collection = ? AND id = ?", [.text(collection.rawValue), .text(id)])
    try db.run("DELETE FROM record_references WHERE collection = ? AND id = ?", [.text(collection.rawValue), .text(id)])
  }
}
