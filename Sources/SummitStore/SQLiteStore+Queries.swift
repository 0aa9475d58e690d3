import Foundation
import GRDB

/// The SQL of reads, shared by the store and its write transactions.
extension SQLiteStore {
  static func fetch(_ db: Database, _ collection: ResourceCollection, id: String) throws -> StoredResource? {
    // Cached statements: compiling the SQL cost more than running it.
    try Row.fetchOne(
      db.cachedStatement(sql: "SELECT id, data, version, sort_key FROM records WHERE collection = ? AND id = ?"),
      arguments: [collection.rawValue, id]
    ).map { try resource($0, collection) }
  }

  /// Rows are selected as `id, data, version, sort_key`. The blob is copied
  /// once, straight from SQLite's buffer (not through a `Data` first).
  static func resource(_ row: Row, _ collection: ResourceCollection) throws -> StoredResource {
    let data = try row.withUnsafeData(atIndex: 1) { $0.map { [UInt8]($0) } ?? [] }
    return StoredResource(
      collection: collection, id: row[0], data: data, version: row[2], sortKey: row[3])
  }

  static func change(_ row: Row) -> Change? {
    guard let collection = ResourceCollection(rawValue: row["collection"]), let kind = ChangeKind(rawValue: row["kind"]) else {
      return nil
    }
    let data: Data = row["data"]
    return Change(
      sequence: row["sequence"], collection: collection, kind: kind, id: row["id"], data: [UInt8](data),
      commitTime: row["commit_time"])
  }

  /// One page in (sort_key, id) order. With a term filter the scan starts
  /// from the first term's index, which is ordered the same way, so a
  /// selective filter stays fast however large the collection grows.
  static func list(_ db: Database, _ query: ListQuery) throws -> [StoredResource] {
    var conditions: [String] = []
    var arguments: [any DatabaseValueConvertible] = []
    let from: String
    if let first = query.terms.first {
      from = "record_terms t JOIN records r ON r.collection = t.collection AND r.id = t.id"
      conditions.append("t.collection = ? AND t.term = ?")
      arguments += [query.collection.rawValue, first]
      if let after = query.after {
        conditions.append("(t.sort_key, t.id) > (?, ?)")
        arguments += [after.sortKey, after.id]
      }
    } else {
      from = "records r"
      conditions.append("r.collection = ?")
      arguments.append(query.collection.rawValue)
      if let after = query.after {
        conditions.append("(r.sort_key, r.id) > (?, ?)")
        arguments += [after.sortKey, after.id]
      }
    }
    for term in query.terms.dropFirst() {
      conditions.append("EXISTS (SELECT 1 FROM record_terms x WHERE x.collection = r.collection AND x.id = r.id AND x.term = ?)")
      arguments.append(term)
    }
    if let from = query.dateFrom {
      conditions.append("r.end_date >= ?")
      arguments.append(from)
    }
    if let to = query.dateTo {
      conditions.append("r.start_date <= ?")
      arguments.append(to)
    }
    let order = query.terms.isEmpty ? "r.sort_key, r.id" : "t.sort_key, t.id"
    let sql = "SELECT r.id, r.data, r.version, r.sort_key FROM \(from) WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?"
    arguments.append(query.limit)
    // A handful of shapes (which filters are set), each compiled once per connection.
    return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments)).map {
      try resource($0, query.collection)
    }
  }
}
