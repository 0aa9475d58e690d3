import Foundation
import GRDB

/// A ``WriteTransaction`` on the SQLite writer connection.
final class SQLiteWriteTransaction: WriteTransaction {
  let db: Database
  /// Changes recorded in this transaction, published after commit.
  private(set) var changes: [Change] = []

  init(db: Database) {
    self.db = db
  }

  func get(_ collection: ResourceCollection, id: String) throws -> StoredResource? {
    try SQLiteStore.fetch(db, collection, id: id)
  }

  func insert(_ collection: ResourceCollection, id: String, data: [UInt8], index: ResourceIndex) throws -> Bool {
    guard try get(collection, id: id) == nil else { return false }
    try db.execute(
      sql: "INSERT INTO records (collection, id, data, version, sort_key, start_date, end_date) VALUES (?, ?, ?, 1, ?, ?, ?)",
      arguments: [collection.rawValue, id, Data(data), index.sortKey, index.startDate, index.endDate])
    try writeIndex(collection, id: id, index)
    return true
  }

  func replace(_ collection: ResourceCollection, id: String, data: [UInt8], index: ResourceIndex) throws -> Int64 {
    try db.execute(
      sql: """
        UPDATE records SET data = ?, version = version + 1, sort_key = ?, start_date = ?, end_date = ?
        WHERE collection = ? AND id = ?
        """,
      arguments: [Data(data), index.sortKey, index.startDate, index.endDate, collection.rawValue, id])
    try clearIndex(collection, id: id)
    try writeIndex(collection, id: id, index)
    return try Int64.fetchOne(
      db, sql: "SELECT version FROM records WHERE collection = ? AND id = ?", arguments: [collection.rawValue, id]) ?? 0
  }

  func delete(_ collection: ResourceCollection, id: String) throws {
    try db.execute(sql: "DELETE FROM records WHERE collection = ? AND id = ?", arguments: [collection.rawValue, id])
    try clearIndex(collection, id: id)
  }

  func referrers(of name: String, in collection: ResourceCollection) throws -> [String] {
    try String.fetchAll(
      db, sql: "SELECT id FROM record_references WHERE target = ? AND collection = ? ORDER BY id",
      arguments: [name, collection.rawValue])
  }

  func recordChange(_ kind: ChangeKind, _ collection: ResourceCollection, id: String, data: [UInt8]) throws {
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    try db.execute(
      sql: "INSERT INTO changes (collection, kind, id, data, commit_time) VALUES (?, ?, ?, ?, ?)",
      arguments: [collection.rawValue, kind.rawValue, id, Data(data), now])
    changes.append(
      Change(sequence: db.lastInsertedRowID, collection: collection, kind: kind, id: id, data: data, commitTime: now))
  }

  func idempotentResponse(method: String, requestID: String) throws -> [UInt8]? {
    try Data.fetchOne(
      db, sql: "SELECT response FROM idempotent_requests WHERE method = ? AND request_id = ?",
      arguments: [method, requestID]
    ).map { [UInt8]($0) }
  }

  func storeIdempotentResponse(method: String, requestID: String, response: [UInt8]) throws {
    try db.execute(
      sql: "INSERT OR REPLACE INTO idempotent_requests (method, request_id, response, create_time) VALUES (?, ?, ?, ?)",
      arguments: [method, requestID, Data(response), Int64(Date().timeIntervalSince1970 * 1000)])
  }

  private func writeIndex(_ collection: ResourceCollection, id: String, _ index: ResourceIndex) throws {
    for term in Set(index.terms) {
      try db.execute(
        sql: "INSERT INTO record_terms (collection, term, sort_key, id) VALUES (?, ?, ?, ?)",
        arguments: [collection.rawValue, term, index.sortKey, id])
    }
    for target in Set(index.references) {
      try db.execute(
        sql: "INSERT INTO record_references (target, collection, id) VALUES (?, ?, ?)",
        arguments: [target, collection.rawValue, id])
    }
  }

  private func clearIndex(_ collection: ResourceCollection, id: String) throws {
    try db.execute(sql: "DELETE FROM record_terms WHERE collection = ? AND id = ?", arguments: [collection.rawValue, id])
    try db.execute(sql: "DELETE FROM record_references WHERE collection = ? AND id = ?", arguments: [collection.rawValue, id])
  }
}
